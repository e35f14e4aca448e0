/**
 * The dashboard's state: the runs shown (their info, points, markers, and the series as drawn), the view
 * options, and the webview API, which keeps the run folders and options across a reload. The series grow
 * as points come (extend) and are rebuilt when the x axis, the smoothing or the steps per epoch change.
 */
import type { DashboardAction, DashboardMarker, DashboardPoint, DashboardRun, DashboardState, DashboardXAxis } from '../../src/protocol/webview';
import { webviewApi } from '../shared/vscode';
import { Ema, xOf } from './series';

export const vscode = webviewApi<DashboardAction, DashboardState>();

export interface XY {
  x: number;
  y: number;
}
export interface MarkerXY extends XY {
  marker: DashboardMarker;
}

export interface RunData {
  info: DashboardRun;
  colour: number;
  points: DashboardPoint[];
  markers: DashboardMarker[];
  hidden: boolean;
  stopping: boolean;
  spe: number | undefined;
  /** Series as drawn (x by the current axis), appended to as points come. */
  series: {
    batch: XY[];
    batchSmooth: XY[];
    loss: XY[];
    valLoss: XY[];
    acc: XY[];
    valAcc: XY[];
    lossMarkers: MarkerXY[];
    accMarkers: MarkerXY[];
  };
  ema: Ema;
  /** Points already turned into series (the rest wait for their steps per epoch on the epoch axis). */
  done: number;
  markersDone: number;
}

const saved = vscode.getState();
export const options = {
  xAxis: saved?.xAxis ?? ('step' as DashboardXAxis),
  logScale: saved?.logScale ?? false,
  smoothing: saved?.smoothing ?? 0.6,
  showBatches: saved?.showBatches ?? true,
};
/** The runs shown, in colour order (replaced in place by setRuns, so that importers see the change). */
export const runs: RunData[] = [];

export function setRuns(infos: DashboardRun[]): void {
  runs.splice(0, runs.length, ...infos.map((info, i) => newRun(info, i)));
}

export function findRun(runId: string): RunData | undefined {
  return runs.find((r) => r.info.runId === runId);
}

export function saveState(): void {
  if (!runs.length) return;
  vscode.setState({ runDirs: runs.map((r) => r.info.runDir), ...options });
}

function emptySeries(): RunData['series'] {
  return { batch: [], batchSmooth: [], loss: [], valLoss: [], acc: [], valAcc: [], lossMarkers: [], accMarkers: [] };
}

function newRun(info: DashboardRun, colour: number): RunData {
  return {
    info, colour, points: [], markers: [], hidden: false, stopping: false, spe: info.batchesPerEpoch, series: emptySeries(),
    ema: new Ema(options.smoothing), done: 0, markersDone: 0,
  };
}

export function runName(run: RunData): string {
  const model = run.info.model.replace(/\.model\.[jt]s$/, '') || 'run';
  // Run ids start with their time (20261127-224501-lenet-3f9c): that is what tells two runs of a model apart.
  const stamp = /^\d{8}-\d{6}/.exec(run.info.runId)?.[0];
  return `${model} ${stamp ?? run.info.runId}`;
}

function epochPoint(run: RunData, epoch: number): DashboardPoint | undefined {
  for (let i = run.points.length - 1; i >= 0; i--) {
    const p = run.points[i];
    if (p.kind === 'epoch' && p.epoch === epoch) return p;
  }
  return undefined;
}

function markerY(run: RunData, m: DashboardMarker, chart: 'loss' | 'acc'): number | undefined {
  if (m.value !== undefined && m.metric && m.metric.includes(chart)) return m.value;
  const p = epochPoint(run, m.epoch);
  if (!p) return undefined;
  return chart === 'loss' ? p.val_loss ?? p.loss : p.val_acc ?? p.acc;
}

function runX(run: RunData) {
  return { startTime: run.info.startTime || run.points[0]?.time || 0, stepsPerEpoch: run.spe };
}

/** Turns the run's new points and markers into series points. */
export function extend(run: RunData): void {
  const s = run.series;
  const where = runX(run);
  let i = run.done;
  for (; i < run.points.length; i++) {
    const p = run.points[i];
    const x = xOf(p, options.xAxis, where);
    if (x === undefined) break; // a batch before the steps per epoch are known: wait
    if (p.kind === 'batch') {
      s.batch.push({ x, y: p.loss });
      s.batchSmooth.push({ x, y: run.ema.push(p.loss) });
    } else {
      s.loss.push({ x, y: p.loss });
      if (p.val_loss !== undefined) s.valLoss.push({ x, y: p.val_loss });
      if (p.acc !== undefined) s.acc.push({ x, y: p.acc });
      if (p.val_acc !== undefined) s.valAcc.push({ x, y: p.val_acc });
    }
  }
  run.done = i;
  for (let j = run.markersDone; j < run.markers.length; j++) {
    const m = run.markers[j];
    const x = xOf({ ...m, kind: 'event' }, options.xAxis, where);
    if (x === undefined) continue;
    const yl = markerY(run, m, 'loss');
    if (yl !== undefined) s.lossMarkers.push({ x, y: yl, marker: m });
    const ya = markerY(run, m, 'acc');
    if (ya !== undefined) s.accMarkers.push({ x, y: ya, marker: m });
  }
  run.markersDone = run.markers.length;
}

/** Series from scratch (x axis, smoothing, or steps per epoch changed). */
export function rebuild(run: RunData): void {
  run.series = emptySeries();
  run.ema = new Ema(options.smoothing);
  run.done = 0;
  run.markersDone = 0;
  extend(run);
}
