/**
 * One training run, from its folder on disk to its last checkpoint: builds the model from the model file,
 * then trains it batch by batch (yielding to the event loop between batches so that `train/stop` is heard),
 * streaming throttled progress. What it writes goes through the run writer (run.json, metrics.jsonl, the
 * TensorBoard logs: src/runs/runWriter) and the checkpoint policy (./checkpointPolicy).
 */
import * as tf from '@tensorflow/tfjs';
import type {
  BackendReport,
  EpochMetrics,
  TrainEventParams,
  TrainFinishedParams,
  TrainingConfig,
  TrainingTask,
  TrainProgressParams,
  TrainStartedParams,
  TrainStartParams,
} from '../../protocol/engineTypes';
import { RunWriter } from '../../runs/runWriter';
import { initBackend } from '../backends';
import { describeAugment, parseAugment } from '../data/augment';
import { loadDataset, type ImageDataset, type Normalization } from '../data/dataset';
import { readNormalization, resolveNormalization, writeNormalization } from '../data/normalization';
import { onlyClasses, selectSplits } from '../data/splits';
import { displayPath, loadModelFile, ModelFileError } from '../model/modelFile';
import { settleAfterModelCallbacks } from '../model/timeLimit';
import { derivedRandom, seedMathRandom, shuffleInPlace } from '../util/random';
import { Batcher, evaluate } from './batcher';
import { type CallbackEvent, CallbackRunner, callbacksConfigOf, type CallbacksState, type ResolvedCallbacks, resolveCallbacks } from './callbacks';
import type { TrainerState } from './checkpoint';
import { CheckpointPolicy } from './checkpointPolicy';
import { resolveTrainingConfig } from './config';
import { MetricTotals, resolveMetrics, type RunMetrics } from './metrics';
import { type LossFn, lossFunction, makeOptimizer, setLearningRate, trainableVariables, trainStep } from './step';
import { weightHistograms } from './weightHistograms';

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

/** What a run trains, with what, on what: set up once, before the first epoch. */
interface RunSetup {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  loss: LossFn;
  metrics: RunMetrics;
  config: TrainingConfig;
  callbacks: ResolvedCallbacks;
  batcher: Batcher;
  /** The model's trainable variables, for the optimizer. */
  varList: tf.Variable[];
  trainIdx: Uint32Array;
  valIdx: Uint32Array;
  backend: BackendReport;
}

export class TrainingRun {
  private readonly writer: RunWriter;
  private stopRequested = false;
  /** The last finished epoch's metrics: a failed run reports them too. */
  private lastMetrics: EpochMetrics | undefined;
  /** When batch progress was last sent; across epochs too, so that an epoch's first batch does not follow the last report too closely. */
  private lastProgress = 0;

  /** Creates (or, to resume, reopens) the run folder; training starts with `train()`. */
  constructor(
    private readonly params: TrainStartParams,
    private readonly events: TrainerEvents,
  ) {
    this.writer = new RunWriter(params);
  }

  get runId(): string {
    return this.writer.runId;
  }

  get runDir(): string {
    return this.writer.runDir;
  }

  /** Asks the run to stop after the current batch. */
  stop(): void {
    this.stopRequested = true;
  }

  /** True once stop() was called or a stop-request file appeared in the run folder. */
  private shouldStop(): boolean {
    if (this.stopRequested) return true;
    const by = this.writer.stopRequestedBy();
    if (by === undefined) return false;
    this.events.log('info', `run ${this.runId}: stop requested by ${by} (${this.writer.stopRequestFile})`);
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
      this.writer.end({ status: 'failed', error: message }, (reason) =>
        this.events.log('error', `run ${this.runId}: could not record the failure in run.json: ${reason}`),
      );
      result = { runId: this.runId, runDir: this.runDir, status: 'failed', error: message, metrics: this.lastMetrics };
    }
    this.writer.close((reason) => this.events.log('error', `run ${this.runId}: ${reason}`));
    this.events.finished(result);
    return result;
  }

  private async trainOrThrow(): Promise<TrainFinishedParams> {
    const backend = await initBackend(this.params.backend);
    this.writer.update({ backend });
    this.events.log('info', `backend: ${backend.name} (${backend.reason})`);

    const modelFile = this.writer.record.modelFile;
    const origin = `${displayPath(modelFile)}: training`;
    const loaded = await loadModelFile(modelFile);
    const baseConfig = this.writer.resuming ? this.writer.record.config : {};
    let config = resolveTrainingConfig({ ...loaded.training, ...baseConfig }, displayPath(modelFile), this.params.overrides);
    const task = config.task ?? 'classification';
    if (task !== 'classification') config = imageTaskConfig(config, task, loaded.training.loss !== undefined || this.params.overrides.loss !== undefined || this.writer.resuming, origin);
    this.writer.update({ config });

    seedMathRandom(config.seed);
    // The data does not depend on the training seed, so runs with different seeds see the same samples.
    const dataset = await loadDataset(this.writer.record.data);
    for (const warning of dataset.warnings ?? []) this.events.log('warn', `${dataset.source}: ${warning}`);
    // Splits the data defines are used; else validation is carved by seed (--validation-split, then the descriptor's, then the model file's).
    const fraction = this.params.overrides.validationSplit ?? dataset.validationSplit ?? config.validationSplit;
    // Recorded as the run's own, so that an evaluation carves the same split (src/engine/evaluation).
    config = { ...config, validationSplit: fraction };
    const split = selectSplits(dataset, fraction, config.seed);
    // training.normalClasses: carved first, then filtered, so that held-out samples of the other classes never touch training.
    const normal = config.normalClasses;
    const outside = normal?.find((c) => c >= dataset.classNames.length);
    if (outside !== undefined) throw new Error(`normalClasses: ${outside} is not a class of ${dataset.source} (0 to ${dataset.classNames.length - 1})`);
    const trainIdx = normal ? onlyClasses(split.train, dataset.labels, normal) : split.train;
    const valIdx = normal ? onlyClasses(split.val, dataset.labels, normal) : split.val;
    if (!trainIdx.length) throw new Error(`normalClasses: no training samples of classes ${normal!.join(',')} in ${dataset.source}`);
    const kept = normal ? `; training on classes ${normal.join(',')} only: ${trainIdx.length} training and ${valIdx.length} validation samples` : '';
    this.events.log('info', `data: ${dataset.description ?? dataset.source}; ${split.note}${kept}`);
    // Computed once on the training split and stored with the run; a resumed run reuses its own (runs from
    // before normalization.json were trained on pixels / 255).
    const normalization: Normalization = this.writer.resuming
      ? readNormalization(this.runDir) ?? resolveNormalization(dataset, trainIdx, 'scale')
      : resolveNormalization(dataset, trainIdx, dataset.normalization ?? (task !== 'classification' ? 'scale' : undefined));
    writeNormalization(this.runDir, normalization);
    const augmentOrigin = loaded.training.augment !== undefined ? `${displayPath(modelFile)}: training.augment` : `${dataset.source}: augment`;
    const augment = parseAugment(loaded.training.augment ?? dataset.augment, augmentOrigin, dataset.shape);
    if (augment) this.events.log('info', `augmentation: ${describeAugment(augment)}`);
    const numClasses = dataset.classNames.length;
    const loss = lossFunction(config.loss);
    const metrics = resolveMetrics(config.metrics, loss, origin);
    // Now that it is known whether there is validation data: the default monitor, and val_* monitors checked.
    const callbacks = resolveCallbacks(
      config.callbacks,
      valIdx.length > 0,
      (name) => (this.params.overrides.callbacks?.[name] !== undefined ? 'option' : origin),
      metrics.specs.some((m) => m.key === 'acc'),
    );
    config = { ...config, callbacks: callbacksConfigOf(callbacks) };
    this.writer.update({ config });

    const model = loaded.build({ inputShape: [...dataset.shape], numClasses });
    const optimizer = makeOptimizer(config);
    try {
      if (task !== 'classification') checkImageOutput(model, modelFile, dataset, task);
      else checkOutputShape(model, numClasses, modelFile, dataset, loss.embedding === true);
      const batcher = new Batcher(dataset, normalization, augment, task === 'reconstruction' ? 'inputs' : task === 'fpi' ? 'fpi' : 'labels');
      const varList = trainableVariables(model);
      return await this.loop({ model, optimizer, loss, metrics, config, callbacks, batcher, varList, trainIdx, valIdx, backend });
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  }

  private async loop(run: RunSetup): Promise<TrainFinishedParams> {
    const { model, optimizer, config, callbacks, trainIdx, valIdx } = run;
    const checkpoints = new CheckpointPolicy(this.runDir, callbacks);
    let state: TrainerState = {
      epoch: 0,
      step: 0,
      monitor: callbacks.modelCheckpoint?.monitor ?? (valIdx.length > 0 ? 'val_loss' : 'loss'),
      best: null,
      time: Date.now(),
      metrics: {},
    };
    let restoredCallbacks: Partial<CallbacksState> | undefined;
    if (this.writer.resuming) {
      this.writer.trimTornMetrics();
      const restored = await checkpoints.resume(model, optimizer);
      state = restored.state;
      restoredCallbacks = restored.callbacks;
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
      modelFile: this.writer.record.modelFile,
      data: this.writer.record.data,
      backend: run.backend,
      config,
      trainSamples: trainIdx.length,
      valSamples: valIdx.length,
      startEpoch: state.epoch + 1,
    });

    const batchesPerEpoch = Math.ceil(trainIdx.length / config.batchSize);
    for (let epoch = state.epoch + 1; epoch <= config.epochs; epoch++) {
      const learningRate = runner.learningRate;
      const trained = await this.trainEpoch(run, epoch, state, learningRate);
      if (trained === 'stopped') return this.end('stopped', this.lastMetrics);
      const metrics: EpochMetrics = { loss: trained.loss, ...trained.shares };
      if (valIdx.length > 0) Object.assign(metrics, await evaluate(model, run.loss, run.batcher, valIdx, run.metrics));
      const now = Date.now();
      const histograms = await weightHistograms(model);
      this.writer.endEpoch({ kind: 'epoch', epoch, step: state.step, time: now, ...metrics, samplesPerSec: trained.samplesPerSec, learningRate }, histograms);
      this.lastMetrics = metrics;

      const before = { bestEpoch: runner.bestCheckpointEpoch, earlyStoppingEpoch: runner.earlyStoppingBestEpoch };
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
      state = await checkpoints.epochEnd(model, optimizer, state, decision, before);
      this.writer.update({ epochsCompleted: epoch, lastMetrics: { ...metrics } as Record<string, number> }, 'writing run.json');
      this.events.progress({
        runId: this.runId, kind: 'epoch', epoch, epochs: config.epochs, batch: batchesPerEpoch, batchesPerEpoch,
        step: state.step, loss: metrics.loss, metrics, samplesPerSec: trained.samplesPerSec, time: now, learningRate,
      });
      // After the epoch's line: what the callbacks made of it.
      for (const event of decision.events) this.emitEvent(epoch, state.step, event, metrics.loss);
      if (decision.stop) {
        this.events.log('info', `early stop after epoch ${epoch} of ${config.epochs}`);
        return this.end('completed', metrics);
      }
    }
    return this.end('completed', this.lastMetrics);
  }

  /**
   * One pass over the training split in this epoch's seeded order; `state.step` counts its batches. Returns
   * the epoch's mean loss and metric shares, or 'stopped' when asked to stop between batches.
   */
  private async trainEpoch(run: RunSetup, epoch: number, state: TrainerState, learningRate: number) {
    const { model, optimizer, loss, config, callbacks, batcher, varList, trainIdx } = run;
    const batchesPerEpoch = Math.ceil(trainIdx.length / config.batchSize);
    const order = shuffleInPlace(trainIdx.slice(), derivedRandom(config.seed, epoch));
    const epochStart = Date.now();
    const totals = new MetricTotals(run.metrics.specs);
    let lossSum = 0;
    let seen = 0;
    let nonFiniteReported = false;
    for (let b = 0; b < batchesPerEpoch; b++) {
      if (this.shouldStop()) return 'stopped' as const;
      const idx = order.subarray(b * config.batchSize, Math.min((b + 1) * config.batchSize, order.length));
      const { x, y } = batcher.batch(idx, derivedRandom(config.seed, 0xa06e, epoch, b));
      const out = trainStep(model, optimizer, loss, x, y, varList, config.weightDecay ?? 0, run.metrics.counter);
      const batchLoss = (await out.loss.data())[0];
      if (out.correct) totals.add(await out.correct.data());
      tf.dispose([x, y, out.loss, out.correct]);
      if (!Number.isFinite(batchLoss)) {
        const where = `epoch ${epoch}, batch ${b + 1}`;
        // TerminateOnNaN ends the run (failed) before the poisoned weights reach a checkpoint; without it,
        // training goes on as in Keras, and the event is reported once per epoch.
        if (callbacks.terminateOnNaN) {
          this.emitEvent(epoch, state.step + 1, { kind: 'nonFinite', message: `the loss became ${batchLoss} at ${where}: run stopped (TerminateOnNaN)` }, batchLoss);
          throw new Error(`the loss became ${batchLoss} at ${where}; lower the learning rate`);
        }
        if (!nonFiniteReported) {
          nonFiniteReported = true;
          this.emitEvent(epoch, state.step + 1, { kind: 'nonFinite', message: `the loss became ${batchLoss} at ${where}; training goes on (terminateOnNaN is off)` }, batchLoss);
        }
      }
      state.step++;
      this.writer.batchLoss(state.step, batchLoss);
      lossSum += batchLoss * idx.length;
      seen += idx.length;
      const now = Date.now();
      if (now - this.lastProgress >= PROGRESS_INTERVAL_MS) {
        this.lastProgress = now;
        const samplesPerSec = (seen / Math.max(1, now - epochStart)) * 1000;
        this.events.progress({
          runId: this.runId, kind: 'batch', epoch, epochs: config.epochs, batch: b + 1, batchesPerEpoch,
          step: state.step, loss: batchLoss, samplesPerSec, time: now, learningRate,
        });
        this.writer.append({ kind: 'batch', epoch, step: state.step, time: now, loss: batchLoss, samplesPerSec, learningRate });
      }
      // Let the JSON-RPC connection handle `train/stop` and requests between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const samplesPerSec = (seen / Math.max(1, Date.now() - epochStart)) * 1000;
    return { loss: lossSum / seen, shares: totals.shares(seen), samplesPerSec };
  }

  /** A callback acted: a `train/event`, a metrics.jsonl line, a log line. */
  private emitEvent(epoch: number, step: number, event: CallbackEvent, lossValue: number): void {
    const time = Date.now();
    const value = event.value !== undefined && Number.isFinite(event.value) ? event.value : undefined;
    const { kind, message, metric, learningRate } = event;
    this.events.event({ runId: this.runId, kind, epoch, step, time, message, metric, value, learningRate });
    this.writer.append({ kind: 'event', event: kind, epoch, step, time, loss: lossValue, message, metric, value, learningRate });
    this.events.log('info', `epoch ${epoch}: ${message}`);
  }

  private end(status: 'completed' | 'stopped', metrics: EpochMetrics | undefined): TrainFinishedParams {
    this.writer.end({ status });
    this.events.log('info', `run ${this.runId} ${status}`);
    return { runId: this.runId, runDir: this.runDir, status, metrics };
  }
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

/** Elementwise losses: what an image target (a reconstruction, FPI's foreign fractions) can be trained with. */
const ELEMENTWISE_LOSSES = ['mse', 'meanSquaredError', 'l1', 'meanAbsoluteError', 'smoothL1', 'huber', 'bce', 'binaryCrossentropy', 'bceWithLogits'];

/** training.task 'reconstruction' (MSE unless named) or 'fpi' (BCE unless named): an elementwise loss, no accuracy. */
function imageTaskConfig(config: TrainingConfig, task: TrainingTask, lossNamed: boolean, origin: string): TrainingConfig {
  const loss = lossNamed ? config.loss : task === 'fpi' ? 'bce' : 'mse';
  const name = typeof loss === 'string' ? loss : loss.name;
  if (!ELEMENTWISE_LOSSES.includes(name)) {
    const what = task === 'fpi' ? "a foreign-patch model (task 'fpi')" : "a reconstruction (task 'reconstruction')";
    throw new Error(`${origin}.loss is ${name}; ${what} needs an elementwise loss: mse, l1, smoothL1, huber, bce or bceWithLogits`);
  }
  return { ...config, loss, metrics: [] };
}

/** A reconstruction model's one output has the input's shape; an FPI model's, the input's height and width with one channel. */
function checkImageOutput(model: tf.LayersModel, modelFile: string, dataset: ImageDataset, task: TrainingTask): void {
  const shape = model.outputs[0].shape;
  const expected = task === 'fpi' ? [dataset.shape[0], dataset.shape[1], 1] : dataset.shape;
  if (model.outputs.length === 1 && shape.length === expected.length + 1 && shape.slice(1).every((d, i) => d === expected[i])) return;
  const what = task === 'fpi' ? `an FPI model on ${dataset.source} needs [batch, ${expected.join(', ')}], one foreign fraction per pixel` : `a reconstruction of ${dataset.source} needs [batch, ${expected.join(', ')}], the input's shape`;
  throw new ModelFileError(modelFile, `the model's output has shape [${shape.map((d) => d ?? 'batch').join(', ')}] but ${what}`);
}

function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].trim();
}
