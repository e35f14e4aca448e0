/**
 * Input normalisation: per-channel mean and standard deviation computed once on the training split
 * (the default, 'standardize'), or a fixed scaling. The result is stored with the run
 * (`normalization.json`) so that inference and inspection apply exactly the same transform.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageDataset } from './dataset';
import type { Normalization, NormalizationSpec } from './types';

export const NORMALIZATION_FILE = 'normalization.json';

/** Channels normalised separately: the last dimension of images, every feature of tabular data. */
export function channelsOf(shape: readonly number[]): number {
  return shape[shape.length - 1];
}

/** 1/255 for bytes, 1 for float samples. */
export function inputScale(dataset: Pick<ImageDataset, 'values'>): number {
  return dataset.values ? 1 : 1 / 255;
}

/** Per-channel mean and (population) standard deviation of `indices`, on the scaled values. */
export function channelStats(
  dataset: Pick<ImageDataset, 'shape' | 'images' | 'values'>,
  indices?: ArrayLike<number>,
): { mean: number[]; std: number[] } {
  const channels = channelsOf(dataset.shape);
  const size = dataset.shape.reduce((a, b) => a * b, 1);
  const src = dataset.values ?? dataset.images;
  const scale = dataset.values ? 1 : 1 / 255;
  const count = indices ? indices.length : src.length / size;
  const sum = new Float64Array(channels);
  const sq = new Float64Array(channels);
  for (let k = 0; k < count; k++) {
    const offset = (indices ? indices[k] : k) * size;
    if (channels === 1) {
      let s = 0;
      let q = 0;
      for (let j = 0; j < size; j++) {
        const v = src[offset + j];
        s += v;
        q += v * v;
      }
      sum[0] += s;
      sq[0] += q;
    } else {
      for (let j = 0, c = 0; j < size; j++) {
        const v = src[offset + j];
        sum[c] += v;
        sq[c] += v * v;
        if (++c === channels) c = 0;
      }
    }
  }
  const n = Math.max(1, (count * size) / channels);
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    const m = sum[c] / n;
    const variance = Math.max(0, sq[c] / n - m * m);
    mean.push(m * scale);
    std.push(Math.sqrt(variance) * scale);
  }
  return { mean, std };
}

/** The normalisation for a run: `spec` (default 'standardize') with statistics from the training samples. */
export function resolveNormalization(
  dataset: Pick<ImageDataset, 'shape' | 'images' | 'values' | 'source'>,
  trainIndices: ArrayLike<number> | undefined,
  spec: NormalizationSpec = 'standardize',
): Normalization {
  const channels = channelsOf(dataset.shape);
  const scale = inputScale(dataset);
  if (spec === 'none') return { mode: 'none', scale: 1, mean: new Array(channels).fill(0), std: new Array(channels).fill(1) };
  if (spec === 'scale') return { mode: 'scale', scale, mean: new Array(channels).fill(0), std: new Array(channels).fill(1) };
  if (typeof spec === 'object') {
    if (spec.mean.length !== channels) {
      throw new Error(`normalization gives ${spec.mean.length} channel means but ${dataset.source} has ${channels} channels`);
    }
    return { mode: 'given', scale, mean: [...spec.mean], std: [...spec.std] };
  }
  const { mean, std } = channelStats(dataset, trainIndices);
  // A constant channel (e.g. an all-black border feature) keeps its scale rather than dividing by zero.
  return { mode: 'standardize', scale, mean, std: std.map((s) => (s > 1e-6 ? s : 1)) };
}

export function writeNormalization(runDir: string, normalization: Normalization): void {
  const file = path.join(runDir, NORMALIZATION_FILE);
  fs.writeFileSync(file + '.tmp', JSON.stringify(normalization, null, 2) + '\n');
  fs.renameSync(file + '.tmp', file);
}

/** The normalisation stored with a run, or undefined when the run has none (runs from before it existed). */
export function readNormalization(runDir: string): Normalization | undefined {
  const file = path.join(runDir, NORMALIZATION_FILE);
  if (!fs.existsSync(file)) return undefined;
  const n = JSON.parse(fs.readFileSync(file, 'utf8')) as Normalization;
  if (!Array.isArray(n.mean) || !Array.isArray(n.std) || typeof n.scale !== 'number') throw new Error(`${file}: not a normalisation record`);
  return n;
}

/** Applies a stored normalisation to raw samples (bytes or floats, HWC), e.g. for inference: returns float32. */
export function normalize(raw: ArrayLike<number>, normalization: Normalization): Float32Array {
  const { scale, mean, std } = normalization;
  const channels = mean.length;
  const out = new Float32Array(raw.length);
  for (let j = 0, c = 0; j < raw.length; j++) {
    out[j] = (raw[j] * scale - mean[c]) / std[c];
    if (++c === channels) c = 0;
  }
  return out;
}
