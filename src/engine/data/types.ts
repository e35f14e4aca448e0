/**
 * Types shared by the dataset readers, the descriptor file and the trainer. No TensorFlow.js here: the
 * CLI's `data inspect` reads datasets in its own process.
 */

export const DATASET_FORMATS = ['synthetic', 'idx', 'cifar10', 'cifar100', 'image-folder', 'csv', 'npy', 'npz'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** How inputs are scaled before they reach the model. */
export type NormalizationSpec =
  /** Per-channel mean and standard deviation of the training split (the default). */
  | 'standardize'
  /** Pixels to [0, 1]; float data as is. */
  | 'scale'
  /** Raw values (0-255 for images). */
  | 'none'
  /** Given per-channel values, on the [0, 1] scale for images. */
  | { mean: number[]; std: number[] };

/** The normalisation a run applied; stored with the run (normalization.json) and applied again later. */
export interface Normalization {
  /** x = (raw * scale - mean[c]) / std[c], c the channel (the feature for tabular data). */
  mode: 'standardize' | 'scale' | 'none' | 'given';
  scale: number;
  mean: number[];
  std: number[];
}

/** What a dataset file or folder gives beyond the pixels: read by loadDataset from the readers and descriptor. */
export interface LoadOptions {
  /** Base folder or file of the data. */
  path: string;
  imageSize?: [number, number];
  channels?: 1 | 3;
  classNames?: string[];
  labelColumn?: string;
  /** Per split: a file, or for IDX `{ images, labels }` and for NPY `{ x, y }`. */
  files?: Partial<Record<SplitName, string | Record<string, string>>>;
}

/** What a reader returns: the dataset's data, before the source, descriptor options and description are added. */
export interface ReaderResult {
  format: DatasetFormat;
  /** H x W x C for images, [features] for tabular data. */
  shape: number[];
  classNames: string[];
  count: number;
  /** count * prod(shape) bytes (uint8 data), or empty when `values` holds the samples. */
  images: Uint8Array;
  /** Float samples (CSV, float NPY), count * prod(shape). */
  values?: Float32Array;
  labels: Uint8Array;
  /** Splits the files define (e.g. IDX train-/t10k-), as sample indices. */
  splits?: Partial<Record<SplitName, Uint32Array>>;
  /** Problems skipped over, one line each with a count ("3 unreadable images skipped ..."). */
  warnings: string[];
  /** The files read (for messages and run records). */
  files: string[];
}

/** Concatenates per-split parts into one dataset with split indices. */
export function concatSplits(
  parts: { split: SplitName | undefined; images: Uint8Array; labels: Uint8Array; values?: Float32Array }[],
): { images: Uint8Array; labels: Uint8Array; values?: Float32Array; splits?: Partial<Record<SplitName, Uint32Array>> } {
  if (parts.length === 1 && parts[0].split === undefined) return { images: parts[0].images, labels: parts[0].labels, values: parts[0].values };
  const count = parts.reduce((s, p) => s + p.labels.length, 0);
  const images = new Uint8Array(parts.reduce((s, p) => s + p.images.length, 0));
  const hasValues = parts.some((p) => p.values);
  const values = hasValues ? new Float32Array(parts.reduce((s, p) => s + (p.values?.length ?? 0), 0)) : undefined;
  const labels = new Uint8Array(count);
  const splits: Partial<Record<SplitName, Uint32Array>> = {};
  let n = 0;
  let bytes = 0;
  let floats = 0;
  for (const p of parts) {
    images.set(p.images, bytes);
    bytes += p.images.length;
    if (values && p.values) {
      values.set(p.values, floats);
      floats += p.values.length;
    }
    labels.set(p.labels, n);
    if (p.split) {
      const idx = new Uint32Array(p.labels.length);
      for (let i = 0; i < idx.length; i++) idx[i] = n + i;
      const prev = splits[p.split];
      splits[p.split] = prev ? Uint32Array.from([...prev, ...idx]) : idx;
    }
    n += p.labels.length;
  }
  return { images, labels, values, splits };
}
