/**
 * What an evaluation reads: a run's model with a trained checkpoint, its data (or another dataset of the
 * same shape), the split carved exactly as the trainer carved it (data/splits with the run's seed and
 * validation fraction), and the model's outputs, and optionally a layer's features, for those samples.
 * The model comes from the inspection cache (inspection/source), so the engine's requests that look at a
 * run share one built model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { EVAL_CHECKPOINTS, EVAL_SPLITS, type EvalCheckpoint, type EvalParams, type EvalSplit, type LossSpec } from '../../protocol/engineTypes';
import { CHECKPOINTS_DIR, readRunRecord, type RunRecord, writeFileAtomic } from '../../runs/runFolder';
import { datasetShape } from '../data/dataset';
import { selectSplits, type SplitSelection } from '../data/splits';
import { InspectError, openModel, type InspectModel } from '../inspection/source';
import { Batcher } from '../training/batcher';
import { lossFunction } from '../training/step';

const BATCH = 256;

export interface RunData {
  runDir: string;
  record: RunRecord;
  inspect: InspectModel;
  checkpoint: EvalCheckpoint;
  split: EvalSplit;
  /** The split's samples (dataset indices), in the split's order. */
  indices: Uint32Array;
  selection: SplitSelection;
  /** training.normalClasses of the run, when it trained on some classes only. */
  normalClasses?: number[];
}

/** The run's normal classes (training.normalClasses), if it trained on some classes only. */
export function normalClassesOf(record: RunRecord): number[] | undefined {
  const classes = (record.config as { normalClasses?: unknown }).normalClasses;
  return Array.isArray(classes) && classes.length ? (classes as number[]) : undefined;
}

/** Opens a run for evaluation: checkpoint, data and split resolved, with one clear line for each mistake. */
export async function openRunData(params: EvalParams): Promise<RunData> {
  if (!params || typeof params.runDir !== 'string') throw new InspectError('evaluation needs a run folder (runDir)');
  const runDir = path.resolve(params.runDir);
  if (!fs.existsSync(path.join(runDir, 'run.json'))) throw new InspectError(`${runDir} is not a run folder (it has no run.json)`);
  const record = readRunRecord(runDir);
  if (params.checkpoint !== undefined && !(EVAL_CHECKPOINTS as readonly unknown[]).includes(params.checkpoint)) {
    throw new InspectError(`checkpoint must be ${EVAL_CHECKPOINTS.join(' or ')}, got ${JSON.stringify(params.checkpoint)}`);
  }
  if (params.split !== undefined && !(EVAL_SPLITS as readonly unknown[]).includes(params.split)) {
    throw new InspectError(`split must be ${EVAL_SPLITS.join(', ')}, got ${JSON.stringify(params.split)}`);
  }
  // Best where ModelCheckpoint kept one (as Export does), else last.
  const checkpoint = params.checkpoint ?? (fs.existsSync(path.join(runDir, CHECKPOINTS_DIR, 'best', 'model.json')) ? 'best' : 'last');
  let inspect: InspectModel;
  try {
    inspect = await openModel({ runDir, checkpoint, ...(params.data !== undefined ? { data: params.data } : {}) }, { needData: true });
  } catch (err) {
    // Other data builds the model for its own shape and classes, which the checkpoint then does not fit.
    if (params.data === undefined || !(err instanceof InspectError) || !/does not fit the model/.test(err.message)) throw err;
    const { shape, classNames } = await datasetShape(params.data);
    throw new InspectError(`${params.data} (samples of ${shape.join('x')}, ${classNames.length} classes) does not fit run ${record.id}, trained on ${record.data}: give data of the same sample shape and classes`);
  }
  const dataset = inspect.dataset!;
  const selection = selectSplits(dataset, record.config.validationSplit, record.config.seed);
  const split: EvalSplit = params.split ?? (selection.test.length ? 'test' : 'val');
  const indices = selection[split];
  if (!indices.length) {
    const why = split === 'test' ? 'the data has no held-out test split' : split === 'val' ? 'the run validated on no samples (validation split 0)' : 'the run trained on no samples';
    throw new InspectError(`run ${record.id}: no ${split} samples in ${dataset.source} (${why}); choose another --split`);
  }
  return { runDir, record, inspect, checkpoint, split, indices, selection, normalClasses: normalClassesOf(record) };
}

export interface Outputs {
  /** Class probabilities, row-major [n, classes]; empty for a reconstruction run. */
  probabilities: Float32Array;
  /**
   * Per sample: a reconstruction run's mean squared error; an FPI run's mean of the top quartile of its
   * predicted foreign fractions (the `fpi` score).
   */
  errors?: Float32Array;
  classes: number;
  /** The run's loss on these samples (its mean, as val_loss is computed); NaN for an FPI run (no target). */
  loss: number;
  /** A layer's output per sample, flattened, row-major [n, dims] (when asked for). */
  features?: Float32Array;
  dims?: number;
}

/**
 * The model's class probabilities on `indices` (and a layer's features), a batch at a time, with the run's
 * normalisation. Outputs become probabilities as the run's loss reads them: a softmax for a loss on
 * logits, exp for log-probabilities, as they are otherwise. A reconstruction model gives each sample's
 * mean squared error instead, an FPI model the mean of its top-quartile pixels (after a sigmoid where
 * either trained on logits).
 */
export async function runModel(data: RunData, indices: Uint32Array, featureLayer?: tf.SymbolicTensor): Promise<Outputs> {
  const { inspect } = data;
  const model = featureLayer ? featureModel(inspect, featureLayer) : inspect.model;
  const lossSpec = data.record.config.loss;
  const loss = lossFunction(lossSpec);
  if (loss.embedding) throw new InspectError(`run ${data.record.id} trained an embedding (${lossName(lossSpec)}): it has no class probabilities to evaluate`);
  const task = data.record.config.task ?? 'classification';
  const toValues = task === 'reconstruction' ? reconstructionError(lossSpec) : task === 'fpi' ? topQuartileMean(lossSpec) : probabilityMap(lossSpec);
  // Scoring looks at the real images: no foreign patches.
  const batcher = new Batcher(inspect.dataset!, inspect.normalization, undefined, task === 'classification' ? 'labels' : 'inputs');
  const classes = inspect.numClasses;
  const width = task === 'classification' ? classes : 1;
  const values = new Float32Array(indices.length * width);
  let features: Float32Array | undefined;
  let dims: number | undefined;
  let lossSum = 0;
  for (let start = 0; start < indices.length; start += BATCH) {
    const idx = indices.subarray(start, Math.min(start + BATCH, indices.length));
    const { x, y } = batcher.batch(idx);
    const [l, p, f] = tf.tidy(() => {
      const out = model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[];
      const [outputs, feature] = Array.isArray(out) ? [out[1], out[0]] : [out, undefined];
      return [task === 'fpi' ? tf.scalar(NaN) : loss(y, outputs), toValues(outputs, x), feature?.reshape([idx.length, -1])];
    });
    lossSum += (await l.data())[0] * idx.length;
    values.set(await p.data(), start * width);
    if (f) {
      const size = (dims ??= f.shape[1]!);
      features ??= new Float32Array(indices.length * size);
      features.set(await f.data(), start * size);
    }
    tf.dispose([x, y, l, p, f]);
  }
  const mean = lossSum / indices.length;
  return task !== 'classification'
    ? { probabilities: new Float32Array(0), errors: values, classes, loss: mean, features, dims }
    : { probabilities: values, classes, loss: mean, features, dims };
}

function lossName(spec: string | LossSpec): string {
  return typeof spec === 'string' ? spec : spec.name;
}

function reconstructionError(spec: string | LossSpec): (outputs: tf.Tensor, inputs: tf.Tensor) => tf.Tensor {
  const logits = lossName(spec) === 'bceWithLogits';
  return (o, x) => {
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i + 1);
    return tf.mean(tf.squaredDifference(logits ? tf.sigmoid(o) : o, x), axes);
  };
}

/**
 * Per-pixel maps [n, h, w] of a reconstruction or FPI run on `indices`: the squared reconstruction error
 * averaged over channels, or the predicted foreign fraction.
 */
export async function pixelMaps(data: RunData, indices: Uint32Array): Promise<Float32Array> {
  const { inspect } = data;
  const [h, w] = inspect.inputShape;
  const logits = lossName(data.record.config.loss) === 'bceWithLogits';
  const batcher = new Batcher(inspect.dataset!, inspect.normalization, undefined, 'inputs');
  const maps = new Float32Array(indices.length * h * w);
  for (let start = 0; start < indices.length; start += BATCH) {
    const idx = indices.subarray(start, Math.min(start + BATCH, indices.length));
    const { x, y } = batcher.batch(idx);
    const m = tf.tidy(() => {
      const out = inspect.model.apply(x, { training: false }) as tf.Tensor;
      const values = logits ? tf.sigmoid(out) : out;
      return data.record.config.task === 'fpi' ? values.reshape([idx.length, h, w]) : tf.mean(tf.squaredDifference(values, x), -1);
    });
    maps.set(await m.data(), start * h * w);
    tf.dispose([x, y, m]);
  }
  return maps;
}

/** FPI's score (Tan et al.): the mean of the highest quarter of the predicted per-pixel foreign fractions. */
function topQuartileMean(spec: string | LossSpec): (outputs: tf.Tensor) => tf.Tensor {
  const logits = lossName(spec) === 'bceWithLogits';
  return (o) => {
    const flat = (logits ? tf.sigmoid(o) : o).reshape([o.shape[0], -1]);
    return tf.mean(tf.topk(flat, Math.max(1, Math.ceil(flat.shape[1]! / 4))).values, 1);
  };
}

function probabilityMap(spec: string | LossSpec): (outputs: tf.Tensor) => tf.Tensor {
  const name = lossName(spec);
  if (name === 'crossEntropyFromLogits' || name === 'softmaxCrossEntropy') return (o) => tf.softmax(o);
  if (name === 'nll') return (o) => tf.exp(o);
  return (o) => o;
}

/**
 * A layer of the model by its shown name (the names `dl-lab featuremaps` and the summary give) or its
 * TensorFlow.js name; by default the input of the last layer (the penultimate features of a classifier).
 */
export function featureTensor(inspect: InspectModel, name?: string): { tensor: tf.SymbolicTensor; name: string } {
  const layers = inspect.model.layers;
  if (name === undefined) {
    const last = layers[layers.length - 1];
    const input = last.input as tf.SymbolicTensor | tf.SymbolicTensor[];
    if (Array.isArray(input) || !input.sourceLayer) throw new InspectError(`the last layer ${inspect.nameOf(last)} has no single input; name a layer with --layer`);
    return { tensor: input, name: inspect.nameOf(input.sourceLayer as tf.layers.Layer) };
  }
  const layer = layers.find((l) => inspect.nameOf(l) === name) ?? layers.find((l) => l.name === name);
  if (!layer) throw new InspectError(`no layer "${name}" in ${path.basename(inspect.modelFile)}; its layers: ${layers.map((l) => inspect.nameOf(l)).join(', ')}`);
  const output = layer.output as tf.SymbolicTensor | tf.SymbolicTensor[];
  if (Array.isArray(output)) throw new InspectError(`layer ${name} has several outputs; name another layer`);
  return { tensor: output, name };
}

/** [features, outputs] in one pass; kept in the cached model's probes (disposing it would free shared weights). */
function featureModel(inspect: InspectModel, tensor: tf.SymbolicTensor): tf.LayersModel {
  const key = `evaluation:${tensor.name}`;
  let probe = inspect.probes.get(key);
  if (!probe) {
    probe = tf.model({ inputs: inspect.model.inputs, outputs: [tensor, inspect.model.outputs[0]] });
    inspect.probes.set(key, probe);
  }
  return probe;
}

/** Stamps how long the work took and saves the report where the views read it (whole or not at all). */
export function saveReport<T extends { file: string; ms: number }>(report: T, started: number): T {
  report.ms = Date.now() - started;
  fs.mkdirSync(path.dirname(report.file), { recursive: true });
  writeFileAtomic(report.file, JSON.stringify(report) + '\n');
  return report;
}
