/**
 * Tensors across process boundaries as compact bytes (the protocol's EncodedTensor): base64 of a
 * little-endian Float32Array or of a Uint8Array, never JSON arrays of numbers. Also the per-channel uint8
 * quantisation of feature maps, and the decoders the CLI and tests use.
 */
import type { EncodedTensor } from '../../protocol/engineTypes';

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Copies into a fresh buffer: Buffer.from(base64) may sit unaligned in Node's pool. */
function fromBase64(text: string): Uint8Array {
  const buf = Buffer.from(text, 'base64');
  const out = new Uint8Array(buf.byteLength);
  out.set(buf);
  return out;
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeFloat32(shape: readonly number[], values: Float32Array): EncodedTensor {
  checkSize(shape, values.length);
  if (!isLittleEndian) throw new Error('EncodedTensor: big-endian hosts are not supported');
  return { dtype: 'float32', shape: [...shape], data: toBase64(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)) };
}

export function encodeUint8(shape: readonly number[], values: Uint8Array): EncodedTensor {
  checkSize(shape, values.length);
  return { dtype: 'uint8', shape: [...shape], data: toBase64(values) };
}

export function decodeTensor(tensor: EncodedTensor): Float32Array | Uint8Array {
  const bytes = fromBase64(tensor.data);
  const size = tensor.shape.reduce((a, b) => a * b, 1);
  if (tensor.dtype === 'uint8') {
    if (bytes.length !== size) throw new Error(`EncodedTensor: ${bytes.length} bytes for shape [${tensor.shape.join(', ')}]`);
    return bytes;
  }
  if (bytes.length !== size * 4) throw new Error(`EncodedTensor: ${bytes.length} bytes for ${size} float32 values`);
  return new Float32Array(bytes.buffer, 0, size);
}

function checkSize(shape: readonly number[], length: number): void {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== length) throw new Error(`EncodedTensor: ${length} values for shape [${shape.join(', ')}]`);
}

export interface Quantized {
  data: Uint8Array;
  /** Per channel (finite; 0 and 0 for a channel without finite values). */
  min: number[];
  max: number[];
}

/**
 * uint8 per channel, channels the last axis (channels = 1: the whole array is one channel):
 * q = round((v - min) / (max - min) * 255), so v = min + (max - min) * q / 255 within (max - min) / 510.
 * A constant channel gives q = 0; non-finite values give 0.
 */
export function quantizePerChannel(values: Float32Array, channels: number): Quantized {
  const min = new Array<number>(channels).fill(Infinity);
  const max = new Array<number>(channels).fill(-Infinity);
  for (let i = 0, c = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      if (v < min[c]) min[c] = v;
      if (v > max[c]) max[c] = v;
    }
    if (++c === channels) c = 0;
  }
  for (let c = 0; c < channels; c++) {
    if (!Number.isFinite(min[c])) {
      min[c] = 0;
      max[c] = 0;
    }
  }
  const scale = max.map((hi, c) => (hi > min[c] ? 255 / (hi - min[c]) : 0));
  const data = new Uint8Array(values.length);
  for (let i = 0, c = 0; i < values.length; i++) {
    const v = values[i];
    data[i] = Number.isFinite(v) ? Math.round((v - min[c]) * scale[c]) : 0;
    if (++c === channels) c = 0;
  }
  return { data, min, max };
}

/** The inverse of quantizePerChannel (up to its rounding). */
export function dequantize(data: Uint8Array, min: readonly number[], max: readonly number[]): Float32Array {
  const channels = min.length;
  const out = new Float32Array(data.length);
  for (let i = 0, c = 0; i < data.length; i++) {
    out[i] = min[c] + ((max[c] - min[c]) * data[i]) / 255;
    if (++c === channels) c = 0;
  }
  return out;
}
