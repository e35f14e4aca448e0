/**
 * The on-disk format of a run, read and written without TensorFlow.js, so that the extension host and
 * the CLI can list, mark and inspect runs cheaply.
 *
 *   <runsDir>/<runId>/run.json          what the run is and how it ended (RunRecord)
 *   <runsDir>/<runId>/metrics.jsonl     one MetricRecord per line, appended as training goes
 *   <runsDir>/<runId>/checkpoints/last/ model.json + weights, optimizer state, training state
 *   <runsDir>/<runId>/checkpoints/best/ the same, for the best epoch by the monitored metric
 *   <runsDir>/<runId>/stop-request      present while someone asks the run to stop (requestStop)
 *   <runsDir>/<runId>/tensorboard/train/, validation/   TensorBoard event files (./tensorboard/runLogs)
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { printable } from '../util/text';
import { RUN_STATUSES, type BackendReport, type MetricPoint, type PointKind, type RunStatus, type SweepTag, type TrainEventKind, type TrainingConfig } from '../protocol/engineTypes';

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
  /** The sweep that started this run (`dl-lab sweep`), and the settings it gave the run. */
  sweep?: SweepTag;
}

/**
 * One line of metrics.jsonl: a MetricPoint (kind batch or epoch), or an event. `loss` is, for 'batch', the
 * batch's loss; 'epoch': the epoch's mean; 'event': the training loss when the callback acted (the epoch's
 * mean; the batch's for 'nonFinite'). A loss that is not finite is written as null.
 */
export interface MetricRecord extends Omit<MetricPoint, 'kind'> {
  /**
   * 'batch' lines carry batch loss; 'epoch' lines the epoch's means and validation metrics; 'event' lines
   * what a callback did (`event`, `message`, and `metric`/`value`/`learningRate` when they apply), so that a
   * chart can put a marker at (`step` or `epoch`, `value`).
   */
  kind: PointKind | 'event';
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
export const LOCK_FILE = 'lock';
export const TENSORBOARD_DIR = 'tensorboard';

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
    try {
      // A write may take only part of the bytes (a disk filling up): the rest is written, or fails, in turn.
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      for (let offset = 0; offset < bytes.byteLength; ) offset += fs.writeSync(fd, bytes, offset);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    // A full disk must not also leave half-written temporary files behind; the old file stays as it was.
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Takes the run folder for the process that trains it: two engines resuming one run at once would write
 * the same files. The lock names its process; one whose process is gone (killed, crashed) is taken over.
 * Throws, naming the holder, when a live process holds it.
 */
export function lockRun(runDir: string): void {
  const file = path.join(runDir, LOCK_FILE);
  const mine = JSON.stringify({ pid: process.pid, hostname: hostname(), time: new Date().toISOString() }) + '\n';
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: { pid?: unknown; hostname?: unknown } = {};
    try {
      holder = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      // torn or empty: its writer died before finishing; stale
    }
    const pid = typeof holder.pid === 'number' ? holder.pid : undefined;
    const otherHost = typeof holder.hostname === 'string' && holder.hostname !== hostname();
    if (pid !== undefined && (otherHost || processAlive(pid))) {
      throw new Error(
        `${runDir} is being trained by process ${pid}${otherHost ? ` on ${holder.hostname}` : ''} (it holds ${file}); ` +
          `stop that run first${otherHost ? `, or delete ${LOCK_FILE} if that process is gone` : ''}`,
      );
    }
    fs.rmSync(file, { force: true });
  }
  throw new Error(`${file}: could not take the lock (another process keeps taking it)`);
}

/** Releases lockRun's lock, if this process holds it. */
export function unlockRun(runDir: string): void {
  const file = path.join(runDir, LOCK_FILE);
  try {
    if (JSON.parse(fs.readFileSync(file, 'utf8')).pid === process.pid) fs.rmSync(file, { force: true });
  } catch {
    // gone already, or not ours
  }
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
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${printable((err as Error).message)})`);
  }
  const problem = recordProblem(record);
  if (problem) throw new Error(`${file}: not a run record (${problem})`);
  return record as RunRecord;
}

/** What makes `value` unusable as a RunRecord (the fields listings and resumes rely on), or undefined. */
function recordProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `a JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}, not an object`;
  const r = value as Record<string, unknown>;
  for (const key of ['id', 'modelFile', 'data', 'startTime'] as const) {
    if (typeof r[key] !== 'string') return `"${key}" is ${r[key] === undefined ? 'missing' : 'not a string'}`;
  }
  if (!(RUN_STATUSES as readonly unknown[]).includes(r.status)) return `"status" is ${JSON.stringify(r.status)?.slice(0, 40)}; expected one of ${RUN_STATUSES.join(', ')}`;
  if (typeof r.config !== 'object' || r.config === null) return '"config" is not an object';
  if (typeof r.epochsCompleted !== 'number') return '"epochsCompleted" is not a number';
  return undefined;
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

/**
 * Before a resume appends to metrics.jsonl: a run killed mid-write leaves a torn last line, onto which the
 * next record would be glued (and both lost). The torn tail is cut back to the last complete line.
 */
export function trimTornMetrics(runDir: string): void {
  const file = path.join(runDir, METRICS_FILE);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch {
    return; // no metrics yet
  }
  try {
    const size = fs.fstatSync(fd).size;
    const chunk = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - chunk.length);
      fs.readSync(fd, chunk, 0, end - start, start);
      const newline = chunk.subarray(0, end - start).lastIndexOf(0x0a);
      if (newline >= 0) {
        if (start + newline + 1 < size) fs.ftruncateSync(fd, start + newline + 1);
        return;
      }
      end = start;
    }
    fs.ftruncateSync(fd, 0); // not one complete line
  } finally {
    fs.closeSync(fd);
  }
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

/** A folder of the runs folder whose run.json is there but cannot be used (torn, not a run record). */
export interface UnreadableRun {
  runDir: string;
  /** One line: the file and what is wrong with it. */
  error: string;
}

/** Every run under `runsDir`, newest first. Folders without a usable run.json are left out (see scanRuns). */
export function listRuns(runsDir: string): RunSummary[] {
  return scanRuns(runsDir).runs;
}

/**
 * The runs under `runsDir`, newest first, and the folders whose run.json exists but is torn or not a run
 * record, so that a listing can name them: one bad folder neither hides the others nor goes unmentioned.
 * Folders without a run.json (not runs, or one being created) are neither. Reads only: never writes.
 */
export function scanRuns(runsDir: string): { runs: RunSummary[]; unreadable: UnreadableRun[] } {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(runsDir, { withFileTypes: true });
  } catch {
    return { runs: [], unreadable: [] };
  }
  const runs: RunSummary[] = [];
  const unreadable: UnreadableRun[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const runDir = path.join(runsDir, entry.name);
    try {
      const record = readRunRecord(runDir);
      runs.push({ runDir, record, status: effectiveStatus(record) });
    } catch (err) {
      if (fs.existsSync(path.join(runDir, RUN_FILE))) unreadable.push({ runDir, error: (err as Error).message.split('\n')[0] });
    }
  }
  runs.sort((a, b) => b.record.startTime.localeCompare(a.record.startTime));
  unreadable.sort((a, b) => (a.runDir < b.runDir ? 1 : -1));
  return { runs, unreadable };
}

/** A sortable, readable, unique run id: `20261127-224501-lenet-3f9c`. */
export function newRunId(modelFile: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const model = path.basename(modelFile).replace(/\.model\.[jt]s$|\.[jt]s$/, '').replace(/[^A-Za-z0-9_-]/g, '_');
  // Not Math.random: the engine seeds it for reproducible training, which would repeat ids.
  const suffix = randomBytes(2).toString('hex');
  return `${stamp}-${model}-${suffix}`;
}
