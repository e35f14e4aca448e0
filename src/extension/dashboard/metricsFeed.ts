/**
 * The dashboard's data, without `vscode`: reading a run's metrics.jsonl from where the last read stopped
 * (so only new lines are ever parsed and sent), turning its records into chart points and callback
 * markers, the time-left estimate of the header, and the CSV export.
 *
 * The engine appends to metrics.jsonl as it trains, from this window or from the `dl-lab` CLI alike, so
 * the file is the one source of the points: engine notifications and file watchers only say "read now".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OPTIONAL_METRICS, TRAIN_EVENT_KINDS, type TrainEventKind } from '../../protocol/engineTypes';
import type { DashboardMarker, DashboardPoint } from '../../protocol/webview';
import { METRICS_FILE, readMetrics } from '../../runs/runFolder';

const EVENT_KINDS: readonly string[] = TRAIN_EVENT_KINDS;
/** Read at most this much per call, so one huge catch-up cannot stall the extension host. */
const MAX_READ = 32 * 1024 * 1024;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

/** A metrics.jsonl record as a chart point; undefined for other records and for a non-finite loss. */
export function toPoint(record: unknown): DashboardPoint | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const r = record as Record<string, unknown>;
  if (r.kind !== 'batch' && r.kind !== 'epoch') return undefined;
  const epoch = count(r.epoch);
  const step = count(r.step);
  const time = num(r.time);
  const loss = num(r.loss);
  if (epoch === undefined || step === undefined || time === undefined || loss === undefined) return undefined;
  const point: DashboardPoint = { kind: r.kind, epoch, step, time, loss };
  for (const key of OPTIONAL_METRICS) {
    const v = num(r[key]);
    if (v !== undefined) point[key] = v;
  }
  return point;
}

/**
 * A metrics.jsonl record of kind 'event' as a marker. The event's own kind cannot share the record's
 * `kind` field, so it is read from `event` (or `eventKind`, `type`).
 */
export function toMarker(record: unknown): DashboardMarker | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const r = record as Record<string, unknown>;
  if (r.kind !== 'event') return undefined;
  const kind = [r.event, r.eventKind, r.type].find((k) => typeof k === 'string' && EVENT_KINDS.includes(k)) as TrainEventKind | undefined;
  const epoch = count(r.epoch);
  const step = count(r.step);
  const time = num(r.time);
  if (!kind || epoch === undefined || step === undefined || time === undefined) return undefined;
  const marker: DashboardMarker = { kind, epoch, step, time, message: typeof r.message === 'string' ? r.message : kind };
  if (typeof r.metric === 'string') marker.metric = r.metric;
  const value = num(r.value);
  if (value !== undefined) marker.value = value;
  return marker;
}

export interface TailRead {
  points: DashboardPoint[];
  markers: DashboardMarker[];
  /** The file shrank (rewritten): the reader started over, and what came before is void. */
  reset: boolean;
  /** The throughput of the last batch or epoch line read, if any. */
  samplesPerSec?: number;
}

/**
 * Follows one metrics.jsonl: each read() returns the complete lines appended since the last one. A line
 * still being written (no newline yet) waits for the next read; a complete line that does not parse is
 * skipped, as readMetrics does.
 */
export class MetricsTail {
  private offset = 0;
  private partial = '';
  readonly file: string;

  constructor(readonly runDir: string) {
    this.file = path.join(runDir, METRICS_FILE);
  }

  /** Bytes consumed so far. */
  get position(): number {
    return this.offset;
  }

  /** Start again from the beginning (the page that showed the points is gone). */
  rewind(): void {
    this.offset = 0;
    this.partial = '';
  }

  read(): TailRead {
    const out: TailRead = { points: [], markers: [], reset: false };
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return out; // not written yet
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size < this.offset) {
        this.rewind();
        out.reset = true;
      }
      const length = Math.min(size - this.offset, MAX_READ);
      if (length <= 0) return out;
      const buffer = Buffer.allocUnsafe(length);
      const read = fs.readSync(fd, buffer, 0, length, this.offset);
      this.offset += read;
      const text = this.partial + buffer.toString('utf8', 0, read);
      const end = text.lastIndexOf('\n');
      this.partial = text.slice(end + 1);
      if (end < 0) return out;
      for (const line of text.slice(0, end).split('\n')) {
        if (!line.trim()) continue;
        let record: unknown;
        try {
          record = JSON.parse(line);
        } catch {
          continue; // torn or foreign line
        }
        const point = toPoint(record);
        if (point) {
          out.points.push(point);
          const rate = num((record as Record<string, unknown>).samplesPerSec);
          if (rate !== undefined) out.samplesPerSec = rate;
        }
        else {
          const marker = toMarker(record);
          if (marker) out.markers.push(marker);
        }
      }
      return out;
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * Seconds left in a run, from its recent pace: the steps still to do over the steps per second of the
 * last minute of progress samples (given oldest first). Undefined without two samples, or when the number
 * of steps per epoch is not known yet.
 */
export function estimateTimeLeft(
  samples: readonly { time: number; step: number }[],
  run: { epochs?: number; batchesPerEpoch?: number },
  windowMs = 60_000,
): number | undefined {
  if (samples.length < 2 || !run.epochs || !run.batchesPerEpoch) return undefined;
  const last = samples[samples.length - 1];
  let first = samples[0];
  for (const s of samples) {
    if (last.time - s.time <= windowMs) {
      first = s;
      break;
    }
  }
  if (first === last) first = samples[samples.length - 2];
  const steps = last.step - first.step;
  const ms = last.time - first.time;
  if (steps <= 0 || ms <= 0) return undefined;
  const remaining = Math.max(0, run.epochs * run.batchesPerEpoch - last.step);
  return (remaining / steps) * (ms / 1000);
}

const CSV_COLUMNS = ['run', 'kind', 'epoch', 'step', 'time', 'loss', 'acc', 'val_loss', 'val_acc', 'samplesPerSec', 'event', 'message'] as const;

function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The metrics of runs as CSV (one header, then every record of every run, in file order): batch and epoch
 * lines, and the callbacks' events with their message. Time is ISO 8601.
 */
export function metricsCsv(runs: readonly { runId: string; records: readonly unknown[] }[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const { runId, records } of runs) {
    for (const raw of records) {
      if (typeof raw !== 'object' || raw === null) continue;
      const r = raw as Record<string, unknown>;
      const marker = toMarker(r);
      if (r.kind !== 'batch' && r.kind !== 'epoch' && !marker) continue;
      const time = num(r.time);
      const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
        run: runId,
        kind: r.kind,
        epoch: r.epoch,
        step: r.step,
        time: time === undefined ? '' : new Date(time).toISOString(),
        loss: r.loss,
        acc: r.acc,
        val_loss: r.val_loss,
        val_acc: r.val_acc,
        samplesPerSec: r.samplesPerSec,
        event: marker?.kind,
        message: marker?.message,
      };
      if (marker) {
        // An event's metric value goes in its metric's column, when it has one.
        row.loss = undefined;
        if (marker.metric && marker.value !== undefined && (CSV_COLUMNS as readonly string[]).includes(marker.metric)) {
          row[marker.metric as 'loss'] = marker.value;
        }
      }
      lines.push(CSV_COLUMNS.map((c) => csvField(row[c])).join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/** CSV of runs, read afresh from their metrics.jsonl. */
export function runsCsv(runs: readonly { runId: string; runDir: string }[]): string {
  return metricsCsv(runs.map((r) => ({ runId: r.runId, records: readMetrics(r.runDir) as unknown[] })));
}
