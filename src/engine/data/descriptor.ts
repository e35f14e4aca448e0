/**
 * `*.dataset.json`: says what a path cannot (format, files per split, class names, image size, channels,
 * normalisation, validation split, augmentation). Paths in it are relative to the descriptor's folder.
 *
 *   { "format": "idx", "path": ".", "files": { "train": { "images": "a.gz", "labels": "b.gz" } },
 *     "classNames": ["T-shirt", ...], "imageSize": [28, 28], "channels": 1,
 *     "normalization": "standardize" | "scale" | "none" | { "mean": [...], "std": [...] },
 *     "validationSplit": 0.2, "labelColumn": "species", "augment": { "flipHorizontal": true } }
 */
import * as path from 'node:path';
import { DATASET_FORMATS, type DatasetFormat, type LoadOptions, type NormalizationSpec, SPLIT_NAMES } from './types';
import { readRegularFile, shown } from './util';
import { excerpt, printable } from '../../util/text';

export const DESCRIPTOR_SUFFIX = '.dataset.json';

export interface Descriptor {
  file: string;
  raw: Record<string, unknown>;
  format?: DatasetFormat;
  path: string;
  files?: LoadOptions['files'];
  classNames?: string[];
  imageSize?: [number, number];
  channels?: 1 | 3;
  labelColumn?: string;
  normalization?: NormalizationSpec;
  validationSplit?: number;
  augment?: Record<string, unknown>;
}

const KEYS = ['format', 'path', 'files', 'classNames', 'imageSize', 'channels', 'labelColumn', 'normalization', 'validationSplit', 'augment', 'description', '$schema'];

export function readDescriptor(file: string): Descriptor {
  const where = shown(file);
  let raw: unknown;
  const text = readRegularFile(file, 'utf8');
  try {
    raw = JSON.parse(text);
  } catch (err) {
    // V8 quotes the start of the text: escaped, a descriptor cannot drive the terminal.
    throw new Error(`${where}: not valid JSON (${printable((err as Error).message)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${where}: must hold a JSON object`);
  const o = raw as Record<string, unknown>;
  const bad = (key: string, expected: string): never => {
    throw new Error(`${where}: "${excerpt(key)}" is ${excerpt(JSON.stringify(o[key]) ?? String(o[key]))}; expected ${expected}`);
  };
  for (const key of Object.keys(o)) {
    if (!KEYS.includes(key)) throw new Error(`${where}: unknown key "${excerpt(key)}" (known: ${KEYS.filter((k) => k !== '$schema').join(', ')})`);
  }
  const d: Descriptor = { file, raw: o, path: path.resolve(path.dirname(file), typeof o.path === 'string' ? o.path : '.') };
  if (o.path !== undefined && typeof o.path !== 'string') bad('path', 'a path relative to the descriptor');
  if (o.format !== undefined) {
    if (!(DATASET_FORMATS as readonly unknown[]).includes(o.format) || o.format === 'synthetic') bad('format', `one of ${DATASET_FORMATS.filter((f) => f !== 'synthetic').join(', ')}`);
    d.format = o.format as DatasetFormat;
  }
  if (o.files !== undefined) {
    if (typeof o.files !== 'object' || o.files === null || Array.isArray(o.files)) bad('files', 'an object with train/val/test entries');
    for (const [split, spec] of Object.entries(o.files as object)) {
      if (!(SPLIT_NAMES as readonly string[]).includes(split)) throw new Error(`${where}: files.${split}: unknown split (known: ${SPLIT_NAMES.join(', ')})`);
      const ok = typeof spec === 'string' || (typeof spec === 'object' && spec !== null && Object.values(spec).every((v) => typeof v === 'string'));
      if (!ok) throw new Error(`${where}: files.${split} must be a file name or an object of file names`);
    }
    d.files = o.files as LoadOptions['files'];
  }
  if (o.classNames !== undefined) {
    if (!Array.isArray(o.classNames) || !o.classNames.length || !o.classNames.every((c) => typeof c === 'string')) bad('classNames', 'an array of strings');
    d.classNames = o.classNames as string[];
  }
  if (o.imageSize !== undefined) {
    const s = o.imageSize;
    const size = typeof s === 'number' ? [s, s] : s;
    if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && v > 0 && v <= 4096)) bad('imageSize', '[height, width] in pixels, or one number');
    d.imageSize = size as [number, number];
  }
  if (o.channels !== undefined) {
    if (o.channels !== 1 && o.channels !== 3) bad('channels', '1 (grey) or 3 (RGB)');
    d.channels = o.channels as 1 | 3;
  }
  if (o.labelColumn !== undefined) {
    if (typeof o.labelColumn !== 'string' && typeof o.labelColumn !== 'number') bad('labelColumn', 'a column name or index');
    d.labelColumn = String(o.labelColumn);
  }
  if (o.normalization !== undefined) {
    const n = o.normalization;
    const named = n === 'standardize' || n === 'scale' || n === 'none';
    const given =
      typeof n === 'object' && n !== null && Array.isArray((n as any).mean) && Array.isArray((n as any).std) &&
      (n as any).mean.length === (n as any).std.length && [...(n as any).mean, ...(n as any).std].every((v: unknown) => typeof v === 'number' && Number.isFinite(v)) &&
      (n as any).std.every((v: number) => v > 0);
    if (!named && !given) bad('normalization', '"standardize", "scale", "none" or { "mean": [...], "std": [...] } per channel (std > 0)');
    d.normalization = n as NormalizationSpec;
  }
  if (o.validationSplit !== undefined) {
    if (typeof o.validationSplit !== 'number' || !(o.validationSplit >= 0 && o.validationSplit < 1)) bad('validationSplit', 'a number in [0, 1)');
    d.validationSplit = o.validationSplit as number;
  }
  if (o.augment !== undefined) {
    if (typeof o.augment !== 'object' || o.augment === null || Array.isArray(o.augment)) bad('augment', 'an object, e.g. { "flipHorizontal": true }');
    d.augment = o.augment as Record<string, unknown>;
  }
  return d;
}
