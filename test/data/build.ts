/**
 * Builders for dataset tests: every file is made from the real data in ../shared/datasets (MNIST IDX,
 * CIFAR-10 JPEGs), then truncated, flipped or re-encoded as a test needs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { PNG } from 'pngjs';
import { decodeImage } from '../../src/engine/data/readers/images';
import { ROOT, tempDir } from '../helpers';

export const DATASETS = path.resolve(ROOT, '..', 'shared', 'datasets');
export const MNIST = path.join(DATASETS, 'mnist');
export const CIFAR_FOLDER = path.join(DATASETS, 'cifar10-small');
export const MNIST_IMAGES_GZ = path.join(MNIST, 't10k-images-idx3-ubyte.gz');
export const MNIST_LABELS_GZ = path.join(MNIST, 't10k-labels-idx1-ubyte.gz');
export const CIFAR_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

let root: string | undefined;
/** A fresh folder under one temporary folder per test process (removed at exit). */
export function scratch(prefix = 'd-'): string {
  root ??= tempDir('dl-lab-data-test-');
  return fs.mkdtempSync(path.join(root, prefix));
}

let rawCache: { images: Buffer; labels: Buffer } | undefined;
/** The unpacked MNIST IDX files. */
export function mnistRaw(): { images: Buffer; labels: Buffer } {
  rawCache ??= { images: zlib.gunzipSync(fs.readFileSync(MNIST_IMAGES_GZ)), labels: zlib.gunzipSync(fs.readFileSync(MNIST_LABELS_GZ)) };
  return rawCache;
}

/** An IDX file of the first `n` MNIST images (or labels), header rewritten. */
export function mnistSubset(n: number, what: 'images' | 'labels'): Buffer {
  const raw = mnistRaw()[what];
  const header = what === 'images' ? 16 : 8;
  const size = what === 'images' ? 784 : 1;
  const out = Buffer.concat([raw.subarray(0, header), raw.subarray(header, header + n * size)]);
  out.writeUInt32BE(n, 4);
  return out;
}

/** A folder with `t10k-*` (or the given prefix) IDX files of the first n MNIST samples; gz or raw. */
export function idxFolder(n: number, options: { gzip?: boolean; prefixes?: string[]; dir?: string } = {}): string {
  const dir = options.dir ?? scratch('idx-');
  for (const prefix of options.prefixes ?? ['t10k']) {
    for (const what of ['images', 'labels'] as const) {
      const name = `${prefix}-${what}-idx${what === 'images' ? 3 : 1}-ubyte`;
      const data = mnistSubset(n, what);
      if (options.gzip) fs.writeFileSync(path.join(dir, name + '.gz'), zlib.gzipSync(data));
      else fs.writeFileSync(path.join(dir, name), data);
    }
  }
  return dir;
}

/** A copy of `perClass` JPEGs of each of `classes` (default all) from the CIFAR folder. */
export function cifarFolder(perClass: number, classes = CIFAR_CLASSES, dir = scratch('imgs-')): string {
  for (const c of classes) {
    fs.mkdirSync(path.join(dir, c), { recursive: true });
    const files = fs.readdirSync(path.join(CIFAR_FOLDER, c)).sort().slice(0, perClass);
    for (const f of files) fs.copyFileSync(path.join(CIFAR_FOLDER, c, f), path.join(dir, c, f));
  }
  return dir;
}

/** One CIFAR JPEG's file and decoded RGB pixels. */
export function cifarImage(className: string, index = 0): { file: string; rgb: Uint8Array } {
  const file = path.join(CIFAR_FOLDER, className, fs.readdirSync(path.join(CIFAR_FOLDER, className)).sort()[index]);
  return { file, rgb: decodeImage(fs.readFileSync(file)).data };
}

export function encodePng(width: number, height: number, channels: 1 | 3, data: Uint8Array): Buffer {
  const png = new PNG({ width, height, colorType: channels === 1 ? 0 : 2, inputColorType: channels === 1 ? 0 : 2, inputHasAlpha: false });
  png.data = Buffer.from(data);
  return PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2, inputColorType: channels === 1 ? 0 : 2, inputHasAlpha: false });
}

/** CIFAR-10 binary records (label, then R, G, B planes) of the first `perClass` JPEGs of each class. */
export function cifarBinary(perClass: number): { buffer: Buffer; labels: number[]; hwc: Uint8Array[] } {
  const records: Buffer[] = [];
  const labels: number[] = [];
  const hwc: Uint8Array[] = [];
  for (let i = 0; i < perClass; i++) {
    CIFAR_CLASSES.forEach((c, label) => {
      const { rgb } = cifarImage(c, i);
      const rec = Buffer.alloc(3073);
      rec[0] = label;
      for (let p = 0; p < 1024; p++) for (let ch = 0; ch < 3; ch++) rec[1 + ch * 1024 + p] = rgb[p * 3 + ch];
      records.push(rec);
      labels.push(label);
      hwc.push(rgb);
    });
  }
  return { buffer: Buffer.concat(records), labels, hwc };
}

/** A .npy file's bytes (version 1.0). */
export function npy(descr: string, shape: number[], data: Uint8Array): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/** A zip archive (as numpy.savez writes: one .npy per array), stored or deflated. */
export function zip(entries: Record<string, Buffer>, deflate: boolean): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(entries)) {
    const body = deflate ? zlib.deflateRawSync(data) : data;
    const nameBuf = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(deflate ? 8 : 0, 10);
    dir.writeUInt32LE(body.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(nameBuf.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, body);
    central.push(dir, nameBuf);
    offset += 30 + nameBuf.length + body.length;
  }
  const centralBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(centralBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBuf, end]);
}

/** A CSV of the first n MNIST images: 784 pixel columns px0..px783 and a `label` column (header first). */
export function mnistCsv(n: number, labelFirst = false): string {
  const { images, labels } = mnistRaw();
  const cols = Array.from({ length: 784 }, (_, i) => `px${i}`);
  const rows = [labelFirst ? ['label', ...cols].join(',') : [...cols, 'label'].join(',')];
  for (let i = 0; i < n; i++) {
    const px = Array.from(images.subarray(16 + i * 784, 16 + (i + 1) * 784));
    rows.push((labelFirst ? [labels[8 + i], ...px] : [...px, labels[8 + i]]).join(','));
  }
  return rows.join('\n') + '\n';
}
