/**
 * The on-disk format of a run, read and written without TensorFlow.js, so that the extension host and
 * the CLI can list, mark and inspect runs cheaply.
 *
 *   <runsDir>/<runId>/run.json          what the run is and how it ended (RunRecord)
 *   <runsDir>/<runId>/metrics.jsonl     one MetricRecord per line, appended as training goes
 *   <runsDir>/<runId>/checkpoints/last/ model.json + weights, optimizer state, training state
 *   <runsDir>/<runId>/checkpoints/best/ the same, for the best epoch by the monitored metric
 *   <runsDir>/<runId>/stop-request      present while someone asks the run to stop (requestStop)
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import type { BackendReport, RunStatus, TrainEventKind, TrainingConfig } from '../protocol/engine';

export interface RunRecord {
  id: string;
  modelFile: string;
  data: string;
  config: TrainingConfig;
  backend: BackendReport | null;
  status: RunStatus;
  /** ISO 8601. */
  startTime: string;
  endTime?: string;
  /** Set when status is failed (and, with the cause, when interrupted). */
  error?: string;
  /** The engine process that writes this run, so that a reader can tell a dead run from a live one. */
  pid?: number;
  hostname?: string;
  epochsCompleted: number;
  /** Last epoch's metrics, for listings. */
  lastMetrics?: Record<string, number>;
  /** How many times this run was resumed. */
  resumes?: number;
}

export interface MetricRecord {
  epoch: number;
  step: number;
  /** Milliseconds since the Unix epoch. */
  time: number;
  /**
   * 'batch': the batch's loss; 'epoch': the epoch's mean; 'event': the training loss when the callback
   * acted (the epoch's mean; the batch's for 'nonFinite'). A loss that is not finite is written as null.
   */
  loss: number;
  acc?: number;
  val_loss?: number;
  val_acc?: number;
  /**
   * 'batch' lines carry batch loss; 'epoch' lines the epoch's means and validation metrics; 'event' lines
   * what a callback did (`event`, `message`, and `metric`/`value`/`learningRate` when they apply), so that a
   * chart can put a marker at (`step` or `epoch`, `value`).
   */
  kind: 'batch' | 'epoch' | 'event';
  samplesPerSec?: number;
  /** The optimizer's learning rate ('batch', 'epoch'; 'event' after an lrReduced). */
  learningRate?: number;
  /** 'event' lines: what happened. */
  event?: TrainEventKind;
  message?: string;
  /** 'event' lines: the monitored metric and its value, when the event is about one. */
  metric?: string;
  value?: number;
}

export const RUN_FILE = 'run.json';
export const METRICS_FILE = 'metrics.jsonl';
export const CHECKPOINTS_DIR = 'checkpoints';
export const STOP_REQUEST_FILE = 'stop-request';

/**
 * Asks whatever process trains the run to stop after its current batch: the trainer looks for this file
 * between batches. It works from any process that can write the run folder (another window, a terminal,
 * another OS), where a signal or an RPC would need to know who trains it.
 */
export function requestStop(runDir: string, by: string): void {
  writeFileAtomic(path.join(runDir, STOP_REQUEST_FILE), JSON.stringify({ by, time: new Date().toISOString() }) + '\n');
}

/** Writes a file so that a reader sees either the old content or the new, never a torn one. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    if (typeof data === 'string') fs.writeSync(fd, data);
    else fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function writeRunRecord(runDir: string, record: RunRecord): void {
  writeFileAtomic(path.join(runDir, RUN_FILE), JSON.stringify(record, null, 2) + '\n');
}

export function readRunRecord(runDir: string): RunRecord {
  const file = path.join(runDir, RUN_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read run record (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return JSON.parse(text) as RunRecord;
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

/**
 * Reads metrics.jsonl. A run killed mid-write can leave a torn last line: it is skipped, as is any other
 * line that does not parse, so a crashed run's history stays readable.
 */
export function readMetrics(runDir: string): MetricRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(runDir, METRICS_FILE), 'utf8');
  } catch {
    return [];
  }
  const records: MetricRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as MetricRecord);
    } catch {
      // torn or foreign line: skip it rather than lose the whole history
    }
  }
  return records;
}

/** True when `pid` names a live process on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The status a reader should believe: a run that says `running` but whose engine process is gone was
 * interrupted (killed, crashed, or the machine went down).
 */
export function effectiveStatus(record: RunRecord): RunStatus {
  if (record.status !== 'running') return record.status;
  const sameHost = !record.hostname || record.hostname === hostname();
  if (sameHost && record.pid !== undefined && !processAlive(record.pid)) return 'interrupted';
  return 'running';
}

/** Marks a run whose engine died as interrupted. Returns false when the run had already ended. */
export function markInterrupted(runDir: string, cause: string): boolean {
  const record = readRunRecord(runDir);
  if (record.status !== 'running') return false;
  writeRunRecord(runDir, { ...record, status: 'interrupted', error: cause, endTime: new Date().toISOString() });
  return true;
}

export interface RunSummary {
  runDir: string;
  record: RunRecord;
  status: RunStatus;
}

/** Every run under `runsDir`, newest first. Folders without a readable run.json are skipped. */
export function listRuns(runsDir: string): RunSummary[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(runsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const runs: RunSummary[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const runDir = path.join(runsDir, entry.name);
    try {
      const record = readRunRecord(runDir);
      runs.push({ runDir, record, status: effectiveStatus(record) });
    } catch {
      // not a run folder (or one still being created)
    }
  }
  return runs.sort((a, b) => b.record.startTime.localeCompare(a.record.startTime));
}

/** A sortable, readable, unique run id: `20261127-224501-lenet-3f9c`. */
export function newRunId(modelFile: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const model = path.basename(modelFile).replace(/\.model\.[jt]s$|\.[jt]s$/, '').replace(/[^A-Za-z0-9_-]/g, '_');
  // Not Math.random: the engine seeds it for reproducible training, which would repeat ids.
  const suffix = randomBytes(2).toString('hex');
  return `${stamp}-${model}-${suffix}`;
}
