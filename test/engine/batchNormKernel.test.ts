/**
 * BatchNormalization in training on wasm (the fused kernels of src/engine/backends/wasm/batchNorm.ts)
 * against the cpu backend (tfjs-layers' own composition of moments and batchNorm), over random shapes:
 * the output, the gradients of x, gamma and beta, and the moving statistics the layer keeps. Channel
 * counts that are and are not multiples of 4 take the SIMD and the JS loops. Relative error below 1e-4.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backends';
import { BATCH_NORM_TRAINING } from '../../src/engine/backends/wasm/batchNorm';
import { mulberry32 } from '../../src/engine/util/random';
import { relError } from '../helpers';

const TOLERANCE = 1e-4;
const SEED = Number(process.env.WASM_KERNELS_SEED ?? 20261207);
const random = mulberry32(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

function values(n: number, scale = 1, shift = 0): number[] {
  return Array.from({ length: n }, () => (random() * 2 - 1) * scale + shift);
}


interface Case {
  shape: number[];
  x: number[];
  dy: number[];
  gamma: number[];
  beta: number[];
  momentum: number;
  epsilon: number;
}

/** Output, dx, dgamma, dbeta, moving mean, moving variance, on the current backend. */
function trainOnce(c: Case): Float32Array[] {
  const C = c.shape[c.shape.length - 1];
  const layer = tf.layers.batchNormalization({ momentum: c.momentum, epsilon: c.epsilon });
  layer.build(c.shape);
  layer.setWeights([tf.tensor1d(c.gamma), tf.tensor1d(c.beta), tf.zeros([C]), tf.ones([C])]);
  const x = tf.variable(tf.tensor(c.x, c.shape));
  const dy = tf.tensor(c.dy, c.shape);
  let y: tf.Tensor | null = null;
  const { grads } = tf.variableGrads(() => {
    y = tf.keep(layer.apply(x, { training: true }) as tf.Tensor);
    return tf.sum(tf.mul(y, dy)) as tf.Scalar;
  });
  const [gammaVar, betaVar, movingMean, movingVar] = layer.weights;
  const outputs = [y!, grads[x.name], grads[gammaVar.name], grads[betaVar.name], movingMean.read(), movingVar.read()].map(
    (t) => Float32Array.from(t.dataSync() as Float32Array),
  );
  tf.dispose([x, dy, y!, ...Object.values(grads)]);
  for (const w of layer.weights) w.dispose();
  return outputs;
}

function randomCase(): Case {
  const rank4 = random() < 0.75;
  const C = int(0, 3) === 0 ? int(1, 7) : 4 * int(1, 12); // a quarter of the cases off the SIMD path
  const shape = rank4 ? [int(1, 5), int(1, 9), int(1, 9), C] : [int(2, 40), C];
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    shape,
    // A mean far from zero, as after a biased convolution, so that a one-pass variance would show.
    x: values(n, 2, 3),
    dy: values(n),
    gamma: values(C, 1, 1),
    beta: values(C),
    momentum: random() < 0.5 ? 0.99 : 0.9,
    epsilon: random() < 0.5 ? 1e-3 : 1e-5,
  };
}

describe('fused BatchNorm training kernels (wasm) against the cpu backend', () => {
  before(async () => {
    await initBackend('wasm');
  });

  for (let k = 0; k < 16; k++) {
    const c = randomCase();
    it(`shape ${c.shape.join('x')} (momentum ${c.momentum}, epsilon ${c.epsilon})`, async () => {
      assert.ok(await tf.setBackend('cpu'));
      const cpu = trainOnce(c);
      assert.ok(await tf.setBackend('wasm'));
      let wasm: Float32Array[] = [];
      const info = await tf.profile(() => {
        wasm = trainOnce(c);
      });
      assert.ok(info.kernels.some((kk) => kk.name === BATCH_NORM_TRAINING), 'the layer ran the fused kernel on wasm');
      const names = ['y', 'dx', 'dgamma', 'dbeta', 'movingMean', 'movingVariance'];
      wasm.forEach((w, i) => {
        const err = relError(w, cpu[i]);
        assert.ok(err < TOLERANCE, `${names[i]}: relative error ${err.toExponential(2)} (seed ${SEED})`);
      });
    });
  }

  it('inference and non-last axes still take the layer own path', async () => {
    await tf.setBackend('wasm');
    const layer = tf.layers.batchNormalization({ axis: 1 });
    const x = tf.randomNormal([2, 3, 4, 4]);
    const info = await tf.profile(() => {
      tf.dispose([layer.apply(x, { training: true }) as tf.Tensor, layer.apply(x) as tf.Tensor]);
    });
    assert.ok(!info.kernels.some((k) => k.name === BATCH_NORM_TRAINING));
    tf.dispose(x);
    for (const w of layer.weights) w.dispose();
  });
});
