/**
 * Tensors from the engine arrive as base64 of their bytes (uint8, or little-endian float32): decoded here,
 * in the webview, into typed arrays. Feature maps are uint8 per channel, value = min + (max - min) * q / 255.
 * Pure functions, no DOM (atob is a global in browsers and in Node 16+).
 */

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Float32 values of base64 bytes (little-endian, as the engine writes them on every platform we run on). */
export function base64ToFloat32(b64: string): Float32Array {
  const bytes = base64ToBytes(b64);
  if (bytes.length % 4 !== 0) throw new Error(`float32 tensor data has ${bytes.length} bytes, not a multiple of 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export function dequantise(q: number, min: number, max: number): number {
  return min + ((max - min) * q) / 255;
}

/** Channels of a feature map: the last dimension of [H, W, C]; a vector [N] is one row of N channels of 1×1. */
export function mapGeometry(shape: number[]): { height: number; width: number; channels: number; vector: boolean } {
  if (shape.length === 3) return { height: shape[0], width: shape[1], channels: shape[2], vector: false };
  if (shape.length === 1) return { height: 1, width: 1, channels: shape[0], vector: true };
  if (shape.length === 2) return { height: 1, width: shape[0], channels: shape[1], vector: false };
  const size = shape.reduce((a, b) => a * b, 1);
  return { height: 1, width: 1, channels: size, vector: true };
}

/**
 * Real values of a quantised HWC map (channel last). `min`/`max` hold one entry per channel, or one for
 * the whole map.
 */
export function dequantiseMap(q: Uint8Array, channels: number, min: number[], max: number[]): Float32Array {
  const out = new Float32Array(q.length);
  const shared = min.length !== channels;
  for (let i = 0; i < q.length; i++) {
    const c = shared ? 0 : i % channels;
    out[i] = min[c] + ((max[c] - min[c]) * q[i]) / 255;
  }
  return out;
}

/** The [lo, hi] each channel is coloured on: its own range, or the layer's (min and max over channels). */
export function channelRanges(min: number[], max: number[], channels: number, scaling: 'channel' | 'layer'): [number, number][] {
  const shared = min.length !== channels;
  if (scaling === 'layer' || shared) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of min) lo = Math.min(lo, v);
    for (const v of max) hi = Math.max(hi, v);
    return Array.from({ length: channels }, () => [lo, hi] as [number, number]);
  }
  return Array.from({ length: channels }, (_, c) => [min[c], max[c]] as [number, number]);
}
