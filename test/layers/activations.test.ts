/**
 * The activation layers of the `dl-lab` library against their formulas computed in plain JS (float64),
 * forward and backward (the gradient against a central finite difference of the formula), on the cpu
 * backend and on the engine's wasm backend (with its training kernels).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backends';
import { layers as dl } from '../../src/engine/layers';
import { assertClose, derivative, ref } from './reference';

tf.env().set('PROD', true);

const XS = [-30, -6, -3, -1.5, -1, -0.5, -0.1, 0.1, 0.5, 1, 1.5, 3, 6, 30];

interface Case {
  name: string;
  layer: () => tf.layers.Layer;
  f: (x: number) => number;
  /** Check the gradient too. */
  grad?: boolean;
  /** Points where the function has a kink: no derivative there, so the gradient is not checked. */
  kinks?: number[];
  /** Gradient tolerance when float32 rounding needs more than the default 2e-4 (documented per case). */
  gradTol?: number;
}

const CASES: Case[] = [
  { name: 'gelu (erf)', layer: () => dl.gelu(), f: ref.gelu, grad: true },
  // At x = 30 wasm's float32 tanh(73.6) is 1 - 6e-8, not 1, and the 0.5 x sqrt(2/pi) (1 + 3 * 0.044715 x^2) = 1457
  // factor on 1 - tanh^2 turns that into a gradient of 1.0007 instead of 1.
  { name: 'gelu (tanh)', layer: () => dl.gelu({ approximate: 'tanh' }), f: ref.geluTanh, grad: true, gradTol: 1e-3 },
  { name: 'silu', layer: () => dl.silu(), f: ref.silu, grad: true },
  { name: 'swish beta 1.7', layer: () => dl.swish({ beta: 1.7 }), f: ref.swish(1.7), grad: true },
  { name: 'mish', layer: () => dl.mish(), f: ref.mish, grad: true },
  { name: 'celu alpha 0.5', layer: () => dl.celu({ alpha: 0.5 }), f: ref.celu(0.5), grad: true },
  { name: 'celu alpha 2', layer: () => dl.celu({ alpha: 2 }), f: ref.celu(2), grad: true },
  { name: 'selu', layer: () => dl.selu(), f: ref.selu, grad: true },
  { name: 'softplus', layer: () => dl.softplus(), f: ref.softplus(1, 20), grad: true },
  { name: 'softplus beta 2 threshold 5', layer: () => dl.softplus({ beta: 2, threshold: 5 }), f: ref.softplus(2, 5), grad: true },
  { name: 'relu6', layer: () => dl.relu6(), f: ref.relu6, grad: true, kinks: [6] },
  { name: 'logSigmoid', layer: () => dl.logSigmoid(), f: ref.logSigmoid, grad: true },
];

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`dl-lab activations on ${backend}`, () => {
    it('sets the backend', async () => {
      const report = await initBackend(backend);
      assert.equal(report.name, backend);
    });

    for (const c of CASES) {
      it(`${c.name}: values${c.grad ? ' and gradient' : ''} match the formula`, () => {
        const layer = c.layer();
        const x = tf.tensor1d(XS);
        const y = (layer.apply(x) as tf.Tensor).dataSync();
        assertClose(y, XS.map(c.f), 2e-5, `${c.name} forward`);
        if (c.grad) {
          const smooth = XS.filter((v) => !c.kinks?.includes(v));
          const g = tf.grad((t: tf.Tensor) => (layer.apply(t) as tf.Tensor).sum())(tf.tensor1d(smooth)).dataSync();
          // Against the central finite difference of the float64 formula, h = 1e-6.
          assertClose(g, smooth.map((v) => derivative(c.f, v)), c.gradTol ?? 2e-4, `${c.name} gradient`);
        }
        tf.dispose(x);
      });
    }

    it('a few values by hand', () => {
      const at = (layer: tf.layers.Layer, v: number) => (layer.apply(tf.scalar(v)) as tf.Tensor).dataSync()[0];
      // GELU(1) = 0.5 * 1 * (1 + erf(0.70711)) = 0.5 * (1 + 0.682689) = 0.841345
      assert.ok(Math.abs(at(dl.gelu(), 1) - 0.841345) < 1e-5);
      // SiLU(2) = 2 / (1 + e^-2) = 2 * 0.880797 = 1.761594
      assert.ok(Math.abs(at(dl.silu(), 2) - 1.761594) < 1e-5);
      // Mish(1) = tanh(ln(1 + e)) = tanh(1.313262) = 0.865098
      assert.ok(Math.abs(at(dl.mish(), 1) - 0.865098) < 1e-5);
      // CELU(-1; alpha 2) = 2 (e^-0.5 - 1) = 2 * (0.606531 - 1) = -0.786939
      assert.ok(Math.abs(at(dl.celu({ alpha: 2 }), -1) - -0.786939) < 1e-5);
      // SELU(-1) = 1.050701 * 1.673263 * (e^-1 - 1) = 1.758099 * -0.632121 = -1.111331
      assert.ok(Math.abs(at(dl.selu(), -1) - -1.111331) < 1e-5);
      // Softplus(1; beta 2) = ln(1 + e^2) / 2 = 2.126928 / 2 = 1.063464; Softplus(3; beta 2, threshold 5) = 3 (2*3 > 5)
      assert.ok(Math.abs(at(dl.softplus({ beta: 2, threshold: 5 }), 1) - 1.063464) < 1e-5);
      assert.equal(at(dl.softplus({ beta: 2, threshold: 5 }), 3), 3);
      // ReLU6(7.5) = 6; LogSigmoid(0) = ln 0.5 = -0.693147
      assert.equal(at(dl.relu6(), 7.5), 6);
      assert.ok(Math.abs(at(dl.logSigmoid(), 0) - -0.693147) < 1e-5);
    });

    it('softmin and logSoftmax along the last axis and along axis 1', () => {
      // Row [1, 2, 3]: softmin = e^-x / sum = [e^-1, e^-2, e^-3] / 0.553533 = [0.665241, 0.244728, 0.090031];
      // log-softmax = x - ln(e^1 + e^2 + e^3) = x - 3.407606 = [-2.407606, -1.407606, -0.407606].
      const row = tf.tensor2d([[1, 2, 3]]);
      assertClose((dl.softmin().apply(row) as tf.Tensor).dataSync(), [0.665241, 0.244728, 0.090031], 1e-5, 'softmin');
      assertClose((dl.logSoftmax().apply(row) as tf.Tensor).dataSync(), [-2.407606, -1.407606, -0.407606], 1e-5, 'logSoftmax');
      // Large logits stay finite (the max is subtracted first).
      assertClose((dl.logSoftmax().apply(tf.tensor2d([[1000, 1001]])) as tf.Tensor).dataSync(), [-1.313262, -0.313262], 1e-5, 'logSoftmax large');

      // Axis 1 of a [2, 3, 2] tensor: each (batch, last) column of 3 values is normalised on its own.
      const values = [0.3, -1, 2, 0.5, -0.7, 4, 1, 1, -2, 0, 0.25, 3];
      const x = tf.tensor3d(values, [2, 3, 2]);
      const expectedLsm: number[] = new Array(12);
      const expectedMin: number[] = new Array(12);
      for (let b = 0; b < 2; b++) {
        for (let k = 0; k < 2; k++) {
          const idx = [0, 1, 2].map((j) => b * 6 + j * 2 + k);
          const col = idx.map((i) => values[i]);
          const lse = Math.log(col.reduce((s, v) => s + Math.exp(v), 0));
          const z = col.reduce((s, v) => s + Math.exp(-v), 0);
          idx.forEach((i, j) => {
            expectedLsm[i] = col[j] - lse;
            expectedMin[i] = Math.exp(-col[j]) / z;
          });
        }
      }
      assertClose((dl.logSoftmax({ axis: 1 }).apply(x) as tf.Tensor).dataSync(), expectedLsm, 1e-5, 'logSoftmax axis 1');
      assertClose((dl.softmin({ axis: 1 }).apply(x) as tf.Tensor).dataSync(), expectedMin, 1e-5, 'softmin axis 1');
      // Gradient of sum(w * logSoftmax(x)) along the last axis: w - softmax(x) * sum(w).
      const w = tf.tensor2d([[0.2, -1, 0.5]]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(w, dl.logSoftmax().apply(t) as tf.Tensor)))(row).dataSync();
      const p = [1, 2, 3].map((v) => Math.exp(v - 3.4076059644443806));
      assertClose(g, [0.2, -1, 0.5].map((wi, i) => wi - p[i] * -0.3), 1e-5, 'logSoftmax gradient');
    });

    it('re-exports prelu, leakyReLU and elu from tf.layers', () => {
      const x = tf.tensor1d([-2, 3]);
      assertClose((dl.leakyReLU({ alpha: 0.1 }).apply(x) as tf.Tensor).dataSync(), [-0.2, 3], 1e-6, 'leakyReLU');
      assertClose((dl.elu().apply(x) as tf.Tensor).dataSync(), [Math.exp(-2) - 1, 3], 1e-6, 'elu');
      const prelu = dl.prelu({ alphaInitializer: tf.initializers.constant({ value: 0.25 }) });
      assertClose((prelu.apply(tf.tensor2d([[-2, 3]])) as tf.Tensor).dataSync(), [-0.5, 3], 1e-6, 'prelu');
    });

    it('rejects bad parameters with a message that names the layer', () => {
      assert.throws(() => dl.softplus({ beta: 0 }), /softplus: beta is 0; expected a positive number/);
      assert.throws(() => dl.celu({ alpha: 0 }), /celu: alpha is 0/);
      assert.throws(() => dl.gelu({ approximate: 'fast' as 'tanh' }), /gelu: approximate/);
      assert.throws(() => dl.logSoftmax({ axis: 5 }).apply(tf.zeros([2, 3])), /logSoftmax: axis 5 is out of range/);
    });
  });
}
