/**
 * What an inspection looks at: a model built from its model file (so that every layer knows its line),
 * with a run's checkpoint weights or seeded untrained ones, the dataset it was trained on, and the
 * normalisation the run applied (normalization.json), so that the model sees exactly what it saw in
 * training. Also the sample choice (index, class, random, image file).
 *
 * Models and datasets are cached (one model, two datasets): a feature-map view that follows a run asks
 * again at every epoch end, and a new sample should cost a forward pass, not a rebuild. The model cache is
 * keyed by the modification time and size of the model file and of every file it imports (esbuild's
 * inputs) and by the checkpoint's state.json time, so a new epoch's checkpoint or a saved edit rebuilds it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CHECKPOINT_CHOICES, type CheckpointChoice, type EncodedTensor, type InspectedSample, type ModelSource, type SampleChoice } from '../../protocol/engineTypes';
import { CHECKPOINTS_DIR, readRunRecord } from '../../runs/runFolder';
import { readCheckpointWeights } from '../training/checkpoint';
import { type ImageDataset, loadDataset } from '../data/dataset';
import { normalize, readNormalization, resolveNormalization } from '../data/normalization';
import { decodeImage, writeImage } from '../data/readers/images';
import { selectSplits } from '../data/splits';
import type { Normalization } from '../data/types';
import { loadModelFile, ModelFileError } from '../model/modelFile';
import { buildWithLines, checkSummaryArgs, receptiveFields } from '../model/summary';
import { resolveTrainingConfig } from '../training/config';
import { derivedRandom, mulberry32, seedMathRandom } from '../util/random';
import { encodeUint8 } from './encode';

export interface Field {
  rf: number;
  jump: number;
}

/** A model ready to inspect. Owned by the cache: callers must not dispose it. */
export interface InspectModel {
  modelFile: string;
  runDir?: string;
  checkpoint: CheckpointChoice;
  /** The dataset argument, when there is one. */
  data?: string;
  dataset?: ImageDataset;
  normalization: Normalization;
  inputShape: number[];
  numClasses: number;
  classNames: string[];
  model: tf.LayersModel;
  lineOf(layer: tf.layers.Layer): number | null;
  /** The name shown for a layer: the same in every build of the file (model/summary.ts stableNames). */
  nameOf(layer: tf.layers.Layer): string;
  fields: Map<tf.layers.Layer, Field | null>;
  /** Multi-output models over layer outputs, by the names they give (built once per selection). */
  probes: Map<string, tf.LayersModel>;
  /** The model file's `training` export. */
  training: Record<string, unknown>;
  /**
   * The model outputs an image (a reconstruction, FPI's foreign fractions: the run's, else the model file's
   * training.task), not one score per class: it makes no class prediction.
   */
  imageOutput: boolean;
}

/** A run's (or else a model file's) training.task whose output is an image. */
function isImageTask(task: unknown): boolean {
  return task === 'reconstruction' || task === 'fpi';
}

/** An error in what the caller asked for (the message names the argument and the allowed values). */
export class InspectError extends Error {}

let cachedModel: { key: string; value: InspectModel; inputs: string[]; stamp: string } | undefined;

/** The modification times and sizes of a bundle's inputs: changes when any file the model imports does. */
function inputsStamp(inputs: readonly string[]): string {
  return inputs.map((file) => `${file}@${statKey(file)}`).join('|');
}
const datasetCache: { key: string; dataset: ImageDataset }[] = [];
const DATASETS_CACHED = 2;

function statKey(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return 'missing';
  }
}

async function cachedDataset(spec: string): Promise<ImageDataset> {
  const trimmed = spec.trim();
  const key = trimmed.startsWith('synthetic:') ? trimmed : `${path.resolve(trimmed)}@${statKey(path.resolve(trimmed))}`;
  const hit = datasetCache.find((d) => d.key === key);
  if (hit) return hit.dataset;
  const dataset = await loadDataset(spec);
  datasetCache.unshift({ key, dataset });
  datasetCache.length = Math.min(datasetCache.length, DATASETS_CACHED);
  return dataset;
}

/** Drops the cached model and datasets (tests; an engine idle for a while, see InspectQueue). */
export function clearInspectCache(): void {
  if (cachedModel) cachedModel.value.model.dispose();
  cachedModel = undefined;
  datasetCache.length = 0;
}

/**
 * Runs inspection work one at a time (it shares the one cached model) and frees that model and the cached
 * datasets once no work has come for `idleMs`: a VGG-16 at 224×224 holds over 500 MB, which should not
 * stay taken for the rest of the session after its feature-map view is closed.
 */
export class InspectQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly idleMs: number) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    this.pending++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.tail.then(work).finally(() => {
      if (--this.pending > 0) return;
      // unref: an idle engine that is shutting down does not wait for this.
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.pending === 0) clearInspectCache();
      }, this.idleMs).unref();
    });
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** Resolves a ModelSource to a built model with its weights, data and normalisation. */
export async function openModel(source: ModelSource, options: { needData: boolean }): Promise<InspectModel> {
  let modelFile = source.modelFile;
  let data = source.data;
  let runDir: string | undefined;
  let seed: number | undefined;
  // A reconstruction or FPI model's output is an image, not one value per class.
  let runTask: unknown;
  if (source.runDir !== undefined) {
    runDir = path.resolve(source.runDir);
    if (!fs.existsSync(runDir)) throw new InspectError(`run folder not found: ${runDir}`);
    const record = readRunRecord(runDir); // names the file when unreadable
    modelFile ??= record.modelFile;
    data ??= record.data;
    seed = record.config?.seed;
    runTask = record.config?.task;
  }
  if (!modelFile) throw new InspectError('nothing to inspect: give a run folder (runDir) or a model file (modelFile)');
  const checkpoint: CheckpointChoice = source.checkpoint ?? (runDir ? 'last' : 'untrained');
  if (!CHECKPOINT_CHOICES.includes(checkpoint)) {
    throw new InspectError(`checkpoint must be last, best or untrained, got ${JSON.stringify(checkpoint)}`);
  }
  if (checkpoint !== 'untrained' && !runDir) {
    throw new InspectError(`checkpoint "${checkpoint}" needs a run folder; a model file alone has only untrained weights`);
  }

  let inputShape = source.inputShape;
  let numClasses = source.numClasses;
  let dataset: ImageDataset | undefined;
  if (data === undefined && (options.needData || inputShape === undefined || numClasses === undefined)) data = 'synthetic:shapes';
  if (data !== undefined) {
    dataset = await cachedDataset(data);
    inputShape ??= [...dataset.shape];
    numClasses ??= dataset.classNames.length;
  }
  const classNames = dataset && dataset.classNames.length === numClasses ? dataset.classNames : Array.from({ length: numClasses! }, (_, i) => String(i));

  let checkpointDir: string | undefined;
  if (checkpoint !== 'untrained') {
    checkpointDir = resolveCheckpoint(path.join(runDir!, CHECKPOINTS_DIR, checkpoint));
    if (!checkpointDir) {
      const dir = path.join(runDir!, CHECKPOINTS_DIR, checkpoint);
      throw new InspectError(
        `run ${path.basename(runDir!)} has no "${checkpoint}" checkpoint yet (${dir}); ` +
          (checkpoint === 'best' ? 'choose last or untrained' : 'choose untrained, or wait for the first epoch to end'),
      );
    }
  }

  const absModel = path.resolve(modelFile);
  const key = JSON.stringify([absModel, statKey(absModel), inputShape, numClasses, checkpointDir ?? null, checkpointDir ? statKey(path.join(checkpointDir, 'state.json')) : seed ?? null]);
  let built: Pick<InspectModel, 'model' | 'lineOf' | 'nameOf' | 'fields' | 'probes' | 'training'>;
  if (cachedModel?.key === key && inputsStamp(cachedModel.inputs) === cachedModel.stamp) built = cachedModel.value;
  else {
    const loaded = await loadModelFile(absModel);
    checkSummaryArgs(inputShape!, numClasses!, loaded.file);
    const trainingSeed = typeof loaded.training.seed === 'number' ? loaded.training.seed : 0;
    // Seeded like the trainer seeds a run, without changing Math.random for a run training beside us
    // (building is synchronous, so nothing else runs in between).
    const saved = Math.random;
    seedMathRandom(seed ?? trainingSeed);
    let made: ReturnType<typeof buildWithLines>;
    try {
      made = buildWithLines(loaded, { inputShape: inputShape!, numClasses: numClasses! });
    } finally {
      Math.random = saved;
    }
    try {
      if (!isImageTask(runDir ? runTask : loaded.training.task)) checkOutput(made.model, numClasses!, loaded.file, made.lineOf, data);
      if (checkpointDir) loadWeights(made.model, checkpointDir);
    } catch (err) {
      made.model.dispose();
      throw err;
    }
    if (cachedModel) cachedModel.value.model.dispose();
    built = { model: made.model, lineOf: made.lineOf, nameOf: made.nameOf, fields: receptiveFields(made.model), probes: new Map(), training: loaded.training };
    cachedModel = { key, value: built as InspectModel, inputs: loaded.inputs, stamp: inputsStamp(loaded.inputs) };
  }
  const modelInput = built.model.inputs[0].shape.slice(1);
  if (dataset && (modelInput.length !== dataset.shape.length || modelInput.some((d, i) => d !== null && d !== dataset!.shape[i]))) {
    throw new InspectError(`the model takes inputs of shape [${modelInput.join(', ')}] but ${dataset.source} has samples of shape [${dataset.shape.join(', ')}]`);
  }

  let normalization: Normalization | undefined = runDir ? readNormalization(runDir) : undefined;
  // Runs from before normalization.json were trained on pixels / 255 (the trainer's own fallback).
  if (runDir && !normalization && dataset) normalization = resolveNormalization(dataset, undefined, 'scale');
  if (!normalization && dataset) normalization = normalizationForNewRun(dataset, absModel, built.training);
  normalization ??= { mode: 'scale', scale: 1 / 255, mean: new Array(inputShape![inputShape!.length - 1]).fill(0), std: new Array(inputShape![inputShape!.length - 1]).fill(1) };
  if (normalization.mean.length !== inputShape![inputShape!.length - 1]) {
    throw new InspectError(`${runDir ? `${path.join(runDir, 'normalization.json')}` : 'normalisation'} has ${normalization.mean.length} channels but the input has ${inputShape![inputShape!.length - 1]}`);
  }

  const value = cachedModel!.value;
  const imageOutput = isImageTask(runDir ? runTask : built.training.task);
  Object.assign(value, { modelFile: absModel, runDir, checkpoint, data, dataset, normalization, inputShape: inputShape!, numClasses: numClasses!, classNames, imageOutput });
  return value;
}

const newRunNormalizations = new WeakMap<ImageDataset, Map<string, Normalization>>();

/**
 * What a new run of this model file on this dataset would compute: the trainer's split (the model file's
 * validation split and seed) and the dataset's normalisation spec. Cached per dataset (statistics over
 * every training sample take tens of milliseconds).
 */
function normalizationForNewRun(dataset: ImageDataset, modelFile: string, training: Record<string, unknown>): Normalization {
  let train: Uint32Array | undefined;
  let key = 'all';
  try {
    const config = resolveTrainingConfig(training, modelFile, {});
    const fraction = dataset.validationSplit ?? config.validationSplit;
    key = `${fraction}:${config.seed}`;
    const hit = newRunNormalizations.get(dataset)?.get(key);
    if (hit) return hit;
    train = selectSplits(dataset, fraction, config.seed).train;
  } catch {
    train = undefined;
  }
  const normalization = resolveNormalization(dataset, train, dataset.normalization);
  if (!newRunNormalizations.has(dataset)) newRunNormalizations.set(dataset, new Map());
  newRunNormalizations.get(dataset)!.set(key, normalization);
  return normalization;
}

function resolveCheckpoint(dir: string): string | undefined {
  for (const candidate of [dir, `${dir}.old`]) {
    if (fs.existsSync(path.join(candidate, 'model.json')) && fs.existsSync(path.join(candidate, 'state.json'))) return candidate;
  }
  return undefined;
}

/** Copies a checkpoint's weights (by position, as a resume does) into the model built from the model file. */
function loadWeights(model: tf.LayersModel, dir: string): void {
  // Verified as a resume verifies it: inside the folder, whole, its checksum, finite.
  const { specs, data } = readCheckpointWeights(dir);
  const map = tf.io.decodeWeights(data, specs);
  const tensors = specs.map((s) => map[s.name]);
  try {
    const expected = model.weights;
    if (tensors.length !== expected.length || tensors.some((t, i) => !tf.util.arraysEqual(t.shape, expected[i].shape as number[]))) {
      throw new InspectError(`the checkpoint in ${dir} does not fit the model built from the model file (was the model changed since the run?)`);
    }
    model.setWeights(tensors);
  } finally {
    tf.dispose(Object.values(map));
  }
}

/**
 * The model must end in one [batch, numClasses] output; else the error names the line of the layer that
 * made the output (a Dense applied to a 4-D tensor acts on its last axis only, which TensorFlow.js allows).
 */
function checkOutput(model: tf.LayersModel, numClasses: number, file: string, lineOf: (l: tf.layers.Layer) => number | null, data?: string): void {
  const shape = model.outputs[0].shape;
  if (model.outputs.length === 1 && shape.length === 2 && shape[1] === numClasses) return;
  const last = model.layers[model.layers.length - 1];
  const line = last ? lineOf(last) ?? undefined : undefined;
  const hint = shape.length > 2 && last?.getClassName() === 'Dense' ? ` (a dense layer applied to a ${shape.length}-D tensor acts on its last axis only: add tf.layers.flatten() before it)` : '';
  throw new ModelFileError(
    file,
    `the model's output has shape [${shape.map((d) => d ?? 'batch').join(', ')}] but ${data ?? 'the data'} has ${numClasses} classes: end the model with a dense layer of numClasses (${numClasses}) units${hint}`,
    line,
  );
}

/** A chosen sample: raw values (bytes or floats, HWC) before normalisation, and what it is. */
export interface PickedSample {
  raw: Uint8Array | Float32Array;
  index: number | null;
  label: number | null;
  file?: string;
}

export function pickSample(inspect: InspectModel, choice: SampleChoice): PickedSample {
  const shape = inspect.inputShape;
  const size = shape.reduce((a, b) => a * b, 1);
  if (!choice || typeof choice !== 'object') throw new InspectError('sample must be { kind: "index" | "class" | "random" | "image", ... }');
  if (choice.kind === 'image') {
    const file = path.resolve(choice.file);
    if (!fs.existsSync(file)) throw new InspectError(`image file not found: ${file}`);
    if (shape.length !== 3 || (shape[2] !== 1 && shape[2] !== 3)) {
      throw new InspectError(`an image file needs a model that takes images (H, W, 1 or 3), but its input is [${shape.join(', ')}]`);
    }
    let decoded;
    try {
      decoded = decodeImage(fs.readFileSync(file));
    } catch (err) {
      throw new InspectError(`${file}: ${(err as Error).message}`);
    }
    const raw = new Uint8Array(size);
    writeImage(decoded, raw, 0, shape[0], shape[1], shape[2] as 1 | 3);
    return { raw, index: null, label: null, file };
  }
  const dataset = inspect.dataset;
  if (!dataset) throw new InspectError(`a sample by ${choice.kind} needs a dataset (data)`);
  const count = dataset.count;
  let index: number;
  if (choice.kind === 'index') {
    index = choice.index;
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new InspectError(`sample index ${index} is out of range: ${dataset.source} has ${count.toLocaleString('en-US')} samples (0 to ${(count - 1).toLocaleString('en-US')})`);
    }
  } else if (choice.kind === 'class') {
    const c = choice.classIndex;
    const names = dataset.classNames;
    if (!Number.isInteger(c) || c < 0 || c >= names.length) {
      throw new InspectError(`class ${c} is out of range: ${dataset.source} has ${names.length} classes (0 to ${names.length - 1}: ${names.join(', ')})`);
    }
    const members: number[] = [];
    for (let i = 0; i < count; i++) if (dataset.labels[i] === c) members.push(i);
    if (!members.length) throw new InspectError(`${dataset.source} has no sample of class ${c} (${names[c]})`);
    index = choice.seed === undefined ? members[0] : members[Math.floor(derivedRandom(choice.seed, c)() * members.length)];
  } else if (choice.kind === 'random') {
    index = Math.floor(mulberry32(choice.seed >>> 0)() * count);
  } else {
    throw new InspectError(`sample kind must be index, class, random or image, got ${JSON.stringify((choice as { kind: unknown }).kind)}`);
  }
  const src = dataset.values ?? dataset.images;
  return { raw: src.slice(index * size, (index + 1) * size), index, label: dataset.labels[index], file: undefined };
}

/** The normalised model input for raw samples (one after another), as [n, ...shape]. */
export function inputTensor(inspect: InspectModel, raw: ArrayLike<number>, n = 1): tf.Tensor {
  return tf.tensor(normalize(raw, inspect.normalization), [n, ...inspect.inputShape], 'float32');
}

/** For display: uint8 HWC as the model sees it before normalisation (floats min-max scaled). */
export function describeSample(inspect: InspectModel, sample: PickedSample): InspectedSample {
  const shape = inspect.inputShape;
  let bytes: Uint8Array;
  if (sample.raw instanceof Uint8Array) bytes = sample.raw;
  else {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of sample.raw) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    const scale = hi > lo ? 255 / (hi - lo) : 0;
    bytes = Uint8Array.from(sample.raw, (v) => (Number.isFinite(v) ? Math.round((v - lo) * scale) : 0));
  }
  const image: EncodedTensor = encodeUint8(shape, bytes);
  const label = sample.label;
  return {
    index: sample.index,
    label,
    className: label === null ? null : inspect.classNames[label] ?? String(label),
    ...(sample.file ? { file: sample.file } : {}),
    image,
  };
}

/** Softmax, unless the output already is a distribution (non-negative, sums to 1). */
export function toProbabilities(output: ArrayLike<number>): number[] {
  const values = Array.from(output);
  const sum = values.reduce((a, b) => a + b, 0);
  if (values.every((v) => v >= 0) && Math.abs(sum - 1) < 1e-3) return values;
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

export function prediction(inspect: InspectModel, output: ArrayLike<number>) {
  const probabilities = toProbabilities(output);
  let predicted = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[predicted]) predicted = i;
  return { classes: inspect.classNames, probabilities, predicted };
}

/** Layers whose outputs can be probed: every layer but the inputs, with one output tensor. */
export function probeableLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((layer) => {
    if (layer.getClassName() === 'InputLayer') return false;
    try {
      return !Array.isArray(layer.output);
    } catch {
      return false; // a shared layer (several calls) has no single output
    }
  });
}

/** The named layers (default every probeable one); an unknown name lists the layers there are. */
export function selectLayers(inspect: InspectModel, names?: string[]): tf.layers.Layer[] {
  const all = probeableLayers(inspect.model);
  if (!names || !names.length) return all;
  return names.map((name) => {
    const layer = all.find((l) => inspect.nameOf(l) === name) ?? all.find((l) => l.name === name);
    if (!layer) throw new InspectError(`unknown layer "${name}"; the model's layers: ${all.map((l) => inspect.nameOf(l)).join(', ')}`);
    return layer;
  });
}

/**
 * One forward pass gives every chosen layer's output and the model's output: a multi-output model over the
 * layers' symbolic outputs (sequential and functional models alike, branches included). Its outputs are
 * those of `layers`, then the model's output unless it is already one of them (`predictionIndex`).
 */
export function probe(inspect: InspectModel, layers: tf.layers.Layer[]): { model: tf.LayersModel; predictionIndex: number } {
  const key = layers.map((l) => l.name).join('\u0000');
  let model = inspect.probes.get(key);
  const outputs = layers.map((l) => l.output as tf.SymbolicTensor);
  const final = inspect.model.outputs[0];
  let predictionIndex = outputs.indexOf(final);
  if (predictionIndex < 0) predictionIndex = outputs.push(final) - 1;
  if (!model) {
    model = tf.model({ inputs: inspect.model.inputs, outputs, name: `${inspect.model.name}_probe` });
    // Never disposed on its own: it shares the layers (and their weights) of the cached model.
    inspect.probes.set(key, model);
  }
  return { model, predictionIndex };
}
