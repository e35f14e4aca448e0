/**
 * Element-wise loops as WebAssembly SIMD, on the wasm backend's own memory.
 *
 * JS loops over the heap run at a few ns per element; the same loop as 128-bit WebAssembly SIMD does four
 * elements per instruction. The module is assembled here, a few hundred bytes, and instantiated against
 * the memory tfjs-backend-wasm exports, so it reads and writes tensors in place. Where SIMD or that
 * memory is unavailable, callers keep their JS loops.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Bytes = number[];

function uleb(n: number): Bytes {
  const out: Bytes = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): Bytes {
  const out: Bytes = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function str(s: string): Bytes {
  return [...uleb(s.length), ...Buffer.from(s, 'utf8')];
}

function section(id: number, body: Bytes): Bytes {
  return [id, ...uleb(body.length), ...body];
}

// Instructions used below.
const LOCAL_GET = (i: number) => [0x20, ...uleb(i)];
const LOCAL_SET = (i: number) => [0x21, ...uleb(i)];
const LOCAL_TEE = (i: number) => [0x22, ...uleb(i)];
const I32_CONST = (v: number) => [0x41, ...sleb(v)];
const I32_ADD = [0x6a];
const I32_GE_U = [0x4f];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const BR = (d: number) => [0x0c, ...uleb(d)];
const BR_IF = (d: number) => [0x0d, ...uleb(d)];
const END = [0x0b];
const simd = (op: number) => [0xfd, ...uleb(op)];
const V128_LOAD = [...simd(0x00), 0, 0];
const V128_STORE = [...simd(0x0b), 0, 0];
const F32X4_ADD = simd(0xe4);
const F32X4_SUB = simd(0xe5);
const F32X4_MUL = simd(0xe6);
const F32X4_DIV = simd(0xe7);
const F32X4_MIN = simd(0xe8);
const F32X4_MAX = simd(0xe9);
function F32X4_CONST(v: number): Bytes {
  const b = Buffer.alloc(16);
  for (let i = 0; i < 4; i++) b.writeFloatLE(v, i * 4);
  return [...simd(0x0c), ...b];
}

/** Coefficients of the float32 tanh rational approximation (XNNPACK/Eigen), as in elementwise.ts. */
const TANH_CLAMP = 7.90531110763549805;
const TANH_P = [4.89352455891786e-3, 6.37261928875436e-4, 1.48572235717979e-5, 5.12229709037114e-8, -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16];
const TANH_Q = [4.89352518554385e-3, 2.268434632439e-3, 1.18534705686654e-4, 1.19825839466702e-6];

/** tanh(src, dst, bytes): bytes a multiple of 16. Params 0..2 (i32), locals: i (3), x (4), x2 (5), p (6). */
function tanhBody(): Bytes {
  const [SRC, DST, END_BYTES, I, X, X2, P] = [0, 1, 2, 3, 4, 5, 6];
  const horner = (coeffs: number[]) => {
    // ((c_n * x2 + c_{n-1}) * x2 + ...) + c_0
    const out: Bytes = [...LOCAL_GET(X2), ...F32X4_CONST(coeffs[coeffs.length - 1]), ...F32X4_MUL];
    for (let k = coeffs.length - 2; k >= 1; k--) out.push(...F32X4_CONST(coeffs[k]), ...F32X4_ADD, ...LOCAL_GET(X2), ...F32X4_MUL);
    out.push(...F32X4_CONST(coeffs[0]), ...F32X4_ADD);
    return out;
  };
  const code: Bytes = [
    ...BLOCK,
    ...LOOP,
    ...LOCAL_GET(I), ...LOCAL_GET(END_BYTES), ...I32_GE_U, ...BR_IF(1),
    // x = max(min(src[i], C), -C); NaN propagates through f32x4.min/max.
    ...LOCAL_GET(SRC), ...LOCAL_GET(I), ...I32_ADD, ...V128_LOAD,
    ...F32X4_CONST(TANH_CLAMP), ...F32X4_MIN, ...F32X4_CONST(-TANH_CLAMP), ...F32X4_MAX,
    ...LOCAL_TEE(X), ...LOCAL_GET(X), ...F32X4_MUL, ...LOCAL_SET(X2),
    ...horner(TANH_P), ...LOCAL_GET(X), ...F32X4_MUL, ...LOCAL_SET(P),
    ...LOCAL_GET(DST), ...LOCAL_GET(I), ...I32_ADD,
    ...LOCAL_GET(P), ...horner(TANH_Q), ...F32X4_DIV, ...V128_STORE,
    ...LOCAL_GET(I), ...I32_CONST(16), ...I32_ADD, ...LOCAL_SET(I),
    ...BR(0),
    ...END,
    ...END,
    ...END,
  ];
  const locals = [2, ...uleb(1), 0x7f, ...uleb(3), 0x7b]; // 1 x i32, 3 x v128
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

/**
 * A loop over `blocks` rows of `rowBytes` (a multiple of 16), four lanes at a time: `rows` pointers
 * advance by a row each time, `cols` pointers are per-column vectors (the same for every row). `body`
 * gets the instructions that push each pointer's address for the current lanes, and may use v128 local
 * TMP. Signature: (rows..., cols..., blocks, rowBytes); locals: k, r (i32), tmp (v128).
 */
function rowKernel(rows: number, cols: number, body: (row: (i: number) => Bytes, col: (j: number) => Bytes, tmp: number) => Bytes): Bytes {
  const nParams = rows + cols + 2;
  const BLOCKS = rows + cols;
  const ROW_BYTES = BLOCKS + 1;
  const K = nParams;
  const R = nParams + 1;
  const TMP = nParams + 2;
  const at = (p: number): Bytes => [...LOCAL_GET(p), ...LOCAL_GET(K), ...I32_ADD];
  const advance: Bytes = [];
  for (let i = 0; i < rows; i++) advance.push(...LOCAL_GET(i), ...LOCAL_GET(ROW_BYTES), ...I32_ADD, ...LOCAL_SET(i));
  const code: Bytes = [
    ...BLOCK,
    ...LOOP,
    ...LOCAL_GET(R), ...LOCAL_GET(BLOCKS), ...I32_GE_U, ...BR_IF(1),
    ...I32_CONST(0), ...LOCAL_SET(K),
    ...BLOCK,
    ...LOOP,
    ...LOCAL_GET(K), ...LOCAL_GET(ROW_BYTES), ...I32_GE_U, ...BR_IF(1),
    ...body((i) => at(i), (j) => at(rows + j), TMP),
    ...LOCAL_GET(K), ...I32_CONST(16), ...I32_ADD, ...LOCAL_SET(K),
    ...BR(0),
    ...END,
    ...END,
    ...advance,
    ...LOCAL_GET(R), ...I32_CONST(1), ...I32_ADD, ...LOCAL_SET(R),
    ...BR(0),
    ...END,
    ...END,
    ...END,
  ];
  const locals = [2, ...uleb(2), 0x7f, ...uleb(1), 0x7b]; // 2 x i32, 1 x v128
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

const load = (addr: Bytes): Bytes => [...addr, ...V128_LOAD];

/** Row kernels over [N, C] with C a multiple of 4: the column sums of sum(), and BatchNorm's passes. */
const ROW_KERNELS: { name: string; rows: number; cols: number; body: Parameters<typeof rowKernel>[2] }[] = [
  // acc[k] += src[k]
  {
    name: 'blocksum',
    rows: 1,
    cols: 1,
    body: (row, col) => [...col(0), ...load(col(0)), ...load(row(0)), ...F32X4_ADD, ...V128_STORE],
  },
  // acc[k] += (x[k] - mean[k])^2
  {
    name: 'sqdev',
    rows: 1,
    cols: 2,
    body: (row, col, tmp) => [
      ...col(1), ...load(col(1)),
      ...load(row(0)), ...load(col(0)), ...F32X4_SUB, ...LOCAL_TEE(tmp), ...LOCAL_GET(tmp), ...F32X4_MUL,
      ...F32X4_ADD, ...V128_STORE,
    ],
  },
  // y[k] = x[k] * scale[k] + shift[k]
  {
    name: 'affine',
    rows: 2,
    cols: 2,
    body: (row, col) => [...row(1), ...load(row(0)), ...load(col(0)), ...F32X4_MUL, ...load(col(1)), ...F32X4_ADD, ...V128_STORE],
  },
  // sumDy[k] += dy[k]; sumDyXc[k] += dy[k] * (x[k] - mean[k])
  {
    name: 'dystats',
    rows: 2,
    cols: 3,
    body: (row, col, tmp) => [
      ...load(row(0)), ...LOCAL_SET(tmp),
      ...col(1), ...load(col(1)), ...LOCAL_GET(tmp), ...F32X4_ADD, ...V128_STORE,
      ...col(2), ...load(col(2)), ...LOCAL_GET(tmp), ...load(row(1)), ...load(col(0)), ...F32X4_SUB, ...F32X4_MUL, ...F32X4_ADD,
      ...V128_STORE,
    ],
  },
  // dx[k] = a[k] * dy[k] + b[k] * x[k] + c[k]
  {
    name: 'dxaffine',
    rows: 3,
    cols: 3,
    body: (row, col) => [
      ...row(2),
      ...load(col(0)), ...load(row(0)), ...F32X4_MUL,
      ...load(col(1)), ...load(row(1)), ...F32X4_MUL, ...F32X4_ADD,
      ...load(col(2)), ...F32X4_ADD,
      ...V128_STORE,
    ],
  },
];

/** A shared memory (the threaded build's) is imported as shared, with the build's 4 GiB maximum. */
function memoryImport(shared: boolean): Bytes {
  return shared ? [0x02, 0x03, 0x00, ...uleb(65536)] : [0x02, 0x00, 0x00];
}

function moduleBytes(shared = false): Uint8Array {
  const i32 = 0x7f;
  const fnType = (n: number): Bytes => [0x60, ...uleb(n), ...Array<number>(n).fill(i32), 0];
  // Types: 0 = tanh (3 i32), then one per row kernel.
  const types = [fnType(3), ...ROW_KERNELS.map((k) => fnType(k.rows + k.cols + 2))];
  const names = ['tanh', ...ROW_KERNELS.map((k) => k.name)];
  const bodies = [tanhBody(), ...ROW_KERNELS.map((k) => rowKernel(k.rows, k.cols, k.body))];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [...uleb(types.length), ...types.flat()]),
    ...section(2, [1, ...str('env'), ...str('memory'), ...memoryImport(shared)]),
    ...section(3, [...uleb(names.length), ...names.map((_, i) => i)]),
    ...section(7, [...uleb(names.length), ...names.flatMap((n, i) => [...str(n), 0x00, i])]),
    ...section(10, [...uleb(bodies.length), ...bodies.flat()]),
  ];
  return Uint8Array.from(bytes);
}

export interface SimdKernels {
  /** dst[i] = tanh(src[i]) for i < n; byte offsets into the backend's memory. */
  tanh(srcOffset: number, dstOffset: number, n: number): void;
  /** acc[k] += src[c * blockLen + k] for c < blocks; float offsets in bytes, blockLen a multiple of 4. */
  blockSum(srcOffset: number, blocks: number, accOffset: number, blockLen: number): void;
  /**
   * BatchNorm's passes over rows of C floats (C a multiple of 4), all arguments byte offsets except
   * `rows` and `C`: per-column vectors (mean, scale, accumulators...) are C floats.
   */
  bn: {
    /** acc += (x - mean)^2 */
    sqdev(x: number, mean: number, acc: number, rows: number, C: number): void;
    /** y = x * scale + shift */
    affine(x: number, y: number, scale: number, shift: number, rows: number, C: number): void;
    /** sumDy += dy; sumDyXc += dy * (x - mean) */
    dystats(dy: number, x: number, mean: number, sumDy: number, sumDyXc: number, rows: number, C: number): void;
    /** dx = a * dy + b * x + c */
    dxaffine(dy: number, x: number, dx: number, a: number, b: number, c: number, rows: number, C: number): void;
  };
}

const cache = new WeakMap<object, SimdKernels | null>();

interface WasmMemory {
  buffer: ArrayBufferLike;
}

interface WasmGlobal {
  validate(b: Uint8Array): boolean;
  Module: new (b: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

/** The SIMD kernels bound to this backend's memory, or null when they can't be had. */
export function simdKernels(backend: BackendWasm): SimdKernels | null {
  // The single-threaded build exports its memory; the threaded one imports a shared memory it made.
  const wasm = backend.wasm as unknown as { asm?: { memory?: WasmMemory }; wasmMemory?: WasmMemory };
  const memory = wasm.asm?.memory ?? wasm.wasmMemory;
  if (!memory) return null;
  if (cache.has(memory)) return cache.get(memory)!;
  let kernels: SimdKernels | null = null;
  try {
    const WA = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
    const bytes = moduleBytes(typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer);
    if (WA.validate(bytes)) {
      const instance = new WA.Instance(new WA.Module(bytes), { env: { memory } });
      const tanh = instance.exports.tanh as (src: number, dst: number, end: number) => void;
      type Fn = (...a: number[]) => void;
      const e = instance.exports as Record<string, Fn>;
      kernels = {
        tanh: (src, dst, n) => tanh(src, dst, (n & ~3) * 4),
        blockSum: (src, blocks, acc, blockLen) => e.blocksum(src, acc, blocks, blockLen * 4),
        bn: {
          sqdev: (x, mean, acc, rows, C) => e.sqdev(x, mean, acc, rows, C * 4),
          affine: (x, y, scale, shift, rows, C) => e.affine(x, y, scale, shift, rows, C * 4),
          dystats: (dy, x, mean, sumDy, sumDyXc, rows, C) => e.dystats(dy, x, mean, sumDy, sumDyXc, rows, C * 4),
          dxaffine: (dy, x, dx, a, b, c, rows, C) => e.dxaffine(dy, x, dx, a, b, c, rows, C * 4),
        },
      };
    }
  } catch {
    kernels = null;
  }
  cache.set(memory, kernels);
  return kernels;
}

/** For tests: the assembled module is valid WebAssembly here. */
export function simdModuleIsValid(): boolean {
  try {
    return (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly.validate(moduleBytes());
  } catch {
    return false;
  }
}
