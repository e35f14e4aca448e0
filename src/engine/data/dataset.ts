/**
 * The in-memory dataset the trainer consumes, and `loadDataset`, which turns a dataset argument
 * (`synthetic:<name>[?key=value&...]`, a file or folder, or a `*.dataset.json` descriptor) into one.
 * No TensorFlow.js here: `dl-lab data inspect` loads datasets in the CLI's own process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDescriptor, DESCRIPTOR_SUFFIX, type Descriptor } from './descriptor';
import { findCifar, readCifar } from './readers/cifar';
import { readCsv } from './readers/csv';
import { isIdxName, readIdxDataset } from './readers/idx';
import { IMAGE_EXTENSIONS } from './readers/images';
import { readImageFolder } from './readers/imageFolder';
import { readNpy } from './readers/npy';
import { parseSyntheticParams, SYNTHETIC_DATASETS } from './synthetic';
import type { DatasetFormat, LoadOptions, NormalizationSpec, ReaderResult, SplitName } from './types';
import { checkInside, checkRegularFile, datasetSignature, entryKind, listDir, readingOnlyWithin, shown } from './util';
import { excerpt, printable } from '../../util/text';

export type { DatasetFormat, Normalization, NormalizationSpec, SplitName } from './types';

export interface ImageDataset {
  /** What the user typed: 'synthetic:shapes' or a path. */
  source: string;
  /** Sample shape: height x width x channels for images, [features] for tabular data (CSV, NPY [N,F]). */
  shape: number[];
  classNames: string[];
  count: number;
  /**
   * count*prod(shape) bytes, sample-major, HWC within a sample; converted to float32 one batch at a time.
   * Empty when the samples are floats (`values`).
   */
  images: Uint8Array;
  /** count class indices. */
  labels: Uint8Array;
  /** Seed the data was generated from (synthetic datasets only). */
  seed?: number;
  /** One line about the data, for logs and run summaries. */
  description?: string;
  /** Where the data came from. */
  format?: DatasetFormat;
  /** Float samples (CSV, float NPY), count*prod(shape); `images` is then empty. */
  values?: Float32Array;
  /** Splits that the files define (IDX train-/t10k-, CIFAR batches, train/ val/ test/ folders), as sample indices. */
  splits?: Partial<Record<SplitName, Uint32Array>>;
  /** Normalisation asked for by a descriptor; the default is 'standardize'. */
  normalization?: NormalizationSpec;
  /** Validation fraction asked for by a descriptor (a --validation-split still wins). */
  validationSplit?: number;
  /** Augmentation asked for by a descriptor (the model file's training.augment wins). */
  augment?: Record<string, unknown>;
  /** Problems skipped over while reading, one line each, with counts. */
  warnings?: string[];
  /** The files read. */
  files?: string[];
}

/** Shapes and classes read before, by dataset signature (datasetShape). */
const shapes = new Map<string, { shape: number[]; classNames: string[] }>();
const SHAPES_CACHED = 8;

/**
 * A dataset's sample shape and class names, remembered while its files stay the same: a model summary
 * (inlay hints, the Models view) asks on every save, and a 50,000-image folder takes seconds to read.
 */
export async function datasetShape(spec: string): Promise<{ shape: number[]; classNames: string[] }> {
  const key = datasetSignature(spec);
  let value = shapes.get(key);
  if (!value) {
    const dataset = await loadDataset(spec);
    value = { shape: [...dataset.shape], classNames: [...dataset.classNames] };
    shapes.set(key, value);
    if (shapes.size > SHAPES_CACHED) shapes.delete(shapes.keys().next().value!);
  }
  // Copies: callers may change what they get.
  return { shape: [...value.shape], classNames: [...value.classNames] };
}

const SYNTHETIC_PREFIX = 'synthetic:';
/** Seed used when neither the caller nor the spec gives one, so that an unseeded load is still reproducible. */
const DEFAULT_SEED = 1;

/**
 * `within`: the folders the load may read from (the workspace, when it is not trusted); every file and
 * folder read is checked, symbolic links resolved.
 */
export async function loadDataset(spec: string, options: { seed?: number; within?: string[] } = {}): Promise<ImageDataset> {
  return readingOnlyWithin(options.within, () => loadDatasetFrom(spec, options));
}

async function loadDatasetFrom(spec: string, options: { seed?: number }): Promise<ImageDataset> {
  const trimmed = spec.trim();
  if (trimmed === '') throw new Error(`dataset is empty; use synthetic:shapes or a path`);
  if (trimmed.startsWith(SYNTHETIC_PREFIX)) return loadSynthetic(trimmed, options);

  const abs = path.resolve(trimmed);
  checkInside(abs);
  if (!fs.existsSync(abs)) throw new Error(`dataset path not found: ${abs}`);
  // A named pipe or a device would block or never end: only folders and regular files are read.
  if (!fs.statSync(abs).isDirectory()) checkRegularFile(abs);
  let descriptor: Descriptor | undefined;
  let target = abs;
  const descriptorFile = findDescriptor(abs);
  if (descriptorFile) {
    descriptor = readDescriptor(descriptorFile);
    target = descriptor.path;
    checkInside(target);
    if (!fs.existsSync(target)) throw new Error(`${shown(descriptorFile)}: path ${excerpt(JSON.stringify(descriptor.raw.path ?? '.'))} not found (${printable(target)})`);
    if (!fs.statSync(target).isDirectory()) checkRegularFile(target);
  }
  const format = descriptor?.format ?? detectFormat(target);
  const loadOptions: LoadOptions = {
    path: target,
    imageSize: descriptor?.imageSize,
    channels: descriptor?.channels,
    classNames: descriptor?.classNames,
    labelColumn: descriptor?.labelColumn,
    files: descriptor?.files,
  };
  let data: ReaderResult;
  try {
    data = await readFormat(format, loadOptions);
  } catch (err) {
    if (err instanceof Error && descriptorFile && !err.message.includes(path.basename(descriptorFile))) {
      err.message = `${err.message} (reading ${shown(descriptorFile)})`;
    }
    throw err;
  }
  // Said here, about the data: an empty dataset would otherwise pass inspection and fail in training,
  // where the message blames the model file.
  if (data.count === 0) throw new Error(`${shown(target)}: the dataset holds no samples`);
  if (data.shape.some((d) => d === 0)) throw new Error(`${shown(target)}: its samples have shape ${data.shape.join('x')}, which holds no values`);
  if (descriptor?.classNames && descriptor.classNames.length < data.classNames.length) {
    throw new Error(`${shown(descriptorFile!)}: classNames lists ${descriptor.classNames.length} classes but the data has ${data.classNames.length}`);
  }
  const { format: readFormatName, warnings, files, ...rest } = data;
  return {
    source: spec,
    ...rest,
    format: readFormatName,
    description: describe(data),
    warnings,
    files,
    normalization: descriptor?.normalization,
    validationSplit: descriptor?.validationSplit,
    augment: descriptor?.augment,
  };
}

function readFormat(format: DatasetFormat, options: LoadOptions): Promise<ReaderResult> {
  switch (format) {
    case 'idx':
      return readIdxDataset(options);
    case 'cifar10':
    case 'cifar100':
      return readCifar(options, format);
    case 'image-folder':
      if (!fs.statSync(options.path).isDirectory()) throw new Error(`${shown(options.path)}: an image folder dataset must be a folder`);
      return readImageFolder(options);
    case 'csv':
      return readCsv(options);
    case 'npy':
      return readNpy(options, false);
    case 'npz':
      return readNpy(options, true);
    case 'synthetic':
      throw new Error(`format "synthetic" is addressed as synthetic:<name>, not as a file`);
  }
}

/** A `*.dataset.json` named directly, or the only one in a folder. */
function findDescriptor(abs: string): string | undefined {
  if (fs.statSync(abs).isFile()) return abs.endsWith(DESCRIPTOR_SUFFIX) ? abs : undefined;
  const found = listDir(abs).filter((e) => e.isFile() && e.name.endsWith(DESCRIPTOR_SUFFIX));
  if (found.length > 1) throw new Error(`${shown(abs)}: ${found.length} ${DESCRIPTOR_SUFFIX} files (${found.map((f) => f.name).join(', ')}); point at one`);
  return found.length ? path.join(abs, found[0].name) : undefined;
}

const DETECT_HELP =
  'expected IDX files (*-images-idx3-ubyte[.gz] + *-labels-idx1-ubyte[.gz]), CIFAR batches (data_batch_*.bin, test_batch.bin), ' +
  'x.npy + y.npy, a .npz or .csv file, one sub-folder of PNG/JPEG images per class, or a *.dataset.json descriptor';

/** Which reader a path needs, from its name and contents. */
export function detectFormat(abs: string): DatasetFormat {
  const stat = fs.statSync(abs);
  if (stat.isFile()) {
    const name = path.basename(abs);
    const lower = name.toLowerCase();
    if (isIdxName(name)) return 'idx';
    if (lower.endsWith('.csv')) return 'csv';
    if (lower.endsWith('.npz')) return 'npz';
    if (lower.endsWith('.npy')) return 'npy';
    if (lower.endsWith('.bin') || lower.endsWith('.bin.gz')) {
      const cifar = findCifar(abs);
      if (cifar) return cifar.format;
    }
    if (IMAGE_EXTENSIONS.has(path.extname(lower))) {
      throw new Error(`${shown(abs)}: one image is not a dataset; give the folder that holds one sub-folder of images per class`);
    }
    throw new Error(`${shown(abs)}: unknown dataset file; ${DETECT_HELP}`);
  }
  const entries = listDir(abs);
  const files = entries.filter((e) => e.isFile()).map((e) => e.name);
  if (files.some(isIdxName)) return 'idx';
  const cifar = findCifar(abs);
  if (cifar) return cifar.format;
  if (files.includes('x.npy') || files.includes('x_train.npy') || files.includes('images.npy')) return 'npy';
  if (files.some((f) => f.toLowerCase().endsWith('.npz'))) return 'npz';
  if (files.some((f) => f.toLowerCase().endsWith('.csv'))) return 'csv';
  if (entries.some((e) => entryKind(abs, e) === 'directory')) return 'image-folder';
  throw new Error(`${shown(abs)}: no dataset found (${files.length ? `${files.length} files, none recognised` : 'the folder is empty'}); ${DETECT_HELP}`);
}

function describe(data: ReaderResult): string {
  const what: Record<DatasetFormat, string> = {
    synthetic: 'synthetic',
    idx: 'IDX',
    cifar10: 'CIFAR-10 binary',
    cifar100: 'CIFAR-100 binary',
    'image-folder': 'image folder',
    csv: 'CSV',
    npy: 'NPY',
    npz: 'NPZ',
  };
  return `${what[data.format]}: ${data.count.toLocaleString('en-US')} samples of ${data.shape.join('x')}, ${data.classNames.length} classes`;
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
  return { source: spec, ...data, seed, description: generator.description, format: 'synthetic', warnings: [] };
}
