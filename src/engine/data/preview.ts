/**
 * `data/describe` and `data/preview`, served by the engine for the extension's Datasets view and dataset
 * preview: the inspect report of a dataset, and per class a few sample images plus augmented versions of
 * one sample, each a small PNG in base64 (never a JSON array of numbers). No TensorFlow.js here.
 *
 * The last dataset loaded is kept for a little while (describe, then preview, then Shuffle read it once),
 * keyed by its spec and the size and modification times of its files, so an edited dataset is read again.
 */
import { PNG } from 'pngjs';
import type { DataPreviewParams, DataPreviewResult, DatasetSummary, PreviewImage } from '../../protocol/engineTypes';
import { mulberry32 } from '../util/random';
import { augmentSample, describeAugment, parseAugment, type AugmentConfig } from './augment';
import { loadDataset, type ImageDataset } from './dataset';
import { reportOf } from './summary';
import { datasetSignature } from './util';

/** Shown when the dataset asks for no augmentation: a bit of everything, mild enough to keep the class readable. */
export const DEFAULT_PREVIEW_AUGMENT = { flipHorizontal: 0.5, rotation: 15, translate: 0.1, brightness: 0.2 };

/** Images larger than this (either side) are shrunk for the preview. */
const MAX_PREVIEW_SIDE = 96;
const HOLD_MS = 120_000;

interface Cached {
  key: string;
  dataset: ImageDataset;
  summary: DatasetSummary;
}
let cached: Cached | undefined;
let dropTimer: NodeJS.Timeout | undefined;

async function load(spec: string, within?: string[]): Promise<Cached> {
  // A confined read (untrusted workspace) is its own entry: it must not be answered by an unconfined one.
  const key = JSON.stringify([datasetSignature(spec), within ?? null]);
  if (cached?.key !== key) {
    cached = undefined; // Let the old one go before reading the new one.
    const start = Date.now();
    const dataset = await loadDataset(spec, { within });
    const { bytes: _bytes, bytesPerSample: _perSample, ...summary } = reportOf(dataset, Date.now() - start);
    cached = { key, dataset, summary };
  }
  if (dropTimer) clearTimeout(dropTimer);
  dropTimer = setTimeout(() => (cached = undefined), HOLD_MS);
  dropTimer.unref();
  return cached;
}

/** The inspect report of a dataset. */
export async function describeData(spec: string, within?: string[]): Promise<DatasetSummary> {
  return (await load(spec, within)).summary;
}

const clampInt = (v: unknown, fallback: number, min: number, max: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.floor(v))) : fallback;

/** Per class a few samples, and augmented versions of one sample, as PNGs. */
export async function previewData(params: DataPreviewParams): Promise<DataPreviewResult> {
  const { dataset: ds, summary } = await load(params.data, params.within);
  const perClass = clampInt(params.perClass, 8, 1, 32);
  const maxClasses = clampInt(params.maxClasses, 20, 1, 100);
  const augmentedCount = clampInt(params.augmented, 8, 0, 32);
  const seed = clampInt(params.seed, 0, 0, 2 ** 31 - 1);
  const layout = imageLayout(ds.shape);
  const base: DataPreviewResult = { summary, seed, classes: [] };
  if (!layout) {
    return { ...base, note: `samples of shape [${ds.shape.join(', ')}] are not images: no pictures to show` };
  }
  const random = mulberry32(seed + 1);
  const byClass = samplesByClass(ds, perClass, random);
  const render = renderer(ds, layout);
  base.classes = summary.classes.slice(0, maxClasses).map((name, k) => ({
    index: k,
    name,
    count: summary.classCounts[k],
    samples: byClass[k].map((i) => render(i)),
  }));
  if (summary.classes.length > maxClasses) base.note = `samples of the first ${maxClasses} of ${summary.classes.length} classes`;

  if (augmentedCount > 0 && ds.count > 0) {
    let config: AugmentConfig | undefined;
    let origin: 'dataset' | 'default' = 'dataset';
    try {
      config = parseAugment(ds.augment, 'augment', ds.shape);
    } catch {
      config = undefined;
    }
    if (!config) {
      config = parseAugment(DEFAULT_PREVIEW_AUGMENT, 'preview augment', ds.shape)!;
      origin = 'default';
    }
    // One sample, from a class picked by the seed among those that have samples.
    const withSamples = byClass.map((s, k) => (s.length ? k : -1)).filter((k) => k >= 0);
    const classIndex = withSamples[Math.floor(random() * withSamples.length)];
    const index = byClass[classIndex][0];
    const augRandom = mulberry32(seed * 7919 + 17);
    const size = ds.shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(size);
    const full = ds.values ? 1 : 255;
    const src = ds.values ?? ds.images;
    const augmented: PreviewImage[] = [];
    for (let j = 0; j < augmentedCount; j++) {
      augmentSample(src, index * size, ds.shape, config, augRandom, out, 0, full);
      augmented.push(render(index, out));
    }
    base.augmentation = { description: describeAugment(config), origin, classIndex, original: render(index), augmented };
  }
  return base;
}

interface Layout {
  height: number;
  width: number;
  channels: number;
}

/** [H, W, C] with C 1, 3 or 4, or [H, W]; undefined for anything else (tabular data). */
function imageLayout(shape: number[]): Layout | undefined {
  if (shape.length === 3 && [1, 3, 4].includes(shape[2])) return { height: shape[0], width: shape[1], channels: shape[2] };
  if (shape.length === 2) return { height: shape[0], width: shape[1], channels: 1 };
  return undefined;
}

/** Up to `perClass` sample indices per class, drawn without replacement by `random`. */
function samplesByClass(ds: ImageDataset, perClass: number, random: () => number): number[][] {
  const K = ds.classNames.length;
  const all: number[][] = Array.from({ length: K }, () => []);
  for (let i = 0; i < ds.count; i++) all[ds.labels[i]]?.push(i);
  return all.map((indices) => {
    // Partial Fisher-Yates: the first perClass entries become a random pick.
    const n = Math.min(perClass, indices.length);
    for (let j = 0; j < n; j++) {
      const r = j + Math.floor(random() * (indices.length - j));
      [indices[j], indices[r]] = [indices[r], indices[j]];
    }
    return indices.slice(0, n);
  });
}

/**
 * Turns a sample (or an augmented copy in raw units) into a PNG. Float samples are scaled to 0-255 by the
 * dataset's own range; large images are shrunk (nearest neighbour) so a preview stays small.
 */
function renderer(ds: ImageDataset, { height, width, channels }: Layout): (index: number, override?: Float32Array) => PreviewImage {
  const size = height * width * channels;
  let lo = 0;
  let hi = 255;
  if (ds.values) {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < ds.values.length; i++) {
      const v = ds.values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    // Data already on [0, 1] is shown as such (not stretched).
    if (lo >= 0 && hi <= 1) [lo, hi] = [0, 1];
    if (!(hi > lo)) hi = lo + 1;
  }
  const step = Math.max(1, Math.ceil(Math.max(height, width) / MAX_PREVIEW_SIDE));
  const outH = Math.ceil(height / step);
  const outW = Math.ceil(width / step);
  const k = 255 / (hi - lo);
  return (index, override) => {
    const src: ArrayLike<number> = override ?? ds.values ?? ds.images;
    const offset = override ? 0 : index * size;
    const scale = override || ds.values ? true : false;
    const png = new PNG({ width: outW, height: outH, colorType: channels === 1 ? 0 : channels === 3 ? 2 : 6 });
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        const s = offset + ((y * step) * width + x * step) * channels;
        const o = (y * outW + x) * 4;
        for (let c = 0; c < 4; c++) {
          let v: number;
          if (c === 3) v = channels === 4 ? src[s + 3] : 255;
          else v = src[s + (channels === 1 ? 0 : c)];
          if (scale && c < 3) v = override && !ds.values ? v : (v - lo) * k;
          png.data[o + c] = Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
    const buf = PNG.sync.write(png, { colorType: channels === 1 ? 0 : channels === 3 ? 2 : 6 });
    return { index, width: outW, height: outH, png: buf.toString('base64') };
  };
}
