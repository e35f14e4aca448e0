/**
 * What a sweep's runs achieved, for the summary `dl-lab sweep` prints, `dl-lab runs --sweep` and the
 * dashboard's comparison: each run's best validation accuracy and loss over its epochs. Pure, and free of
 * Node.js: the dashboard page uses it too.
 */
import type { MetricPoint, SweepTag } from '../protocol/engineTypes';

export interface BestMetrics {
  /** Highest val_acc of any epoch (null: no epoch had one). */
  val_acc: number | null;
  /** Lowest val_loss of any epoch. */
  val_loss: number | null;
}

/**
 * The best epoch values of metrics.jsonl's epoch lines (or the dashboard's points, which are those lines); a
 * NaN or infinite value is never best.
 */
export function bestMetrics(records: readonly (Pick<MetricPoint, 'val_acc' | 'val_loss'> & { kind: string })[]): BestMetrics {
  const best: BestMetrics = { val_acc: null, val_loss: null };
  for (const r of records) {
    if (r.kind !== 'epoch') continue;
    if (Number.isFinite(r.val_acc) && (best.val_acc === null || r.val_acc! > best.val_acc)) best.val_acc = r.val_acc!;
    if (Number.isFinite(r.val_loss) && (best.val_loss === null || r.val_loss! < best.val_loss)) best.val_loss = r.val_loss!;
  }
  return best;
}

/** Items (runs) grouped by the sweep each belongs to, in first-seen order; items of no sweep are left out. */
export function groupBySweep<T>(items: readonly T[], sweepOf: (item: T) => SweepTag | undefined): { id: string; members: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const id = sweepOf(item)?.id;
    if (id !== undefined) groups.set(id, [...(groups.get(id) ?? []), item]);
  }
  return [...groups].map(([id, members]) => ({ id, members }));
}

/** The runs of sweep `id` (RunSummary's of a runs folder), in the order they started. */
export function runsOfSweep<R extends { record: { sweep?: SweepTag; startTime: string } }>(runs: readonly R[], id: string): R[] {
  return runs.filter((r) => r.record.sweep?.id === id).sort((a, b) => a.record.startTime.localeCompare(b.record.startTime));
}

/** Every key the runs vary, in first-seen order (runs of one sweep share them; older ones may lack some). */
export function paramKeys(params: readonly SweepTag['params'][]): string[] {
  const keys: string[] = [];
  for (const p of params) for (const key of Object.keys(p)) if (!keys.includes(key)) keys.push(key);
  return keys;
}

/** `learningRate=0.001 batchSize=32`: a run's settings in one short label. */
export function paramsLabel(params: SweepTag['params']): string {
  return Object.entries(params)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

/** A metric for a table: 4 decimals, or '-' when the run has none. */
export function formatMetric(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : value.toFixed(4);
}
