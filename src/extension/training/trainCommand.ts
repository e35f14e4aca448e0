/**
 * `Deep Learning: Train Model` (dlLab.train) and `Deep Learning: Stop Training` (dlLab.stopTraining).
 *
 * Train: refuse in Restricted Mode; one run at a time; pick the model file and the dataset; save the
 * model file; send `train/start`; follow the run in a progress notification (whose Cancel sends
 * `train/stop`, effective between batches) and in the status bar; end with a notification that says how
 * the run ended. The command resolves with the run's outcome (handy for tests driving it through
 * `executeCommand`).
 *
 * Train Model with Options... and Resume Run (views/runCommands.ts) go through the same path with a
 * TrainRequest: overrides, a backend, the run folder to resume.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../shared/commands';
import type { BackendChoice, TrainingConfig, TrainStartParams } from '../../protocol/engineTypes';
import { trainingSettings } from '../shared/config';
import type { CurrentRun } from './currentRun';
import type { EngineHost } from '../engine/engineHost';
import { formatMetrics, outcomeMessage, progressMessage, type RunOutcome } from '../shared/format';
import { errorMessage } from '../shared/log';
import { pickDataset, pickModelFile, presetDataset, rememberModelFile, saveIfDirty } from '../models/pickers';
import { RESTART_ENGINE_ACTION, requestErrorActions, SHOW_LOG_ACTION } from '../engine/exitMessages';
import { RunSession } from './runSession';
import type { TrainingStatusBar } from './statusBar';
import { ensureTrusted } from '../shared/trust';

export interface TrainDeps {
  log: vscode.LogOutputChannel;
  engine: EngineHost;
  currentRun: CurrentRun;
  statusBar: TrainingStatusBar;
}

const REVEAL_RUN_FOLDER = 'Reveal Run Folder';
const STOP_RUN = 'Stop Run';

/** What Train Model with Options... and Resume Run add to Train Model. */
export interface TrainRequest {
  /** Overrides of the model file's `training` (empty for Train Model). */
  overrides?: Partial<TrainingConfig>;
  /** Instead of the dlLab.backend setting. */
  backend?: BackendChoice;
  /** The dataset, not picked (a resumed run's own). */
  data?: string;
  /** Continue this run folder from its last checkpoint. */
  resumeRunDir?: string;
  /** Asked once the model file and dataset are chosen (Train Model with Options...); undefined cancels. */
  ask?: (modelFile: vscode.Uri, data: string) => Promise<Pick<TrainRequest, 'overrides' | 'backend'> | undefined>;
}

export async function trainModel(deps: TrainDeps, arg?: unknown, request: TrainRequest = {}): Promise<RunOutcome | undefined> {
  const { log, currentRun } = deps;
  if (!ensureTrusted(log)) return undefined;
  if (currentRun.session) {
    showAlreadyTraining(deps, currentRun.session);
    return undefined;
  }

  // `{ data }`: the dataset is given (Datasets view), the model file is picked.
  const preset = presetDataset(arg);
  const modelFile = await pickModelFile(preset ? undefined : arg);
  if (!modelFile) return undefined;
  const name = path.basename(modelFile.fsPath);
  if (!(await saveIfDirty(modelFile))) {
    void vscode.window.showErrorMessage(`${name} could not be saved, and training reads it from disk.`);
    return undefined;
  }
  const data = request.data ?? preset ?? (await pickDataset(modelFile));
  if (!data) return undefined;
  if (request.ask) {
    const asked = await request.ask(modelFile, data);
    if (!asked) return undefined;
    request = { ...request, ...asked };
  }
  // A run may have started from another window of this command while the picks were open.
  if (currentRun.session) {
    showAlreadyTraining(deps, currentRun.session);
    return undefined;
  }
  rememberModelFile(modelFile);

  const settings = trainingSettings(modelFile);
  if (settings.backendWarning) log.warn(settings.backendWarning);
  const params: TrainStartParams = {
    modelFile: modelFile.fsPath,
    data,
    runsDir: settings.runsDir,
    backend: request.backend ?? settings.backend,
    overrides: request.overrides ?? {},
    ...(request.resumeRunDir ? { resumeRunDir: request.resumeRunDir } : {}),
  };
  const session = new RunSession({ modelFile: params.modelFile, data, backend: params.backend });
  currentRun.begin(session);
  deps.statusBar.follow(session);
  const overridden = Object.keys(params.overrides).length ? ` with ${JSON.stringify(params.overrides)}` : '';
  log.info(
    params.resumeRunDir
      ? `Resuming ${params.resumeRunDir} (${params.modelFile} on ${data}, backend ${params.backend})${overridden}`
      : `Training ${params.modelFile} on ${data} (backend ${params.backend})${overridden}, runs in ${params.runsDir}`,
  );

  const title = params.resumeRunDir ? `Resuming ${path.basename(params.resumeRunDir)}` : `Training ${name}`;
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) => follow(deps, session, params, progress, token),
  );
  report(deps, outcome);
  return outcome;
}

/** Starts the run and mirrors it in the progress notification until it ends. */
async function follow(
  deps: TrainDeps,
  session: RunSession,
  params: TrainStartParams,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  token: vscode.CancellationToken,
): Promise<RunOutcome> {
  let reported = 0; // percent
  let lastMessage = '';
  const render = () => {
    const message = sessionMessage(session);
    const percent = Math.floor(session.fraction * 100);
    const increment = percent > reported ? percent - reported : undefined;
    if (increment === undefined && message === lastMessage) return;
    reported = Math.max(reported, percent);
    lastMessage = message;
    progress.report({ message, increment });
  };
  const unsubscribe = session.onChange(render);
  const cancel = token.onCancellationRequested(() => void stopSession(deps, session));
  render();
  try {
    const supervisor = await deps.engine.get();
    const result = await supervisor.startTraining(params);
    deps.log.info(`Run ${result.runId} started: ${result.runDir}`);
    if (session.attach(result)) await sendStop(deps, session);
  } catch (err) {
    session.failToStart(errorMessage(err));
  }
  try {
    return await session.done;
  } finally {
    unsubscribe();
    cancel.dispose();
  }
}

function sessionMessage(session: RunSession): string {
  if (session.stopping && session.active) return 'Stopping after the current batch…';
  if (session.lastProgress) return progressMessage(session.lastProgress, session.lastEpochMetrics);
  if (session.started) {
    const s = session.started;
    return `${s.backend.name} backend · ${s.trainSamples} training samples, ${s.valSamples} validation · preparing the first batch…`;
  }
  if (session.runId) return `Run ${session.runId}: loading the model…`;
  return 'Starting the training engine…';
}

/** Stop Training: asks the current run to stop between batches. */
export async function stopTraining(deps: TrainDeps): Promise<void> {
  const session = deps.currentRun.session;
  if (!session) {
    void vscode.window.showInformationMessage('No run is training.');
    return;
  }
  await stopSession(deps, session);
}

async function stopSession(deps: TrainDeps, session: RunSession): Promise<void> {
  // False when already stopping, or when the run id is not known yet: then attach() says to send it.
  if (session.requestStop()) await sendStop(deps, session);
  deps.log.info(`Stop requested for ${session.runId ? `run ${session.runId}` : 'the run being started'}`);
}

async function sendStop(deps: TrainDeps, session: RunSession): Promise<void> {
  const supervisor = deps.engine.loaded;
  if (!supervisor || !session.runId) return;
  try {
    const { stopping } = await supervisor.stopTraining(session.runId);
    if (!stopping) deps.log.warn(`Run ${session.runId} was no longer training when the stop arrived`);
  } catch (err) {
    deps.log.warn(`Could not stop run ${session.runId}: ${errorMessage(err)}`);
  }
}

function showAlreadyTraining(deps: TrainDeps, session: RunSession): void {
  const where = session.lastProgress ? ` (epoch ${session.lastProgress.epoch}/${session.lastProgress.epochs})` : '';
  const which = session.runId ? `Run ${session.runId}` : `A run of ${path.basename(session.request.modelFile)}`;
  const actions = [STOP_RUN, ...(session.runDir ? [REVEAL_RUN_FOLDER] : []), SHOW_LOG_ACTION];
  void vscode.window
    .showInformationMessage(`${which} is still training${where}. Train one model at a time: stop it first, or wait for it to end.`, ...actions)
    .then((choice) => {
      if (choice === STOP_RUN) void stopSession(deps, session);
      else if (choice === REVEAL_RUN_FOLDER && session.runDir) void revealRunFolder(session.runDir);
      else if (choice === SHOW_LOG_ACTION) deps.log.show(true);
    });
}

/** The notification that says how the run ended. Not awaited: the progress notification must close now. */
function report(deps: TrainDeps, outcome: RunOutcome): void {
  const message = outcomeMessage(outcome);
  if (outcome.status === 'completed' || outcome.status === 'stopped') {
    deps.log.info(message);
    if (outcome.metrics) deps.log.debug(`Last epoch: ${formatMetrics(outcome.metrics)}`);
  } else {
    deps.log.error(message);
  }
  // The engine-exit warning (engineHost.ts) already tells of a crash and the runs it interrupted.
  if (outcome.endedByCrash) return;
  const reveal = outcome.runDir ? [REVEAL_RUN_FOLDER] : [];
  let shown: Thenable<string | undefined>;
  switch (outcome.status) {
    case 'completed':
    case 'stopped':
      shown = vscode.window.showInformationMessage(message, ...reveal, SHOW_LOG_ACTION);
      break;
    case 'failed':
      shown = vscode.window.showErrorMessage(message, ...reveal, ...requestErrorActions(outcome.error ?? ''));
      break;
    case 'interrupted':
      shown = vscode.window.showWarningMessage(message, ...reveal, SHOW_LOG_ACTION);
      break;
  }
  void shown.then((choice) => {
    if (choice === REVEAL_RUN_FOLDER && outcome.runDir) void revealRunFolder(outcome.runDir);
    else if (choice === SHOW_LOG_ACTION) deps.log.show(true);
    else if (choice === RESTART_ENGINE_ACTION) void vscode.commands.executeCommand(COMMANDS.restartEngine.id);
  });
}

/**
 * Shows a run folder: in the Explorer when it lies in the workspace, else in the OS file manager on a
 * local desktop, else (VS Code for the Web, remotes) by opening its run.json.
 */
export async function revealRunFolder(runDir: string): Promise<void> {
  const uri = vscode.Uri.file(runDir);
  if (vscode.workspace.getWorkspaceFolder(uri)) {
    await vscode.commands.executeCommand('revealInExplorer', uri);
  } else if (vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName) {
    await vscode.commands.executeCommand('revealFileInOS', uri);
  } else {
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.joinPath(uri, 'run.json'));
  }
}
