/**
 * Element-wise kernels whose tfjs-backend-wasm versions are slow enough to dominate a small CNN's step.
 */
import { simdKernels } from './simd';
import { alloc, asWasm, callWasm, heapF32, sizeOf, type TensorInfo } from './util';

/**
 * Tanh. The backend calls libm's tanhf per element (about 20 ns each, 6 ms for LeNet's first layer,
 * three times its convolution). This is the rational approximation XNNPACK and Eigen use for float32
 * (odd degree-13 numerator, even degree-6 denominator, within a few ulp, saturated beyond +-7.9), run
 * four lanes at a time by the SIMD module of simd.ts, with this JS loop (in doubles) for the tail.
 */
export function tanh(args: { inputs: { x: TensorInfo }; backend: unknown }): TensorInfo {
  const backend = asWasm(args.backend);
  const { x } = args.inputs;
  if (x.dtype !== 'float32') return callWasm(backend, 'Tanh', { x });
  const out = alloc(backend, x.shape.slice());
  const n = sizeOf(x.shape);
  const simd = simdKernels(backend);
  let done = 0;
  if (simd) {
    simd.tanh(backend.dataIdMap.get(x.dataId)!.memoryOffset, backend.dataIdMap.get(out.dataId)!.memoryOffset, n);
    done = n & ~3;
  }
  if (done < n) tanhInto(heapF32(backend, x).subarray(done), heapF32(backend, out).subarray(done), n - done);
  return out;
}

/**
 * Coefficients written inline: V8 optimises this loop several times better with literals than with
 * module constants, and a branch for tiny inputs (tanh(v) = v) costs more than it saves; for those the
 * rational function returns v * (1 - 1.3e-7).
 */
export function tanhInto(src: Float32Array, dst: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    let v = src[i];
    // Beyond +-7.9053 tanh rounds to +-1 in float32; NaN fails both comparisons and propagates.
    v = v > 7.90531110763549805 ? 7.90531110763549805 : v < -7.90531110763549805 ? -7.90531110763549805 : v;
    const v2 = v * v;
    const p =
      v *
      (4.89352455891786e-3 +
        v2 *
          (6.37261928875436e-4 +
            v2 *
              (1.48572235717979e-5 +
                v2 * (5.12229709037114e-8 + v2 * (-8.60467152213735e-11 + v2 * (2.00018790482477e-13 + v2 * -2.76076847742355e-16))))));
    const q = 4.89352518554385e-3 + v2 * (2.268434632439e-3 + v2 * (1.18534705686654e-4 + v2 * 1.19825839466702e-6));
    dst[i] = p / q;
  }
}

/**
 * Identity. The backend copies the data; tensors are immutable, so sharing it (one more reference, as
 * the cpu backend does) is enough, and saves a full copy of every activation tfjs clones for gradients.
 */
export function identity(args: { inputs: { x: TensorInfo }; backend: unknown }): TensorInfo {
  const backend = asWasm(args.backend);
  const { x } = args.inputs;
  if (x.dtype === 'string') return callWasm(backend, 'Identity', { x });
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

/** Blocks summed in float32 by the SIMD loop before folding into doubles: bounds the rounding error. */
const SUM_BLOCKS_PER_PASS = 256;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Sum over leading axes, as in a bias gradient ([B,H,W,C] -> [C]). The backend transposes the reduced
 * axes innermost first (a full copy), then reduces. Here the input is read once, as blocks of
 * L = lcm(C, 4) floats (whole rows, four lanes wide) added into an L-float accumulator by the SIMD
 * module, folded into per-channel doubles every few hundred blocks. Anything else goes to the backend.
 */
export function sum(args: {
  inputs: { x: TensorInfo };
  backend: unknown;
  attrs: { axis: number | number[]; keepDims: boolean };
}): TensorInfo {
  const backend = asWasm(args.backend);
  const { x } = args.inputs;
  const { axis, keepDims } = args.attrs;
  const rank = x.shape.length;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
  const C = sizeOf(x.shape.slice(axes.length));
  const L = leading ? (C * 4) / gcd(C, 4) : 0;
  const simd = leading ? simdKernels(backend) : null;
  const n = sizeOf(x.shape);
  if (x.dtype !== 'float32' || !simd || L > 4096 || n < 4 * L) return callWasm(backend, 'Sum', { x }, args.attrs);

  const kept = x.shape.slice(axes.length);
  const out = alloc(backend, keepDims ? [...axes.map(() => 1), ...kept] : kept);
  const acc = alloc(backend, [L]);
  const sums = new Float64Array(C);
  const blocks = Math.floor(n / L);
  const src = backend.dataIdMap.get(x.dataId)!.memoryOffset;
  const accOffset = backend.dataIdMap.get(acc.dataId)!.memoryOffset;
  for (let b0 = 0; b0 < blocks; b0 += SUM_BLOCKS_PER_PASS) {
    const nb = Math.min(SUM_BLOCKS_PER_PASS, blocks - b0);
    heapF32(backend, acc).fill(0);
    simd.blockSum(src + b0 * L * 4, nb, accOffset, L);
    const a = heapF32(backend, acc);
    for (let k = 0; k < L; k++) sums[k % C] += a[k];
  }
  const xs = heapF32(backend, x);
  for (let i = blocks * L; i < n; i++) sums[i % C] += xs[i]; // whole blocks start on a row, so i % C is the channel
  heapF32(backend, out).set(sums);
  backend.disposeData(acc.dataId);
  return out;
}
