/**
 * Activation and wiring of the Deep Learning Lab extension. Activation stays cheap: it creates the log
 * channel and the (hidden) status bar item and registers the commands. It loads neither TensorFlow.js
 * (only the engine process does) nor the JSON-RPC client (engineHost.ts loads it on first use), and it
 * starts no engine process: the first request does.
 *
 * Where things are:
 *   trainCommand.ts    Train Model / Stop Training, the progress notification, the final notification
 *   engineCommands.ts  Restart Engine / Show Engine Log
 *   engineHost.ts      lazy engine supervisor, engine notifications → current run, crash warnings
 *   engineSupervisor.ts EngineClient lifecycle, crash counting, manual restart (no vscode)
 *   runSession.ts      one run's state, from train/start to its end (no vscode)
 *   statusBar.ts       the training status bar item
 *   pickers.ts         model file and dataset picks (modelFiles.ts, datasets.ts: their pure logic)
 *   datasetsView.ts    the Datasets view (data/describe in the engine) and its commands
 *   datasetPreview.ts  Preview Dataset: the webview (webviews/datasetPreview/) fed by data/preview
 *   views/             the Models and Runs views; Train with Options, Resume Run, Select Backend, run commands
 *   inspection/editorInsights.ts  layer-line inlay hints, build-error diagnostics, CodeLens and hovers in model files
 *   inspection/panels.ts  Summary, Feature Maps, Filters, Equivariance: webviews (webviews/inspect/) fed by model/summary and inspect/*
 *   dashboard/         Open Dashboard / Compare Runs: the training dashboard webview (webviews/dashboard/)
 *   stopRun.ts         Stop for any run (dashboard, Runs view): this window's engine, else a stop-request file in the run folder
 *   webviewHtml.ts     the page (CSP with a nonce, stylesheet, script) every webview starts from
 *   config.ts          dlLab.* settings (settings.ts: their pure interpretation)
 *   trust.ts           Workspace Trust gate
 *   format.ts, restartPolicy.ts  texts shown to the user (no vscode)
 */
import * as vscode from 'vscode';
import { registerDashboards } from './dashboard/dashboards';
import { DatasetPreviews } from './datasets/datasetPreview';
import { registerDatasetsView } from './datasets/datasetCommands';
import { registerEngineCommands } from './engine/engineCommands';
import { EngineHost } from './engine/engineHost';
import { registerEditorInsights } from './inspection/editorInsights';
import { FeatureMapStore } from './inspection/featureMapStore';
import { registerInspectionPanels } from './inspection/panels';
import { registerModelsView } from './models/modelCommands';
import { registerRunsView } from './runs/runCommands';
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
