/**
 * The Models and Runs views' registration and the run commands:
 *   Train Model with Options... (dlLab.trainWithOptions), Resume Run (dlLab.resumeRun), Select Backend
 *   (dlLab.selectBackend), Open Example (dlLab.openExample), and the Runs view's row commands: Stop,
 *   Delete (to the trash, confirmed), Reveal in Explorer, Export Model (TensorFlow.js folder), Copy
 *   Config, Compare (dlLab.compareRuns, registered by the dashboard, with the selected runs).
 *
 * Training goes through trainCommand.ts's trainModel, the same path as Train Model.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BACKEND_CHOICES, OPTIMIZERS, type BackendChoice, type OptimizerName } from '../../protocol/engineTypes';
import { effectiveStatus, readRunRecord, type RunRecord } from '../../runs/runFolder';
import { printable } from '../../util/text';
import { COMMANDS, VIEWS, type CommandId } from '../commands';
import { backendSettingText, settingChanged, updateBackendSetting } from '../config';
import { errorMessage } from '../log';
import { stopRunAnywhere } from '../stopRun';
import { revealRunFolder, trainModel, type TrainDeps } from '../trainCommand';
import { ModelsProvider, type ModelFileNode } from './modelsView';
import { configJson, exportPlan, isResumable, runDescription, runDirOf, runDirsOf } from './runsModel';
import { RunsProvider, type RunNode } from './runsView';
import {
  trainOptionsFrom,
  validateBatchSize,
  validateEpochs,
  validateLearningRate,
  validateResumeEpochs,
  type TrainOptionAnswers,
} from './trainOptions';

export interface RunViewsDeps extends TrainDeps {
  extensionUri: vscode.Uri;
}

export interface RunViews extends vscode.Disposable {
  runs: RunsProvider;
  models: ModelsProvider;
}

/** Registers the Models and Runs views and their commands. */
export function registerRunViews(deps: RunViewsDeps): RunViews {
  const runs = new RunsProvider(deps.engine);
  const models = new ModelsProvider(deps.engine, deps.log);
  const runsView = vscode.window.createTreeView(VIEWS.runs, { treeDataProvider: runs, canSelectMany: true, showCollapseAll: true });
  const modelsView = vscode.window.createTreeView(VIEWS.models, { treeDataProvider: models, showCollapseAll: true });
  const selection = (): readonly unknown[] => runsView.selection ?? [];
  const cmd = (id: CommandId, fn: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        deps.log.error(`${id}: ${errorMessage(err)}`);
        void vscode.window.showErrorMessage(errorMessage(err));
        return undefined;
      }
    });
  const disposable = vscode.Disposable.from(
    runs,
    models,
    runsView,
    modelsView,
    cmd(COMMANDS.trainWithOptions.id, (arg) => trainModel(deps, arg, { ask: (modelFile) => askTrainOptions(modelFile) })),
    cmd(COMMANDS.resumeRun.id, (arg) => resumeRun(deps, runs, arg)),
    cmd(COMMANDS.selectBackend.id, () => selectBackend(deps)),
    cmd(COMMANDS.openExample.id, () => openExample(deps.extensionUri)),
    cmd(COMMANDS.refreshRuns.id, () => runs.refresh()),
    cmd(COMMANDS.refreshModels.id, () => models.refresh()),
    cmd(COMMANDS.stopRun.id, (arg) => stopRun(deps, arg)),
    cmd(COMMANDS.deleteRun.id, (arg, selected) => deleteRuns(runs, runDirsOf(arg, selected, selection()))),
    cmd(COMMANDS.revealRun.id, (arg) => withRunDir(arg, (dir) => revealRunFolder(dir))),
    cmd(COMMANDS.exportModel.id, (arg) => withRunDir(arg, (dir) => exportModel(dir))),
    cmd(COMMANDS.copyRunConfig.id, (arg) => withRunDir(arg, (dir) => copyConfig(dir))),
    cmd(COMMANDS.compareSelectedRuns.id, (arg, selected) => compareRuns(runDirsOf(arg, selected, selection()))),
    // The Models view's inline actions hand their commands the model file's Uri, as the editor does.
    cmd(COMMANDS.trainModelFile.id, (arg) => vscode.commands.executeCommand(COMMANDS.train.id, modelUriOf(arg))),
    cmd(COMMANDS.modelFileSummary.id, (arg) => vscode.commands.executeCommand(COMMANDS.showSummary.id, modelUriOf(arg))),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settingChanged(e, 'runsDir')) runs.settingsChanged();
      if (settingChanged(e, 'modelGlob', 'runsDir', 'defaultDataset')) {
        models.settingsChanged();
      }
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      runs.settingsChanged();
      models.settingsChanged();
    }),
  );
  return { runs, models, dispose: () => disposable.dispose() };
}

function modelUriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const node = arg as Partial<ModelFileNode> | undefined;
  return node?.uri instanceof vscode.Uri ? node.uri : undefined;
}

async function withRunDir(arg: unknown, fn: (runDir: string) => unknown): Promise<unknown> {
  const dir = runDirOf(arg);
  if (!dir) {
    void vscode.window.showInformationMessage('Pick a run in the Runs view first.');
    return undefined;
  }
  return fn(dir);
}

// ---------------------------------------------------------------------------------------------------
// Train Model with Options...

const KEEP = "the model file's";

/** The option steps; undefined when the user pressed Escape. */
export async function askTrainOptions(modelFile: vscode.Uri): Promise<ReturnType<typeof trainOptionsFrom> | undefined> {
  const name = path.basename(modelFile.fsPath);
  const total = 5;
  const title = (n: number) => `Train ${name} with Options (${n}/${total})`;
  const answers: TrainOptionAnswers = {};
  const input = async (n: number, prompt: string, placeHolder: string, validateInput: (t: string) => string | undefined) =>
    vscode.window.showInputBox({ title: title(n), prompt, placeHolder, validateInput, ignoreFocusOut: true });

  answers.epochs = await input(1, 'Epochs (empty: the model file\'s)', 'e.g. 10', validateEpochs);
  if (answers.epochs === undefined) return undefined;
  answers.batchSize = await input(2, 'Batch size (empty: the model file\'s)', 'e.g. 64', validateBatchSize);
  if (answers.batchSize === undefined) return undefined;
  answers.learningRate = await input(3, 'Learning rate (empty: the model file\'s)', 'e.g. 0.001', validateLearningRate);
  if (answers.learningRate === undefined) return undefined;

  const optimizer = await vscode.window.showQuickPick(
    [{ label: KEEP, description: 'keep the optimizer of the model file', value: '' as OptimizerName | '' }, ...OPTIMIZERS.map((o) => ({ label: o, description: '', value: o }))],
    { title: title(4), placeHolder: 'Optimizer', ignoreFocusOut: true },
  );
  if (!optimizer) return undefined;
  answers.optimizer = optimizer.value;

  const setting = backendSettingText(modelFile);
  const backend = await vscode.window.showQuickPick(
    [{ label: 'setting', description: `dlLab.backend: ${setting}`, value: '' as BackendChoice | '' }, ...BACKEND_CHOICES.map((b) => ({ label: b, description: '', value: b }))],
    { title: title(5), placeHolder: 'Backend', ignoreFocusOut: true },
  );
  if (!backend) return undefined;
  answers.backend = backend.value;

  const options = trainOptionsFrom(answers);
  return options;
}

// ---------------------------------------------------------------------------------------------------
// Resume Run

async function resumeRun(deps: TrainDeps, runs: RunsProvider, arg: unknown): Promise<unknown> {
  let runDir = runDirOf(arg);
  if (!runDir) {
    runs.refresh();
    const candidates = runs.runs().filter((r) => isResumable(r.status));
    if (!candidates.length) {
      void vscode.window.showInformationMessage('No run to resume: runs that stopped, failed, were interrupted or completed are listed in the Runs view.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      candidates.map((r: RunNode) => ({
        label: r.runId,
        description: `${r.status} · ${runDescription(r.summary, undefined)}`,
        detail: `${path.basename(r.summary.record.modelFile ?? '')} on ${r.summary.record.data ?? '?'}`,
        runDir: r.runDir,
      })),
      { title: 'Deep Learning: Resume Run', placeHolder: 'Run to continue from its last checkpoint', matchOnDescription: true, matchOnDetail: true },
    );
    if (!picked) return undefined;
    runDir = picked.runDir;
  }
  let record: RunRecord;
  try {
    record = readRunRecord(runDir);
  } catch (err) {
    void vscode.window.showErrorMessage(`Cannot resume: ${errorMessage(err)}`);
    return undefined;
  }
  const status = effectiveStatus(record);
  if (status === 'running') {
    void vscode.window.showInformationMessage(`Run ${record.id} is still training.`);
    return undefined;
  }
  if (!record.modelFile || !fs.existsSync(record.modelFile)) {
    void vscode.window.showErrorMessage(`Cannot resume ${record.id}: its model file ${record.modelFile ?? '(none)'} is gone.`);
    return undefined;
  }
  // run.json decides which code a resume runs: a run folder from elsewhere must not run a file outside the
  // workspace (trusted for its own files, not for whatever path a copied run.json names).
  if (!vscode.workspace.getWorkspaceFolder(vscode.Uri.file(record.modelFile))) {
    void vscode.window.showErrorMessage(
      `Cannot resume ${record.id}: its run.json names a model file outside this workspace (${printable(record.modelFile)}); open the folder that holds it to resume the run.`,
    );
    return undefined;
  }
  const overrides: { epochs?: number } = {};
  if (status === 'completed') {
    const done = record.epochsCompleted ?? record.config?.epochs ?? 0;
    const epochs = await vscode.window.showInputBox({
      title: `Resume ${record.id}`,
      prompt: `The run completed ${done} epochs. Train to how many epochs in total?`,
      value: String(done * 2 || 1),
      validateInput: (t) => validateResumeEpochs(t, done),
      ignoreFocusOut: true,
    });
    if (epochs === undefined) return undefined;
    overrides.epochs = Number(epochs.trim());
  }
  return trainModel(deps, vscode.Uri.file(record.modelFile), { data: record.data, resumeRunDir: runDir, overrides });
}

// ---------------------------------------------------------------------------------------------------
// Select Backend

async function selectBackend(deps: TrainDeps): Promise<BackendChoice | undefined> {
  const current = backendSettingText();
  const info = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Asking the training engine which backends load…' },
    async () => (await deps.engine.get()).info(),
  );
  const mark = (name: string) => (name === current ? ' (current)' : '');
  const available = info.backends.filter((b) => b.available).map((b) => b.name);
  const items = [
    {
      label: `$(sparkle) auto${mark('auto')}`,
      description: available.length ? `picks ${available[0]} here` : 'no backend loads',
      detail: 'The first that loads of tensorflow-gpu, tensorflow, wasm, cpu',
      value: 'auto' as BackendChoice,
      available: available.length > 0,
    },
    ...info.backends.map((b) => ({
      label: `${b.available ? '$(check)' : '$(circle-slash)'} ${b.name}${mark(b.name)}`,
      description: b.available ? 'available' : 'not available',
      detail: b.detail,
      value: b.name as BackendChoice,
      available: b.available,
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Deep Learning: Select Backend', placeHolder: `Backend for training (now ${current})` });
  if (!picked) return undefined;
  if (!picked.available) {
    void vscode.window.showWarningMessage(`${picked.value} is not available here: ${picked.detail}. dlLab.backend is unchanged (${current}).`);
    return undefined;
  }
  await updateBackendSetting(picked.value);
  deps.log.info(`dlLab.backend set to ${picked.value}`);
  void vscode.window.setStatusBarMessage(`Deep Learning backend: ${picked.value}`, 3000);
  return picked.value;
}

// ---------------------------------------------------------------------------------------------------
// Open Example

const EXAMPLE = 'lenet.model.ts';

/**
 * Copies the bundled LeNet-5 example into the workspace (beside nothing it would overwrite) and opens it;
 * without a workspace folder, asks where to save it. A copy, not the bundled file: training writes a runs
 * folder beside the workspace's files, and the user edits it.
 */
async function openExample(extensionUri: vscode.Uri): Promise<vscode.Uri | undefined> {
  const source = vscode.Uri.joinPath(extensionUri, 'examples', EXAMPLE).fsPath;
  const text = fs.readFileSync(source, 'utf8');
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  let target: string | undefined;
  if (folder) {
    for (let k = 1; ; k++) {
      const candidate = path.join(folder.uri.fsPath, k === 1 ? EXAMPLE : EXAMPLE.replace('.model.ts', `-${k}.model.ts`));
      if (!fs.existsSync(candidate)) {
        target = candidate;
        break;
      }
      if (fs.readFileSync(candidate, 'utf8') === text) {
        target = candidate; // The example is already there, unchanged: open it.
        break;
      }
    }
  } else {
    const chosen = await vscode.window.showSaveDialog({
      title: 'Save the LeNet-5 example',
      defaultUri: vscode.Uri.file(path.join(os.homedir(), EXAMPLE)),
      filters: { 'Model file': ['ts'] },
    });
    target = chosen?.fsPath;
  }
  if (!target) return undefined;
  if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) fs.writeFileSync(target, text);
  const uri = vscode.Uri.file(target);
  await vscode.window.showTextDocument(uri);
  return uri;
}

// ---------------------------------------------------------------------------------------------------
// Run rows

async function stopRun(deps: TrainDeps, arg: unknown): Promise<void> {
  const dir = runDirOf(arg);
  if (!dir) return;
  const record = readRunRecord(dir);
  if (effectiveStatus(record) !== 'running') {
    void vscode.window.showInformationMessage(`Run ${record.id} is not training.`);
    return;
  }
  await stopRunAnywhere(deps, { runId: record.id, runDir: dir });
}

/** Deletes run folders to the trash, after a modal confirmation. Resolves with the folders deleted. */
export async function deleteRuns(runs: RunsProvider, dirs: string[]): Promise<string[]> {
  if (!dirs.length) {
    void vscode.window.showInformationMessage('Pick a run in the Runs view first.');
    return [];
  }
  const running = dirs.filter((d) => runs.run(d)?.status === 'running');
  if (running.length) {
    void vscode.window.showWarningMessage(`${running.map((d) => path.basename(d)).join(', ')} ${running.length === 1 ? 'is' : 'are'} still training: stop ${running.length === 1 ? 'it' : 'them'} first.`);
    return [];
  }
  const what = dirs.length === 1 ? `run ${path.basename(dirs[0])}` : `${dirs.length} runs`;
  const action = 'Move to Trash';
  const choice = await vscode.window.showWarningMessage(
    `Delete ${what}?`,
    { modal: true, detail: `${dirs.length === 1 ? 'Its folder' : 'Their folders'} (metrics, checkpoints) will be moved to the trash.` },
    action,
  );
  if (choice !== action) return [];
  const deleted: string[] = [];
  try {
    for (const dir of dirs) {
      await vscode.workspace.fs.delete(vscode.Uri.file(dir), { recursive: true, useTrash: true });
      deleted.push(dir);
    }
  } catch (err) {
    void vscode.window.showErrorMessage(`Could not move ${path.basename(dirs[deleted.length])} to the trash: ${errorMessage(err)}`);
  } finally {
    runs.refresh();
  }
  return deleted;
}

/** Copies the best (else last) checkpoint's model.json and weights to a folder the user picks. */
export async function exportModel(runDir: string): Promise<string | undefined> {
  const plan = exportPlan(runDir);
  const runId = path.basename(runDir);
  const picked = await vscode.window.showOpenDialog({
    title: `Export ${runId} (${plan.which} checkpoint) as a TensorFlow.js model`,
    openLabel: 'Export Here',
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
  });
  const dest = picked?.[0]?.fsPath;
  if (!dest) return undefined;
  if (fs.existsSync(path.join(dest, 'model.json'))) {
    const replace = 'Replace';
    const choice = await vscode.window.showWarningMessage(`${dest} already holds a model.json. Replace it?`, { modal: true }, replace);
    if (choice !== replace) return undefined;
  }
  fs.mkdirSync(dest, { recursive: true });
  for (const file of plan.files) fs.copyFileSync(path.join(plan.checkpointDir, file), path.join(dest, file));
  const reveal = 'Reveal';
  void vscode.window
    .showInformationMessage(`Exported ${runId} (${plan.which} checkpoint: ${plan.files.join(', ')}) to ${dest}. Load it with tf.loadLayersModel.`, reveal)
    .then((c) => {
      if (c === reveal) void revealPath(dest);
    });
  return dest;
}

/** The Explorer when the folder is in the workspace, else the OS file manager on a local desktop. */
async function revealPath(dir: string): Promise<void> {
  const uri = vscode.Uri.file(dir);
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else if (vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName) await vscode.commands.executeCommand('revealFileInOS', uri);
  else void vscode.window.showInformationMessage(dir);
}

async function copyConfig(runDir: string): Promise<string> {
  const text = configJson(readRunRecord(runDir));
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage(`Copied the config of ${path.basename(runDir)}`, 3000);
  return text;
}

async function compareRuns(dirs: string[]): Promise<unknown> {
  if (dirs.length < 2) {
    void vscode.window.showInformationMessage('Select two or more runs in the Runs view (Ctrl+click or Shift+click) to compare them.');
    return undefined;
  }
  return vscode.commands.executeCommand(COMMANDS.compareRuns.id, dirs);
}
