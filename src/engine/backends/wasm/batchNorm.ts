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
 *
 * Each is two or three passes over the activation. Where C is a multiple of 4 they run as the SIMD row
 * loops of simd.ts, summing into float32 lanes for ROWS_PER_FOLD rows at a time, then into doubles (which
 * bounds the rounding error as the JS loops' doubles do); otherwise as the JS loops below.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type SimdKernels, simdKernels } from './simd';
import { alloc, asWasm, assertFloat32, free, heapF32, sizeOf, type TensorInfo } from './util';

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

/** Rows summed in float32 lanes before being added into doubles. */
const ROWS_PER_FOLD = 256;

function offset(backend: BackendWasm, t: TensorInfo, floats = 0): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset + floats * 4;
}

/**
 * Runs `pass(rowOffset, rows)` over N rows in chunks of ROWS_PER_FOLD with the float32 accumulators
 * `accs` (each C floats at the given float index of `scratch`) zeroed before each chunk and added into
 * `sums` after it.
 */
function foldedPasses(
  backend: BackendWasm,
  scratch: TensorInfo,
  accs: number[],
  sums: Float64Array[],
  N: number,
  C: number,
  pass: (row: number, rows: number) => void,
): void {
  for (let r0 = 0; r0 < N; r0 += ROWS_PER_FOLD) {
    const rows = Math.min(ROWS_PER_FOLD, N - r0);
    let h = heapF32(backend, scratch);
    for (const a of accs) h.fill(0, a, a + C);
    pass(r0, rows);
    h = heapF32(backend, scratch);
    accs.forEach((a, i) => {
      const sum = sums[i];
      for (let c = 0; c < C; c++) sum[c] += h[a + c];
    });
  }
}

function simdFor(backend: BackendWasm, C: number, N: number): SimdKernels | null {
  return C % 4 === 0 && C > 0 && N > 0 ? simdKernels(backend) : null;
}

/** Mean and biased variance per channel by the SIMD row loops (two passes, as channelMoments). */
function simdMoments(backend: BackendWasm, simd: SimdKernels, x: TensorInfo, N: number, C: number): { mean: Float64Array; variance: Float64Array } {
  const scratch = alloc(backend, [2 * C]); // mean (f32), accumulator
  const [MEAN, ACC] = [0, C];
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  const row = (r: number) => offset(backend, x) + r * C * 4;
  foldedPasses(backend, scratch, [ACC], [mean], N, C, (r, rows) => simd.blockSum(row(r), rows, offset(backend, scratch, ACC), C));
  for (let c = 0; c < C; c++) mean[c] /= N;
  heapF32(backend, scratch).set(mean, MEAN);
  foldedPasses(backend, scratch, [ACC], [variance], N, C, (r, rows) =>
    simd.bn.sqdev(row(r), offset(backend, scratch, MEAN), offset(backend, scratch, ACC), rows, C),
  );
  for (let c = 0; c < C; c++) variance[c] /= N;
  free(backend, scratch);
  return { mean, variance };
}

/** Sums of dy and of dy * (x - mean) per channel, by the SIMD row loops. */
function simdDyStats(backend: BackendWasm, simd: SimdKernels, dy: TensorInfo, x: TensorInfo, mean: TensorInfo, N: number, C: number): { sumDy: Float64Array; sumDyXc: Float64Array } {
  const scratch = alloc(backend, [2 * C]); // two accumulators
  const [ACC_DY, ACC_DYXC] = [0, C];
  const sumDy = new Float64Array(C);
  const sumDyXc = new Float64Array(C);
  foldedPasses(backend, scratch, [ACC_DY, ACC_DYXC], [sumDy, sumDyXc], N, C, (r, rows) =>
    simd.bn.dystats(
      offset(backend, dy) + r * C * 4,
      offset(backend, x) + r * C * 4,
      offset(backend, mean),
      offset(backend, scratch, ACC_DY),
      offset(backend, scratch, ACC_DYXC),
      rows,
      C,
    ),
  );
  free(backend, scratch);
  return { sumDy, sumDyXc };
}

/** The same sums in JS, for any C. */
function jsDyStats(dys: Float32Array, xs: Float32Array, m: Float32Array, N: number, C: number): { sumDy: Float64Array; sumDyXc: Float64Array } {
  const sumDy = new Float64Array(C);
  const sumDyXc = new Float64Array(C);
  for (let r = 0, i = 0; r < N; r++) {
    for (let c = 0; c < C; c++, i++) {
      const d = dys[i];
      sumDy[c] += d;
      sumDyXc[c] += d * (xs[i] - m[c]);
    }
  }
  return { sumDy, sumDyXc };
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
  const simd = simdFor(backend, C, N);
  const { mean, variance } = simd
    ? simdMoments(backend, simd, x, N, C)
    : N > 0
      ? channelMoments(heapF32(backend, x), N, C)
      : { mean: new Float64Array(C).fill(NaN), variance: new Float64Array(C).fill(NaN) };
  // y = x * scale + shift, per channel.
  const coefs = alloc(backend, [2 * C]); // scale, shift
  const h = heapF32(backend, coefs);
  const g = heapF32(backend, gamma);
  const b = heapF32(backend, beta);
  for (let c = 0; c < C; c++) {
    const sc = g[c] / Math.sqrt(variance[c] + args.attrs.epsilon);
    h[c] = sc;
    h[C + c] = b[c] - mean[c] * sc;
  }
  if (simd) {
    simd.bn.affine(offset(backend, x), offset(backend, y), offset(backend, coefs), offset(backend, coefs, C), N, C);
  } else {
    const xs = heapF32(backend, x);
    const ys = heapF32(backend, y);
    for (let r = 0, i = 0; r < N; r++) for (let c = 0; c < C; c++, i++) ys[i] = xs[i] * h[c] + h[C + c];
  }
  free(backend, coefs);
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
  const simd = simdFor(backend, C, N);
  const { sumDy, sumDyXc } = simd
    ? simdDyStats(backend, simd, dy, x, mean, N, C)
    : jsDyStats(heapF32(backend, dy), heapF32(backend, x), heapF32(backend, mean), N, C);
  // dx = a * dy + b * x + k, per channel (the formula above, expanded).
  const coefs = alloc(backend, [3 * C]); // a, b, k
  const h = heapF32(backend, coefs);
  const g = heapF32(backend, gamma);
  const m = heapF32(backend, mean);
  const v = heapF32(backend, variance);
  const dgamma = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const s = 1 / Math.sqrt(v[c] + args.attrs.epsilon);
    dgamma[c] = sumDyXc[c] * s;
    const gs = g[c] * s;
    const coefX = N > 0 ? (-gs * s * dgamma[c]) / N : 0;
    h[c] = gs;
    h[C + c] = coefX;
    h[2 * C + c] = N > 0 ? (-gs * sumDy[c]) / N - coefX * m[c] : 0;
  }
  if (simd) {
    simd.bn.dxaffine(offset(backend, dy), offset(backend, x), offset(backend, dx), offset(backend, coefs), offset(backend, coefs, C), offset(backend, coefs, 2 * C), N, C);
  } else {
    const dys = heapF32(backend, dy);
    const xs = heapF32(backend, x);
    const dxs = heapF32(backend, dx);
    for (let r = 0, i = 0; r < N; r++) for (let c = 0; c < C; c++, i++) dxs[i] = h[c] * dys[i] + h[C + c] * xs[i] + h[2 * C + c];
  }
  free(backend, coefs);
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
