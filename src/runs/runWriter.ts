/**
 * The writing side of a run folder (its format: ./runFolder): the one object through which a training run
 * creates or reopens its folder, holds its lock, keeps run.json up to date, appends to metrics.jsonl and
 * the TensorBoard logs (./tensorboard), and notices a stop-request file. Written without TensorFlow.js,
 * like the rest of src/runs.
 */
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import type { TrainingConfig, TrainStartParams } from '../protocol/engineTypes';
import { fileErrorReason, onDiskSync } from './diskErrors';
import { RunLogs, type WeightHistogram } from './tensorboard/runLogs';
import {
  CHECKPOINTS_DIR,
  effectiveStatus,
  lockRun,
  METRICS_FILE,
  type MetricRecord,
  newRunId,
  readRunRecord,
  type RunRecord,
  STOP_REQUEST_FILE,
  TENSORBOARD_DIR,
  trimTornMetrics,
  unlockRun,
  writeRunRecord,
} from './runFolder';

/** How often, at most, the run folder is looked at for a stop-request file. */
const STOP_FILE_INTERVAL_MS = 500;

export class RunWriter {
  readonly runId: string;
  readonly runDir: string;
  /** True when the folder was reopened to resume its run. */
  readonly resuming: boolean;
  private current: RunRecord;
  private stopFileCheckedAt = 0;
  private readonly logs: RunLogs;

  /**
   * Creates the run folder (or, to resume, reopens it after checking that it may be: not training, not
   * completed unless more epochs are asked for), takes its lock and writes run.json as `running`.
   */
  constructor(params: Pick<TrainStartParams, 'resumeRunDir' | 'modelFile' | 'runsDir' | 'data' | 'overrides' | 'sweep'>) {
    const now = new Date();
    if (params.resumeRunDir) {
      this.resuming = true;
      this.runDir = path.resolve(params.resumeRunDir);
      const previous = readRunRecord(this.runDir);
      if (effectiveStatus(previous) === 'running') {
        throw new Error(`${this.runDir} is still training (engine process ${previous.pid}); stop it first`);
      }
      if (previous.status === 'completed' && !(params.overrides.epochs && params.overrides.epochs > previous.config.epochs)) {
        throw new Error(`${this.runDir}: the run already completed; pass a larger --epochs to train it further`);
      }
      // Held until the run ends: a second resume of this folder is refused rather than writing beside it.
      lockRun(this.runDir);
      this.runId = previous.id;
      this.current = {
        ...previous,
        status: 'running',
        error: undefined,
        endTime: undefined,
        pid: process.pid,
        hostname: hostname(),
        resumes: (previous.resumes ?? 0) + 1,
      };
    } else {
      this.resuming = false;
      const modelFile = path.resolve(params.modelFile);
      this.runId = newRunId(modelFile, now);
      this.runDir = path.join(path.resolve(params.runsDir), this.runId);
      fs.mkdirSync(path.join(this.runDir, CHECKPOINTS_DIR), { recursive: true });
      lockRun(this.runDir);
      this.current = {
        id: this.runId,
        modelFile,
        data: params.data,
        config: { ...params.overrides } as TrainingConfig, // replaced by the full config once resolved
        backend: null,
        status: 'running',
        startTime: now.toISOString(),
        pid: process.pid,
        hostname: hostname(),
        epochsCompleted: 0,
        ...(params.sweep ? { sweep: params.sweep } : {}),
      };
    }
    this.logs = new RunLogs(this.runDir);
    try {
      // A request left over from an earlier stop must not stop the resumed run.
      fs.rmSync(path.join(this.runDir, STOP_REQUEST_FILE), { force: true });
      writeRunRecord(this.runDir, this.current);
    } catch (err) {
      unlockRun(this.runDir);
      throw err;
    }
  }

  get record(): Readonly<RunRecord> {
    return this.current;
  }

  /** Updates run.json (written whole, atomically). `what` names the write in a disk error's message. */
  update(patch: Partial<RunRecord>, what?: string): void {
    this.current = { ...this.current, ...patch };
    if (what) onDiskSync(what, () => writeRunRecord(this.runDir, this.current));
    else writeRunRecord(this.runDir, this.current);
  }

  /** Before a resume appends: a torn last line of metrics.jsonl is cut back to the last complete one. */
  trimTornMetrics(): void {
    trimTornMetrics(this.runDir);
  }

  /**
   * Appends one line to metrics.jsonl. A batch line (throttled by the trainer) also writes the batch
   * losses TensorBoard has queued since the last one.
   */
  append(record: MetricRecord): void {
    onDiskSync(`appending to ${METRICS_FILE}`, () => fs.appendFileSync(path.join(this.runDir, METRICS_FILE), JSON.stringify(record) + '\n'));
    if (record.kind === 'batch') onDiskSync(`writing ${TENSORBOARD_DIR}`, () => this.logs.flush(false));
  }

  /** Every batch's loss, for TensorBoard's batch_loss at the global step. */
  batchLoss(step: number, loss: number): void {
    this.logs.batchLoss(step, loss);
  }

  /**
   * An epoch's line in metrics.jsonl, its scalars and the weights' histograms in TensorBoard's logs, on
   * disk (fsync'd) before the epoch's checkpoints are written.
   */
  endEpoch(record: MetricRecord & { kind: 'epoch' }, histograms: WeightHistogram[]): void {
    this.append(record);
    this.logs.epoch(record, histograms);
    onDiskSync(`writing ${TENSORBOARD_DIR}`, () => this.logs.flush(true));
  }

  /**
   * Who asked the run to stop through a stop-request file (VS Code's Stop, `dl-lab stop`), or undefined.
   * The folder is looked at twice a second at most, so that it costs the batches nothing.
   */
  stopRequestedBy(): string | undefined {
    const now = Date.now();
    if (now - this.stopFileCheckedAt < STOP_FILE_INTERVAL_MS) return undefined;
    this.stopFileCheckedAt = now;
    const file = path.join(this.runDir, STOP_REQUEST_FILE);
    if (!fs.existsSync(file)) return undefined;
    try {
      return String(JSON.parse(fs.readFileSync(file, 'utf8')).by ?? 'another process');
    } catch {
      return 'another process'; // an empty or hand-made file still asks to stop
    }
  }

  get stopRequestFile(): string {
    return path.join(this.runDir, STOP_REQUEST_FILE);
  }

  /**
   * Records how the run ended. A failure is recorded as well as the disk allows: the disk that failed the
   * run may refuse this too, and then `onWriteError` hears why (the client still hears how the run ended).
   */
  end(patch: Pick<RunRecord, 'status'> & Partial<RunRecord>, onWriteError?: (reason: string) => void): void {
    this.current = { ...this.current, ...patch, endTime: new Date().toISOString() };
    try {
      writeRunRecord(this.runDir, this.current);
    } catch (err) {
      if (!onWriteError) throw err;
      onWriteError(fileErrorReason(err));
    }
  }

  /**
   * Lets the folder go: what TensorBoard has queued is written (a disk that refuses it is reported to
   * `onWriteError`), the stop request is answered and the lock released.
   */
  close(onWriteError: (reason: string) => void): void {
    try {
      this.logs.close();
    } catch (err) {
      onWriteError(`${fileErrorReason(err)} while writing ${TENSORBOARD_DIR}`);
    }
    fs.rmSync(path.join(this.runDir, STOP_REQUEST_FILE), { force: true });
    unlockRun(this.runDir);
  }
}
