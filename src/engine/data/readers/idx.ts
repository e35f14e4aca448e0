/**
 * IDX files (MNIST, Fashion-MNIST, KMNIST, EMNIST, ...): `<prefix>-images-idx3-ubyte[.gz]` with
 * `<prefix>-labels-idx1-ubyte[.gz]`, gzipped or raw; `train-` and `t10k-`/`test-` prefixes become splits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { concatSplits, type LoadOptions, type ReaderResult, type SplitName } from '../types';
import { checkLabels, classCountOf, listDir, numberedClasses, plural, readMaybeGzip, shown } from '../util';

const IMAGES_RE = /^(.*?)[-_.]?images[-_.]idx([34])[-_.]ubyte(\.gz)?$/i;
const LABELS_RE = /^(.*?)[-_.]?labels[-_.]idx1[-_.]ubyte(\.gz)?$/i;

const IDX_TYPES: Record<number, string> = { 0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'short', 0x0c: 'int', 0x0d: 'float', 0x0e: 'double' };

export function isIdxName(name: string): boolean {
  return IMAGES_RE.test(name) || LABELS_RE.test(name);
}

/** Parses one IDX file: checks gzip, magic number, element type and size against the header. */
export function readIdx(file: string, expectedDims: number[], what: 'images' | 'labels'): { dims: number[]; data: Uint8Array } {
  const buf = readMaybeGzip(file);
  const expected = what === 'images' ? '0x00000803 (images)' : '0x00000801 (labels)';
  if (buf.length < 4) throw new Error(`${shown(file)}: not an IDX file: only ${plural(buf.length, 'byte')}`);
  const magic = buf.readUInt32BE(0);
  const magicHex = '0x' + magic.toString(16).padStart(8, '0');
  const type = buf[2];
  const ndim = buf[3];
  if (buf[0] !== 0 || buf[1] !== 0 || !(type in IDX_TYPES)) {
    throw new Error(`${shown(file)}: not an IDX file: magic number ${magicHex}, expected ${expected}`);
  }
  if (type !== 0x08) {
    throw new Error(`${shown(file)}: IDX element type ${IDX_TYPES[type]} (magic ${magicHex}) is not supported; only unsigned bytes (${expected})`);
  }
  if (!expectedDims.includes(ndim)) {
    throw new Error(`${shown(file)}: magic number ${magicHex} says ${ndim} dimensions; expected ${expected}`);
  }
  if (buf.length < 4 + 4 * ndim) throw new Error(`${shown(file)}: truncated IDX header`);
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * ndim;
  const size = dims.reduce((a, b) => a * b, 1);
  const held = buf.length - offset;
  const described = what === 'images' ? `${plural(dims[0], 'image')} of ${dims.slice(1).join('x')}` : plural(dims[0], 'label');
  if (held < size) {
    const whole = Math.floor(held / Math.max(1, size / Math.max(1, dims[0])));
    throw new Error(
      `${shown(file)}: truncated: the header says ${described} (${plural(size, 'byte')}) but the file holds ${plural(held, 'byte')} ` +
        `(${plural(whole, what === 'images' ? 'whole image' : 'label')})`,
    );
  }
  if (held > size) throw new Error(`${shown(file)}: ${plural(held - size, 'byte')} more than its header says (${described})`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + offset, size) };
}

interface IdxPair {
  prefix: string;
  images: string;
  labels: string;
  split: SplitName | undefined;
}

function splitOf(prefix: string): SplitName | undefined {
  const p = prefix.toLowerCase();
  if (/(^|[-_.])train$/.test(p) || p === 'train') return 'train';
  if (/(^|[-_.])(t10k|test)$/.test(p)) return 'test';
  if (/(^|[-_.])(val|valid|validation)$/.test(p)) return 'val';
  return undefined;
}

/** Finds image/label pairs in a folder, or the pair of a given images (or labels) file. */
export function findIdxPairs(target: string): IdxPair[] {
  const isFile = fs.statSync(target).isFile();
  const dir = isFile ? path.dirname(target) : target;
  const names = listDir(dir).filter((e) => e.isFile()).map((e) => e.name);
  const images = new Map<string, string>();
  const labels = new Map<string, string>();
  for (const name of names) {
    const im = IMAGES_RE.exec(name);
    // Raw files win over .gz twins: they are what the user unpacked.
    if (im && (!images.has(im[1]) || !im[3])) images.set(im[1], name);
    const lb = LABELS_RE.exec(name);
    if (lb && (!labels.has(lb[1]) || !lb[2])) labels.set(lb[1], name);
  }
  let prefixes = [...images.keys()];
  if (isFile) {
    const base = path.basename(target);
    const m = IMAGES_RE.exec(base) ?? LABELS_RE.exec(base);
    if (!m) throw new Error(`${shown(target)}: not an IDX file name (expected *-images-idx3-ubyte[.gz] or *-labels-idx1-ubyte[.gz])`);
    prefixes = [m[1]];
    if (IMAGES_RE.test(base)) images.set(m[1], base);
    else if (!images.has(m[1])) throw new Error(`${shown(target)}: no images file beside it (expected ${m[1]}-images-idx3-ubyte[.gz])`);
  }
  if (prefixes.length === 0) throw new Error(`${shown(dir)}: no IDX images file (*-images-idx3-ubyte[.gz])`);
  const pairs: IdxPair[] = [];
  for (const prefix of prefixes) {
    const imageFile = images.get(prefix)!;
    const labelFile = labels.get(prefix);
    if (!labelFile) {
      throw new Error(`${shown(path.join(dir, imageFile))}: no labels file beside it (expected ${prefix ? prefix + '-' : ''}labels-idx1-ubyte[.gz])`);
    }
    pairs.push({ prefix, images: path.join(dir, imageFile), labels: path.join(dir, labelFile), split: splitOf(prefix) });
  }
  // train before test; unnamed splits in name order.
  const order = { train: 0, val: 1, test: 2 };
  pairs.sort((a, b) => (order[a.split ?? 'test'] ?? 3) - (order[b.split ?? 'test'] ?? 3) || a.prefix.localeCompare(b.prefix));
  if (pairs.length > 1) {
    const unsplit = pairs.filter((p) => !p.split);
    if (unsplit.length) {
      throw new Error(
        `${shown(dir)}: ${pairs.length} IDX pairs (${pairs.map((p) => p.prefix).join(', ')}) and ${unsplit.map((p) => `"${p.prefix}"`).join(', ')} ` +
          `names no split (train-, t10k-/test-, val-); point at one file, or list them in a .dataset.json`,
      );
    }
  }
  return pairs;
}

export async function readIdxDataset(options: LoadOptions): Promise<ReaderResult> {
  let pairs: IdxPair[];
  if (options.files) {
    pairs = [];
    for (const [split, spec] of Object.entries(options.files)) {
      if (typeof spec !== 'object' || !spec.images || !spec.labels) {
        throw new Error(`files.${split} must be { "images": ..., "labels": ... } for IDX data`);
      }
      pairs.push({ prefix: split, images: path.resolve(options.path, spec.images), labels: path.resolve(options.path, spec.labels), split: split as SplitName });
    }
  } else {
    pairs = findIdxPairs(options.path);
  }
  let shape: number[] | undefined;
  let shapeFile = '';
  const parts: { split: SplitName | undefined; images: Uint8Array; labels: Uint8Array }[] = [];
  for (const pair of pairs) {
    const im = readIdx(pair.images, [3, 4], 'images');
    const lb = readIdx(pair.labels, [1], 'labels');
    if (im.dims[0] !== lb.dims[0]) {
      throw new Error(
        `${shown(pair.images)} holds ${plural(im.dims[0], 'image')} but ${shown(pair.labels)} holds ${plural(lb.dims[0], 'label')}: ` +
          `the counts must match`,
      );
    }
    const sampleShape = [im.dims[1], im.dims[2], im.dims[3] ?? 1];
    if (shape && shape.join('x') !== sampleShape.join('x')) {
      throw new Error(`${shown(pair.images)}: images of ${sampleShape.join('x')}, but ${shown(shapeFile)} has ${shape.join('x')}`);
    }
    shape = sampleShape;
    shapeFile = pair.images;
    parts.push({ split: pairs.length > 1 ? pair.split : pairs[0].split, images: im.data, labels: lb.data });
  }
  const joined = concatSplits(parts);
  const classCount = options.classNames?.length ?? classCountOf(joined.labels);
  if (options.classNames) {
    for (const [i, part] of parts.entries()) checkLabels(part.labels, classCount, pairs[i].labels);
  }
  return {
    format: 'idx',
    shape: shape!,
    classNames: options.classNames ?? numberedClasses(classCount),
    count: joined.labels.length,
    images: joined.images,
    labels: joined.labels,
    splits: joined.splits,
    warnings: [],
    files: pairs.flatMap((p) => [p.images, p.labels]),
  };
}
