/**
 * The in-memory dataset the trainer consumes, and `loadDataset`, which turns a dataset argument
 * (`synthetic:<name>[?key=value&...]` or a path) into one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSyntheticParams, SYNTHETIC_DATASETS } from './synthetic';

export interface ImageDataset {
  /** What the user typed: 'synthetic:shapes' or a path. */
  source: string;
  /** Sample shape, height x width x channels. */
  shape: [number, number, number];
  classNames: string[];
  count: number;
  /** count*H*W*C bytes, sample-major, HWC within a sample; converted to float32 one batch at a time. */
  images: Uint8Array;
  /** count class indices. */
  labels: Uint8Array;
  /** Seed the data was generated from (synthetic datasets only). */
  seed?: number;
  /** One line about the data, for logs and run summaries. */
  description?: string;
}

const SYNTHETIC_PREFIX = 'synthetic:';
/** Seed used when neither the caller nor the spec gives one, so that an unseeded load is still reproducible. */
const DEFAULT_SEED = 1;

export async function loadDataset(spec: string, options: { seed?: number } = {}): Promise<ImageDataset> {
  const trimmed = spec.trim();
  if (trimmed === '') throw new Error(`dataset is empty; use synthetic:shapes or a path`);
  if (trimmed.startsWith(SYNTHETIC_PREFIX)) return loadSynthetic(trimmed, options);

  const abs = path.resolve(trimmed);
  if (!fs.existsSync(abs)) throw new Error(`dataset path not found: ${abs}`);
  throw new Error(`dataset "${trimmed}": reading files is not supported yet; use synthetic:shapes`);
}

function loadSynthetic(spec: string, options: { seed?: number }): ImageDataset {
  const rest = spec.slice(SYNTHETIC_PREFIX.length);
  const q = rest.indexOf('?');
  const name = (q < 0 ? rest : rest.slice(0, q)).trim();
  const query = q < 0 ? '' : rest.slice(q + 1);
  const known = Object.keys(SYNTHETIC_DATASETS);
  const generator = Object.prototype.hasOwnProperty.call(SYNTHETIC_DATASETS, name) ? SYNTHETIC_DATASETS[name] : undefined;
  if (!generator) {
    const what = name === '' ? 'names no synthetic dataset' : `unknown synthetic dataset "${name}"`;
    throw new Error(`dataset "${spec}": ${what}; known: ${known.map((k) => SYNTHETIC_PREFIX + k).join(', ')}`);
  }
  const { values, given } = parseSyntheticParams(generator, query, spec);

  // A seed in the spec wins: it is the more specific request.
  let seed = DEFAULT_SEED;
  if (given.has('seed')) seed = values.seed;
  else if (options.seed !== undefined) {
    if (!Number.isSafeInteger(options.seed)) throw new Error(`dataset "${spec}": seed must be an integer, got ${options.seed}`);
    seed = options.seed;
  }

  const data = generator.generate(values, seed);
  return { source: spec, ...data, seed, description: generator.description };
}
