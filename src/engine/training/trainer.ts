/**
 * One training run, from its folder on disk to its last checkpoint: builds the model from the model file,
 * trains it batch by batch (yielding to the event loop between batches so that `train/stop` is heard),
 * streams throttled progress, and writes metrics and checkpoints as it goes.
 */
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendReport, EpochMetrics, TrainEventParams, TrainFinishedParams, TrainingConfig, TrainProgressParams, TrainStartedParams, TrainStartParams } from '../../protocol/engineTypes';
import {
  CHECKPOINTS_DIR,
  METRICS_FILE,
  type MetricRecord,
  newRunId,
  readRunRecord,
  effectiveStatus,
  lockRun,
  type RunRecord,
  STOP_REQUEST_FILE,
  trimTornMetrics,
  unlockRun,
  writeRunRecord,
} from '../../runs/runFolder';
import { initBackend } from '../backends';
import { describeAugment, parseAugment, type AugmentConfig } from '../data/augment';
import { batchInputs, batchLabels } from '../data/batch';
import { loadDataset, type ImageDataset, type Normalization } from '../data/dataset';
import { readNormalization, resolveNormalization, writeNormalization } from '../data/normalization';
import { selectSplits } from '../data/splits';
import { displayPath, loadModelFile, ModelFileError } from '../model/modelFile';
import { settleAfterModelCallbacks } from '../model/timeLimit';
import { derivedRandom, seedMathRandom, shuffleInPlace } from '../util/random';
import {
  type CallbackEvent,
  CallbackRunner,
  callbacksConfigOf,
  type CallbacksState,
  type ResolvedCallbacks,
  resolveCallbacks,
} from './callbacks';
import { resolveTrainingConfig } from './config';
import {
  copyCheckpoint,
  loadCheckpointWeights,
  readCheckpointState,
  restoreCheckpoint,
  saveCheckpoint,
  type TrainerState,
} from './checkpoint';
import {
  countCorrect,
  type LossFn,
  lossFunction,
  makeOptimizer,
  setLearningRate,
  trainableVariables,
  trainStep,
} from './step';

export interface TrainerEvents {
  started(params: TrainStartedParams): void;
  progress(params: TrainProgressParams): void;
  finished(params: TrainFinishedParams): void;
  /** A callback acted (also written to metrics.jsonl as a record of kind 'event'). */
  event(params: TrainEventParams): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** Batch progress is sent at most this often: enough for a live chart, cheap for training. */
export const PROGRESS_INTERVAL_MS = 250;
/** How often, at most, the run folder is looked at for a stop-request file. */
const STOP_FILE_INTERVAL_MS = 500;
const EVAL_BATCH = 256;
/**
 * EarlyStopping's best weights, when they are not those in checkpoints/best (another monitor, a minDelta,
 * or ModelCheckpoint off): kept on disk so that restoreBestWeights works after a resume too.
 */
export const EARLY_STOPPING_DIR = 'early-stopping';

export class TrainingRun {
  readonly runId: string;
  readonly runDir: string;
  private record: RunRecord;
  private stopRequested = false;
  /** When the run folder was last looked at for a stop request (requestStop). */
  private stopFileCheckedAt = 0;
  private readonly resuming: boolean;
  /** The last finished epoch's metrics: a failed run reports them too. */
  private lastMetrics: EpochMetrics | undefined;

  /** Creates (or, to resume, reopens) the run folder; training starts with `train()`. */
  constructor(
    private readonly params: TrainStartParams,
    private readonly events: TrainerEvents,
  ) {
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
      this.record = {
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
      this.record = {
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
      };
    }
    try {
      // A request left over from an earlier stop must not stop the resumed run.
      fs.rmSync(path.join(this.runDir, STOP_REQUEST_FILE), { force: true });
      writeRunRecord(this.runDir, this.record);
    } catch (err) {
      unlockRun(this.runDir);
      throw err;
    }
  }

  /** Asks the run to stop after the current batch. */
  stop(): void {
    this.stopRequested = true;
  }

  /** True once stop() was called or a stop-request file appeared in the run folder (looked at twice a second). */
  private shouldStop(): boolean {
    if (this.stopRequested) return true;
    const now = Date.now();
    if (now - this.stopFileCheckedAt < STOP_FILE_INTERVAL_MS) return false;
    this.stopFileCheckedAt = now;
    const file = path.join(this.runDir, STOP_REQUEST_FILE);
    if (!fs.existsSync(file)) return false;
    let by = 'another process';
    try {
      by = String(JSON.parse(fs.readFileSync(file, 'utf8')).by ?? by);
    } catch {
      // an empty or hand-made file still asks to stop
    }
    this.events.log('info', `run ${this.runId}: stop requested by ${by} (${file})`);
    this.stopRequested = true;
    return true;
  }

  /** Trains to the end, or until stopped or failed; never throws (failures end the run as `failed`). */
  async train(): Promise<TrainFinishedParams> {
    let result: TrainFinishedParams;
    try {
      // A promise callback of the model file cut off by the watchdog may have ended this run's JavaScript.
      result = await settleAfterModelCallbacks(this.trainOrThrow());
    } catch (err) {
      this.stopRequested = true; // what may be left of the run's JavaScript stops at its next batch
      const message = errorLine(err);
      this.events.log('error', `run ${this.runId} failed: ${message}`);
      this.record = { ...this.record, status: 'failed', error: message, endTime: new Date().toISOString() };
      try {
        writeRunRecord(this.runDir, this.record);
      } catch (writeErr) {
        // The disk that failed the run may refuse this too: the client still hears how the run ended.
        this.events.log('error', `run ${this.runId}: could not record the failure in run.json: ${fileErrorReason(writeErr)}`);
      }
      result = { runId: this.runId, runDir: this.runDir, status: 'failed', error: message, metrics: this.lastMetrics };
    }
    fs.rmSync(path.join(this.runDir, STOP_REQUEST_FILE), { force: true });
    unlockRun(this.runDir);
    this.events.finished(result);
    return result;
  }

  private async trainOrThrow(): Promise<TrainFinishedParams> {
    const backend = await initBackend(this.params.backend);
    this.record.backend = backend;
    this.events.log('info', `backend: ${backend.name} (${backend.reason})`);

    const modelFile = this.record.modelFile;
    const loaded = await loadModelFile(modelFile);
    const baseConfig = this.resuming ? this.record.config : {};
    let config = resolveTrainingConfig(
      { ...loaded.training, ...baseConfig },
      displayPath(modelFile),
      this.params.overrides,
    );
    this.record.config = config;
    writeRunRecord(this.runDir, this.record);

    seedMathRandom(config.seed);
    // The data does not depend on the training seed, so runs with different seeds see the same samples.
    const dataset = await loadDataset(this.record.data);
    for (const warning of dataset.warnings ?? []) this.events.log('warn', `${dataset.source}: ${warning}`);
    // Splits the data defines are used; else validation is carved by seed (--validation-split, then the descriptor's, then the model file's).
    const fraction = this.params.overrides.validationSplit ?? dataset.validationSplit ?? config.validationSplit;
    const split = selectSplits(dataset, fraction, config.seed);
    const { train: trainIdx, val: valIdx } = split;
    this.events.log('info', `data: ${dataset.description ?? dataset.source}; ${split.note}`);
    // Computed once on the training split and stored with the run; a resumed run reuses its own (runs from
    // before normalization.json were trained on pixels / 255).
    const normalization: Normalization = this.resuming
      ? readNormalization(this.runDir) ?? resolveNormalization(dataset, trainIdx, 'scale')
      : resolveNormalization(dataset, trainIdx, dataset.normalization);
    writeNormalization(this.runDir, normalization);
    const augmentOrigin = loaded.training.augment !== undefined ? `${displayPath(modelFile)}: training.augment` : `${dataset.source}: augment`;
    const augment = parseAugment(loaded.training.augment ?? dataset.augment, augmentOrigin, dataset.shape);
    if (augment) this.events.log('info', `augmentation: ${describeAugment(augment)}`);
    const numClasses = dataset.classNames.length;
    // Now that it is known whether there is validation data: the default monitor, and val_* monitors checked.
    const callbacks = resolveCallbacks(config.callbacks, valIdx.length > 0, (name) =>
      this.params.overrides.callbacks?.[name] !== undefined ? 'option' : `${displayPath(modelFile)}: training`,
    );
    config = { ...config, callbacks: callbacksConfigOf(callbacks) };
    this.record.config = config;
    writeRunRecord(this.runDir, this.record);

    const model = loaded.build({ inputShape: [...dataset.shape], numClasses });
    const optimizer = makeOptimizer(config);
    try {
      const loss = lossFunction(config.loss);
      checkOutputShape(model, numClasses, modelFile, dataset, loss.embedding === true);
      return await this.loop(model, optimizer, loss, config, callbacks, new Batcher(dataset, normalization, augment), trainIdx, valIdx, backend);
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  }

  private async loop(
    model: tf.LayersModel,
    optimizer: tf.Optimizer,
    loss: LossFn,
    config: TrainingConfig,
    callbacks: ResolvedCallbacks,
    batcher: Batcher,
    trainIdx: Uint32Array,
    valIdx: Uint32Array,
    backend: BackendReport,
  ): Promise<TrainFinishedParams> {
    const checkpoints = path.join(this.runDir, CHECKPOINTS_DIR);
    const lastDir = path.join(checkpoints, 'last');
    const bestDir = path.join(checkpoints, 'best');
    const earlyStoppingDir = path.join(checkpoints, EARLY_STOPPING_DIR);
    let state: TrainerState = {
      epoch: 0,
      step: 0,
      monitor: callbacks.modelCheckpoint?.monitor ?? (valIdx.length > 0 ? 'val_loss' : 'loss'),
      best: null,
      time: Date.now(),
      metrics: {},
    };
    let restoredCallbacks: Partial<CallbacksState> | undefined;
    if (this.resuming) {
      trimTornMetrics(this.runDir);
      const restored = await restoreCheckpoint(lastDir, model, optimizer);
      state = restored.state;
      // A checkpoint from before callbacks has ModelCheckpoint's best only.
      restoredCallbacks = state.callbacks ?? {
        modelCheckpoint: { monitor: state.monitor, best: state.best, bestEpoch: readCheckpointState(bestDir)?.epoch ?? 0 },
      };
      this.events.log(
        'info',
        `resuming ${this.runId} after epoch ${state.epoch}, step ${state.step}` +
          (restored.optimizerRestored ? ', optimizer state restored' : ', optimizer state not restored'),
      );
    }
    const runner = new CallbackRunner(callbacks, config.learningRate, restoredCallbacks);
    // An explicit rate wins over the one a resumed run's ReduceLROnPlateau had reached.
    if (this.params.overrides.learningRate !== undefined) runner.learningRate = config.learningRate;
    else if (runner.learningRate !== config.learningRate) {
      this.events.log('info', `learning rate ${runner.learningRate} (as ReduceLROnPlateau left it)`);
    }
    setLearningRate(optimizer, runner.learningRate);

    this.events.started({
      runId: this.runId,
      runDir: this.runDir,
      modelFile: this.record.modelFile,
      data: this.record.data,
      backend,
      config,
      trainSamples: trainIdx.length,
      valSamples: valIdx.length,
      startEpoch: state.epoch + 1,
    });

    const varList = trainableVariables(model);
    const batchesPerEpoch = Math.ceil(trainIdx.length / config.batchSize);
    const metricsFile = path.join(this.runDir, METRICS_FILE);
    // Across epochs too: the first batch of an epoch must not follow the last one's report too closely.
    let lastEmit = 0;
    const emitEvent = (epoch: number, step: number, event: CallbackEvent, lossValue: number) => {
      const time = Date.now();
      const value = event.value !== undefined && Number.isFinite(event.value) ? event.value : undefined;
      const { kind, message, metric, learningRate } = event;
      this.events.event({ runId: this.runId, kind, epoch, step, time, message, metric, value, learningRate });
      appendMetric(metricsFile, { kind: 'event', event: kind, epoch, step, time, loss: lossValue, message, metric, value, learningRate });
      this.events.log('info', `epoch ${epoch}: ${message}`);
    };

    for (let epoch = state.epoch + 1; epoch <= config.epochs; epoch++) {
      const order = shuffleInPlace(trainIdx.slice(), derivedRandom(config.seed, epoch));
      const epochStart = Date.now();
      const learningRate = runner.learningRate;
      let lossSum = 0;
      let correctSum = 0;
      let seen = 0;
      let nonFiniteReported = false;
      for (let b = 0; b < batchesPerEpoch; b++) {
        if (this.shouldStop()) return this.end('stopped', this.lastMetrics);
        const idx = order.subarray(b * config.batchSize, Math.min((b + 1) * config.batchSize, order.length));
        const { x, y } = batcher.batch(idx, derivedRandom(config.seed, 0xa06e, epoch, b));
        const out = trainStep(model, optimizer, loss, x, y, varList, config.weightDecay ?? 0);
        const batchLoss = (await out.loss.data())[0];
        const correct = (await out.correct.data())[0];
        tf.dispose([x, y, out.loss, out.correct]);
        if (!Number.isFinite(batchLoss)) {
          const where = `epoch ${epoch}, batch ${b + 1}`;
          // TerminateOnNaN ends the run (failed) before the poisoned weights reach a checkpoint; without it,
          // training goes on as in Keras, and the event is reported once per epoch.
          if (callbacks.terminateOnNaN) {
            emitEvent(epoch, state.step + 1, { kind: 'nonFinite', message: `the loss became ${batchLoss} at ${where}: run stopped (TerminateOnNaN)` }, batchLoss);
            throw new Error(`the loss became ${batchLoss} at ${where}; lower the learning rate`);
          }
          if (!nonFiniteReported) {
            nonFiniteReported = true;
            emitEvent(epoch, state.step + 1, { kind: 'nonFinite', message: `the loss became ${batchLoss} at ${where}; training goes on (terminateOnNaN is off)` }, batchLoss);
          }
        }
        state.step++;
        lossSum += batchLoss * idx.length;
        correctSum += correct;
        seen += idx.length;
        const now = Date.now();
        if (now - lastEmit >= PROGRESS_INTERVAL_MS) {
          lastEmit = now;
          const samplesPerSec = (seen / Math.max(1, now - epochStart)) * 1000;
          const progress: TrainProgressParams = {
            runId: this.runId, kind: 'batch', epoch, epochs: config.epochs, batch: b + 1, batchesPerEpoch,
            step: state.step, loss: batchLoss, samplesPerSec, time: now, learningRate,
          };
          this.events.progress(progress);
          appendMetric(metricsFile, { kind: 'batch', epoch, step: state.step, time: now, loss: batchLoss, samplesPerSec, learningRate });
        }
        // Let the JSON-RPC connection handle `train/stop` and requests between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const trainTime = Date.now() - epochStart;
      const metrics: EpochMetrics = { loss: lossSum / seen, acc: correctSum / seen };
      if (valIdx.length > 0) Object.assign(metrics, await evaluate(model, loss, batcher, valIdx));
      const now = Date.now();
      const samplesPerSec = (seen / Math.max(1, trainTime)) * 1000;
      appendMetric(metricsFile, { kind: 'epoch', epoch, step: state.step, time: now, ...metrics, samplesPerSec, learningRate });
      this.lastMetrics = metrics;

      const bestEpochBefore = runner.bestCheckpointEpoch;
      const earlyStoppingEpochBefore = runner.earlyStoppingBestEpoch;
      const decision = runner.onEpochEnd(epoch, metrics);
      if (decision.learningRate !== undefined) setLearningRate(optimizer, decision.learningRate);
      const callbackState = runner.state();
      state = {
        ...state,
        epoch,
        time: now,
        metrics: { ...metrics } as Record<string, number>,
        best: callbackState.modelCheckpoint?.best ?? null,
        callbacks: callbackState,
      };
      if (callbacks.earlyStopping?.restoreBestWeights) {
        // EarlyStopping's best weights stay on disk: in checkpoints/best while that holds its best epoch,
        // else in checkpoints/early-stopping (moved there before checkpoints/best moves on).
        if (decision.saveBest && !decision.earlyStoppingImproved && earlyStoppingEpochBefore > 0 && earlyStoppingEpochBefore === bestEpochBefore) {
          await onDisk('copying checkpoints/best to checkpoints/early-stopping', () => copyCheckpoint(bestDir, earlyStoppingDir));
        }
        if (decision.earlyStoppingImproved && !decision.saveBest) await onDisk('saving checkpoints/early-stopping', () => saveCheckpoint(earlyStoppingDir, model, null, state));
      }
      if (decision.saveBest) await onDisk('saving checkpoints/best', () => saveCheckpoint(bestDir, model, null, state));
      const events = decision.events;
      if (decision.restoreEpoch !== undefined) {
        const restoreEpoch = decision.restoreEpoch;
        const found = await restoreEpochWeights(model, restoreEpoch, [bestDir, earlyStoppingDir]);
        const stop = events.find((e) => e.kind === 'earlyStop')!;
        if (found) {
          // checkpoints/last gets the restored weights: what a user loads, exports or resumes is the best model.
          state = { ...state, restoredFromEpoch: restoreEpoch };
          const monitor = callbacks.earlyStopping!.monitor;
          events.push({
            kind: 'restoredBest',
            metric: monitor,
            value: stop.value,
            message: `restored the weights of epoch ${restoreEpoch} (${monitor} ${Number(stop.value!.toPrecision(4))}) into checkpoints/last`,
          });
        } else {
          stop.message = stop.message.replace(', weights restored', `; the weights of epoch ${restoreEpoch} were not found, the last ones are kept`);
        }
      }
      await onDisk('saving checkpoints/last', () => saveCheckpoint(lastDir, model, optimizer, state));
      this.record = { ...this.record, epochsCompleted: epoch, lastMetrics: { ...metrics } as Record<string, number> };
      await onDisk('writing run.json', () => writeRunRecord(this.runDir, this.record));
      this.events.progress({
        runId: this.runId, kind: 'epoch', epoch, epochs: config.epochs, batch: batchesPerEpoch, batchesPerEpoch,
        step: state.step, loss: metrics.loss, metrics, samplesPerSec, time: now, learningRate,
      });
      // After the epoch's line: what the callbacks made of it.
      for (const event of events) emitEvent(epoch, state.step, event, metrics.loss);
      if (decision.stop) {
        this.events.log('info', `early stop after epoch ${epoch} of ${config.epochs}`);
        return this.end('completed', metrics);
      }
    }
    return this.end('completed', this.lastMetrics);
  }

  private end(status: 'completed' | 'stopped', metrics: EpochMetrics | undefined): TrainFinishedParams {
    this.record = { ...this.record, status, endTime: new Date().toISOString() };
    writeRunRecord(this.runDir, this.record);
    this.events.log('info', `run ${this.runId} ${status}`);
    return { runId: this.runId, runDir: this.runDir, status, metrics };
  }
}

/**
 * Turns stored samples (uint8 images or float values) into normalised float32 batches one at a time, so a
 * dataset costs its bytes, not 4x; training batches (given a seeded `random`) are augmented on the fly.
 */
export class Batcher {
  constructor(
    private readonly dataset: ImageDataset,
    private readonly normalization: Normalization,
    private readonly augment?: AugmentConfig,
  ) {}

  batch(indices: Uint32Array, random?: () => number): { x: tf.Tensor; y: tf.Tensor2D } {
    const n = indices.length;
    const augment = random && this.augment ? { config: this.augment, random } : undefined;
    const x = batchInputs(this.dataset, indices, this.normalization, augment);
    const y = batchLabels(this.dataset, indices);
    return {
      x: tf.tensor(x, [n, ...this.dataset.shape]),
      y: tf.tensor2d(y, [n, this.dataset.classNames.length]),
    };
  }
}

export async function evaluate(
  model: tf.LayersModel,
  loss: LossFn,
  batcher: Batcher,
  indices: Uint32Array,
): Promise<{ val_loss: number; val_acc: number }> {
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < indices.length; start += EVAL_BATCH) {
    const idx = indices.subarray(start, Math.min(start + EVAL_BATCH, indices.length));
    const { x, y } = batcher.batch(idx);
    const [l, c] = tf.tidy(() => {
      const p = model.apply(x, { training: false }) as tf.Tensor;
      return [loss(y, p), (loss.correct ?? countCorrect)(y, p)];
    });
    lossSum += (await l.data())[0] * idx.length;
    correct += (await c.data())[0];
    tf.dispose([x, y, l, c]);
  }
  return { val_loss: lossSum / indices.length, val_acc: correct / indices.length };
}

function checkOutputShape(model: tf.LayersModel, numClasses: number, modelFile: string, dataset: ImageDataset, embedding: boolean): void {
  const shape = model.outputs[0].shape;
  const units = shape[shape.length - 1];
  if (embedding && (model.outputs.length !== 1 || shape.length !== 2)) {
    throw new ModelFileError(
      modelFile,
      `the model's output has shape [${shape.map((d) => d ?? 'batch').join(', ')}]; an embedding loss needs one output of shape [batch, dims]: end the model with a dense layer`,
    );
  }
  if (!embedding && (model.outputs.length !== 1 || shape.length !== 2 || units !== numClasses)) {
    throw new ModelFileError(
      modelFile,
      `the model's output has shape [${shape.map((d) => d ?? 'batch').join(', ')}] but ${dataset.source} has ${numClasses} classes: ` +
        `end the model with a dense layer of numClasses (${numClasses}) units`,
    );
  }
}

/** Puts the weights of `epoch` back into the model from whichever of `dirs` holds that epoch; false when none does. */
async function restoreEpochWeights(model: tf.LayersModel, epoch: number, dirs: string[]): Promise<boolean> {
  for (const dir of dirs) {
    if (readCheckpointState(dir)?.epoch === epoch) {
      await loadCheckpointWeights(dir, model);
      return true;
    }
  }
  return false;
}

function appendMetric(file: string, record: MetricRecord): void {
  try {
    fs.appendFileSync(file, JSON.stringify(record) + '\n');
  } catch (err) {
    throw new Error(`${fileErrorReason(err)} while appending to ${METRICS_FILE}`);
  }
}

/**
 * Runs a write of the run folder; a failure (a full disk) fails the run with what was being written:
 * "no space left on device while saving checkpoints/last". The files keep their last good state.
 */
async function onDisk(what: string, write: () => unknown): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!(err as NodeJS.ErrnoException)?.code) throw err;
    throw new Error(`${fileErrorReason(err)} while ${what}`);
  }
}

/** "no space left on device" from Node's "ENOSPC: no space left on device, write". */
function fileErrorReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /^E[A-Z]+: ([^,]+)/.exec(message);
  return m ? m[1] : message.split('\n')[0];
}

function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].trim();
}
