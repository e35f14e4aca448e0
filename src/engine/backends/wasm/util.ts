/**
 * Helpers shared by the wasm training kernels: direct access to the wasm heap, and calls into the wasm
 * backend's own (XNNPACK-backed) kernels without going through the engine, so that intermediates are
 * neither recorded on the gradient tape nor profiled as separate ops.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type TensorInfo = tf.TensorInfo;
type NamedAttrMap = tf.NamedAttrMap;

/** The kernel functions registered by @tensorflow/tfjs-backend-wasm before we replaced any of them. */
const originals = new Map<string, tf.KernelConfig>();

function originalConfig(name: string): tf.KernelConfig {
  const saved = originals.get(name);
  if (saved) return saved;
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`the wasm backend has no ${name} kernel`);
  return config;
}

/** Runs the wasm backend's own implementation of `name` (the original one, even if we replaced it). */
export function callWasm(
  backend: BackendWasm,
  name: string,
  inputs: Record<string, TensorInfo>,
  attrs: object = {},
): TensorInfo {
  const out = originalConfig(name).kernelFunc({
    inputs,
    backend: backend as unknown as tf.KernelBackend,
    attrs: attrs as NamedAttrMap,
  });
  return Array.isArray(out) ? out[0] : out;
}

/**
 * Registers `kernelFunc` for `name` on wasm. An existing registration is replaced; its setup function
 * is kept so that a later re-initialisation of the backend still sets up the original we delegate to.
 */
export function registerWasmKernel(name: string, kernelFunc: tf.KernelFunc): void {
  const existing = tf.getKernel(name, 'wasm');
  if (existing && !originals.has(name) && !isOurs(existing.kernelFunc)) originals.set(name, existing);
  if (existing) tf.unregisterKernel(name, 'wasm');
  const setupFunc = originals.get(name)?.setupFunc;
  ours.add(kernelFunc);
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc, ...(setupFunc ? { setupFunc } : {}) });
}
const ours = new WeakSet<tf.KernelFunc>();
function isOurs(fn: tf.KernelFunc): boolean {
  return ours.has(fn);
}

/**
 * A Float32Array view of a tensor's data on the wasm heap. Any allocation on the heap may grow the
 * memory and detach earlier views, so take views only after the last allocation of a kernel.
 */
export function heapF32(backend: BackendWasm, t: TensorInfo): Float32Array {
  const { memoryOffset } = backend.dataIdMap.get(t.dataId)!;
  return new Float32Array(heapBuffer(backend), memoryOffset, sizeOf(t.shape));
}

/**
 * The memory's current buffer. Read it each time: it is replaced when the memory grows, and with threads
 * (a shared memory) the module refreshes its HEAP views only when it notices.
 */
export function heapBuffer(backend: BackendWasm): ArrayBufferLike {
  const wasm = backend.wasm as unknown as { HEAPF32: Float32Array; wasmMemory?: { buffer: ArrayBufferLike } };
  return wasm.wasmMemory?.buffer ?? wasm.HEAPF32.buffer;
}

/** A new float32 tensor on the wasm heap (uninitialised). */
export function alloc(backend: BackendWasm, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

export function free(backend: BackendWasm, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

/** Same data, another shape: for passing a tensor to a kernel that wants another rank. Not owned. */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function asWasm(backend: unknown): BackendWasm {
  return backend as BackendWasm;
}

export function assertFloat32(kernel: string, ...ts: TensorInfo[]): void {
  for (const t of ts) {
    if (t.dtype !== 'float32') throw new Error(`${kernel} on wasm supports float32 only (got ${t.dtype})`);
  }
}

export function assertChannelsLast(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} on wasm supports dataFormat NHWC only (got ${dataFormat})`);
  }
}

/**
 * The geometry of a channels-last convolution whose gradient a kernel computes (tfjs' own computation,
 * so that padding and output sizes agree with the forward pass), after checking dtype and layout.
 */
export function backpropConvInfo(
  kernel: string,
  tensors: TensorInfo[],
  xShape: number[],
  filterShape: number[],
  attrs: { strides: number | [number, number]; pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding; dimRoundingMode?: 'floor' | 'round' | 'ceil'; dilations?: number | [number, number]; dataFormat?: string },
  depthwise = false,
): tf.backend_util.Conv2DInfo {
  assertFloat32(kernel, ...tensors);
  assertChannelsLast(kernel, attrs.dataFormat);
  type Shape4 = [number, number, number, number];
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
}

/** A convolution's sizes under the short names the kernels' loops use (M: the depthwise multiplier). */
export function convGeometry(info: tf.backend_util.Conv2DInfo) {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outChannels: C } = info;
  const { outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = info;
  const { strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dWd } = info;
  return { B, H, W, CI, C, OH, OW, KH, KW, sH, sW, dH, dWd, M: C / CI, pt: info.padInfo.top, pl: info.padInfo.left };
}

/** Explicit padding in the NHWC form the Conv2D kernel accepts. */
export function explicitPad(top: number, bottom: number, left: number, right: number): tf.backend_util.ExplicitPadding {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}
