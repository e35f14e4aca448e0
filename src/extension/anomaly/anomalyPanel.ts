/**
 * One Anomaly view: a run scored by one method, beside the code. It shows the run's saved report when
 * there is one (no engine needed), else asks the engine (eval/anomaly, which saves it); then the shown
 * samples' images (inspect/featureMaps on the model's smallest layer, so little else crosses) and, for recon
 * and fpi, their per-pixel maps (eval/anomaly with `maps`). Re-run scores again. In Restricted Mode only a
 * saved report shows (the engine runs the model file's code).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnomalyMethod, AnomalyReport, EvalCheckpoint } from '../../protocol/engineTypes';
import { parseAnomalyAction, type AnomalySample, type AnomalyUpdate, type AnomalyView } from '../../protocol/webview';
import { readRunRecord } from '../../runs/runFolder';
import type { EngineHost } from '../engine/engineHost';
import { errorMessage } from '../shared/log';
import { setPanelPage } from '../shared/webviewPanel';
import { anomalyView, savedReport, shownIndices } from './anomalyModel';

export interface AnomalyDeps {
  extensionUri: vscode.Uri;
  engine: Pick<EngineHost, 'request'>;
  log: vscode.LogOutputChannel;
}

/** What a view scores: the run, the method and (mahalanobis, knn) the layer; undefined: the engine's default. */
export interface AnomalyTarget {
  runDir: string;
  method: AnomalyMethod;
  layer?: string;
}

/** The bundle (dist/webviews/anomaly.js) and the panels' view type. */
export const ANOMALY_PAGE = 'anomaly';
export const ANOMALY_VIEW_TYPE = 'dlLab.anomaly';

/** "Anomalies: <run> · msp" (and the layer). */
export function panelTitle(target: AnomalyTarget): string {
  return `Anomalies: ${path.basename(target.runDir)} · ${target.method}${target.layer ? ` (${target.layer})` : ''}`;
}

/** The engine's message without the JSON-RPC wrapper. */
function plain(err: unknown): string {
  return errorMessage(err).replace(/^Request \S+ failed with message: /, '');
}

export class AnomalyPanel {
  /** Bumped by each load: a slower earlier one does not overwrite a later one. */
  private generation = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    private target: AnomalyTarget,
    private readonly deps: AnomalyDeps,
  ) {
    setPanelPage(panel, deps.extensionUri, ANOMALY_PAGE, { placeholder: 'Loading…', dataImages: true });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseAnomalyAction(raw, (why) => deps.log.warn(`Anomaly view: ignored a message that is not one (${why}): ${JSON.stringify(raw)?.slice(0, 200)}`));
        if (!message) return;
        const fresh = message.type === 'rerun';
        void this.load(fresh).catch((err) => deps.log.error(`Anomaly view: ${errorMessage(err)}`));
      }),
    );
    panel.onDidDispose(() => this.disposables.splice(0).forEach((d) => d.dispose()));
  }

  /** Shown again, perhaps for another layer: a new layer is scored (or read) anew. */
  retarget(target: AnomalyTarget): void {
    if (target.layer === this.target.layer) return;
    this.target = target;
    this.panel.title = panelTitle(target);
    void this.load(false);
  }

  private post(update: AnomalyUpdate): void {
    void this.panel.webview.postMessage(update);
  }

  /** The report (saved unless `fresh`, else the engine's), then the samples' images and maps. */
  async load(fresh: boolean): Promise<void> {
    const generation = ++this.generation;
    const { runDir, method, layer } = this.target;
    const runId = path.basename(runDir);
    let report = fresh ? undefined : savedReport(runDir, method, layer, (file, why) => this.deps.log.warn(`Anomaly view: skipped ${file}: ${why}`));
    const saved = report !== undefined;
    if (!report && !vscode.workspace.isTrusted) {
      // Scoring builds the run's model, and a model file is code.
      const what = fresh ? `Re-run is unavailable` : `No saved ${method} report in ${runId}`;
      this.post({ type: 'error', message: `Restricted Mode: ${what}, and scoring runs the model file. Trust this workspace to score the run.` });
      return;
    }
    if (!report) {
      this.post({ type: 'loading', message: `Scoring the samples of ${runId} by ${method}${layer ? ` on layer ${layer}` : ''}…` });
      try {
        report = await this.deps.engine.request((p) => p.AnomalyRequest, { runDir, method, ...(layer ? { layer } : {}) });
      } catch (err) {
        if (generation === this.generation) this.post({ type: 'error', message: `${runId}: ${plain(err)}` });
        return;
      }
    }
    if (generation !== this.generation) return;
    const view = anomalyView(report, saved);
    this.post({ type: 'report', view });
    await this.loadSamples(generation, report, view);
  }

  private async loadSamples(generation: number, report: AnomalyReport, view: AnomalyView): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.post({ type: 'error', message: "Restricted Mode: the samples' images come from the engine, which runs the model file. Trust this workspace to see them." });
      return;
    }
    const indices = shownIndices(view);
    this.post({ type: 'loading', message: `Reading ${indices.length} samples' images${view.maps ? ' and maps' : ''}…` });
    try {
      const maps = view.maps ? await this.maps(report, indices) : undefined;
      const samples: AnomalySample[] = [];
      const layer = await this.smallestLayer(report);
      for (const index of indices) {
        if (generation !== this.generation) return;
        const result = await this.deps.engine.request((p) => p.FeatureMapsRequest, {
          runDir: report.runDir,
          checkpoint: report.checkpoint as EvalCheckpoint,
          ...(this.otherData(report) ? { data: report.data } : {}),
          sample: { kind: 'index', index },
          ...(layer ? { layers: [layer] } : {}),
        });
        const map = maps?.get(index);
        samples.push({ index, className: result.sample.className, image: result.sample.image, ...(map ? { map } : {}) });
      }
      if (generation === this.generation) this.post({ type: 'samples', samples });
    } catch (err) {
      if (generation === this.generation) this.post({ type: 'error', message: `The samples' images could not be read: ${plain(err)}` });
    }
  }

  /** recon, fpi: the shown samples' per-pixel maps (the engine scores the split again to give them). */
  private async maps(report: AnomalyReport, indices: number[]): Promise<Map<number, AnomalySample['map']>> {
    const withMaps = await this.deps.engine.request((p) => p.AnomalyRequest, {
      runDir: report.runDir,
      method: report.method,
      split: report.split,
      checkpoint: report.checkpoint,
      ...(this.otherData(report) ? { data: report.data } : {}),
      maps: indices,
    });
    return new Map((withMaps.maps ?? []).map((m) => [m.index, m.map]));
  }

  /** The report was scored on other data than the run trained on. */
  private otherData(report: AnomalyReport): boolean {
    try {
      return readRunRecord(report.runDir).data !== report.data;
    } catch {
      return false;
    }
  }

  /** The layer with the fewest outputs (the images come with that layer's output only), if the summary says. */
  private async smallestLayer(report: AnomalyReport): Promise<string | undefined> {
    try {
      const record = readRunRecord(report.runDir);
      const summary = await this.deps.engine.request((p) => p.ModelSummaryRequest, { modelFile: record.modelFile, data: report.data });
      const size = (shape: unknown) => (Array.isArray(shape) && shape.every((d) => d === null || typeof d === 'number') ? (shape as (number | null)[]).reduce<number>((a, d) => a * (d ?? 1), 1) : Infinity);
      const layers = summary.layers.filter((l) => l.type !== 'InputLayer');
      return layers.reduce<(typeof layers)[number] | undefined>((best, l) => (!best || size(l.outputShape) < size(best.outputShape) ? l : best), undefined)?.name;
    } catch (err) {
      this.deps.log.warn(`Anomaly view: no model summary (${plain(err)}); the images come with every layer's maps`);
      return undefined;
    }
  }
}
