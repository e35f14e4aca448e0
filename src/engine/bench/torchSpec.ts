/**
 * A TensorFlow.js model as a graph the PyTorch reference (pytorch.ts) rebuilds layer for layer, so that
 * `dl-lab bench` compares any model file with PyTorch on the same architecture. Each node carries its
 * input's shape (from TensorFlow.js, batch left out), so the Python side needs no shape inference.
 * Layers PyTorch can't be given this way are named, and the bench says so instead of guessing.
 */
import type * as tf from '@tensorflow/tfjs';

export interface TorchNode {
  /** conv2d, depthwiseConv2d, dense, batchNorm, activation, maxPool, avgPool, globalAvgPool, globalMaxPool, flatten, dropout, add, concat, input */
  kind: string;
  /** Indices of the nodes feeding this one. */
  inputs: number[];
  /** The (first) input's shape without the batch axis, channels last as in TensorFlow.js. */
  inShape: number[];
  [option: string]: unknown;
}

export interface TorchSpec {
  nodes: TorchNode[];
  /** Trainable parameters on the TensorFlow.js side; the reference reports its own count beside it. */
  trainableParams: number;
}

const ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'tanh', 'sigmoid', 'softmax', 'elu', 'selu', 'softplus', 'swish', 'gelu']);

interface LayerInternals {
  name: string;
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  inboundNodes?: { inboundLayers: LayerInternals[] }[];
  inputSpec?: unknown;
  input: tf.SymbolicTensor | tf.SymbolicTensor[];
  trainableWeights: { shape: number[] }[];
}

function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)];
}

function activationOf(config: Record<string, unknown>, where: string): string {
  const a = String(config.activation ?? 'linear');
  if (!ACTIVATIONS.has(a)) throw new Error(`${where}: activation "${a}" has no PyTorch counterpart in the reference`);
  return a;
}

/** Trainable parameters, as PyTorch's model.parameters() counts them. */
export function trainableParams(model: tf.LayersModel): number {
  let n = 0;
  for (const w of model.trainableWeights) n += w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
  return n;
}

/** The graph of `model`, or throws one line naming the first layer the reference cannot build. */
export function torchSpec(model: tf.LayersModel): TorchSpec {
  const layers = model.layers as unknown as LayerInternals[];
  const index = new Map<string, number>();
  const nodes: TorchNode[] = [];
  const inputNode = (layer: LayerInternals | undefined, shape: number[]): number => {
    const key = layer?.name ?? '(input)';
    if (!index.has(key)) {
      index.set(key, nodes.length);
      nodes.push({ kind: 'input', inputs: [], inShape: shape });
    }
    return index.get(key)!;
  };
  for (const layer of layers) {
    const cls = layer.getClassName();
    const where = `layer ${layer.name} (${cls})`;
    const symbolic = Array.isArray(layer.input) ? layer.input : [layer.input];
    const inShape = (symbolic[0].shape as (number | null)[]).slice(1).map(Number);
    if (cls === 'InputLayer') {
      inputNode(layer, (symbolic[0].shape as number[]).slice(1));
      continue;
    }
    const inbound = layer.inboundNodes?.[0]?.inboundLayers ?? [];
    if ((layer.inboundNodes?.length ?? 0) > 1) throw new Error(`${where}: a layer used twice (shared weights) is not supported by the reference`);
    const inputs = inbound.length ? inbound.map((l) => (index.has(l.name) ? index.get(l.name)! : inputNode(l, inShape))) : [inputNode(undefined, inShape)];
    const c = layer.getConfig();
    let node: TorchNode;
    switch (cls) {
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        if (c.dataFormat === 'channelsFirst') throw new Error(`${where}: channelsFirst is not supported by the reference`);
        const depthwise = cls === 'DepthwiseConv2D';
        const inC = inShape[inShape.length - 1];
        node = {
          kind: 'conv2d',
          inputs,
          inShape,
          inChannels: inC,
          filters: depthwise ? inC * Number(c.depthMultiplier ?? 1) : Number(c.filters),
          groups: depthwise ? inC : 1,
          kernel: pair(c.kernelSize),
          strides: pair(c.strides ?? 1),
          dilation: pair(c.dilationRate ?? 1),
          padding: String(c.padding ?? 'valid'),
          useBias: c.useBias !== false,
          activation: activationOf(c, where),
        };
        break;
      }
      case 'Dense':
        if (inShape.length !== 1) throw new Error(`${where}: a Dense layer on a rank-${inShape.length + 1} input is not supported by the reference`);
        node = { kind: 'dense', inputs, inShape, units: Number(c.units), useBias: c.useBias !== false, activation: activationOf(c, where) };
        break;
      case 'BatchNormalization':
        if (c.axis !== -1 && c.axis !== inShape.length) throw new Error(`${where}: BatchNorm over axis ${String(c.axis)} is not supported by the reference`);
        node = { kind: 'batchNorm', inputs, inShape, epsilon: Number(c.epsilon ?? 1e-3), momentum: Number(c.momentum ?? 0.99) };
        break;
      case 'ReLU':
        node = { kind: 'activation', inputs, inShape, activation: c.maxValue != null ? 'relu6' : 'relu' };
        break;
      case 'Activation':
        node = { kind: 'activation', inputs, inShape, activation: activationOf(c, where) };
        break;
      case 'MaxPooling2D':
      case 'AveragePooling2D':
        node = {
          kind: cls === 'MaxPooling2D' ? 'maxPool' : 'avgPool',
          inputs,
          inShape,
          pool: pair(c.poolSize ?? 2),
          strides: pair(c.strides ?? c.poolSize ?? 2),
          padding: String(c.padding ?? 'valid'),
        };
        break;
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D':
        node = { kind: cls === 'GlobalMaxPooling2D' ? 'globalMaxPool' : 'globalAvgPool', inputs, inShape };
        break;
      case 'Flatten':
        node = { kind: 'flatten', inputs, inShape };
        break;
      case 'Dropout':
        node = { kind: 'dropout', inputs, inShape, rate: Number(c.rate ?? 0) };
        break;
      case 'Add':
        node = { kind: 'add', inputs, inShape };
        break;
      case 'Concatenate':
        if (c.axis !== -1 && c.axis !== inShape.length) throw new Error(`${where}: concatenation over axis ${String(c.axis)} is not supported by the reference`);
        node = { kind: 'concat', inputs, inShape };
        break;
      default:
        throw new Error(`${where} has no PyTorch counterpart in the reference`);
    }
    index.set(layer.name, nodes.length);
    nodes.push(node);
  }
  return { nodes, trainableParams: trainableParams(model) };
}
