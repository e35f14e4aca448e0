/**
 * The data of a sweep's parallel-coordinates chart: one vertical axis per swept setting, then the best
 * val_loss and val_acc, and one polyline per run through its values. Positions are 0 (bottom) to 1 (top),
 * so that the page only scales them to pixels. Pure (the dashboard page and the tests use it).
 */
import type { SweepTag } from '../protocol/engineTypes';
import { type BestMetrics, paramKeys } from './results';

type SweepParams = SweepTag['params'];
type SweepValue = SweepParams[string];

export interface SweepRunResult {
  runId: string;
  params: SweepParams;
  best: BestMetrics;
}

export interface Axis {
  /** The setting, or the metric (`val_loss`, `val_acc`). */
  key: string;
  label: string;
  /**
   * log: a setting's positive numbers spanning a factor of 10 or more (learning rates); category: names or
   * mixed values. Metrics are linear.
   */
  scale: 'linear' | 'log' | 'category';
  metric: boolean;
  ticks: { at: number; label: string }[];
}

export interface Polyline {
  runId: string;
  /** Per axis, 0 (bottom) to 1 (top); null where the run has no value (a run that failed before validating). */
  positions: (number | null)[];
  /** Per axis, the value as text ('-' where none). */
  values: string[];
}

export interface ParallelCoordinates {
  axes: Axis[];
  lines: Polyline[];
  /** The run with the highest val_acc (ties: the lower val_loss), else the lowest val_loss. */
  bestRunId: string | undefined;
}

const METRICS = [
  { key: 'val_loss', label: 'best val_loss' },
  { key: 'val_acc', label: 'best val_acc' },
] as const;

/** A number in few characters: 0.001, 3e-4, 64, 0.9123. */
export function formatAxisValue(value: SweepValue): string {
  if (typeof value !== 'number') return String(value);
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential(1).replace(/\.0e/, 'e');
  return String(Number(value.toPrecision(4)));
}

/** An axis for these values (undefined: the run has none), and each value's position on it. */
function axisFor(key: string, label: string, metric: boolean, values: (SweepValue | undefined)[]): { axis: Axis; at: (v: SweepValue) => number } {
  const present = values.filter((v): v is SweepValue => v !== undefined);
  const numeric = present.every((v) => typeof v === 'number');
  if (!numeric) {
    const categories = [...new Set(present.map(String))];
    const at = (v: SweepValue) => (categories.length === 1 ? 0.5 : categories.indexOf(String(v)) / (categories.length - 1));
    return { axis: { key, label, scale: 'category', metric, ticks: categories.map((c) => ({ at: at(c), label: c })) }, at };
  }
  const nums = present as number[];
  const min = Math.min(...nums);
  const max = Math.max(...nums);
  const log = !metric && min > 0 && max / min >= 10;
  const f = log ? Math.log : (x: number) => x;
  // Rounded: positions become pixels, and 1e-3 is then exactly halfway between 1e-4 and 1e-2.
  const at = (v: SweepValue) => (max === min ? 0.5 : Math.round(((f(v as number) - f(min)) / (f(max) - f(min))) * 1e6) / 1e6);
  const distinct = [...new Set(nums)].sort((a, b) => a - b);
  // A setting's every value when there are few (a grid); else, and for metrics (a value per run, too close to
  // label each), the ends and three between them, evenly in the axis' scale.
  const tickValues = max === min || (!metric && distinct.length <= 6) ? distinct : [0, 0.25, 0.5, 0.75, 1].map((t) => (log ? Math.exp(f(min) + t * (f(max) - f(min))) : min + t * (max - min)));
  return {
    axis: { key, label, scale: log ? 'log' : 'linear', metric, ticks: tickValues.map((v) => ({ at: at(v), label: formatAxisValue(v) })) },
    at,
  };
}

export function parallelCoordinates(runs: readonly SweepRunResult[]): ParallelCoordinates {
  const columns: { key: string; label: string; metric: boolean; values: (SweepValue | undefined)[] }[] = [
    ...paramKeys(runs.map((r) => r.params)).map((key) => ({ key, label: key, metric: false, values: runs.map((r) => r.params[key]) })),
    ...METRICS.map(({ key, label }) => ({ key, label, metric: true, values: runs.map((r) => r.best[key] ?? undefined) })).filter((c) => c.values.some((v) => v !== undefined)),
  ];
  const built = columns.map((c) => ({ ...axisFor(c.key, c.label, c.metric, c.values), values: c.values }));
  const lines = runs.map((run, i) => ({
    runId: run.runId,
    positions: built.map((b) => (b.values[i] === undefined ? null : b.at(b.values[i]!))),
    values: built.map((b) => (b.values[i] === undefined ? '-' : formatAxisValue(b.values[i]!))),
  }));
  const ranked = runs
    .filter((r) => r.best.val_acc !== null || r.best.val_loss !== null)
    .sort((a, b) => (b.best.val_acc ?? -Infinity) - (a.best.val_acc ?? -Infinity) || (a.best.val_loss ?? Infinity) - (b.best.val_loss ?? Infinity));
  return { axes: built.map((b) => b.axis), lines, bestRunId: ranked[0]?.runId };
}
