/**
 * ONNX export, one small model per layer family with random weights (BatchNorm statistics too): ONNX
 * Runtime's output equals TensorFlow.js's to 1e-4, and onnx.checker accepts every model. Layers without a
 * conversion are named.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { layers as dl } from '../../src/engine/layers';
import { toOnnx } from '../../src/engine/export/onnx';
import { loadModelFile } from '../../src/engine/model/modelFile';
import { expandSnippet } from '../../src/templates/snippetSyntax';
import { SNIPPETS } from '../../src/templates/sources';
import { writeModelFile } from '../templates/util';
import { skipUnlessPython } from '../python';
import { tempDir } from '../helpers';
import { maxAbsDiff, ONNX_PYTHON_MODULES, onnxPython, type OnnxResult, randomInput, randomizeWeights, runOnnx } from './harness';

tf.env().set('PROD', true);

type Build = () => tf.LayersModel;

/** A model of `layers` on an input of `shape`. */
const seq = (shape: number[], layers: tf.layers.Layer[]): Build => () => tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: shape }), ...layers] });
const conv = (filters: number, extra: Record<string, unknown> = {}) => tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', ...extra });

/** A functional model: `body` maps the input to the output. */
const fn = (shape: number[], body: (x: tf.SymbolicTensor) => tf.SymbolicTensor): Build => () => {
  const input = tf.input({ shape });
  return tf.model({ inputs: input, outputs: body(input) });
};
const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

const CASES: Record<string, Build> = {
  // Convolutions: TensorFlow's asymmetric SAME (8 wide, kernel 3, stride 2 pads 0 before and 1 after), dilations, strides per axis.
  conv_same_stride2: seq([8, 9, 3], [conv(4, { strides: 2, activation: 'relu' })]),
  conv_valid_rect: seq([7, 10, 2], [tf.layers.conv2d({ filters: 3, kernelSize: [1, 3], strides: [1, 2], padding: 'valid' })]),
  conv_dilated: seq([9, 9, 2], [conv(3, { dilationRate: 2, useBias: false, activation: 'tanh' })]),
  conv_even_kernel: seq([7, 7, 2], [tf.layers.conv2d({ filters: 3, kernelSize: 4, strides: 3, padding: 'same' })]),
  depthwise: seq([8, 7, 3], [tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'relu6' })]),
  separable: seq([8, 8, 3], [tf.layers.separableConv2d({ filters: 5, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'elu' })]),
  transpose_same: seq([5, 4, 3], [tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' })]),
  transpose_valid: seq([5, 4, 3], [tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'valid', activation: 'sigmoid' })]),
  transpose_small_kernel: seq([4, 4, 2], [tf.layers.conv2dTranspose({ filters: 2, kernelSize: 1, strides: 2, padding: 'valid' })]),
  transpose_same_even: seq([4, 5, 2], [tf.layers.conv2dTranspose({ filters: 3, kernelSize: 4, strides: 2, padding: 'same' })]),
  // Dense, on vectors and on the channels of an NHWC tensor, with each of TensorFlow.js's activations.
  dense_activations: seq([12], ['relu', 'relu6', 'sigmoid', 'tanh', 'softplus', 'softsign', 'elu', 'selu', 'hardSigmoid', 'swish', 'mish', 'gelu', 'gelu_new', 'linear', 'logSoftmax', 'softmax'].map((activation) => tf.layers.dense({ units: 12, activation: activation as 'relu' }))),
  dense_on_channels: seq([4, 5, 3], [tf.layers.dense({ units: 6, activation: 'softmax' }), tf.layers.flatten()]),
  // Activation layers after a convolution (so the channels-first layout carries the axis of softmax, PReLU).
  activation_layers: seq([6, 5, 3], [
    conv(4),
    tf.layers.leakyReLU({ alpha: 0.2 }),
    tf.layers.prelu({}),
    tf.layers.elu({ alpha: 1 }),
    tf.layers.reLU({ maxValue: 0.4 }),
    conv(4),
    tf.layers.thresholdedReLU({ theta: 0.1 }),
    tf.layers.prelu({ sharedAxes: [1, 2] }),
    tf.layers.activation({ activation: 'tanh' }),
    tf.layers.softmax({ axis: -1 }),
  ]),
  dl_activations: seq([6, 5, 3], [
    conv(4), dl.gelu(), conv(4), dl.gelu({ approximate: 'tanh' }), conv(4), dl.silu(), dl.swish({ beta: 1.7 }), dl.mish(), dl.celu({ alpha: 0.7 }),
    conv(4), dl.selu(), dl.softplus({ beta: 2, threshold: 0.5 }), conv(4), dl.relu6(), dl.logSigmoid(), conv(4), dl.softmin(), dl.logSoftmax({ axis: 1 }),
  ]),
  sine: seq([5], [dl.sine({ units: 7, isFirst: true }), dl.sine({ units: 3, w0: 2 })]),
  // Normalisation of the channels: held as NCHW, as vectors, and of a sequence [N, L, C].
  batchnorm_rank3: seq([6, 5], [tf.layers.batchNormalization({ epsilon: 1e-2 }), tf.layers.flatten()]),
  batchnorm: seq([6, 5, 3], [conv(4), tf.layers.batchNormalization({ epsilon: 1e-3 }), tf.layers.flatten(), tf.layers.dense({ units: 5 }), tf.layers.batchNormalization({ center: false, scale: false, epsilon: 0.1 })]),
  // Pooling: SAME windows over odd sizes (the average leaves padding out of its count).
  pooling: seq([9, 7, 3], [
    tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
    tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
    tf.layers.averagePooling2d({ poolSize: 2, padding: 'valid' }),
    conv(5),
    tf.layers.maxPooling2d({ poolSize: [2, 1] }),
  ]),
  global_average: seq([6, 5, 3], [conv(4), tf.layers.globalAveragePooling2d({}), tf.layers.dense({ units: 3 })]),
  global_max: seq([6, 5, 3], [conv(4), tf.layers.globalMaxPooling2d({})]),
  // Flatten in TensorFlow.js's NHWC order, Reshape, padding, cropping, upsampling, dropout.
  reshaping: seq([6, 5, 3], [
    tf.layers.zeroPadding2d({ padding: [[1, 2], [0, 3]] }),
    conv(4),
    tf.layers.cropping2D({ cropping: [[1, 0], [2, 1]] }),
    tf.layers.upSampling2d({ size: [2, 3] }),
    tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }),
    tf.layers.dropout({ rate: 0.5 }),
    tf.layers.reshape({ targetShape: [60, 16, 4] }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 4 }),
    tf.layers.reshape({ targetShape: [2, 2, 1] }),
    conv(2),
    tf.layers.flatten(),
  ]),
  // Merges and branches: a residual add, a concatenation on channels, the SE-block snippet's multiply.
  merges: fn([6, 6, 3], (x) => {
    const a = apply(conv(4), x);
    const b = apply(conv(4, { strides: 1 }), x);
    const sum = apply(tf.layers.add(), [a, b]);
    const prod = apply(tf.layers.multiply(), [sum, b]);
    const avg = apply(tf.layers.average(), [a, b, prod]);
    const hi = apply(tf.layers.maximum(), [a, avg]);
    const lo = apply(tf.layers.minimum(), [b, avg]);
    const cat = apply(tf.layers.concatenate(), [hi, lo, x]);
    const gates = apply(tf.layers.reshape({ targetShape: [1, 1, 11] }), apply(tf.layers.dense({ units: 11, activation: 'sigmoid' }), apply(tf.layers.globalAveragePooling2d({}), cat)));
    return apply(tf.layers.flatten(), apply(tf.layers.multiply(), [cat, gates]));
  }),
  merges_vectors: fn([6], (x) => {
    const a = apply(tf.layers.dense({ units: 4 }), x);
    const b = apply(tf.layers.dense({ units: 4 }), x);
    return apply(tf.layers.concatenate({ axis: 1 }), [apply(tf.layers.add(), [a, b]), x]);
  }),
  // The dl-lab library's layers.
  blurpool: seq([9, 8, 3], [dl.blurPool({ filterSize: 5, strides: 1 }), dl.blurPool(), conv(4), dl.blurPool({ filterSize: 4, strides: 2, padding: 'zero' }), dl.blurPool({ filterSize: 1, strides: 2 })]),
  channel_shuffle: seq([4, 4, 6], [conv(6), dl.channelShuffle({ groups: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 8 }), dl.channelShuffle({ groups: 2 })]),
  channel_shuffle_nhwc: seq([4, 3, 6], [dl.channelShuffle({ groups: 2 }), tf.layers.flatten()]),
  squeeze_excite: seq([5, 6, 8], [conv(8), dl.squeezeExcite({ ratio: 4 }), tf.layers.flatten()]),
  squeeze_excite_rank3: seq([7, 6], [dl.squeezeExcite({ ratio: 2 }), tf.layers.flatten()]),
};

/** Blocks from the snippets, in a model file of their own: `call` on the input, flattened. */
const SNIPPET_CASES: Record<string, { prefix: string; call: string; inputShape: number[] }> = {
  // Custom GroupedConv2D and ChannelShuffle layers, written in the model file; the stride-2 unit concatenates.
  snippet_shufflenet_unit: { prefix: 'dl-shufflenet-unit', call: 'shuffleUnit(x, 24, 1, 3)', inputShape: [6, 6, 24] },
  snippet_shufflenet_unit_stride2: { prefix: 'dl-shufflenet-unit', call: 'shuffleUnit(x, 48, 2, 3)', inputShape: [6, 7, 24] },
  snippet_se_block: { prefix: 'dl-se-block', call: 'squeezeExcite(x, 4)', inputShape: [5, 5, 16] },
  snippet_blur_pool: { prefix: 'dl-blur-pool', call: 'blurPool(x)', inputShape: [9, 8, 4] },
  snippet_separable_conv: { prefix: 'dl-separable-conv', call: 'separableConv(x, 8, 2)', inputShape: [7, 7, 4] },
};

async function snippetModel({ prefix, call }: (typeof SNIPPET_CASES)[string], inputShape: number[]): Promise<tf.LayersModel> {
  const code = expandSnippet(SNIPPETS.find((s) => s.prefix === prefix)!.body);
  const file = writeModelFile(prefix, `import * as tf from '@tensorflow/tfjs';\n${code}\nexport default function model({ inputShape }: { inputShape: number[] }) {\n  const x = tf.input({ shape: inputShape });\n  return tf.model({ inputs: x, outputs: tf.layers.flatten().apply(${call}) as tf.SymbolicTensor });\n}\n`);
  return (await loadModelFile(file)).build({ inputShape, numClasses: 1 });
}

describe('ONNX export per layer family', { skip: skipUnlessPython(ONNX_PYTHON_MODULES) }, () => {
  const expected = new Map<string, Float32Array>();
  let results: Map<string, OnnxResult>;

  before(async () => {
    await tf.setBackend('cpu');
    const cases = [];
    const builds: [string, () => tf.LayersModel | Promise<tf.LayersModel>][] = [
      ...Object.entries(CASES),
      ...Object.entries(SNIPPET_CASES).map(([name, c]) => [name, () => snippetModel(c, c.inputShape)] as [string, () => Promise<tf.LayersModel>]),
    ];
    for (const [name, build] of builds) {
      const model = randomizeWeights(await build(), name.length);
      const input = randomInput([2, ...(model.inputs[0].shape.slice(1) as number[])]);
      expected.set(name, (model.predict(input) as tf.Tensor).dataSync() as Float32Array);
      cases.push({ name, onnx: (await toOnnx(model)).bytes, input });
      model.dispose();
    }
    results = runOnnx(onnxPython()!, path.join(tempDir('dl-lab-onnx-'), 'cases'), cases);
  });
  after(() => tf.disposeVariables());

  for (const name of [...Object.keys(CASES), ...Object.keys(SNIPPET_CASES)]) {
    it(`${name}: ONNX Runtime equals TensorFlow.js to 1e-4 (opset 17, onnx.checker passes)`, (t) => {
      const r = results.get(name);
      assert.ok(r, `no result for ${name}`);
      assert.equal(r.error, undefined, `${name}: ${r.error}`);
      assert.equal(r.opset, 17);
      const want = expected.get(name)!;
      // A constant output (everything clipped or zeroed) would agree whatever the conversion did.
      assert.ok(Math.max(...want) - Math.min(...want) > 0.01, `${name}: TensorFlow.js's output varies (${Math.min(...want)} .. ${Math.max(...want)})`);
      const diff = maxAbsDiff(r.output!, want);
      assert.ok(diff < 1e-4, `${name}: max abs difference ${diff}`);
      t.diagnostic(`max abs difference ${diff.toExponential(2)}`);
    });
  }
});

describe('ONNX export refuses what it cannot convert', () => {
  it('names the layer and its class', async () => {
    const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [5, 3] }), tf.layers.conv1d({ filters: 2, kernelSize: 3 }), tf.layers.flatten()] });
    await assert.rejects(toOnnx(model), (err: Error) => {
      assert.match(err.message, /^layer conv1d_Conv1D\d+ \(Conv1D\) cannot be exported to ONNX: there is no ONNX conversion for Conv1D$/);
      return true;
    });
    model.dispose();
  });

  it('refuses BatchNormalization over an axis other than the channels', async () => {
    // TensorFlow.js itself computes that wrongly (its kernel takes the statistics by flat index modulo C).
    const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [4, 3, 2] }), tf.layers.batchNormalization({ axis: 1 })] });
    await assert.rejects(toOnnx(model), /^Error: layer batch_normalization_BatchNormalization\d+ \(BatchNormalization\) cannot be exported to ONNX: its axis is 1; only the channel axis \(-1\) is exported$/);
    model.dispose();
  });
});
