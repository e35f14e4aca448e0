/**
 * TensorFlow's padding rules as ONNX's explicit `pads` ([top, left, bottom, right]). TensorFlow's SAME
 * pads an odd total more after than before (ONNX's SAME_UPPER does too, but explicit pads leave no doubt
 * about which convention a reader applies).
 */
import { ExportError } from './graph';

export type Padding = 'valid' | 'same';

export function paddingOf(value: unknown): Padding {
  if (value === 'valid' || value === 'same') return value;
  throw new ExportError(`its padding is ${JSON.stringify(value)}; only 'valid' and 'same' are exported`);
}

/** Before and after padding along one axis of size `size` for a window `kernel` (dilated), stride `stride`. */
export function samePads(size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** ONNX pads for a 2-D window over [H, W]. */
export function pads2d(padding: Padding, [h, w]: number[], kernel: [number, number], strides: [number, number], dilations: [number, number] = [1, 1]): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  const [top, bottom] = samePads(h, kernel[0], strides[0], dilations[0]);
  const [left, right] = samePads(w, kernel[1], strides[1], dilations[1]);
  return [top, left, bottom, right];
}
