/**
 * Builds one batch of model inputs from the stored samples (uint8 images or float values): augmentation
 * (training only), then normalisation, into a fresh float32 array. Only the batch is ever float32, so a
 * dataset costs its bytes (CIFAR-10's 50,000 images: 154 MB), not four times that.
 */
import type { ImageDataset } from './dataset';
import { augmentSample, type AugmentConfig } from './augment';
import type { Normalization } from './types';

export interface BatchAugmentation {
  config: AugmentConfig;
  /** A stream seeded for this batch (e.g. derivedRandom(seed, epoch, batch)). */
  random: () => number;
}

export function sampleSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Normalised (and, with `augment`, augmented) inputs for `indices`, sample-major. */
export function batchInputs(
  dataset: Pick<ImageDataset, 'shape' | 'images' | 'values'>,
  indices: ArrayLike<number>,
  normalization: Normalization,
  augment?: BatchAugmentation,
): Float32Array {
  const size = sampleSize(dataset.shape);
  const n = indices.length;
  const src = dataset.values ?? dataset.images;
  const x = new Float32Array(n * size);
  const { scale, mean, std } = normalization;
  const channels = mean.length;
  const a = mean.map((_, c) => scale / std[c]);
  const b = mean.map((m, c) => -m / std[c]);
  for (let i = 0; i < n; i++) {
    const offset = indices[i] * size;
    const o = i * size;
    if (augment) {
      augmentSample(src, offset, dataset.shape, augment.config, augment.random, x, o, dataset.values ? 1 : 255);
      for (let j = 0, c = 0; j < size; j++) {
        x[o + j] = x[o + j] * a[c] + b[c];
        if (++c === channels) c = 0;
      }
      continue;
    }
    if (channels === 1) {
      const a0 = a[0];
      const b0 = b[0];
      for (let j = 0; j < size; j++) x[o + j] = src[offset + j] * a0 + b0;
    } else {
      for (let j = 0, c = 0; j < size; j++) {
        x[o + j] = src[offset + j] * a[c] + b[c];
        if (++c === channels) c = 0;
      }
    }
  }
  return x;
}

/** One-hot labels for `indices`. */
export function batchLabels(dataset: Pick<ImageDataset, 'labels' | 'classNames'>, indices: ArrayLike<number>): Float32Array {
  const k = dataset.classNames.length;
  const y = new Float32Array(indices.length * k);
  for (let i = 0; i < indices.length; i++) y[i * k + dataset.labels[indices[i]]] = 1;
  return y;
}
