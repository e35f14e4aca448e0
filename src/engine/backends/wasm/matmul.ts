/**
 * BatchMatMul for wasm. The backend sends a product to XNNPACK's fully-connected operator only when
 * neither side is transposed and both have batch 1; anything else falls to a naive C++ loop about 10x
 * slower. Gradients of dense layers ask for A^T B and A B^T, so: transpose explicitly (cheap, linear),
 * and fold a batch of A over a shared B into rows, then let the fast path run.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, callWasm, free, sizeOf, type TensorInfo, view } from './util';

export function batchMatMul(args: {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: unknown;
  attrs: tf.BatchMatMulAttrs;
}): TensorInfo {
  const backend = asWasm(args.backend);
  const { a, b } = args.inputs;
  const transposeA = !!args.attrs.transposeA;
  const transposeB = !!args.attrs.transposeB;
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  const fast = !transposeA && !transposeB && batchA === 1 && batchB === 1;
  if (fast || a.dtype !== 'float32' || b.dtype !== 'float32' || sizeOf(a.shape) === 0 || sizeOf(b.shape) === 0) {
    return callWasm(backend, 'BatchMatMul', { a, b }, { transposeA, transposeB });
  }
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [a1, a2] = [a.shape[ra - 2], a.shape[ra - 1]];
  const [b1, b2] = [b.shape[rb - 2], b.shape[rb - 1]];
  const M = transposeA ? a2 : a1;
  const K = transposeA ? a1 : a2;
  const N = transposeB ? b1 : b2;
  const outShape = [
    ...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)),
    M,
    N,
  ];
  if ((transposeB ? b2 : b1) !== K) {
    throw new Error(
      `Error in matMul: inner shapes (${K}) and (${transposeB ? b2 : b1}) of tensors with shapes ` +
        `${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const owned: TensorInfo[] = [];
  let a3 = view(a, [batchA, a1, a2]);
  if (transposeA) owned.push((a3 = callWasm(backend, 'Transpose', { x: a3 }, { perm: [0, 2, 1] })));
  let b3 = view(b, [batchB, b1, b2]);
  if (transposeB) owned.push((b3 = callWasm(backend, 'Transpose', { x: b3 }, { perm: [0, 2, 1] })));
  // A batch of A against one B is a single [batchA*M, K] x [K, N] product.
  if (batchB === 1 && batchA > 1) a3 = view(a3, [1, batchA * M, K]);
  const out = callWasm(backend, 'BatchMatMul', { a: a3, b: b3 }, { transposeA: false, transposeB: false });
  free(backend, ...owned);
  return { dataId: out.dataId, shape: outShape, dtype: out.dtype };
}
