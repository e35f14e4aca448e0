/**
 * The webgpu backend on Mesa's software renderer (llvmpipe through Dawn's OpenGL backend), against the cpu
 * backend: the adapter report, auto passing it by, the gradient of every kernel training uses, LeNet-5 and
 * a BatchNorm CNN trained step by step, the dl-lab layers and losses, the inspections, bench.
 * scripts/test.mjs installs Mesa's Debian packages; where it cannot, DL_LAB_WEBGPU_TESTS_SKIP says why.
 * Shapes are small and steps few: the software renderer is ~50 LeNet samples/s.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, probeBackends } from '../../src/engine/backends';
import { releaseWebgpu } from '../../src/engine/backends/webgpu';
import { MESA_PACKAGES } from '../../src/engine/backends/webgpu/libraries';
import { runBench } from '../../src/engine/bench/bench';
import { buildLeNet5 } from '../../src/engine/bench/lenet';
import { loadDataset } from '../../src/engine/data/dataset';
import { clearInspectCache, decodeTensor, equivariance, featureMaps, filters } from '../../src/engine/inspection';
import { layers as dl } from '../../src/engine/layers';
import { LOSS_NAMES, lossFunction, makeOptimizer, trainStep } from '../../src/engine/training/step';
import { LENET, ROOT, relError } from '../helpers';

tf.env().set('PROD', true);
// A live GPU device keeps the event loop running: give it back, or this file never ends.
after(releaseWebgpu);

const SKIP = process.env.DL_LAB_WEBGPU_TESTS_SKIP || false;

/** Whether the Vulkan loader is installed, asked of the system rather than of the code under test. */
function hasVulkanLoader(): boolean {
  try {
    return execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }).includes('libvulkan.so.1 ');
  } catch {
    return false;
  }
}


async function readAll(ts: tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(ts.map(async (t) => Float32Array.from((await t.data()) as Float32Array)));
}

describe('webgpu on the software adapter', { skip: SKIP }, () => {
  it('scripts/debianPackages.mjs installs the packages the engine names when Mesa is missing', async () => {
    const { WEBGPU_TEST_PACKAGES } = await import(path.join(ROOT, 'scripts', 'debianPackages.mjs'));
    assert.deepEqual(WEBGPU_TEST_PACKAGES, [...MESA_PACKAGES]);
  });

  it('is listed with its adapter: Mesa llvmpipe through OpenGL in compatibility mode, a software renderer', async () => {
    const webgpu = (await probeBackends()).find((b) => b.name === 'webgpu');
    assert.ok(webgpu);
    assert.equal(webgpu.available, true, webgpu.detail);
    assert.match(webgpu.adapter!.device, /llvmpipe/);
    assert.match(webgpu.adapter!.description, /Mesa/);
    assert.equal(webgpu.adapter!.api, 'opengl');
    assert.equal(webgpu.adapter!.featureLevel, 'compatibility');
    assert.equal(webgpu.adapter!.software, true);
    assert.match(webgpu.detail, /^only a software adapter: llvmpipe.*auto passes it by, --backend webgpu uses it/);
    if (!hasVulkanLoader()) assert.match(webgpu.detail, /Vulkan: libvulkan\.so\.1 not found \(Debian: apt-get install libvulkan1/);
  });

  it('auto never picks it: it says why and takes a CPU backend', async () => {
    const report = await initBackend('auto');
    assert.notEqual(report.name, 'webgpu');
    assert.equal(report.adapter, undefined);
    assert.notEqual(tf.getBackend(), 'webgpu');
    assert.match(report.reason, /webgpu: only a software adapter, which auto does not use: llvmpipe/);
  });

  it('--backend webgpu takes it with a warning, and the report names the adapter', async () => {
    const report = await initBackend('webgpu');
    assert.equal(report.name, 'webgpu');
    assert.equal(tf.getBackend(), 'webgpu');
    assert.equal(report.adapter?.software, true);
    assert.match(report.reason, /^requested: using webgpu on llvmpipe.*warning: .*software renderer on the CPU, for testing: slower than wasm/);
  });
});

type GradCase = { name: string; shapes: number[][]; f: (...xs: tf.Tensor[]) => tf.Tensor };

/** Every op whose gradient a model of the templates, snippets or dl-lab layers trains through. */
const GRAD_CASES: GradCase[] = [
  { name: 'conv2d 3x3 same', shapes: [[2, 12, 12, 3], [3, 3, 3, 8]], f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same') },
  { name: 'conv2d 5x5 stride 2 valid', shapes: [[2, 13, 12, 2], [5, 5, 2, 4]], f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid') },
  { name: 'conv2d 1x1', shapes: [[2, 6, 6, 8], [1, 1, 8, 5]], f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid') },
  {
    name: 'fused conv2d with bias and relu',
    shapes: [[2, 8, 8, 3], [3, 3, 3, 4], [4]],
    f: (x, w, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu' }),
  },
  { name: 'depthwiseConv2d stride 1', shapes: [[2, 8, 8, 3], [3, 3, 3, 2]], f: (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same') },
  { name: 'depthwiseConv2d stride 2', shapes: [[2, 9, 9, 4], [3, 3, 4, 1]], f: (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid') },
  {
    name: 'separableConv2d',
    shapes: [[1, 8, 8, 3], [3, 3, 3, 1], [1, 1, 3, 5]],
    f: (x, d, p) => tf.separableConv2d(x as tf.Tensor4D, d as tf.Tensor4D, p as tf.Tensor4D, 1, 'same'),
  },
  { name: 'conv2dTranspose stride 2', shapes: [[2, 5, 5, 4], [3, 3, 3, 4]], f: (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 10, 10, 3], 2, 'same') },
  { name: 'conv1d', shapes: [[2, 12, 3], [3, 3, 4]], f: (x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 1, 'same') },
  { name: 'conv3d', shapes: [[1, 5, 5, 5, 2], [3, 3, 3, 2, 3]], f: (x, w) => tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 1, 'same') },
  { name: 'maxPool 2x2', shapes: [[2, 8, 8, 3]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') },
  { name: 'maxPool 3x3 stride 2 same', shapes: [[2, 9, 9, 3]], f: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same') },
  { name: 'avgPool 2x2', shapes: [[2, 8, 8, 3]], f: (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid') },
  { name: 'avgPool 3x3 stride 1 same', shapes: [[2, 7, 7, 3]], f: (x) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same') },
  { name: 'maxPool3d, avgPool3d', shapes: [[1, 4, 4, 4, 2]], f: (x) => tf.maxPool3d(x as tf.Tensor5D, 2, 2, 'valid').add(tf.avgPool3d(x as tf.Tensor5D, 2, 2, 'valid')) },
  { name: 'matMul', shapes: [[9, 40], [40, 7]], f: (a, b) => tf.matMul(a, b) },
  { name: 'matMul transposed', shapes: [[40, 9], [7, 40]], f: (a, b) => tf.matMul(a, b, true, true) },
  {
    name: 'batchNorm over batch statistics (moments)',
    shapes: [[4, 5, 5, 6], [6], [6]],
    f: (x, g, b) => {
      const m = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, m.mean, m.variance, b, g, 1e-3);
    },
  },
  {
    name: 'activations',
    shapes: [[3, 400]],
    f: (x) =>
      tf.concat([
        tf.relu(x), tf.relu6(x.mul(8)), tf.elu(x), tf.selu(x), tf.leakyRelu(x, 0.1), tf.sigmoid(x), tf.tanh(x),
        tf.softplus(x), tf.erf(x), tf.exp(x), tf.log(x.abs().add(0.1)), tf.sqrt(x.abs().add(0.1)), tf.square(x),
        tf.abs(x), tf.clipByValue(x, -0.5, 0.5), tf.sin(x), tf.neg(x), tf.reciprocal(x.abs().add(0.5)),
      ], 1),
  },
  { name: 'prelu', shapes: [[4, 60], [60]], f: (x, a) => tf.prelu(x, a) },
  { name: 'softmax, logSoftmax', shapes: [[16, 10]], f: (x) => tf.softmax(x).mul(tf.logSoftmax(x)) },
  { name: 'sum, mean, max, min', shapes: [[4, 60, 5]], f: (x) => tf.sum(x, 1).add(tf.mean(x, 1)).add(tf.max(x, 1)).add(tf.min(x, 1)) },
  {
    name: 'pad, slice, concat, transpose, reshape',
    shapes: [[2, 6, 6, 3]],
    f: (x) => tf.concat([tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]).slice([0, 1, 1, 0], [2, 6, 6, 3]), tf.transpose(x, [0, 2, 1, 3])], 3).reshape([2, -1]),
  },
  {
    name: 'resizeBilinear, resizeNearestNeighbor (UpSampling2D)',
    shapes: [[1, 6, 6, 2]],
    f: (x) => tf.concat([tf.image.resizeBilinear(x as tf.Tensor4D, [12, 12]), tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [12, 12])], 3),
  },
  {
    name: 'maximum, minimum, div, pow',
    shapes: [[300], [300]],
    f: (a, b) => tf.maximum(a, b).add(tf.minimum(a, b)).add(tf.div(a, b.abs().add(0.5))).add(tf.pow(a.abs().add(0.1), 1.5)),
  },
];

/** Deterministic inputs in [-1, 1): the same on both backends. */
function inputs(shape: number[], salt: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + salt * 78.233) * 0.999);
}

/** The gradients of sum(f(xs) * w) for a fixed w that is not all ones, on the current backend. */
async function gradients(c: GradCase): Promise<Float32Array[]> {
  const xs = c.shapes.map((s, i) => tf.tensor(inputs(s, i + 1), s));
  const grads = tf.tidy(() =>
    tf.grads((...args: tf.Tensor[]) => {
      const y = c.f(...args);
      return y.mul(tf.sin(tf.range(0, y.size).reshape(y.shape).mul(0.37))).sum();
    })(xs),
  );
  const out = await readAll(grads);
  tf.dispose([...xs, ...grads]);
  return out;
}

describe('webgpu gradients match the cpu backend', { skip: SKIP }, () => {
  before(() => {
    // Every kernel on the GPU: by default tfjs computes small ops on the CPU when their inputs are there.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
  });
  after(() => tf.env().set('WEBGPU_CPU_FORWARD', true));

  for (const c of GRAD_CASES) {
    it(c.name, async () => {
      await initBackend('cpu');
      const expected = await gradients(c);
      await initBackend('webgpu');
      const actual = await gradients(c);
      expected.forEach((e, i) => {
        const err = relError(actual[i], e);
        assert.ok(err < 1e-5, `${c.name}: gradient of input ${i}: relative error ${err.toExponential(2)}`);
      });
    });
  }
});

/** A small CNN with BatchNorm (conv, BN, ReLU, max pool, depthwise, global average pooling). */
function batchNormCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padding: 'same', useBias: false }),
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      // No biases before a BatchNorm: it cancels them, and Adam would amplify their rounding-level gradients.
      tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false }),
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 6, activation: 'softmax' }),
    ],
  });
}

/** dl-lab's layers and a weighted, smoothed cross-entropy on logits. */
function dlLabNet(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padding: 'same' }),
      dl.gelu(),
      dl.blurPool({ filterSize: 3, strides: 2 }),
      dl.squeezeExcite({ ratio: 4 }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }),
      dl.mish(),
      dl.channelShuffle({ groups: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 6 }),
    ],
  });
}

const STEPS = 4;
const BATCH = 16;

/**
 * Trains `build()` for STEPS Adam steps on the current backend from the given weights, on one real batch
 * of synthetic:shapes (so that the loss must fall); returns the losses and the final weights.
 */
async function train(
  build: () => tf.LayersModel,
  weights: Float32Array[] | null,
  lossSpec: Parameters<typeof lossFunction>[0],
): Promise<{ losses: number[]; weights: Float32Array[]; trainable: boolean[] }> {
  const data = await loadDataset(`synthetic:shapes?count=${BATCH}`);
  const model = build();
  if (weights) model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
  const optimizer = makeOptimizer({ optimizer: 'adam', learningRate: 0.003, momentum: 0 });
  const loss = lossFunction(lossSpec);
  const losses: number[] = [];
  const x = tf.tensor4d(Float32Array.from(data.images, (v) => v / 255), [BATCH, 28, 28, 1]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(data.labels), 'int32'), 6).toFloat());
  for (let s = 0; s < STEPS; s++) {
    const r = trainStep(model, optimizer, loss, x, y);
    losses.push((await r.loss.data())[0]);
    tf.dispose([r.loss, r.correct]);
  }
  tf.dispose([x, y]);
  const final = await readAll(model.getWeights());
  const trainable = model.weights.map((w) => w.trainable);
  optimizer.dispose();
  model.dispose();
  return { losses, weights: final, trainable };
}

async function trainOnBoth(build: () => tf.LayersModel, lossSpec: Parameters<typeof lossFunction>[0], reference: 'cpu' | 'wasm') {
  await initBackend('cpu');
  const init = build();
  const weights = await readAll(init.getWeights());
  init.dispose();
  await initBackend(reference);
  const expected = await train(build, weights, lossSpec);
  await initBackend('webgpu');
  const actual = await train(build, weights, lossSpec);
  return { expected, actual };
}

/**
 * Losses within 1e-4; trainable weights within 1e-3 of their largest: Adam divides by the root of the
 * squared gradient, which turns float32 rounding in a near-zero gradient into a visible step. BatchNorm's
 * moving statistics within 1e-2: a moving variance is a sum of squares of activations that already differ
 * in the last bits, summed in another order on each backend (it failed 1e-3 once in a full run at 1.5e-3).
 */
function assertSameTraining(label: string, r: Awaited<ReturnType<typeof trainOnBoth>>): void {
  const { expected, actual } = r;
  assert.ok(expected.losses[STEPS - 1] < expected.losses[0], `${label}: the reference learns (${expected.losses})`);
  const lossErr = relError(actual.losses, expected.losses);
  assert.ok(lossErr < 1e-4, `${label}: losses ${actual.losses} vs ${expected.losses}`);
  expected.weights.forEach((w, i) => {
    const err = relError(actual.weights[i], w);
    const tolerance = expected.trainable[i] ? 1e-3 : 1e-2;
    assert.ok(err < tolerance, `${label}: weight ${i} after ${STEPS} steps: relative error ${err.toExponential(2)}`);
  });
}

describe('training on webgpu follows cpu and wasm', { skip: SKIP }, () => {
  it(`LeNet-5: ${STEPS} Adam steps give the same losses and weights as wasm`, async () => {
    const r = await trainOnBoth(() => buildLeNet5(6), 'categoricalCrossentropy', 'wasm');
    assertSameTraining('LeNet-5', r);
  });

  it(`a BatchNorm CNN with depthwise convolutions: ${STEPS} Adam steps as on cpu`, async () => {
    const r = await trainOnBoth(batchNormCnn, 'categoricalCrossentropy', 'cpu');
    assertSameTraining('BatchNorm CNN', r);
  });

  it(`dl-lab layers (GELU, BlurPool, SqueezeExcite, Mish, ChannelShuffle) and a weighted logits loss: as on cpu`, async () => {
    const r = await trainOnBoth(dlLabNet, { name: 'crossEntropyFromLogits', classWeights: [1, 2, 1, 1, 0.5, 1], labelSmoothing: 0.1 }, 'cpu');
    assertSameTraining('dl-lab net', r);
  });
});

/** What each loss expects of the network's output: probabilities, log-probabilities, or raw values. */
function outputFor(name: string): (z: tf.Tensor) => tf.Tensor {
  if (['crossEntropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy'].includes(name)) return (z) => tf.softmax(z);
  if (['nll', 'klDiv', 'kld'].includes(name)) return (z) => tf.logSoftmax(z);
  if (['bce', 'binaryCrossentropy'].includes(name)) return (z) => tf.sigmoid(z);
  return (z) => z;
}

async function lossAndGradient(name: string): Promise<Float32Array[]> {
  const z = tf.tensor2d(inputs([16, 6], 3), [16, 6]);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => (i * 5) % 6), 'int32'), 6).toFloat();
  const loss = lossFunction(name);
  const value = tf.tidy(() => loss(labels, outputFor(name)(z)));
  const g = tf.tidy(() => tf.grad((t: tf.Tensor) => loss(labels, outputFor(name)(t)))(z));
  const out = await readAll([value, g]);
  tf.dispose([z, labels, value, g]);
  return out;
}

describe('the losses on webgpu equal cpu', { skip: SKIP }, () => {
  before(() => tf.env().set('WEBGPU_CPU_FORWARD', false));
  after(() => tf.env().set('WEBGPU_CPU_FORWARD', true));

  it('every loss name: its value and its gradient (1e-5)', async () => {
    for (const name of LOSS_NAMES) {
      await initBackend('cpu');
      const [expectedValue, expectedGrad] = await lossAndGradient(name);
      await initBackend('webgpu');
      const [value, grad] = await lossAndGradient(name);
      assert.ok(relError(value, expectedValue) < 1e-5, `${name}: ${value} vs ${expectedValue}`);
      assert.ok(relError(grad, expectedGrad) < 1e-5, `${name}: gradient relative error ${relError(grad, expectedGrad).toExponential(2)}`);
    }
  });
});

describe('inspection on webgpu equals cpu', { skip: SKIP }, () => {
  const params = { modelFile: LENET, data: 'synthetic:shapes?count=64', sample: { kind: 'index' as const, index: 5 } };

  async function onBackend<T>(backend: 'cpu' | 'webgpu', f: () => Promise<T>): Promise<T> {
    await initBackend(backend);
    clearInspectCache();
    return f();
  }

  it('feature maps: every layer, float32 within 1e-5', async () => {
    const expected = await onBackend('cpu', () => featureMaps({ ...params, dtype: 'float32' }));
    const actual = await onBackend('webgpu', () => featureMaps({ ...params, dtype: 'float32' }));
    assert.deepEqual(actual.layers.map((l) => l.layer), expected.layers.map((l) => l.layer));
    actual.layers.forEach((l, i) => {
      const err = relError(decodeTensor(l.data), decodeTensor(expected.layers[i].data));
      assert.ok(err < 1e-5, `${l.layer}: relative error ${err.toExponential(2)}`);
    });
    assert.equal(actual.prediction!.predicted, expected.prediction!.predicted);
    assert.ok(relError(actual.prediction!.probabilities, expected.prediction!.probabilities) < 1e-5);
  });

  it('filters: the same kernels', async () => {
    const expected = await onBackend('cpu', () => filters({ modelFile: LENET, data: params.data }));
    const actual = await onBackend('webgpu', () => filters({ modelFile: LENET, data: params.data }));
    assert.equal(actual.layers.length, expected.layers.length);
    actual.layers.forEach((l, i) => assert.deepEqual(decodeTensor(l.kernel), decodeTensor(expected.layers[i].kernel)));
  });

  it('equivariance: the same errors per layer and shift', async () => {
    const request = { ...params, shifts: [0, 1, 2, 3], axis: 'x' as const, mode: 'cyclic' as const };
    const expected = await onBackend('cpu', () => equivariance(request));
    const actual = await onBackend('webgpu', () => equivariance(request));
    actual.layers.forEach((l, i) => {
      const err = relError(l.errors, expected.layers[i].errors);
      assert.ok(err < 1e-4, `${l.layer}: ${l.errors} vs ${expected.layers[i].errors}`);
    });
  });
});

describe('bench and failures on webgpu', { skip: SKIP }, () => {
  it('dl-lab bench measures webgpu when named (by default it measures a hardware adapter only)', async () => {
    const named = await runBench({ backends: ['webgpu'], models: ['lenet5'], steps: 5, batchSize: 16, pytorch: false }, () => {});
    const results = named.models[0].results;
    assert.equal(results[0].name, 'webgpu');
    assert.ok(results[0].samplesPerSec > 0);
    assert.match(results[0].detail ?? '', /llvmpipe/);
  });

  it('a GPU validation error fails the next read with its message instead of returning garbage', async () => {
    // Last in this file: the device's error is kept for the rest of the process, as it should be.
    await initBackend('webgpu');
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    const many = Array.from({ length: 20 }, (_, i) => tf.fill([64], i));
    const sum = tf.addN(many); // one shader with 21 storage buffers: over the adapter's 16
    await assert.rejects(sum.data(), /^Error: webgpu: .*storage buffers/);
    tf.dispose([...many, sum]);
  });
});
