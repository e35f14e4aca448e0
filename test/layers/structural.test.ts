/**
 * SIREN's sine layer, BlurPool, ChannelShuffle and Squeeze-Excite: initialisation ranges, outputs computed
 * by hand or by a plain-JS loop, gradients, shapes and parameter counts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backends';
import { binomialRow, blurFilter, layers as dl, shuffleOrder } from '../../src/engine/layers';
import { assertClose } from './reference';

tf.env().set('PROD', true);

function weight(layer: tf.layers.Layer, name: string): Float32Array {
  const w = layer.getWeights().find((_, i) => layer.weights[i].originalName === name);
  assert.ok(w, `${layer.name} has a weight named ${name}`);
  return w.dataSync() as Float32Array;
}

describe('dl-lab sine layer (SIREN)', () => {
  it('draws the first layer from U(-1/n, 1/n), the others from U(-sqrt(6/n)/w0, sqrt(6/n)/w0), bias from U(-1/sqrt(n), 1/sqrt(n))', () => {
    const n = 40;
    const cases = [
      { layer: dl.sine({ units: 200, isFirst: true }), bound: 1 / n }, // 0.025
      { layer: dl.sine({ units: 200 }), bound: Math.sqrt(6 / n) / 30 }, // sqrt(0.15) / 30 = 0.0129099
      { layer: dl.sine({ units: 200, w0: 1 }), bound: Math.sqrt(6 / n) }, // 0.387298
    ];
    for (const { layer, bound } of cases) {
      layer.build([null, n]);
      const kernel = weight(layer, 'kernel');
      assert.equal(kernel.length, n * 200);
      const max = Math.max(...kernel.map(Math.abs));
      assert.ok(max <= bound, `|W| <= ${bound}: max ${max}`);
      // 8,000 uniform draws: the extremes come within 1% of the bound, and the mean is near 0.
      assert.ok(max > 0.99 * bound, `the draws span the range: max ${max} of ${bound}`);
      assert.ok(Math.abs(kernel.reduce((a, b) => a + b, 0) / kernel.length) < 0.05 * bound);
      const bias = weight(layer, 'bias');
      assert.ok(Math.max(...bias.map(Math.abs)) <= 1 / Math.sqrt(n));
    }
  });

  it('computes sin(w0 (x W + b))', () => {
    const layer = dl.sine({ units: 2, w0: 30 });
    layer.build([null, 3]);
    const W = [0.01, -0.02, 0.03, 0.005, -0.01, 0.02]; // 3 x 2, row-major
    const b = [0.001, -0.002];
    layer.setWeights([tf.tensor2d(W, [3, 2]), tf.tensor1d(b)]);
    const x = [1, 2, -1];
    // z0 = 1*0.01 + 2*0.03 - 1*(-0.01) + 0.001 = 0.081 -> sin(30 * 0.081) = sin(2.43) = sin(pi - 2.43) = sin(0.711593) = 0.653041
    // z1 = 1*(-0.02) + 2*0.005 - 1*0.02 - 0.002 = -0.032 -> sin(-0.96) = -0.819192
    const y = (layer.apply(tf.tensor2d([x])) as tf.Tensor).dataSync();
    assertClose(y, [Math.sin(2.43), Math.sin(-0.96)], 1e-5, 'sine');
    assertClose(y, [0.653041, -0.819192], 1e-5, 'sine by hand');
    // On a rank-3 input the layer maps the last axis, like Dense.
    const y3 = layer.apply(tf.tensor3d([...x, ...x], [1, 2, 3])) as tf.Tensor;
    assert.deepEqual(y3.shape, [1, 2, 2]);
    assertClose(y3.dataSync(), [...y, ...y], 1e-6, 'sine rank 3');
  });
});

/** Zhang's BlurPool in plain JS: pad (reflect or zero), k x k binomial blur, subsample; NHWC, batch 1. */
function blurPoolReference(x: number[], h: number, w: number, c: number, k: number, s: number, padding: 'reflect' | 'zero'): number[] {
  const f = blurFilter(k);
  const before = Math.floor((k - 1) / 2);
  const reflect = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  const oh = Math.ceil(h / s);
  const ow = Math.ceil(w / s);
  const out: number[] = [];
  for (let oi = 0; oi < oh; oi++) {
    for (let oj = 0; oj < ow; oj++) {
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let a = 0; a < k; a++) {
          for (let b = 0; b < k; b++) {
            let i = oi * s + a - before;
            let j = oj * s + b - before;
            if (padding === 'zero' && (i < 0 || i >= h || j < 0 || j >= w)) continue;
            i = reflect(i, h);
            j = reflect(j, w);
            sum += f[a][b] * x[(i * w + j) * c + ch];
          }
        }
        out.push(sum);
      }
    }
  }
  return out;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`dl-lab blurPool on ${backend}`, () => {
    it('sets the backend', async () => assert.equal((await initBackend(backend)).name, backend));

    it('uses the normalised binomial filter', () => {
      assert.deepEqual(binomialRow(1), [1]);
      assert.deepEqual(binomialRow(3), [1, 2, 1]);
      assert.deepEqual(binomialRow(5), [1, 4, 6, 4, 1]);
      assert.deepEqual(binomialRow(7), [1, 6, 15, 20, 15, 6, 1]);
      assert.deepEqual(blurFilter(2), [[0.25, 0.25], [0.25, 0.25]]);
      assert.equal(blurFilter(3)[1][1], 4 / 16);
    });

    it('equals the blur computed by hand on a 4x4 ramp', () => {
      // x[i][j] = 4i + j. Filter [1 2 1] x [1 2 1] / 16, stride 2, padding 1 on each side; outputs at
      // input rows/columns 0 and 2. The filter is separable and x is a sum of a row and a column term.
      // Reflect: rows (1, 0, 1) around 0 give 4 * (1 + 0 + 1) / 4 = 2; rows (1, 2, 3) around 2 give
      // 4 * (1 + 4 + 3) / 4 = 8. Columns likewise: 0.5 and 2. Output [[2.5, 4], [8.5, 10]].
      const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);
      assertClose((dl.blurPool({ filterSize: 3 }).apply(x) as tf.Tensor).dataSync(), [2.5, 4, 8.5, 10], 1e-6, 'reflect');
      // Zeros: output (0, 0) sums w_i w_j (4i + j) over i, j in {0, 1} with w_0 = 2/4, w_1 = 1/4:
      // 0.25*0 + 0.125*1 + 0.125*4 + 0.0625*5 = 0.9375. The rest by the plain-JS reference.
      const zero = (dl.blurPool({ filterSize: 3, padding: 'zero' }).apply(x) as tf.Tensor).dataSync();
      assert.ok(Math.abs(zero[0] - 0.9375) < 1e-6, `zero-padded (0, 0) is ${zero[0]}`);
      assertClose(zero, blurPoolReference(Array.from({ length: 16 }, (_, i) => i), 4, 4, 1, 3, 2, 'zero'), 1e-6, 'zero');
    });

    it('matches the plain-JS reference for filter sizes 1 to 7, strides 1 to 3, odd sizes, several channels', () => {
      let seed = 7;
      const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
      for (const k of [1, 2, 3, 4, 5, 7]) {
        for (const s of [1, 2, 3]) {
          for (const padding of ['reflect', 'zero'] as const) {
            const [h, w, c] = [9, 8, 3];
            const values = Array.from({ length: h * w * c }, random);
            const layer = dl.blurPool({ filterSize: k, strides: s, padding });
            const y = layer.apply(tf.tensor4d(values, [1, h, w, c])) as tf.Tensor;
            assert.deepEqual(y.shape, [1, Math.ceil(h / s), Math.ceil(w / s), c]);
            assert.deepEqual(layer.computeOutputShape([null, h, w, c]), [null, Math.ceil(h / s), Math.ceil(w / s), c]);
            assertClose(y.dataSync(), blurPoolReference(values, h, w, c, k, s, padding), 1e-5, `k ${k} s ${s} ${padding}`);
          }
        }
      }
    });

    it('has the exact gradient at the borders too (reflected pixels count twice)', () => {
      // The layer is linear, so d sum(r * y) / dx is its transpose applied to r: computed by scattering the
      // plain-JS reference's taps (a reflected tap adds to the pixel it mirrors).
      const [h, w, k, s] = [5, 6, 3, 2];
      const x = tf.tensor4d(Array.from({ length: h * w }, (_, i) => Math.sin(i)), [1, h, w, 1]);
      const layer = dl.blurPool({ filterSize: k, strides: s });
      const oh = Math.ceil(h / s);
      const ow = Math.ceil(w / s);
      const r = Array.from({ length: oh * ow }, (_, i) => (i % 3) - 1 + i / 10);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.tensor4d(r, [1, oh, ow, 1]), layer.apply(t) as tf.Tensor)))(x).dataSync();
      const expected = new Array(h * w).fill(0);
      for (let p = 0; p < h * w; p++) {
        const unit = new Array(h * w).fill(0);
        unit[p] = 1;
        const response = blurPoolReference(unit, h, w, 1, k, s, 'reflect');
        expected[p] = response.reduce((sum, v, o) => sum + v * r[o], 0);
      }
      assertClose(g, expected, 1e-5, 'blurPool gradient');
    });

    it('checks its input', () => {
      assert.throws(() => dl.blurPool({ filterSize: 9 }), /blurPool: filterSize is 9; expected an integer from 1 to 7/);
      assert.throws(() => dl.blurPool({ channels: 3 }).apply(tf.zeros([1, 4, 4, 2])), /channels is 3, but the input has 2/);
      assert.throws(() => dl.blurPool({ filterSize: 7 }).apply(tf.zeros([1, 3, 3, 1])), /reflection padding of 3 needs a dimension larger than that, got 3/);
    });
  });

  describe(`dl-lab channelShuffle on ${backend}`, () => {
    it('permutes channels exactly', async () => {
      await initBackend(backend);
      // 6 channels in 2 groups [0 1 2 | 3 4 5] interleave to [0 3 1 4 2 5]; in 3 groups to [0 2 4 1 3 5].
      assert.deepEqual(shuffleOrder(6, 2), [0, 3, 1, 4, 2, 5]);
      assert.deepEqual(shuffleOrder(6, 3), [0, 2, 4, 1, 3, 5]);
      const x = tf.tensor4d([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15], [1, 1, 2, 6]);
      assert.deepEqual(Array.from((dl.channelShuffle({ groups: 2 }).apply(x) as tf.Tensor).dataSync()), [0, 3, 1, 4, 2, 5, 10, 13, 11, 14, 12, 15]);
      assert.deepEqual(Array.from((dl.channelShuffle({ groups: 3 }).apply(x) as tf.Tensor).dataSync()), [0, 2, 4, 1, 3, 5, 10, 12, 14, 11, 13, 15]);
      // Rank 2, 12 channels, 4 groups: against shuffleOrder.
      const v = Array.from({ length: 24 }, (_, i) => i);
      const y = Array.from((dl.channelShuffle({ groups: 4 }).apply(tf.tensor2d(v, [2, 12])) as tf.Tensor).dataSync());
      assert.deepEqual(y, [0, 1].flatMap((row) => shuffleOrder(12, 4).map((ch) => row * 12 + ch)));
      // Its gradient is the inverse permutation.
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.tensor1d([1, 2, 3, 4, 5, 6]), dl.channelShuffle({ groups: 2 }).apply(t) as tf.Tensor)))(tf.zeros([1, 6]));
      assert.deepEqual(Array.from(g.dataSync()), [1, 3, 5, 2, 4, 6]);
      assert.throws(() => dl.channelShuffle({ groups: 4 }).apply(tf.zeros([1, 6])), /6 channels do not split into 4 groups/);
    });
  });

  describe(`dl-lab squeezeExcite on ${backend}`, () => {
    it('keeps the shape, has 2 C C/r + C/r + C parameters, and scales each channel by sigmoid(relu(s W1 + b1) W2 + b2)', async () => {
      await initBackend(backend);
      const model = tf.sequential({ layers: [dl.squeezeExcite({ ratio: 8, inputShape: [5, 5, 32] })] });
      // C = 32, r = 8: C' = 4; 32*4 + 4 + 4*32 + 32 = 292.
      assert.equal(model.countParams(), 292);
      assert.deepEqual(model.outputs[0].shape, [null, 5, 5, 32]);
      const small = tf.sequential({ layers: [dl.squeezeExcite({ ratio: 16, inputShape: [3, 3, 8] })] });
      // C = 8 < r: C' = max(1, floor(8/16)) = 1; 8 + 1 + 8 + 8 = 25.
      assert.equal(small.countParams(), 25);

      // By hand, C = 2, r = 2 (C' = 1), a 1x2 image: x = [[1, 3], [3, 5]] (pixel 0: channels 1 and 3; pixel 1: 3 and 5).
      // s = mean over pixels = [2, 4]; W1 = [[0.5], [-0.25]], b1 = [0.1]: h = relu(1 - 1 + 0.1) = 0.1;
      // W2 = [[2, -3]], b2 = [0, 0.5]: e = sigmoid([0.2, 0.2]) = [0.549834, 0.549834]; y = x * e.
      const se = dl.squeezeExcite({ ratio: 2, inputShape: [1, 2, 2] });
      const m = tf.sequential({ layers: [se] });
      se.setWeights([tf.tensor2d([0.5, -0.25], [2, 1]), tf.tensor1d([0.1]), tf.tensor2d([2, -3], [1, 2]), tf.tensor1d([0, 0.5])]);
      const e = 1 / (1 + Math.exp(-0.2));
      const y = (m.predict(tf.tensor4d([1, 3, 3, 5], [1, 1, 2, 2])) as tf.Tensor).dataSync();
      assertClose(y, [1, 3, 3, 5].map((v) => v * e), 1e-6, 'squeeze-excite');
    });
  });
}
