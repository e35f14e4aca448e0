/**
 * Activation and wiring of the Deep Learning Lab extension. Activation stays cheap: it creates the log
 * channel and the (hidden) status bar item and registers the commands. It loads neither TensorFlow.js
 * (only the engine process does) nor the JSON-RPC client (engine/engineHost.ts loads it on first use), and it
 * starts no engine process: the first request does.
 *
 * Where things are: one folder per area, each with its view, its pure model (no vscode, unit-tested), its
 * commands and the webview it feeds.
 *   engine/      engineHost.ts: the one adapter of EngineClient (src/client: restarts, crash count, run
 *                registry) to VS Code: engine.event((p) => p.XNotification), engine.request((p) => p.XRequest),
 *                crash warnings; engineCommands.ts: Restart Engine, Show Engine Log, Select Backend;
 *                exitMessages.ts: what the user is told when the engine dies (no vscode)
 *   training/    trainCommand.ts: Train Model / Stop Training, progress and final notifications;
 *                trainingCommands.ts registers them with Train with Options (optionsWizard.ts, trainOptions.ts)
 *                and Resume Run (resumeRun.ts); runSession.ts: one run's state (no vscode); currentRun.ts
 *                (the dlLab.training context key); statusBar.ts
 *   runs/        the Runs view (runsView.ts, runsModel.ts) and its commands (runCommands.ts); stopRun.ts: Stop
 *                for any run (this window's engine, else a stop-request file in the run folder); tensorboard.ts:
 *                Open in TensorBoard (a terminal running tensorboard, the Simple Browser on it); exportModel.ts:
 *                Export Model (ONNX, TensorFlow.js folder, Keras advice) through the engine's export/run
 *   models/      the Models view (modelsView.ts, modelsModel.ts) and its commands (modelCommands.ts), New Model
 *                from Template (newModelCommand.ts), Open Example, model file picks (pickers.ts, modelFiles.ts)
 *   datasets/    the Datasets view (datasetsView.ts, datasetsModel.ts, datasetCommands.ts), Preview Dataset
 *                (datasetPreview.ts: webviews/datasetPreview/), dataset picks (datasetPicks.ts)
 *   inspection/  editorInsights.ts: layer-line inlay hints, build-error diagnostics, CodeLens and hovers in
 *                model files; panels.ts: Summary, Feature Maps, Filters, Equivariance (webviews/inspection/)
 *   dashboard/   Open Dashboard / Compare Runs: the training dashboard webview (webviews/dashboard/)
 *   sweeps/      Compare Sweep: a sweep's runs in the dashboard, with its parallel-coordinates chart
 *   anomaly/     Detect Anomalies: a run's anomaly scores in the Anomaly view (webviews/anomaly/); anomalyModel.ts
 *                (no vscode): histograms, ROC, the extreme samples, the saved reports
 *   evaluation/  Evaluate Run: a run's eval report in the Evaluation view (webviews/evaluation/): confusion
 *                matrix, gallery of a cell, per-class bars, reliability; evaluationModel.ts (no vscode)
 *   shared/      commands.ts: every command id and title, view id, context key (checked against package.json);
 *                config.ts: the one reader of dlLab.* settings (settings.ts: their pure interpretation);
 *                log.ts, format.ts (texts, no vscode), webviewHtml.ts (every webview's page), trust.ts,
 *                registerCommand.ts (a command whose failure is logged and shown)
 * A new command: its id and title in shared/commands.ts and package.json, registered in its area's
 * *Commands.ts (or a new area folder, wired here).
 */
import * as vscode from 'vscode';
import { registerAnomaly } from './anomaly/anomalyCommands';
import { registerDashboards } from './dashboard/dashboards';
import { DatasetPreviews } from './datasets/datasetPreview';
import { registerDatasetsView } from './datasets/datasetCommands';
import { registerEngineCommands } from './engine/engineCommands';
import { EngineHost } from './engine/engineHost';
import { registerEvaluation } from './evaluation/evaluationCommands';
import { registerEditorInsights } from './inspection/editorInsights';
import { FeatureMapStore } from './inspection/featureMapStore';
import { registerInspectionPanels } from './inspection/panels';
import { registerModelsView } from './models/modelCommands';
import { registerRunsView } from './runs/runCommands';
import { registerSweeps } from './sweeps/sweepCommands';
import type { RunsProvider } from './runs/runsView';
import { settingChanged } from './shared/config';
import { createLogChannel, errorMessage } from './shared/log';
import { watchTrust } from './shared/trust';
import { CurrentRun, TRAINING_CONTEXT_KEY } from './training/currentRun';
import { TrainingStatusBar } from './training/statusBar';
import { registerTrainingCommands } from './training/trainingCommands';

let engineHost: EngineHost | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const start = performance.now();
  const log = createLogChannel();
  const currentRun = new CurrentRun();
  const statusBar = new TrainingStatusBar();
  const engine = new EngineHost(context.extensionUri, log, currentRun);
  engineHost = engine;
  const deps = { log, engine, currentRun, statusBar };
  /** The last feature maps per model file: the Feature Maps view fills it, layer-line hovers read it. */
  const featureMaps = new FeatureMapStore();

  context.subscriptions.push(
    log,
    currentRun,
    statusBar,
    registerEngineCommands(deps),
    watchTrust(log),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settingChanged(e, 'nodePath')) {
        log.info(
          engine.loaded?.running
            ? 'dlLab.nodePath changed: the engine restarts with it on the next request when no run is training'
            : 'dlLab.nodePath changed: the next engine start uses it',
        );
      }
    }),
  );
  context.subscriptions.push(registerDashboards({ extensionUri: context.extensionUri, log, engine, currentRun }));
  context.subscriptions.push(registerSweeps({ log }));
  const previews = new DatasetPreviews({ extensionUri: context.extensionUri, engine, log });
  context.subscriptions.push(previews);
  try {
    context.subscriptions.push(registerDatasetsView({ engine, log, preview: (spec, label) => previews.show(spec, label) }));
  } catch (err) {
    // The view is an extra: training must stay available without it.
    log.error(`The Datasets view could not be registered: ${errorMessage(err)}`);
  }
  let runs: RunsProvider | undefined;
  try {
    const runsView = registerRunsView(deps);
    context.subscriptions.push(runsView, registerModelsView({ ...deps, extensionUri: context.extensionUri }));
    runs = runsView.runs;
  } catch (err) {
    log.error(`The Models and Runs views could not be registered: ${errorMessage(err)}`);
  }
  // Train Model stays available without the views (Resume Run needs the Runs view).
  context.subscriptions.push(registerTrainingCommands(deps, runs));
  try {
    context.subscriptions.push(registerEditorInsights({ engine, log, featureMaps }));
  } catch (err) {
    log.error(`The model file insights (inlay hints, CodeLens) could not be registered: ${errorMessage(err)}`);
  }
  // Show Model Summary / Feature Maps / Learned Filters, Probe Shift Equivariance (webviews beside the editor).
  context.subscriptions.push(registerInspectionPanels({ extensionUri: context.extensionUri, engine, log, featureMaps }));
  context.subscriptions.push(registerEvaluation({ extensionUri: context.extensionUri, engine, log }));
  context.subscriptions.push(registerAnomaly({ extensionUri: context.extensionUri, engine, log }));
  void vscode.commands.executeCommand('setContext', TRAINING_CONTEXT_KEY, false);

  const ms = performance.now() - start;
  log.debug(
    `Deep Learning Lab ${context.extension.packageJSON.version ?? ''} activated in ${ms.toFixed(1)} ms` +
      (vscode.workspace.isTrusted ? '' : ' (Restricted Mode: training unavailable)'),
  );
}

/** Stops the engine cleanly: a run in progress ends as stopped, not interrupted. */
export function deactivate(): Promise<void> | undefined {
  const engine = engineHost;
  engineHost = undefined;
  return engine?.dispose();
}
