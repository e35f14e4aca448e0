/**
 * One training run, from its folder on disk to its last checkpoint: builds the model from the model file,
 * trains it batch by batch (yielding to the event loop between batches so that `train/stop` is heard),
 * streams throttled progress, and writes metrics and checkpoints as it goes.
 */
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type {
  BackendReport,
  EpochMetrics,
  TrainFinishedParams,
  TrainingConfig,
  TrainProgressParams,
  TrainStartedParams,
  TrainStartParams,
} from '../../protocol/engine';
import {
  CHECKPOINTS_DIR,
  METRICS_FILE,
  type MetricRecord,
  newRunId,
  readRunRecord,
  type RunRecord,
  writeRunRecord,
} from '../../runs/runFolder';
import { initBackend } from '../backends';
import { describeAugment, parseAugment, type AugmentConfig } from '../data/augment';
import { batchInputs, batchLabels } from '../data/batch';
import { loadDataset, type ImageDataset, type Normalization } from '../data/dataset';
import { readNormalization, resolveNormalization, writeNormalization } from '../data/normalization';
import { selectSplits } from '../data/splits';
import { displayPath, loadModelFile, ModelFileError } from '../model/modelFile';
import { derivedRandom, seedMathRandom, shuffleInPlace } from '../util/random';
import { resolveTrainingConfig } from './config';
import { restoreCheckpoint, saveCheckpoint, type TrainerState } from './checkpoint';
import { countCorrect, type LossFn, lossFunction, makeOptimizer, trainableVariables, trainStep } from './step';

export interface TrainerEvents {
  started(params: TrainStartedParams): void;
  progress(params: TrainProgressParams): void;
  finished(params: TrainFinishedParams): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** Batch progress is sent at most this often: enough for a live chart, cheap for training. */
export const PROGRESS_INTERVAL_MS = 250;
const EVAL_BATCH = 256;

export class TrainingRun {
  readonly runId: string;
  readonly runDir: string;
  private record: RunRecord;
  private stopRequested = false;
  private readonly resuming: boolean;

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
      if (previous.status === 'completed' && !(params.overrides.epochs && params.overrides.epochs > previous.config.epochs)) {
        throw new Error(`${this.runDir}: the run already completed; pass a larger --epochs to train it further`);
      }
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
    writeRunRecord(this.runDir, this.record);
  }

  /** Asks the run to stop after the current batch. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Trains to the end, or until stopped or failed; never throws (failures end the run as `failed`). */
  async train(): Promise<TrainFinishedParams> {
    let result: TrainFinishedParams;
    try {
      result = await this.trainOrThrow();
    } catch (err) {
      const message = errorLine(err);
      this.events.log('error', `run ${this.runId} failed: ${message}`);
      this.record = { ...this.record, status: 'failed', error: message, endTime: new Date().toISOString() };
      writeRunRecord(this.runDir, this.record);
      result = { runId: this.runId, runDir: this.runDir, status: 'failed', error: message };
    }
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
    const config = resolveTrainingConfig(
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

    const model = loaded.build({ inputShape: [...dataset.shape], numClasses });
    const optimizer = makeOptimizer(config);
    try {
      checkOutputShape(model, numClasses, modelFile, dataset);
      const loss = lossFunction(config.loss);
      return await this.loop(model, optimizer, loss, config, new Batcher(dataset, normalization, augment), trainIdx, valIdx, backend);
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
    batcher: Batcher,
    trainIdx: Uint32Array,
    valIdx: Uint32Array,
    backend: BackendReport,
  ): Promise<TrainFinishedParams> {
    const checkpoints = path.join(this.runDir, CHECKPOINTS_DIR);
    let state: TrainerState = {
      epoch: 0,
      step: 0,
      monitor: valIdx.length > 0 ? 'val_loss' : 'loss',
      best: null,
      time: Date.now(),
      metrics: {},
    };
    if (this.resuming) {
      const restored = await restoreCheckpoint(path.join(checkpoints, 'last'), model, optimizer);
      state = restored.state;
      this.events.log(
        'info',
        `resuming ${this.runId} after epoch ${state.epoch}, step ${state.step}` +
          (restored.optimizerRestored ? ', optimizer state restored' : ', optimizer state not restored'),
      );
    }

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
    let lastMetrics: EpochMetrics | undefined;
    // Across epochs too: the first batch of an epoch must not follow the last one's report too closely.
    let lastEmit = 0;

    for (let epoch = state.epoch + 1; epoch <= config.epochs; epoch++) {
      const order = shuffleInPlace(trainIdx.slice(), derivedRandom(config.seed, epoch));
      const epochStart = Date.now();
      let lossSum = 0;
      let correctSum = 0;
      let seen = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        if (this.stopRequested) return this.end('stopped', lastMetrics);
        const idx = order.subarray(b * config.batchSize, Math.min((b + 1) * config.batchSize, order.length));
        const { x, y } = batcher.batch(idx, derivedRandom(config.seed, 0xa06e, epoch, b));
        const out = trainStep(model, optimizer, loss, x, y, varList);
        const batchLoss = (await out.loss.data())[0];
        const correct = (await out.correct.data())[0];
        tf.dispose([x, y, out.loss, out.correct]);
        if (!Number.isFinite(batchLoss)) {
          throw new Error(`the loss became ${batchLoss} at epoch ${epoch}, batch ${b + 1}; lower the learning rate`);
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
            step: state.step, loss: batchLoss, samplesPerSec, time: now,
          };
          this.events.progress(progress);
          appendMetric(metricsFile, { kind: 'batch', epoch, step: state.step, time: now, loss: batchLoss, samplesPerSec });
        }
        // Let the JSON-RPC connection handle `train/stop` and requests between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const trainTime = Date.now() - epochStart;
      const metrics: EpochMetrics = { loss: lossSum / seen, acc: correctSum / seen };
      if (valIdx.length > 0) Object.assign(metrics, await evaluate(model, loss, batcher, valIdx));
      const now = Date.now();
      const samplesPerSec = (seen / Math.max(1, trainTime)) * 1000;
      appendMetric(metricsFile, { kind: 'epoch', epoch, step: state.step, time: now, ...metrics, samplesPerSec });
      lastMetrics = metrics;

      const monitored = metrics[state.monitor as keyof EpochMetrics] ?? metrics.loss;
      const improved = state.best === null || monitored < state.best;
      state = { ...state, epoch, time: now, metrics: { ...metrics } as Record<string, number>, best: improved ? monitored : state.best };
      await saveCheckpoint(path.join(checkpoints, 'last'), model, optimizer, state);
      if (improved) await saveCheckpoint(path.join(checkpoints, 'best'), model, null, state);
      this.record = { ...this.record, epochsCompleted: epoch, lastMetrics: { ...metrics } as Record<string, number> };
      writeRunRecord(this.runDir, this.record);
      this.events.progress({
        runId: this.runId, kind: 'epoch', epoch, epochs: config.epochs, batch: batchesPerEpoch, batchesPerEpoch,
        step: state.step, loss: metrics.loss, metrics, samplesPerSec, time: now,
      });
    }
    return this.end('completed', lastMetrics);
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
class Batcher {
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

async function evaluate(
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
      return [loss(y, p), countCorrect(y, p)];
    });
    lossSum += (await l.data())[0] * idx.length;
    correct += (await c.data())[0];
    tf.dispose([x, y, l, c]);
  }
  return { val_loss: lossSum / indices.length, val_acc: correct / indices.length };
}

function checkOutputShape(model: tf.LayersModel, numClasses: number, modelFile: string, dataset: ImageDataset): void {
  const shape = model.outputs[0].shape;
  const units = shape[shape.length - 1];
  if (model.outputs.length !== 1 || shape.length !== 2 || units !== numClasses) {
    throw new ModelFileError(
      modelFile,
      `the model's output has shape [${shape.map((d) => d ?? 'batch').join(', ')}] but ${dataset.source} has ${numClasses} classes: ` +
        `end the model with a dense layer of numClasses (${numClasses}) units`,
    );
  }
}

function appendMetric(file: string, record: MetricRecord): void {
  fs.appendFileSync(file, JSON.stringify(record) + '\n');
}

function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].trim();
}
