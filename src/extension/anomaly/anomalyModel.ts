/**
 * The Anomaly view's data, pure (no vscode): which methods fit a run, the saved report to reopen, and what
 * the page draws from a report: score histograms of normal and anomalous samples on shared bins, the ROC
 * curve thinned for drawing, and the most and least anomalous samples. The page draws; it computes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnomalyMethod, AnomalyReport, TrainingTask } from '../../protocol/engineTypes';
import type { AnomalyView, ScoredSample } from '../../protocol/webview';

/** The methods each kind of run is scored by (the engine's own for the task; layer features for classifiers). */
export const TASK_METHODS: Record<TrainingTask, readonly AnomalyMethod[]> = {
  classification: ['msp', 'mahalanobis', 'knn'],
  reconstruction: ['recon'],
  fpi: ['fpi'],
};

/** What each method scores by, for the method pick. */
export const METHOD_DESCRIPTIONS: Record<AnomalyMethod, string> = {
  msp: 'maximum softmax probability (low confidence = anomalous)',
  mahalanobis: "a layer's features: distance to class-conditional Gaussians",
  knn: "a layer's features: distance to the k-th nearest training sample",
  recon: 'reconstruction error, with per-pixel error maps',
  fpi: "the foreign-patch model's predicted foreign fraction, with its maps",
};

/** Methods that take a layer's features (the layer pick). */
export const LAYER_METHODS: readonly AnomalyMethod[] = ['mahalanobis', 'knn'];
/** Methods with a per-pixel map per sample. */
export const MAP_METHODS: readonly AnomalyMethod[] = ['recon', 'fpi'];

/** Where the engine saves reports: runs/<id>/anomaly/<method>-<split>-<checkpoint>.json. */
export const ANOMALY_FOLDER = 'anomaly';
/** Bins of each histogram; samples shown at each end. */
export const HISTOGRAM_BINS = 30;
export const EXTREMES = 8;
/** The ROC curve keeps a point when it moved this far (of the unit square) from the last one kept. */
const ROC_STEP = 1 / 400;

export function methodsFor(task: TrainingTask | undefined): readonly AnomalyMethod[] {
  return TASK_METHODS[task ?? 'classification'] ?? TASK_METHODS.classification;
}

export interface Histogram {
  /** bins + 1 edges, ascending. */
  edges: number[];
  normal: number[];
  anomalous: number[];
}

/** Both groups' counts over the same equal-width bins from the lowest to the highest finite score. */
export function histogram(score: readonly number[], anomalous: readonly boolean[], bins = HISTOGRAM_BINS): Histogram {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of score) if (Number.isFinite(s)) (lo = Math.min(lo, s)), (hi = Math.max(hi, s));
  if (lo > hi) return { edges: [], normal: [], anomalous: [] };
  // All scores equal: one bin around them.
  if (lo === hi) {
    bins = 1;
    (lo -= 0.5), (hi += 0.5);
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const normal = new Array<number>(bins).fill(0);
  const anomalousCounts = new Array<number>(bins).fill(0);
  score.forEach((s, i) => {
    if (!Number.isFinite(s)) return;
    const bin = Math.min(bins - 1, Math.floor((s - lo) / width));
    (anomalous[i] ? anomalousCounts : normal)[bin]++;
  });
  return { edges, normal, anomalous: anomalousCounts };
}

/** The ROC curve from (0, 0) to (1, 1), with points closer than ROC_STEP to the last kept left out (corners at the ends kept). */
export function rocPoints(roc: { fpr: readonly number[]; tpr: readonly number[] }): { fpr: number[]; tpr: number[] } {
  const fpr = [0];
  const tpr = [0];
  const n = Math.min(roc.fpr.length, roc.tpr.length);
  for (let i = 0; i < n; i++) {
    const [x, y] = [roc.fpr[i], roc.tpr[i]];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const last = fpr.length - 1;
    if (i < n - 1 && Math.abs(x - fpr[last]) < ROC_STEP && Math.abs(y - tpr[last]) < ROC_STEP) continue;
    if (x === fpr[last] && y === tpr[last]) continue;
    fpr.push(x);
    tpr.push(y);
  }
  if (fpr[fpr.length - 1] !== 1 || tpr[tpr.length - 1] !== 1) (fpr.push(1), tpr.push(1));
  return { fpr, tpr };
}

/**
 * The `n` most anomalous samples (highest score first) and the `n` least (lowest first); ties go to the
 * lower dataset index. Non-finite scores are left out.
 */
export function extremes(scores: AnomalyReport['scores'], n = EXTREMES): { most: ScoredSample[]; least: ScoredSample[] } {
  const all: ScoredSample[] = [];
  scores.score.forEach((score, i) => {
    if (Number.isFinite(score)) all.push({ index: scores.index[i], label: scores.label[i], score, anomalous: scores.anomalous[i] });
  });
  all.sort((a, b) => b.score - a.score || a.index - b.index);
  const most = all.slice(0, Math.min(n, all.length));
  const least = all
    .slice(Math.max(most.length, all.length - n))
    .sort((a, b) => a.score - b.score || a.index - b.index);
  return { most, least };
}

/** What the page draws from a report; `saved`: read from its file (not scored now). */
export function anomalyView(report: AnomalyReport, saved: boolean): AnomalyView {
  const { most, least } = extremes(report.scores);
  return {
    runId: report.runId,
    method: report.method,
    ...(report.layer !== undefined ? { layer: report.layer } : {}),
    ...(report.k !== undefined ? { k: report.k } : {}),
    split: report.split,
    checkpoint: report.checkpoint,
    data: report.data,
    file: report.file,
    saved,
    auroc: report.auroc,
    auprc: report.auprc,
    fpr95: report.fpr95,
    normal: report.normal,
    anomalous: report.anomalous,
    normalClasses: report.normalClasses,
    anomalyClasses: report.anomalyClasses,
    histogram: histogram(report.scores.score, report.scores.anomalous),
    roc: rocPoints(report.roc),
    most,
    least,
    maps: MAP_METHODS.includes(report.method),
  };
}

/** The samples whose images (and maps) the view shows: the most anomalous, then the least. */
export function shownIndices(view: Pick<AnomalyView, 'most' | 'least'>): number[] {
  return [...new Set([...view.most, ...view.least].map((s) => s.index))];
}

/** Why a parsed file is not a report the view can draw, or undefined when it is one. */
export function reportProblem(r: unknown, method: AnomalyMethod): string | undefined {
  const o = r as Partial<AnomalyReport> | null;
  if (typeof o !== 'object' || o === null) return 'not a JSON object';
  if (o.method !== method) return `its method is ${JSON.stringify(o.method)}, not ${method}`;
  const s = o.scores;
  const n = s?.score?.length;
  if (!s || !Array.isArray(s.score) || ![s.index, s.label, s.anomalous].every((a) => Array.isArray(a) && a.length === n)) return 'its scores are not index, label, score and anomalous lists of one length';
  if (!o.roc || !Array.isArray(o.roc.fpr) || !Array.isArray(o.roc.tpr)) return 'it has no ROC curve';
  if (![o.auroc, o.auprc, o.fpr95, o.normal, o.anomalous].every((x) => typeof x === 'number')) return 'auroc, auprc, fpr95, normal or anomalous is not a number';
  if (typeof o.split !== 'string' || typeof o.checkpoint !== 'string' || !Array.isArray(o.normalClasses) || !Array.isArray(o.anomalyClasses)) return 'its split, checkpoint or classes are missing';
  return undefined;
}

const SAVED = /^(msp|mahalanobis|knn|recon|fpi)-(train|val|test)-(best|last)\.json$/;

/**
 * The run's latest saved report of `method` (and of `layer`, when one is asked for), or undefined. Files
 * that are not reports are passed to `skipped` with why.
 */
export function savedReport(runDir: string, method: AnomalyMethod, layer: string | undefined, skipped: (file: string, why: string) => void = () => {}): AnomalyReport | undefined {
  const dir = path.join(runDir, ANOMALY_FOLDER);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return undefined;
  }
  const files = names
    .filter((n) => SAVED.exec(n)?.[1] === method)
    .map((n) => path.join(dir, n))
    .map((file) => ({ file, mtime: fs.statSync(file).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { file } of files) {
    let report: unknown;
    try {
      report = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      skipped(file, (err as Error).message);
      continue;
    }
    const problem = reportProblem(report, method);
    if (problem) {
      skipped(file, problem);
      continue;
    }
    const r = report as AnomalyReport;
    if (layer !== undefined && r.layer !== layer) continue;
    return { ...r, file };
  }
  return undefined;
}
