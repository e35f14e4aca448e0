/**
 * The dashboard's pure logic (no DOM, tested in test/extension/dashboardLogic.test.ts): smoothing as
 * TensorBoard does it, where a point goes on each x axis, and how numbers and durations read.
 */
import type { DashboardPoint, DashboardXAxis } from '../../src/protocol/webview';

/**
 * Exponential moving average with TensorBoard's debiasing: `last = w * last + (1 - w) * x`, shown as
 * `last / (1 - w^t)` (t counts the finite values so far), so the first values are not pulled towards 0.
 * Non-finite values pass through unsmoothed and do not count. Incremental: push() one value at a time.
 */
export class Ema {
  private last = 0;
  private count = 0;

  constructor(readonly weight: number) {
    if (!(weight >= 0 && weight < 1)) throw new Error(`smoothing weight must be in [0, 1), got ${weight}`);
  }

  push(x: number): number {
    if (!Number.isFinite(x)) return x;
    this.last = this.weight * this.last + (1 - this.weight) * x;
    this.count++;
    const debias = 1 - Math.pow(this.weight, this.count);
    return this.last / debias;
  }
}

export function smooth(values: readonly number[], weight: number): number[] {
  const ema = new Ema(weight);
  return values.map((v) => ema.push(v));
}

/** Steps per epoch from a run's epoch points (consecutive epochs' step difference, else epoch 1's step). */
export function stepsPerEpoch(points: readonly DashboardPoint[]): number | undefined {
  let previous: DashboardPoint | undefined;
  for (const p of points) {
    if (p.kind !== 'epoch') continue;
    if (previous && p.epoch === previous.epoch + 1 && p.step > previous.step) return p.step - previous.step;
    if (p.epoch === 1 && p.step > 0) return p.step;
    previous = p;
  }
  return undefined;
}

/**
 * Where a point (or marker) goes on the x axis: its global step; its epoch (an epoch line at its epoch,
 * a batch at step / steps per epoch, undefined while that is unknown); or seconds since the run began.
 */
export function xOf(
  p: { kind: string; epoch: number; step: number; time: number },
  axis: DashboardXAxis,
  run: { startTime: number; stepsPerEpoch: number | undefined },
): number | undefined {
  switch (axis) {
    case 'step':
      return p.step;
    case 'epoch':
      if (p.kind !== 'batch') return p.epoch;
      return run.stepsPerEpoch ? p.step / run.stepsPerEpoch : undefined;
    case 'time':
      return Math.max(0, (p.time - run.startTime) / 1000);
  }
}

/** 75 s -> "1m 15s"; 4000 s -> "1h 07m"; under a minute -> "42s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Axis ticks of wall time: 0:45, 12:03, 1:02:00. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Four significant digits, without exponent noise for ordinary values. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}
