/**
 * Anti-aliased downsampling (R. Zhang, "Making Convolutional Networks Shift-Invariant Again", ICML 2019):
 * blur with a fixed binomial filter, then subsample, one channel at a time (a depthwise convolution).
 *
 * The k x k filter is the outer product of the binomial row [C(k-1, 0), ..., C(k-1, k-1)] with itself,
 * divided by its sum (k = 3: [1 2 1] x [1 2 1] / 16). The input is padded by floor((k-1)/2) before and
 * ceil((k-1)/2) after along height and width (as the paper's code), by reflection (default) or zeros, so the
 * output is ceil(H / stride) x ceil(W / stride). Inputs are NHWC.
 *
 * Reflection is built from slices, reverses and a concat rather than tf.mirrorPad, whose gradient in
 * TensorFlow.js 4.22 drops the reflected part (it only slices the centre out of dy).
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerArgs } from './activations';
import { checkNumber, register, type Shape, single, singleShape } from './base';

type Config = tf.serialization.ConfigDict;

export interface BlurPoolArgs extends LayerArgs {
  /** Filter size 1 to 7; default 3. */
  filterSize?: number;
  /** Subsampling factor; default 2. */
  strides?: number;
  /** 'reflect' (default) or 'zero'. */
  padding?: 'reflect' | 'zero';
  /** Number of channels; inferred from the input when absent, checked against it when given. */
  channels?: number;
}

/** The row [C(k-1, 0), ..., C(k-1, k-1)]. */
export function binomialRow(k: number): number[] {
  const row = [1];
  for (let i = 1; i < k; i++) row.push((row[i - 1] * (k - i)) / i);
  return row;
}

/** The normalised k x k blur filter, row-major. */
export function blurFilter(k: number): number[][] {
  const row = binomialRow(k);
  const sum = row.reduce((a, b) => a + b, 0);
  return row.map((a) => row.map((b) => (a * b) / (sum * sum)));
}

/** Pads `x` along `axis` by reflection (the edge itself is not repeated), with differentiable ops only. */
export function reflectPad(x: tf.Tensor, axis: number, before: number, after: number): tf.Tensor {
  const n = x.shape[axis];
  if (before >= n || after >= n) throw new Error(`blurPool: reflection padding of ${Math.max(before, after)} needs a dimension larger than that, got ${n}`);
  const parts: tf.Tensor[] = [];
  const take = (start: number, size: number) => {
    const begin = x.shape.map((_, i) => (i === axis ? start : 0));
    const sizes = x.shape.map((d, i) => (i === axis ? size : d));
    return tf.slice(x, begin, sizes);
  };
  if (before > 0) parts.push(tf.reverse(take(1, before), axis));
  parts.push(x);
  if (after > 0) parts.push(tf.reverse(take(n - 1 - after, after), axis));
  return parts.length === 1 ? x : tf.concat(parts, axis);
}

export class BlurPool extends tf.layers.Layer {
  static className = 'DlLabBlurPool';
  readonly filterSize: number;
  readonly strides: number;
  readonly padding: 'reflect' | 'zero';
  channels?: number;
  private filter?: tf.Tensor4D;

  constructor(args: BlurPoolArgs = {}) {
    super(args);
    this.filterSize = checkNumber(args.filterSize ?? 3, 'filterSize', 'blurPool', (v) => Number.isInteger(v) && v >= 1 && v <= 7, 'an integer from 1 to 7');
    this.strides = checkNumber(args.strides ?? 2, 'strides', 'blurPool', (v) => Number.isInteger(v) && v >= 1, 'a positive integer');
    this.padding = args.padding ?? 'reflect';
    if (this.padding !== 'reflect' && this.padding !== 'zero') {
      throw new Error(`blurPool: padding is ${JSON.stringify(args.padding)}; expected 'reflect' or 'zero'`);
    }
    if (args.channels !== undefined && args.channels !== null) {
      this.channels = checkNumber(args.channels, 'channels', 'blurPool', (v) => Number.isInteger(v) && v > 0, 'a positive integer');
    }
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape);
    if (shape.length !== 4) throw new Error(`blurPool: expected NHWC input (rank 4), got shape [${shape.join(', ')}]`);
    const c = shape[3];
    if (c == null) throw new Error('blurPool: the number of channels must be known');
    if (this.channels !== undefined && this.channels !== c) throw new Error(`blurPool: channels is ${this.channels}, but the input has ${c}`);
    this.channels = c;
    const k = this.filterSize;
    const f = blurFilter(k);
    const values = new Float32Array(k * k * c);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) values.fill(f[i][j], (i * k + j) * c, (i * k + j + 1) * c);
    // A constant, not a weight: it is part of the layer's definition and is rebuilt from the config.
    this.filter = tf.keep(tf.tensor4d(values, [k, k, c, 1]));
    this.built = true;
  }

  private pads(): [number, number] {
    return [Math.floor((this.filterSize - 1) / 2), Math.ceil((this.filterSize - 1) / 2)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs, 'blurPool') as tf.Tensor4D;
      const [before, after] = this.pads();
      let padded: tf.Tensor4D = x;
      if (before + after > 0) {
        padded =
          this.padding === 'zero'
            ? tf.pad(x, [[0, 0], [before, after], [before, after], [0, 0]])
            : (reflectPad(reflectPad(x, 1, before, after), 2, before, after) as tf.Tensor4D);
      }
      const s = this.strides;
      if (this.filterSize === 1) return s === 1 ? padded : tf.stridedSlice(padded, [0, 0, 0, 0], padded.shape, [1, s, s, 1]);
      return tf.depthwiseConv2d(padded, this.filter!, [s, s], 'valid');
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, h, w, c] = singleShape(inputShape);
    const out = (d: number | null) => (d == null ? null : Math.ceil(d / this.strides));
    return [n, out(h), out(w), c];
  }

  override getConfig(): Config {
    const config: Config = { ...super.getConfig(), filterSize: this.filterSize, strides: this.strides, padding: this.padding };
    if (this.channels !== undefined) config.channels = this.channels;
    return config;
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0 && this.filter) {
      this.filter.dispose();
      this.filter = undefined;
    }
    return result;
  }
}

register(BlurPool);
