/**
 * BatchNorm in training as two kernels, forward and backward, instead of the ~40 small ops TensorFlow.js
 * composes it from (moments, batchNorm, and their gradients, which materialise a Tile of the whole
 * activation): on a VGG-style CIFAR step that composition cost ~650 ms of 1500.
 *
 * Channels last: x is read as [N, C] (N = every position of every sample). Statistics are accumulated in
 * doubles, so they are at least as exact as the composed float32 version; the variance is the biased
 * one, as tf.moments and Keras use for normalising (the moving variance gets the same, as in tfjs-layers).
 *
 *   forward:  mean, var over N; y = (x - mean) * invstd * gamma + beta
 *   backward: dbeta = sum dy; dgamma = sum dy * xhat;
 *             dx = gamma * invstd * (dy - dbeta / N - xhat * dgamma / N)
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, asWasm, assertFloat32, heapF32, sizeOf, type TensorInfo } from './util';

export const BATCH_NORM_TRAINING = 'DlLabBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'DlLabBatchNormTrainingGrad';

export interface BatchNormTrainingAttrs {
  epsilon: number;
}

function channels(x: TensorInfo): { C: number; N: number } {
  const C = x.shape[x.shape.length - 1];
  return { C, N: C === 0 ? 0 : sizeOf(x.shape) / C };
}

/** Per-channel mean and biased variance of x [N, C], two-pass. */
export function channelMoments(x: Float32Array, N: number, C: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  for (let r = 0, i = 0; r < N; r++) for (let c = 0; c < C; c++) mean[c] += x[i++];
  for (let c = 0; c < C; c++) mean[c] /= N;
  for (let r = 0, i = 0; r < N; r++) {
    for (let c = 0; c < C; c++) {
      const d = x[i++] - mean[c];
      variance[c] += d * d;
    }
  }
  for (let c = 0; c < C; c++) variance[c] /= N;
  return { mean, variance };
}

/** Inputs x [..., C], gamma [C], beta [C]; outputs y (x's shape), mean [C], variance [C]. */
export function batchNormTraining(args: {
  inputs: { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  backend: unknown;
  attrs: BatchNormTrainingAttrs;
}): TensorInfo[] {
  const backend = asWasm(args.backend);
  const { x, gamma, beta } = args.inputs;
  assertFloat32(BATCH_NORM_TRAINING, x, gamma, beta);
  const { C, N } = channels(x);
  const y = alloc(backend, x.shape.slice());
  const meanOut = alloc(backend, [C]);
  const varOut = alloc(backend, [C]);
  const xs = heapF32(backend, x);
  const ys = heapF32(backend, y);
  const g = heapF32(backend, gamma);
  const b = heapF32(backend, beta);
  const { mean, variance } = N > 0 ? channelMoments(xs, N, C) : { mean: new Float64Array(C).fill(NaN), variance: new Float64Array(C).fill(NaN) };
  // y = x * scale + shift, per channel.
  const scale = new Float32Array(C);
  const shift = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const s = g[c] / Math.sqrt(variance[c] + args.attrs.epsilon);
    scale[c] = s;
    shift[c] = b[c] - mean[c] * s;
  }
  for (let r = 0, i = 0; r < N; r++) for (let c = 0; c < C; c++, i++) ys[i] = xs[i] * scale[c] + shift[c];
  heapF32(backend, meanOut).set(mean);
  heapF32(backend, varOut).set(variance);
  return [y, meanOut, varOut];
}

/** Inputs dy, x, gamma, mean, variance; outputs dx, dgamma, dbeta. */
export function batchNormTrainingGrad(args: {
  inputs: { dy: TensorInfo; x: TensorInfo; gamma: TensorInfo; mean: TensorInfo; variance: TensorInfo };
  backend: unknown;
  attrs: BatchNormTrainingAttrs;
}): TensorInfo[] {
  const backend = asWasm(args.backend);
  const { dy, x, gamma, mean, variance } = args.inputs;
  assertFloat32(BATCH_NORM_TRAINING_GRAD, dy, x, gamma, mean, variance);
  const { C, N } = channels(x);
  const dx = alloc(backend, x.shape.slice());
  const dgammaOut = alloc(backend, [C]);
  const dbetaOut = alloc(backend, [C]);
  const dys = heapF32(backend, dy);
  const xs = heapF32(backend, x);
  const dxs = heapF32(backend, dx);
  const g = heapF32(backend, gamma);
  const m = heapF32(backend, mean);
  const v = heapF32(backend, variance);
  const invstd = new Float64Array(C);
  for (let c = 0; c < C; c++) invstd[c] = 1 / Math.sqrt(v[c] + args.attrs.epsilon);
  // Pass 1: sum dy and sum dy * (x - mean), per channel.
  const sumDy = new Float64Array(C);
  const sumDyXc = new Float64Array(C);
  for (let r = 0, i = 0; r < N; r++) {
    for (let c = 0; c < C; c++, i++) {
      const d = dys[i];
      sumDy[c] += d;
      sumDyXc[c] += d * (xs[i] - m[c]);
    }
  }
  // Pass 2: dx = a * dy + b * x + k, per channel (the formula above, expanded).
  const a = new Float32Array(C);
  const bx = new Float32Array(C);
  const k = new Float32Array(C);
  const dgamma = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const s = invstd[c];
    dgamma[c] = sumDyXc[c] * s;
    const gs = g[c] * s;
    const coefX = N > 0 ? (-gs * s * dgamma[c]) / N : 0;
    a[c] = gs;
    bx[c] = coefX;
    k[c] = N > 0 ? (-gs * sumDy[c]) / N - coefX * m[c] : 0;
  }
  for (let r = 0, i = 0; r < N; r++) for (let c = 0; c < C; c++, i++) dxs[i] = a[c] * dys[i] + bx[c] * xs[i] + k[c];
  heapF32(backend, dgammaOut).set(dgamma);
  heapF32(backend, dbetaOut).set(sumDy);
  return [dx, dgammaOut, dbetaOut];
}

/** The gradient of BATCH_NORM_TRAINING, by BATCH_NORM_TRAINING_GRAD (one kernel for all three inputs). */
export const batchNormTrainingGradConfig: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const dy = Array.isArray(dys) ? dys[0] : dys;
    const [x, gamma, mean, variance] = saved;
    const [dx, dgamma, dbeta] = tf.engine().runKernel(
      BATCH_NORM_TRAINING_GRAD,
      { dy, x, gamma, mean, variance } as unknown as tf.NamedTensorMap,
      attrs,
    ) as tf.Tensor[];
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};
