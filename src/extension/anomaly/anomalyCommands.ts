/**
 * Deep Learning: Detect Anomalies (dlLab.detectAnomalies): from a run's row in the Runs view, or the
 * Command Palette with a pick of the runs; then a pick of the methods that fit the run (run.json's task:
 * msp, mahalanobis, knn for a classifier; recon; fpi) and, for mahalanobis and knn, of the feature layer
 * (default: the last layer's input, as the engine's). Opens the Anomaly view beside the code, one per run
 * and method, revealed when asked again. In Restricted Mode it opens saved reports only (anomalyPanel.ts).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnomalyMethod } from '../../protocol/engineTypes';
import { readRunRecord, type RunRecord } from '../../runs/runFolder';
import { printable } from '../../util/text';
import { pickWorkspaceRun } from '../runs/pickRun';
import { runDirOf } from '../runs/runsModel';
import { COMMANDS } from '../shared/commands';
import { errorMessage } from '../shared/log';
import { guardedCommand } from '../shared/registerCommand';
import { createBesidePanel, ViewsByKey } from '../shared/webviewPanel';
import { LAYER_METHODS, METHOD_DESCRIPTIONS, methodsFor } from './anomalyModel';
import { ANOMALY_VIEW_TYPE, AnomalyPanel, panelTitle, type AnomalyDeps, type AnomalyTarget } from './anomalyPanel';

const TITLE = `Deep Learning: ${COMMANDS.detectAnomalies.title}`;
/** The layer pick's first entry: no layer named, the engine takes the last layer's input. */
const DEFAULT_LAYER = '';

export class AnomalyPanels implements vscode.Disposable {
  private readonly open = new ViewsByKey<AnomalyPanel>();

  constructor(private readonly deps: AnomalyDeps) {}

  /** The command: the run (argument or pick), the method, the layer; then the view. */
  async detect(arg?: unknown): Promise<AnomalyPanel | undefined> {
    const runDir = runDirOf(arg) ?? (await pickRun());
    if (!runDir) return undefined;
    const record = readRunRecord(runDir); // throws one line naming the folder when it is not a run
    const method = await pickMethod(record);
    if (!method) return undefined;
    const target: AnomalyTarget = { runDir: path.resolve(runDir), method };
    // The layers come from the engine, which runs the model file: in Restricted Mode, the saved report's layer.
    if (LAYER_METHODS.includes(method) && vscode.workspace.isTrusted) {
      const layer = await this.pickLayer(record, method);
      if (layer === undefined) return undefined;
      if (layer !== DEFAULT_LAYER) target.layer = layer;
    }
    return this.show(target);
  }

  show(target: AnomalyTarget): AnomalyPanel {
    const key = `${target.runDir}\0${target.method}`;
    const existing = this.open.reveal(key);
    if (existing) {
      existing.retarget(target);
      return existing;
    }
    const panel = createBesidePanel(ANOMALY_VIEW_TYPE, panelTitle(target), this.deps.extensionUri);
    // The page asks with `ready` once it listens; the load starts then.
    return this.open.add(key, new AnomalyPanel(panel, target, this.deps));
  }

  /** The model's layers from the engine's summary, the default (the last layer's input) first. */
  private async pickLayer(record: RunRecord, method: AnomalyMethod): Promise<string | undefined> {
    let layers: { name: string; type: string; outputShape: unknown }[] = [];
    try {
      const summary = await this.deps.engine.request((p) => p.ModelSummaryRequest, { modelFile: record.modelFile, data: record.data });
      layers = summary.layers.filter((l) => l.type !== 'InputLayer');
    } catch (err) {
      this.deps.log.warn(`${COMMANDS.detectAnomalies.title}: no layer list (${errorMessage(err)}); scoring on the default layer`);
      return DEFAULT_LAYER;
    }
    const penultimate = layers.at(-2);
    const items: (vscode.QuickPickItem & { layer: string })[] = [
      { label: 'Default', description: penultimate ? `${penultimate.name}: the last layer's input` : "the last layer's input", layer: DEFAULT_LAYER },
      ...layers.slice(0, -1).map((l) => ({ label: l.name, description: `${l.type} ${JSON.stringify(l.outputShape).replace(/null,?/g, '')}`, layer: l.name })),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: `${TITLE}: ${method} on ${record.id}`, placeHolder: 'Layer whose features are scored' });
    return picked?.layer;
  }

  dispose(): void {
    this.open.dispose();
  }
}

/** The methods that fit the run (one: no pick). */
async function pickMethod(record: RunRecord): Promise<AnomalyMethod | undefined> {
  const methods = methodsFor(record.config.task);
  if (methods.length === 1) return methods[0];
  const items = methods.map((m) => ({ label: m, description: METHOD_DESCRIPTIONS[m], method: m }));
  const picked = await vscode.window.showQuickPick(items, { title: `${TITLE}: ${printable(record.id)}`, placeHolder: 'Score samples by' });
  return picked?.method;
}

/** A run of the workspace's runs folders; only runs trained on some classes name their anomalies. */
function pickRun(): Promise<string | undefined> {
  return pickWorkspaceRun({
    title: TITLE,
    placeHolder: 'Run to score',
    none: 'No runs in the runs folder yet: train a model on some classes (dl-lab train <model> --normal-classes 0-8), then detect the others as anomalies.',
    describe: (r) => {
      const normal = r.record.config.normalClasses;
      return { description: `${path.basename(r.record.modelFile)} · ${r.record.config.task ?? 'classification'}${normal?.length ? ` · normal classes ${normal.join(',')}` : ' · every class'}` };
    },
  });
}

export function registerAnomaly(deps: AnomalyDeps): vscode.Disposable {
  const panels = new AnomalyPanels(deps);
  return vscode.Disposable.from(panels, guardedCommand(deps.log, COMMANDS.detectAnomalies.id, (arg) => panels.detect(arg)));
}
