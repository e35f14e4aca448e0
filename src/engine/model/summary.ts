/**
 * `model/summary`: builds a model file for an input shape and a number of classes and reports, per layer,
 * the output shape, the parameters, the multiply-accumulates per sample and the model file's line that
 * created the layer.
 *
 * Conventions:
 * - `params` counts every weight (Keras' "Total params"); `trainableParams` leaves out non-trainable ones,
 *   such as BatchNormalization's moving mean and variance. PyTorch's `sum(p.numel() for p in
 *   model.parameters())` counts those statistics as buffers, not parameters: compare it with
 *   `trainableParams`.
 * - MACs are per sample, one multiply-accumulate per use of a weight of a convolution (1D/2D/3D, depthwise,
 *   separable, transposed), a dense layer or a recurrent layer's kernels; biases, pooling, normalisation,
 *   activations and merges count 0.
 * - Receptive field and jump (total stride), per layer, along one spatial axis (the larger when a kernel or
 *   stride is not square): an input has rf 1 and jump 1; a convolution or pooling layer with kernel k,
 *   stride s and dilation d gives rf_out = rf_in + (k - 1) * d * jump_in and jump_out = jump_in * s; a layer
 *   with several inputs (Add, Concatenate, ...) takes the largest rf and jump of its inputs; layers that keep
 *   the spatial layout (activations, normalisation, padding, merges) pass them on. Outputs that are not
 *   spatial (Flatten, Dense on vectors, global pooling) and nested models get null.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerSummary, ModelSummary, ModelSummaryParams } from '../../protocol/engineTypes';
import { datasetShape } from '../data/dataset';
import { type LoadedModelFile, loadModelFile, ModelFileError } from './modelFile';

export const MACS_CONVENTION =
  'per sample: one multiply-accumulate per use of a weight of convolution, dense and recurrent layers; biases, pooling, normalisation, activations and merges count 0';

type Shape = (number | null)[];

interface WeightLike {
  shape: (number | null)[];
}

function inputShapeOf(layer: tf.layers.Layer): unknown {
  try {
    const input = layer.input;
    return Array.isArray(input) ? input.map((t) => t.shape) : input.shape;
  } catch {
    return [];
  }
}

const prod = (shape: readonly (number | null)[]): number => shape.reduce<number>((a, d) => a * (d ?? 1), 1);

/** The first output shape of a layer, batch dimension dropped. */
function sampleShape(shape: unknown): number[] {
  const s = (Array.isArray(shape) && Array.isArray(shape[0]) ? shape[0] : shape) as Shape;
  return (s ?? []).slice(1).map((d) => d ?? 1);
}

function weight(layer: tf.layers.Layer, property: string): WeightLike | undefined {
  const w = (layer as unknown as Record<string, unknown>)[property] as WeightLike | null | undefined;
  return w && Array.isArray(w.shape) ? w : undefined;
}

/** Multiply-accumulates per sample of one layer (see the conventions above). */
export function layerMacs(layer: tf.layers.Layer): number {
  if (layer instanceof tf.LayersModel) return layer.layers.reduce((sum, l) => sum + layerMacs(l), 0);
  const type = layer.getClassName();
  const out = sampleShape(layer.outputShape);
  const outSize = prod(out);
  const kernel = weight(layer, 'kernel');
  switch (type) {
    case 'Dense': {
      if (!kernel) return 0;
      const [inputs, units] = kernel.shape as number[];
      return (outSize / units) * inputs * units;
    }
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D': {
      if (!kernel) return 0;
      const filters = kernel.shape[kernel.shape.length - 1] as number;
      return (outSize / filters) * prod(kernel.shape);
    }
    case 'Conv2DTranspose':
    case 'Conv3DTranspose': {
      // Every input position is multiplied by the whole kernel.
      if (!kernel) return 0;
      const input = sampleShape(inputShapeOf(layer));
      const inChannels = kernel.shape[kernel.shape.length - 1] as number;
      return (prod(input) / inChannels) * prod(kernel.shape);
    }
    case 'DepthwiseConv2D': {
      const depthwise = weight(layer, 'depthwiseKernel');
      if (!depthwise) return 0;
      const channels = (depthwise.shape[2] as number) * (depthwise.shape[3] as number);
      return (outSize / channels) * prod(depthwise.shape);
    }
    case 'SeparableConv2D': {
      const depthwise = weight(layer, 'depthwiseKernel');
      const pointwise = weight(layer, 'pointwiseKernel');
      if (!depthwise || !pointwise) return 0;
      const positions = outSize / (pointwise.shape[3] as number);
      return positions * (prod(depthwise.shape) + prod(pointwise.shape));
    }
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU': {
      const cell = (layer as unknown as { cell?: tf.layers.Layer }).cell;
      const k = cell && weight(cell, 'kernel');
      const r = cell && weight(cell, 'recurrentKernel');
      if (!k || !r) return 0;
      const input = sampleShape(inputShapeOf(layer));
      const steps = input.length > 1 ? input[0] : 1;
      return steps * (prod(k.shape) + prod(r.shape));
    }
    default:
      return 0;
  }
}

function weightCount(weights: readonly WeightLike[]): number {
  return weights.reduce((sum, w) => sum + prod(w.shape), 0);
}

function outputShapeOf(layer: tf.layers.Layer): LayerSummary['outputShape'] {
  try {
    return layer.outputShape as LayerSummary['outputShape'];
  } catch {
    return [];
  }
}

interface Field {
  rf: number;
  jump: number;
}

function maxOf(values: unknown): number {
  if (typeof values === 'number') return values;
  return Array.isArray(values) && values.length ? Math.max(...values.map(Number)) : 1;
}

/** The layers feeding `layer` at its first call (an InputLayer for a model's first layer). */
export function inboundLayers(layer: tf.layers.Layer): tf.layers.Layer[] {
  const nodes = (layer as unknown as { inboundNodes?: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes;
  return nodes?.[0]?.inboundLayers ?? [];
}

/** A spatial output: [batch, length, C] or [batch, H, W, C] (channels last). */
function isSpatial(layer: tf.layers.Layer): boolean {
  let shape: unknown;
  try {
    shape = layer.outputShape;
  } catch {
    return false;
  }
  if (!Array.isArray(shape) || Array.isArray(shape[0])) return false;
  return shape.length === 3 || shape.length === 4;
}

/**
 * Receptive field and jump of every layer's output (see the conventions above), in input pixels; null for
 * outputs that are not spatial. Works on sequential and functional models (branches, merges).
 */
export function receptiveFields(model: tf.LayersModel): Map<tf.layers.Layer, Field | null> {
  const fields = new Map<tf.layers.Layer, Field | null>();
  const fieldOf = (layer: tf.layers.Layer): Field | null => {
    if (fields.has(layer)) return fields.get(layer)!;
    let result: Field | null = null;
    if (layer.getClassName() === 'InputLayer') result = { rf: 1, jump: 1 };
    else if (!(layer instanceof tf.LayersModel) && isSpatial(layer)) {
      const inputs = inboundLayers(layer).map(fieldOf);
      if (inputs.length && inputs.every((f) => f !== null)) {
        const rfIn = Math.max(...inputs.map((f) => f!.rf));
        const jumpIn = Math.max(...inputs.map((f) => f!.jump));
        result = applyLayer(layer, rfIn, jumpIn);
      }
    }
    fields.set(layer, result);
    return result;
  };
  for (const layer of model.layers) fieldOf(layer);
  return fields;
}

function applyLayer(layer: tf.layers.Layer, rf: number, jump: number): Field {
  const config = layer.getConfig() as Record<string, unknown>;
  const type = layer.getClassName();
  if (type === 'Conv2DTranspose' || type === 'Conv3DTranspose') {
    const out = jump / maxOf(config.strides);
    return { rf: rf + (maxOf(config.kernelSize) - 1) * out, jump: out };
  }
  if (type === 'UpSampling2D') return { rf, jump: jump / maxOf(config.size) };
  // Convolutions (kernelSize), pooling (poolSize) and BlurPool (filterSize).
  const kernel = config.kernelSize ?? config.poolSize ?? config.filterSize;
  if (kernel === undefined) return { rf, jump };
  const stride = config.strides ?? (config.poolSize !== undefined ? kernel : 1);
  const dilation = maxOf(config.dilationRate ?? 1);
  return { rf: rf + (maxOf(kernel) - 1) * dilation * jump, jump: jump * maxOf(stride) };
}

/**
 * Summarises a built model; `lineOf` gives the model file line that created a layer, when known, and
 * `nameOf` the name to show (buildWithLines's stable one).
 */
export function summarizeModel(
  model: tf.LayersModel,
  lineOf: (layer: tf.layers.Layer) => number | null = () => null,
  nameOf: (layer: tf.layers.Layer) => string = (layer) => layer.name,
): Omit<ModelSummary, 'modelFile' | 'inputShape' | 'numClasses' | 'data'> {
  const fields = receptiveFields(model);
  const layers: LayerSummary[] = model.layers.map((layer) => ({
    name: nameOf(layer),
    type: layer.getClassName(),
    outputShape: outputShapeOf(layer),
    params: weightCount(layer.weights),
    trainableParams: weightCount(layer.trainableWeights),
    macs: layerMacs(layer),
    line: lineOf(layer),
    receptiveField: fields.get(layer)?.rf ?? null,
    jump: fields.get(layer)?.jump ?? null,
  }));
  const totalParams = weightCount(model.weights);
  const trainableParams = weightCount(model.trainableWeights);
  return {
    name: model.name,
    layers,
    totalParams,
    trainableParams,
    nonTrainableParams: totalParams - trainableParams,
    totalMacs: layers.reduce((sum, l) => sum + l.macs, 0),
    outputShape: model.outputs.map((o) => o.shape)[0] ?? [],
    macsConvention: MACS_CONVENTION,
  };
}

/**
 * Builds the model file and remembers where each layer was constructed: while `build` runs, every
 * tf.layers.Layer records a stack trace when its constructor first assigns `_callHook`, and the trace is
 * mapped through the bundle's source map by `loaded.locate`.
 */
export function buildWithLines(
  loaded: LoadedModelFile,
  args: { inputShape: number[]; numClasses: number },
): { model: tf.LayersModel; lineOf: (layer: tf.layers.Layer) => number | null; nameOf: (layer: tf.layers.Layer) => string } {
  const created = new WeakMap<object, Error>();
  // Every layer made during this build, to find the one a build error names (held only while building).
  const made: tf.layers.Layer[] = [];
  const proto = tf.layers.Layer.prototype as object;
  const hooked = !Object.prototype.hasOwnProperty.call(proto, '_callHook');
  if (hooked) {
    Object.defineProperty(proto, '_callHook', {
      configurable: true,
      set(this: object, value: unknown) {
        created.set(this, new Error('layer created here'));
        made.push(this as tf.layers.Layer);
        Object.defineProperty(this, '_callHook', { value, writable: true, configurable: true, enumerable: true });
      },
      get() {
        return undefined;
      },
    });
  }
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Math.max(limit, 40);
  let model: tf.LayersModel;
  try {
    model = loaded.build(args);
  } catch (err) {
    throw atNamedLayer(err, made, created, loaded, stableNames(made));
  } finally {
    Error.stackTraceLimit = limit;
    if (hooked) delete (proto as Record<string, unknown>)._callHook;
  }
  const lineOf = (layer: tf.layers.Layer): number | null => {
    const where = created.has(layer) ? loaded.locate(created.get(layer)) : undefined;
    return where && where.file === loaded.file ? where.line : null;
  };
  const names = stableNames(made.length ? made : model.layers);
  return { model, lineOf, nameOf: (layer) => names.get(layer) ?? layer.name };
}

/**
 * The names a fresh process would give the layers of one build. TensorFlow.js numbers unnamed layers with
 * a process-wide counter per class (conv2d_Conv2D17 after a few rebuilds), so the same line would be named
 * differently in the hover, the summary and the feature-map view. Here the k-th unnamed layer of a class
 * created in this build is number k (conv2d_Conv2D1, conv2d_Conv2D2, ...), skipping names the user gave.
 * Only what is shown changes: the layers keep their TensorFlow.js names.
 */
export function stableNames(layers: readonly tf.layers.Layer[]): Map<tf.layers.Layer, string> {
  const names = new Map<tf.layers.Layer, string>();
  const auto = (layer: tf.layers.Layer): RegExpMatchArray | null => {
    const cls = layer.getClassName();
    if (cls === 'InputLayer') return layer.name.match(/^(input)(\d+)$/);
    return layer.name.match(new RegExp(`^(.+_${cls.replace(/[^\w]/g, '\\$&')})(\\d+)$`));
  };
  const taken = new Set(layers.filter((l) => !auto(l)).map((l) => l.name));
  const counts = new Map<string, number>();
  for (const layer of layers) {
    const m = auto(layer);
    if (!m) continue;
    const prefix = m[1];
    let k = counts.get(prefix) ?? 0;
    do k++;
    while (taken.has(`${prefix}${k}`));
    counts.set(prefix, k);
    names.set(layer, `${prefix}${k}`);
  }
  return names;
}

/**
 * A build error that names a layer ("... caused by adding layer conv2d_Conv2D2 ...") points at the line
 * that created that layer, rather than at the user's frame that was running (for `tf.sequential({ layers:
 * [...] })`, the first line of the call, whatever item was wrong).
 */
function atNamedLayer(
  err: unknown,
  made: readonly tf.layers.Layer[],
  created: WeakMap<object, Error>,
  loaded: LoadedModelFile,
  stable: Map<tf.layers.Layer, string>,
): unknown {
  if (!(err instanceof ModelFileError)) return err;
  // The message speaks of the layers by the names shown everywhere else (stableNames).
  const detail = err.detail.replace(/\b[A-Za-z_][\w/-]*\b/g, (word) => {
    const layer = made.find((l) => l.name === word);
    return (layer && stable.get(layer)) ?? word;
  });
  const names = [...err.detail.matchAll(/\blayer ([A-Za-z_][\w/-]*)/g)].map((m) => m[1]);
  for (const name of names) {
    const layer = made.find((l) => l.name === name);
    const stack = layer && created.get(layer);
    const where = stack ? loaded.locate(stack) : undefined;
    if (where && where.file === loaded.file) return new ModelFileError(where.file, detail, where.line, where.column);
  }
  return detail === err.detail ? err : new ModelFileError(err.file, detail, err.line, err.column);
}

/** Parses "224,224,3" (or "224x224x3"); throws a message that names what is wrong. */
export function parseInputShape(text: string): number[] {
  const parts = text.split(/[,x×]/).map((p) => p.trim());
  const dims = parts.map(Number);
  if (!parts.length || dims.some((d, i) => parts[i] === '' || !Number.isInteger(d) || d < 1)) {
    throw new Error(`input shape must be positive integers separated by commas, e.g. 224,224,3; got "${text}"`);
  }
  return dims;
}

export function checkSummaryArgs(inputShape: number[], numClasses: number, file: string): void {
  if (!inputShape.length || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ModelFileError(file, `input shape must be positive integers, got [${inputShape.join(', ')}]`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new ModelFileError(file, `classes must be a positive integer, got ${numClasses}`);
}

/**
 * The `model/summary` request: the shape and classes come from `data` (read once per version of its
 * files: datasetShape), else from `inputShape` and `numClasses`, else from synthetic:shapes (as `train` defaults to it). The model is
 * disposed before returning.
 */
export async function summarizeModelFile(params: ModelSummaryParams): Promise<ModelSummary> {
  let inputShape = params.inputShape;
  let numClasses = params.numClasses;
  let data: string | undefined;
  if (params.data !== undefined || inputShape === undefined || numClasses === undefined) {
    data = params.data ?? 'synthetic:shapes';
    const dataset = await datasetShape(data);
    inputShape ??= dataset.shape;
    numClasses ??= dataset.classNames.length;
  }
  const loaded = await loadModelFile(params.modelFile);
  checkSummaryArgs(inputShape, numClasses, loaded.file);
  const { model, lineOf, nameOf } = buildWithLines(loaded, { inputShape, numClasses });
  try {
    return { modelFile: loaded.file, inputShape, numClasses, ...(data ? { data } : {}), ...summarizeModel(model, lineOf, nameOf) };
  } finally {
    model.dispose();
  }
}
