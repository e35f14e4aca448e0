/**
 * A TensorFlow.js LayersModel (sequential or functional, with branches and merges) as an ONNX model
 * (opset 17): the layer graph is walked from the outputs back to the inputs, each call of a layer becomes
 * the ONNX nodes of its family's conversion, with the layer's weights as initializers. The input is NHWC,
 * as the model takes it (after the run's normalisation), with a free batch size; the output is the model's.
 *
 * A layer without a conversion fails the export with one line naming the layer, its class and the model
 * file's line that created it.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelFileError } from '../model/modelFile';
import { activationLayers } from './activations';
import type { Converter, Weight } from './context';
import { convolutionLayers } from './convolution';
import { denseLayers } from './dense';
import { ExportError, GraphBuilder, type Shape, staticDims, type Value } from './graph';
import { libraryLayers } from './library';
import { mergeLayers } from './merge';
import { normalizationLayers } from './normalization';
import { encodeModel, valueInfo } from './onnxProto';
import { poolingLayers } from './pooling';
import { reshapingLayers } from './reshaping';

/** Every class the exporter converts, by TensorFlow.js class name. */
export const CONVERTERS: Readonly<Record<string, Converter>> = {
  ...convolutionLayers,
  ...denseLayers,
  ...normalizationLayers,
  ...activationLayers,
  ...poolingLayers,
  ...reshapingLayers,
  ...mergeLayers,
  ...libraryLayers,
};

export interface OnnxOptions {
  /** The model file, for messages (file:line) and the model's description. */
  modelFile?: string;
  lineOf?: (layer: tf.layers.Layer) => number | null;
  nameOf?: (layer: tf.layers.Layer) => string;
  producerVersion?: string;
  /** Said in the model's doc_string (which checkpoint, which normalisation). */
  description?: string;
  /** The model's metadata_props. */
  metadata?: Record<string, string>;
}

export interface OnnxModel {
  bytes: Uint8Array;
  inputs: { name: string; shape: (number | string)[] }[];
  outputs: { name: string; shape: (number | string)[] }[];
  nodes: number;
}

interface SymbolicLike {
  id: number;
  shape: Shape;
  sourceLayer: tf.layers.Layer;
  nodeIndex: number;
  tensorIndex: number;
}
interface NodeLike {
  inputTensors: SymbolicLike[];
  outputTensors: SymbolicLike[];
}

const BATCH = 'batch';

export async function toOnnx(model: tf.LayersModel, options: OnnxOptions = {}): Promise<OnnxModel> {
  const nameOf = options.nameOf ?? ((layer: tf.layers.Layer) => layer.name);
  const g = new GraphBuilder();
  const values = new Map<number, Value>();
  const done = new Map<string, Value>();
  const weights = await readWeights(model);

  const fail = (layer: tf.layers.Layer, detail: string): Error => {
    const what = `layer ${nameOf(layer)} (${layer.getClassName()}) cannot be exported to ONNX: ${detail}`;
    const line = options.lineOf?.(layer) ?? undefined;
    return options.modelFile ? new ModelFileError(options.modelFile, what, line ?? undefined) : new Error(what);
  };

  const modelInputs = model.inputs as unknown as SymbolicLike[];
  const inputs = modelInputs.map((t, i) => {
    const name = modelInputs.length === 1 ? 'input' : `input_${i}`;
    let dims: number[];
    try {
      dims = staticDims(t.shape, 'the model input');
    } catch (err) {
      throw fail(t.sourceLayer, (err as Error).message);
    }
    values.set(t.id, { name, shape: t.shape, channelsFirst: false });
    return { name, shape: [BATCH, ...dims] as (number | string)[] };
  });

  const valueOf = (t: SymbolicLike): Value => {
    const known = values.get(t.id);
    if (known) return known;
    const layer = t.sourceLayer;
    if (layer instanceof tf.LayersModel) throw fail(layer, 'a model used as a layer is not exported; build the model from its layers');
    const node = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes[t.nodeIndex];
    if (!node || node.outputTensors.length !== 1) throw fail(layer, 'layers with several outputs are not exported');
    const key = `${layer.id}:${t.nodeIndex}`;
    let out = done.get(key);
    if (!out) {
      const ins = node.inputTensors.map(valueOf);
      const convert = CONVERTERS[layer.getClassName()];
      if (!convert) throw fail(layer, `there is no ONNX conversion for ${layer.getClassName()}`);
      const line = options.lineOf?.(layer);
      g.enter(nameOf(layer), `${layer.getClassName()}${options.modelFile && line ? ` (${options.modelFile}:${line})` : ''}`);
      try {
        out = convert({ g, className: layer.getClassName(), config: layer.getConfig() as Record<string, unknown>, inputs: ins, outputShape: node.outputTensors[0].shape, weights: weights.get(layer) ?? new Map() });
      } catch (err) {
        if (err instanceof ExportError) throw fail(layer, err.message);
        throw err;
      }
      done.set(key, out);
    }
    values.set(t.id, out);
    return out;
  };

  const outputs = (model.outputs as unknown as SymbolicLike[]).map((t, i) => {
    const v = valueOf(t);
    const name = model.outputs.length === 1 ? 'output' : `output_${i}`;
    g.enter('', '');
    g.nodes.push({ name, opType: 'Identity', input: [g.channelsLast(v)], output: [name], attribute: [] });
    return { name, shape: [BATCH, ...staticDims(t.shape, 'the model output')] as (number | string)[] };
  });

  const graph = {
    name: model.name,
    node: g.nodes,
    initializer: g.initializers,
    input: inputs.map((i) => valueInfo(i.name, i.shape, 'NHWC, float32, normalised as in training')),
    output: outputs.map((o) => valueInfo(o.name, o.shape)),
  };
  const doc = options.description ?? `${model.name}${options.modelFile ? ` from ${options.modelFile}` : ''}`;
  return { bytes: encodeModel(graph, options.producerVersion ?? 'dev', doc, options.metadata), inputs, outputs, nodes: g.nodes.length };
}

/** Each layer's weights by short name (`conv2d_Conv2D1/kernel` -> `kernel`), read from the backend once. */
async function readWeights(model: tf.LayersModel): Promise<Map<tf.layers.Layer, Map<string, Weight>>> {
  const result = new Map<tf.layers.Layer, Map<string, Weight>>();
  for (const layer of model.layers) {
    const byName = new Map<string, Weight>();
    for (const w of layer.weights) {
      // Asynchronously: a GPU backend cannot read a tensor synchronously in Node.js.
      const data = (await w.read().data()) as Float32Array;
      const short = w.originalName.split('/').pop()!.replace(/_\d+$/, '');
      byName.set(short, { shape: w.shape as number[], data });
    }
    result.set(layer, byName);
  }
  return result;
}
