/**
 * Every kernel src/engine/backends/wasm registers or replaces, against the cpu backend's result: the
 * kernels called directly over random shapes, strides, paddings, dilations, batch sizes and channel
 * counts, then the gradients of whole ops through tf.grads, then one LeNet-5 training step.
 * Relative error: max |wasm - cpu| / max |cpu| over each output, below 1e-4.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backends';
import { withInputGradientSkipped } from '../../src/engine/backends/wasm';
import { simdModuleIsValid } from '../../src/engine/backends/wasm/simd';
import { buildLeNet5 } from '../../src/engine/bench/lenet';
import { lossFunction, makeOptimizer, trainStep } from '../../src/engine/training/step';
import { mulberry32 } from '../../src/engine/util/random';
import { relError } from '../helpers';

tf.env().set('PROD', true);

const TOLERANCE = 1e-4;
const SEED = Number(process.env.WASM_KERNELS_SEED ?? 20240601);

const random = mulberry32(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
function values(shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = random() * 2 - 1;
  return v;
}

/** Runs `f` on wasm and on cpu; returns each backend's outputs as arrays. */
async function onBoth(f: () => tf.Tensor | tf.Tensor[]): Promise<{ wasm: Float32Array[]; cpu: Float32Array[] }> {
  const out: Record<string, Float32Array[]> = {};
  for (const backend of ['wasm', 'cpu']) {
    assert.ok(await tf.setBackend(backend));
    const result = tf.tidy(f);
    const list = Array.isArray(result) ? result : [result];
    out[backend] = list.map((t) => Float32Array.from(t.dataSync() as Float32Array));
    tf.dispose(list);
  }
  await tf.setBackend('wasm');
  return { wasm: out.wasm, cpu: out.cpu };
}


async function expectClose(label: string, f: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const { wasm, cpu } = await onBoth(f);
  assert.equal(wasm.length, cpu.length);
  wasm.forEach((w, i) => {
    const err = relError(w, cpu[i]);
    assert.ok(err < TOLERANCE, `${label}: output ${i} relative error ${err.toExponential(2)} (seed ${SEED})`);
  });
}

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

interface ConvCase {
  x: number[];
  filter: number[];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  label: string;
}

/** A random valid convolution (output at least 1x1). Depthwise filters are [KH,KW,CI,multiplier]. */
function convCase(opts: { depthwise?: boolean; dilated?: boolean; maxSide?: number }): ConvCase {
  const maxSide = opts.maxSide ?? 11;
  for (;;) {
    const B = int(1, 3);
    const H = int(1, maxSide);
    const W = int(1, maxSide);
    const CI = int(1, 5);
    const KH = int(1, 5);
    const square = random() < 0.3;
    const KW = square ? KH : int(1, 5);
    const CO = opts.depthwise ? int(1, 3) : int(1, 6);
    const strides: [number, number] = [int(1, 3), int(1, 3)];
    // tfjs: either strides or dilations must be 1.
    const dilations: [number, number] =
      opts.dilated && strides[0] === 1 && strides[1] === 1 ? [int(1, 3), int(1, 3)] : [1, 1];
    // A numeric padding only with a square filter and equal strides: tfjs sizes the output of a
    // numerically padded convolution or pool from the filter height and stride height alone, and the
    // wasm forward kernels then write past their output (an upstream bug, not these kernels').
    const pad: Pad = pick<Pad>([
      'same',
      'valid',
      KH === KW && strides[0] === strides[1] ? int(0, 2) : 'same',
      [
        [0, 0],
        [int(0, 3), int(0, 3)],
        [int(0, 3), int(0, 3)],
        [0, 0],
      ],
    ]);
    const x = [B, H, W, CI];
    const filter = [KH, KW, CI, CO];
    try {
      const info = tf.backend_util.computeConv2DInfo(
        x as [number, number, number, number],
        filter as [number, number, number, number],
        strides,
        dilations,
        pad,
        undefined,
        !!opts.depthwise,
      );
      if (info.outHeight < 1 || info.outWidth < 1) continue;
      return { x, filter, strides, dilations, pad, label: `x ${x} filter ${filter} strides ${strides} dil ${dilations} pad ${JSON.stringify(pad)}` };
    } catch {
      continue;
    }
  }
}

function convOutShape(c: ConvCase, depthwise = false): number[] {
  const info = tf.backend_util.computeConv2DInfo(
    c.x as [number, number, number, number],
    c.filter as [number, number, number, number],
    c.strides,
    c.dilations,
    c.pad,
    undefined,
    depthwise,
  );
  return info.outShape;
}

const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: object) =>
  tf.engine().runKernel(name, inputs as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;

before(async () => {
  const report = await initBackend('wasm');
  assert.equal(report.name, 'wasm');
});

describe('wasm training kernels, called directly, match the cpu backend', () => {
  it('Conv2DBackpropFilter', async () => {
    for (let i = 0; i < 40; i++) {
      const c = convCase({});
      const xv = values(c.x);
      const dyShape = convOutShape(c);
      const dyv = values(dyShape);
      await expectClose(`Conv2DBackpropFilter ${c.label}`, () =>
        run('Conv2DBackpropFilter', { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, dyShape) }, {
          strides: c.strides,
          pad: c.pad,
          dataFormat: 'NHWC',
          filterShape: c.filter,
        }),
      );
    }
  });

  it('Conv2DBackpropInput (stride 1 through the convolution, others through col2im)', async () => {
    for (let i = 0; i < 40; i++) {
      const c = convCase({});
      const wv = values(c.filter);
      const dyShape = convOutShape(c);
      const dyv = values(dyShape);
      await expectClose(`Conv2DBackpropInput ${c.label}`, () =>
        run('Conv2DBackpropInput', { dy: tf.tensor(dyv, dyShape), filter: tf.tensor(wv, c.filter) }, {
          strides: c.strides,
          pad: c.pad,
          dataFormat: 'NHWC',
          inputShape: c.x,
        }),
      );
    }
  });

  it('Conv2D backprops on LeNet-5 shapes and a large batch', async () => {
    const cases: ConvCase[] = [
      { x: [64, 28, 28, 1], filter: [5, 5, 1, 6], strides: [1, 1], dilations: [1, 1], pad: 'same', label: 'C1' },
      { x: [64, 14, 14, 6], filter: [5, 5, 6, 16], strides: [1, 1], dilations: [1, 1], pad: 'valid', label: 'C3' },
      { x: [16, 15, 15, 8], filter: [3, 3, 8, 12], strides: [2, 2], dilations: [1, 1], pad: 'same', label: 's2' },
    ];
    for (const c of cases) {
      const xv = values(c.x);
      const wv = values(c.filter);
      const dyShape = convOutShape(c);
      const dyv = values(dyShape);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
      await expectClose(`${c.label} filter`, () =>
        run('Conv2DBackpropFilter', { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, dyShape) }, { ...attrs, filterShape: c.filter }),
      );
      await expectClose(`${c.label} input`, () =>
        run('Conv2DBackpropInput', { dy: tf.tensor(dyv, dyShape), filter: tf.tensor(wv, c.filter) }, { ...attrs, inputShape: c.x }),
      );
    }
  });

  /**
   * The cpu backend's depthwise backprop kernels ignore dilations (tfjs never asks them for any: its
   * gradient asserts dilation 1), so dilated cases are checked against the cpu backend's forward
   * convolution, which does dilate, through the adjoint identity <conv(x, w), dy> = <x, dx> = <w, dW>.
   */
  async function checkDepthwiseAdjoint(c: ConvCase): Promise<void> {
    const xv = values(c.x);
    const wv = values(c.filter);
    const dyShape = convOutShape(c, true);
    const dyv = values(dyShape);
    const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad };
    await tf.setBackend('cpu');
    const y = tf.tidy(() =>
      run('DepthwiseConv2dNative', { x: tf.tensor(xv, c.x), filter: tf.tensor(wv, c.filter) }, { ...attrs, dataFormat: 'NHWC' }).dataSync(),
    );
    await tf.setBackend('wasm');
    const [dx, dW] = tf.tidy(() => [
      run('DepthwiseConv2dNativeBackpropInput', { dy: tf.tensor(dyv, dyShape), filter: tf.tensor(wv, c.filter) }, { ...attrs, inputShape: c.x }).dataSync(),
      run('DepthwiseConv2dNativeBackpropFilter', { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, dyShape) }, { ...attrs, filterShape: c.filter }).dataSync(),
    ]);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let sum = 0;
      let abs = 0;
      for (let i = 0; i < a.length; i++) {
        sum += a[i] * b[i];
        abs += Math.abs(a[i] * b[i]);
      }
      return { sum, abs };
    };
    const ref = dot(y, dyv);
    const scale = Math.max(ref.abs, 1e-30);
    const ex = Math.abs(dot(xv, dx).sum - ref.sum) / scale;
    const ew = Math.abs(dot(wv, dW).sum - ref.sum) / scale;
    assert.ok(ex < TOLERANCE, `depthwise input gradient ${c.label}: adjoint error ${ex.toExponential(2)} (seed ${SEED})`);
    assert.ok(ew < TOLERANCE, `depthwise filter gradient ${c.label}: adjoint error ${ew.toExponential(2)} (seed ${SEED})`);
  }

  it('DepthwiseConv2dNativeBackpropFilter and BackpropInput', async () => {
    for (let i = 0; i < 30; i++) {
      const c = convCase({ depthwise: true });
      const xv = values(c.x);
      const wv = values(c.filter);
      const dyShape = convOutShape(c, true);
      const dyv = values(dyShape);
      const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad };
      await expectClose(`DepthwiseConv2dNativeBackpropFilter ${c.label}`, () =>
        run('DepthwiseConv2dNativeBackpropFilter', { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, dyShape) }, { ...attrs, filterShape: c.filter }),
      );
      await expectClose(`DepthwiseConv2dNativeBackpropInput ${c.label}`, () =>
        run('DepthwiseConv2dNativeBackpropInput', { dy: tf.tensor(dyv, dyShape), filter: tf.tensor(wv, c.filter) }, { ...attrs, inputShape: c.x }),
      );
    }
  });

  it('Depthwise backprops with dilations (adjoint of the cpu forward convolution)', async () => {
    for (let i = 0; i < 30; i++) await checkDepthwiseAdjoint(convCase({ depthwise: true, dilated: true }));
  });

  function poolCase(): { x: number[]; filterSize: [number, number]; strides: [number, number]; pad: Pad; out: number[]; label: string } {
    for (;;) {
      const x = [int(1, 3), int(1, 12), int(1, 12), int(1, 5)];
      const filterSize: [number, number] = [int(1, 4), int(1, 4)];
      const strides: [number, number] = [int(1, 3), int(1, 3)];
      const pad: Pad = pick<Pad>(['same', 'valid', filterSize[0] === filterSize[1] && strides[0] === strides[1] ? int(0, 1) : 'valid']);
      try {
        const info = tf.backend_util.computePool2DInfo(x as [number, number, number, number], filterSize, strides, 1, pad);
        if (info.outHeight < 1 || info.outWidth < 1) continue;
        return { x, filterSize, strides, pad, out: info.outShape, label: `x ${x} f ${filterSize} s ${strides} pad ${pad}` };
      } catch {
        continue;
      }
    }
  }

  function tilingPoolCase(): ReturnType<typeof poolCase> {
    const x = [int(1, 3), 2 * int(1, 6), 2 * int(1, 6), int(1, 9)];
    const out = [x[0], x[1] / 2, x[2] / 2, x[3]];
    return { x, filterSize: [2, 2], strides: [2, 2], pad: 'valid', out, label: `x ${x} f 2,2 s 2,2 pad valid` };
  }

  it('AvgPoolGrad', async () => {
    for (let i = 0; i < 40; i++) {
      const c = poolCase();
      const xv = values(c.x);
      const dyv = values(c.out);
      await expectClose(`AvgPoolGrad ${c.label}`, () =>
        run('AvgPoolGrad', { dy: tf.tensor(dyv, c.out), input: tf.tensor(xv, c.x) }, {
          filterSize: c.filterSize,
          strides: c.strides,
          pad: c.pad,
        }),
      );
    }
  });

  it('MaxPoolGrad, including ties (the first maximum of a window takes the gradient)', async () => {
    for (let i = 0; i < 48; i++) {
      // One case in six is the 2x2/2 pooling of VGG-style nets, which has a path of its own.
      const c = i % 6 === 5 ? tilingPoolCase() : poolCase();
      // Every other case draws from 3 values, so windows often hold several equal maxima.
      const xv = i % 2 ? values(c.x).map((v) => Math.round(v)) : values(c.x);
      const dyv = values(c.out);
      const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
      // Both backends locate the maxima in `input` and ignore `output`; it gets zeros here because the
      // wasm MaxPool itself mis-sizes numeric paddings (and writes past its output).
      await expectClose(`MaxPoolGrad ${c.label}`, () =>
        run('MaxPoolGrad', { dy: tf.tensor(dyv, c.out), input: tf.tensor(xv, c.x), output: tf.zeros(c.out) }, attrs),
      );
    }
  });

  it('BatchMatMul with transposes, batches and broadcasting', async () => {
    const batchShapes: [number[], number[]][] = [
      [[], []],
      [[3], [3]],
      [[2, 3], [2, 3]],
      [[4], [1]],
      [[2, 2], []],
      [[1], [3]],
    ];
    for (let i = 0; i < 48; i++) {
      const [ba, bb] = batchShapes[i % batchShapes.length];
      const M = int(1, 9);
      const K = int(1, 9);
      const N = int(1, 9);
      const transposeA = random() < 0.5;
      const transposeB = random() < 0.5;
      const aShape = [...ba, ...(transposeA ? [K, M] : [M, K])];
      const bShape = [...bb, ...(transposeB ? [N, K] : [K, N])];
      const av = values(aShape);
      const bv = values(bShape);
      await expectClose(`BatchMatMul a ${aShape} b ${bShape} tA ${transposeA} tB ${transposeB}`, () =>
        tf.matMul(tf.tensor(av, aShape), tf.tensor(bv, bShape), transposeA, transposeB),
      );
    }
    // Dense-layer gradient shapes.
    const a = values([64, 400]);
    const g = values([64, 120]);
    await expectClose('dense dW', () => tf.matMul(tf.tensor(a, [64, 400]), tf.tensor(g, [64, 120]), true, false));
    const w = values([400, 120]);
    await expectClose('dense dx', () => tf.matMul(tf.tensor(g, [64, 120]), tf.tensor(w, [400, 120]), false, true));
  });

  it('Tanh, element by element (tiny, large, infinite, NaN, -0)', async () => {
    // SIMD four lanes at a time, the last n % 4 in JS: an odd length exercises both.
    assert.ok(simdModuleIsValid(), 'the SIMD module assembles and validates');
    const v = values([20003]).map((x, i) => (i % 4 === 0 ? x * 1e-5 : i % 4 === 1 ? x * 20 : x * 3));
    v.set([0, -0, 1e-30, -1e-38, Infinity, -Infinity, NaN, 7.9, -7.91, 9, 0.5], 0);
    const { wasm, cpu } = await onBoth(() => tf.tanh(tf.tensor(v)));
    for (let i = 0; i < v.length; i++) {
      const [a, b] = [wasm[0][i], cpu[0][i]];
      if (Number.isNaN(b)) assert.ok(Number.isNaN(a), `tanh(${v[i]}) should be NaN`);
      else assert.ok(Math.abs(a - b) <= TOLERANCE * Math.abs(b) + 1e-37, `tanh(${v[i]}) = ${a}, cpu ${b}`);
    }
    assert.ok(Object.is(wasm[0][1], -0), 'tanh(-0) is -0');
  });

  it('Sum over leading axes (bias gradients, SIMD) and over others (the backend)', async () => {
    for (let i = 0; i < 40; i++) {
      const rank = int(1, 4);
      const shape = Array.from({ length: rank }, () => int(1, 9));
      if (i % 3 === 0) shape[0] = int(20, 200); // enough rows for the SIMD blocks, with a tail
      const k = int(1, rank);
      const axis = random() < 0.75 ? Array.from({ length: k }, (_, j) => (random() < 0.3 ? j - rank : j)) : [int(0, rank - 1)];
      const keepDims = random() < 0.3;
      const v = values(shape).map((x) => x + 0.5); // biased: rounding errors add up rather than cancel
      await expectClose(`Sum ${shape} axis ${axis} keepDims ${keepDims}`, () => tf.sum(tf.tensor(v, shape), axis, keepDims));
    }
    for (const shape of [
      [64, 28, 28, 6],
      [64, 10, 10, 16],
      [64, 120],
      [64, 10],
      [9, 1025],
    ]) {
      const v = values(shape).map((x) => x + 0.5);
      const axis = shape.slice(0, -1).map((_, j) => j);
      await expectClose(`Sum ${shape} over ${axis}`, () => tf.sum(tf.tensor(v, shape), axis));
    }
  });

  it('Identity shares the data, and the copy outlives its source', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3]);
    b.dispose();
  });
});

describe('gradients of whole ops match the cpu backend', () => {
  it('conv2d, fused conv2d with bias, depthwiseConv2d', async () => {
    for (let i = 0; i < 12; i++) {
      const c = convCase({ maxSide: 9 });
      const xv = values(c.x);
      const wv = values(c.filter);
      const bv = values([c.filter[3]]);
      const up = values(convOutShape(c));
      const outShape = convOutShape(c);
      await expectClose(`grad conv2d ${c.label}`, () => {
        const f = (x: tf.Tensor, w: tf.Tensor) =>
          tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad as 'same').mul(tf.tensor(up, outShape)).sum();
        return tf.grads(f)([tf.tensor(xv, c.x), tf.tensor(wv, c.filter)]);
      });
      await expectClose(`grad fused conv2d ${c.label}`, () => {
        const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
          tf.fused
            .conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: c.strides, pad: c.pad as 'same', bias: b })
            .mul(tf.tensor(up, outShape))
            .sum();
        return tf.grads(f)([tf.tensor(xv, c.x), tf.tensor(wv, c.filter), tf.tensor(bv, [c.filter[3]])]);
      });
      const d = convCase({ depthwise: true, maxSide: 9 });
      if (typeof d.pad === 'object') continue; // depthwiseConv2d's op takes no explicit padding here
      const dxv = values(d.x);
      const dwv = values(d.filter);
      const dOut = convOutShape(d, true);
      const dup = values(dOut);
      await expectClose(`grad depthwiseConv2d ${d.label}`, () => {
        const f = (x: tf.Tensor, w: tf.Tensor) =>
          tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, d.strides, d.pad as 'same').mul(tf.tensor(dup, dOut)).sum();
        return tf.grads(f)([tf.tensor(dxv, d.x), tf.tensor(dwv, d.filter)]);
      });
    }
  });

  it('maxPool, avgPool, matMul, tanh', async () => {
    for (let i = 0; i < 10; i++) {
      // Non-empty outputs: the wasm forward pools write out of bounds on empty ones.
      const k = int(1, 3);
      const x = [int(1, 3), int(k, 10), int(k, 10), int(1, 4)];
      const xv = values(x);
      const s = int(1, 2);
      const pad = pick(['same', 'valid'] as const);
      await expectClose(`grad maxPool x ${x} k ${k} s ${s} ${pad}`, () =>
        tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, k, s, pad).square().sum())(tf.tensor(xv, x)),
      );
      await expectClose(`grad avgPool x ${x} k ${k} s ${s} ${pad}`, () =>
        tf.grad((t: tf.Tensor) => tf.avgPool(t as tf.Tensor4D, k, s, pad).square().sum())(tf.tensor(xv, x)),
      );
    }
    const a = values([7, 5]);
    const b = values([5, 3]);
    await expectClose('grad matMul', () =>
      tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q).tanh().sum())([tf.tensor(a, [7, 5]), tf.tensor(b, [5, 3])]),
    );
  });
});

describe('training', () => {
  it('one LeNet-5 training step (trainStep, input gradient skipped) moves the weights as on cpu', async () => {
    // SGD, and the step's change of each weight compared: Adam's first step is lr * g / (|g| + eps),
    // which turns float32 rounding in gradients near eps into large relative differences.
    const x = values([8, 28, 28, 1]);
    const labels = Array.from({ length: 8 }, () => int(0, 9));
    let initial: Float32Array[] | null = null;
    const deltas: Record<string, Float32Array[]> = {};
    const losses: Record<string, number> = {};
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const model = buildLeNet5();
      if (!initial) initial = model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
      else model.setWeights(initial.map((v, i) => tf.tensor(v, model.getWeights()[i].shape)));
      const optimizer = tf.train.sgd(0.1);
      const xs = tf.tensor(x, [8, 28, 28, 1]);
      const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat());
      const out = trainStep(model, optimizer, lossFunction('categoricalCrossentropy'), xs, ys);
      losses[backend] = out.loss.dataSync()[0];
      deltas[backend] = model.getWeights().map((w, i) => {
        const after = w.dataSync() as Float32Array;
        return Float32Array.from(after, (v, j) => v - initial![i][j]);
      });
      tf.dispose([xs, ys, out.loss, out.correct]);
      optimizer.dispose();
      model.dispose();
    }
    assert.ok(Math.abs(losses.wasm - losses.cpu) < TOLERANCE * Math.abs(losses.cpu), `loss ${losses.wasm} vs ${losses.cpu}`);
    deltas.wasm.forEach((d, i) => {
      const err = relError(d, deltas.cpu[i]);
      assert.ok(err < TOLERANCE, `weight ${i}: change in one step differs by ${err.toExponential(2)} (relative)`);
    });
    await tf.setBackend('wasm');
  });

  it('the fused Adam matches tf.train.adam over several steps, and keeps its state layout', async () => {
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const init = [values([3, 4]), values([4])];
      const grads = Array.from({ length: 4 }, () => [values([3, 4]), values([4])]);
      const run = async (optimizer: tf.Optimizer) => {
        const vars = init.map((v, i) => tf.variable(tf.tensor(v, i === 0 ? [3, 4] : [4]), true, `adam_test_${backend}_${i}`));
        for (const g of grads) {
          tf.tidy(() => optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(g[i], v.shape) }))));
        }
        const out = vars.map((v) => Float32Array.from(v.dataSync() as Float32Array));
        const weights = await optimizer.getWeights();
        const state = weights.map((w) => ({ name: w.name, values: Float32Array.from(w.tensor.dataSync() as Float32Array) }));
        tf.dispose(vars);
        optimizer.dispose();
        return { out, state };
      };
      const stock = await run(tf.train.adam(0.01));
      const fused = await run(makeOptimizer({ optimizer: 'adam', learningRate: 0.01, momentum: 0 }));
      fused.out.forEach((w, i) => assert.ok(relError(w, stock.out[i]) < TOLERANCE, `${backend}: variable ${i}`));
      assert.equal(fused.state.length, stock.state.length);
      fused.state.forEach((s, i) => {
        assert.equal(s.name, stock.state[i].name);
        assert.ok(relError(s.values, stock.state[i].values) < TOLERANCE, `${backend}: state ${s.name}`);
      });
    }
    await tf.setBackend('wasm');
  });

  it('skipping an input gradient returns zeros only inside the scope, only for that filter', async () => {
    await tf.setBackend('wasm');
    const w = tf.variable(tf.randomNormal([3, 3, 2, 4]));
    const dy = tf.randomNormal([1, 5, 5, 4]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [1, 5, 5, 2] };
    const inside = withInputGradientSkipped([w], () => run('Conv2DBackpropInput', { dy, filter: w }, attrs));
    const outside = run('Conv2DBackpropInput', { dy, filter: w }, attrs);
    assert.ok(Array.from(inside.dataSync()).every((v) => v === 0));
    assert.ok(Array.from(outside.dataSync()).some((v) => v !== 0));
    tf.dispose([w, dy, inside, outside]);
  });
});
