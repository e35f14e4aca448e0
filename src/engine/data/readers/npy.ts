/**
 * NumPy files: `x.npy` + `y.npy` (or `x_train.npy`, `y_train.npy`, `x_test.npy`, `y_test.npy`), or one
 * `.npz` archive with those arrays (Keras' `mnist.npz` layout). x: uint8 images [N,H,W] or [N,H,W,C] (kept
 * as bytes), or float/int features [N,F] or images (kept as float32); y: integer class indices [N] (or
 * one-hot [N,K]).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { concatSplits, type LoadOptions, type ReaderResult, type SplitName } from '../types';
import { excerpt } from '../../../util/text';
import { checkDataBytes } from '../limits';
import { checkLabels, classCountOf, listDir, numberedClasses, plural, readRegularFile, shown } from '../util';

export interface NpyArray {
  dtype: string;
  shape: number[];
  /** uint8 data as is; anything else as float64 (exact for every integer label). */
  bytes?: Uint8Array;
  numbers?: Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parses one .npy buffer; `name` is used in messages. */
export function parseNpy(buf: Uint8Array, name: string): NpyArray {
  if (buf.length < 10 || !MAGIC.every((b, i) => buf[i] === b)) throw new Error(`${name}: not a .npy file (no \\x93NUMPY magic)`);
  const major = buf[6];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > buf.length) throw new Error(`${name}: truncated .npy header`);
  const header = Buffer.from(buf.buffer, buf.byteOffset + start, headerLen).toString('latin1');
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${name}: unreadable .npy header: ${excerpt(header.trim())}`);
  if (fortran === 'True') throw new Error(`${name}: Fortran-ordered arrays are not supported; save with np.ascontiguousarray`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new Error(`${name}: the header's shape (${excerpt(shapeText)}) is not a list of sizes >= 0`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const m = /^([<>|=])([uifb])(\d+)$/.exec(descr);
  if (!m) throw new Error(`${name}: dtype ${descr} is not supported (use uint8, integers or floats)`);
  const [, order, kind, sizeText] = m;
  const size = Number(sizeText);
  const dataStart = start + headerLen;
  const need = count * size;
  if (buf.length - dataStart < need) {
    throw new Error(`${name}: truncated: shape (${shape.join(', ')}) of ${descr} needs ${plural(need, 'byte')}, the file holds ${plural(buf.length - dataStart, 'byte')}`);
  }
  // Checked before allocating: anything but uint8 is held as float64, 8 bytes a value.
  checkDataBytes(name, (kind === 'u' || kind === 'b') && size === 1 ? need : count * 8, `shape (${shape.join(', ')})`);
  if ((kind === 'u' || kind === 'b') && size === 1) return { dtype: 'uint8', shape, bytes: new Uint8Array(buf.subarray(dataStart, dataStart + need)) };
  const little = order !== '>';
  const numbers = new Float64Array(count);
  const read: Record<string, (o: number) => number> = {
    i1: (o) => dv.getInt8(o),
    i2: (o) => dv.getInt16(o, little),
    u2: (o) => dv.getUint16(o, little),
    i4: (o) => dv.getInt32(o, little),
    u4: (o) => dv.getUint32(o, little),
    i8: (o) => Number(dv.getBigInt64(o, little)),
    u8: (o) => Number(dv.getBigUint64(o, little)),
    f4: (o) => dv.getFloat32(o, little),
    f8: (o) => dv.getFloat64(o, little),
  };
  const reader = read[kind + size];
  if (!reader) throw new Error(`${name}: dtype ${descr} is not supported (use uint8, integers or floats)`);
  for (let i = 0, o = dataStart; i < count; i++, o += size) numbers[i] = reader(o);
  return { dtype: descr.slice(1), shape, numbers };
}

/** The stored files of a .npz (a zip archive), as name -> bytes. */
export function readZip(file: string): Map<string, Uint8Array> {
  const buf = readRegularFile(file);
  const name = shown(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${name}: not a .npz (zip) archive, or truncated: no end-of-archive record`);
  const entries = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Uint8Array>();
  for (let e = 0; e < entries; e++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${name}: corrupt zip directory (entry ${e + 1})`);
    const method = buf.readUInt16LE(p + 10);
    let compressed = buf.readUInt32LE(p + 20);
    let uncompressed = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let local = buf.readUInt32LE(p + 42);
    const entryName = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (compressed === 0xffffffff || local === 0xffffffff) {
      // ZIP64 extra field: uncompressed, compressed, local offset (those that overflowed, in this order).
      let q = p + 46 + nameLen;
      const end = q + extraLen;
      while (q + 4 <= end) {
        const id = buf.readUInt16LE(q);
        const len = buf.readUInt16LE(q + 2);
        if (id === 0x0001) {
          let r = q + 4;
          if (uncompressed === 0xffffffff) {
            uncompressed = Number(buf.readBigUInt64LE(r));
            r += 8;
          }
          if (compressed === 0xffffffff) {
            compressed = Number(buf.readBigUInt64LE(r));
            r += 8;
          }
          if (local === 0xffffffff) local = Number(buf.readBigUInt64LE(r));
        }
        q += 4 + len;
      }
    }
    p += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`${name}: corrupt zip entry "${entryName}"`);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (dataStart + compressed > buf.length) throw new Error(`${name}: truncated: entry "${entryName}" runs past the end of the file`);
    const data = buf.subarray(dataStart, dataStart + compressed);
    if (method === 0) out.set(entryName, data);
    else if (method === 8) {
      // A few kilobytes can inflate to gigabytes: the size the directory claims is checked first, and
      // inflating stops there, so an entry that claims little and inflates to more is caught as well.
      checkDataBytes(file, uncompressed, `entry "${excerpt(entryName)}" inflates to ${plural(uncompressed, 'byte')}, which`);
      try {
        out.set(entryName, zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, uncompressed) }));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ERR_BUFFER_TOO_LARGE') throw new Error(`${name}: entry "${excerpt(entryName)}" inflates past the ${plural(uncompressed, 'byte')} the archive claims for it: a corrupt or hostile archive`);
        throw new Error(`${name}: corrupt compressed entry "${entryName}" (${(err as Error).message})`);
      }
    } else throw new Error(`${name}: entry "${entryName}" uses zip compression method ${method}; only stored and deflated are supported`);
  }
  return out;
}

const X_NAMES: Record<string, SplitName | undefined> = { x: undefined, images: undefined, x_train: 'train', x_val: 'val', x_test: 'test' };

function yName(x: string): string {
  return x === 'images' ? 'labels' : 'y' + x.slice(1);
}

interface Pair {
  split: SplitName | undefined;
  x: NpyArray;
  y: NpyArray;
  xName: string;
  yName: string;
}

function pairsFromFolder(dir: string): Pair[] {
  const names = new Set(listDir(dir).filter((e) => e.isFile()).map((e) => e.name));
  const pairs: Pair[] = [];
  for (const [x, split] of Object.entries(X_NAMES)) {
    if (!names.has(`${x}.npy`)) continue;
    const xFile = path.join(dir, `${x}.npy`);
    const yFile = path.join(dir, `${yName(x)}.npy`);
    if (!names.has(`${yName(x)}.npy`)) throw new Error(`${shown(xFile)}: no ${yName(x)}.npy beside it for the labels`);
    pairs.push({ split, x: parseNpy(readRegularFile(xFile), shown(xFile)), y: parseNpy(readRegularFile(yFile), shown(yFile)), xName: shown(xFile), yName: shown(yFile) });
  }
  if (!pairs.length) throw new Error(`${shown(dir)}: no x.npy + y.npy (or x_train.npy + y_train.npy) pair`);
  return pairs;
}

function pairsFromNpz(file: string): Pair[] {
  const entries = readZip(file);
  const arrays = new Map([...entries].map(([k, v]) => [k.replace(/\.npy$/, ''), v]));
  const pairs: Pair[] = [];
  for (const [x, split] of Object.entries(X_NAMES)) {
    const xb = arrays.get(x);
    if (!xb) continue;
    const yb = arrays.get(yName(x));
    if (!yb) throw new Error(`${shown(file)}: holds "${x}" but no "${yName(x)}" for the labels (arrays: ${[...arrays.keys()].join(', ')})`);
    const xn = `${shown(file)}[${x}]`;
    const yn = `${shown(file)}[${yName(x)}]`;
    pairs.push({ split, x: parseNpy(xb, xn), y: parseNpy(yb, yn), xName: xn, yName: yn });
  }
  if (!pairs.length) throw new Error(`${shown(file)}: no "x" and "y" (or "x_train" and "y_train") arrays; it holds ${[...arrays.keys()].join(', ') || 'nothing'}`);
  return pairs;
}

function labelsOf(y: NpyArray, n: number, name: string): Uint8Array {
  const dims = y.shape;
  const labels = new Uint8Array(n);
  if (dims.length === 2 && dims[1] > 1) {
    const k = dims[1];
    const v = y.numbers ?? Float64Array.from(y.bytes!);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (v[i * k + j] > v[i * k + best]) best = j;
      labels[i] = best;
    }
    return labels;
  }
  if (!(dims.length === 1 || (dims.length === 2 && dims[1] === 1))) throw new Error(`${name}: labels of shape (${dims.join(', ')}); expected (N,) class indices or (N, K) one-hot`);
  if (y.bytes) return new Uint8Array(y.bytes.subarray(0, n));
  for (let i = 0; i < n; i++) {
    const v = y.numbers![i];
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new Error(`${name}: label ${v} at index ${i} is not a class index from 0 to 255`);
    labels[i] = v;
  }
  return labels;
}

export async function readNpy(options: LoadOptions, npz: boolean): Promise<ReaderResult> {
  let pairs: Pair[];
  if (options.files) {
    pairs = Object.entries(options.files).map(([split, spec]) => {
      if (typeof spec !== 'object' || !spec.x || !spec.y) throw new Error(`files.${split} must be { "x": ..., "y": ... } for NPY data`);
      const xf = path.resolve(options.path, spec.x);
      const yf = path.resolve(options.path, spec.y);
      return { split: split as SplitName, x: parseNpy(readRegularFile(xf), shown(xf)), y: parseNpy(readRegularFile(yf), shown(yf)), xName: shown(xf), yName: shown(yf) };
    });
  } else if (npz) {
    let file = options.path;
    if (fs.statSync(file).isDirectory()) {
      const found = listDir(file).filter((e) => e.isFile() && e.name.endsWith('.npz'));
      if (found.length !== 1) throw new Error(`${shown(file)}: ${found.length} .npz files; point at one`);
      file = path.join(file, found[0].name);
    }
    pairs = pairsFromNpz(file);
  } else {
    pairs = pairsFromFolder(fs.statSync(options.path).isDirectory() ? options.path : path.dirname(options.path));
  }
  let shape: number[] | undefined;
  const float = pairs.some((p) => !p.x.bytes);
  const parts = pairs.map((p) => {
    const n = p.x.shape[0];
    const dims = p.x.shape.slice(1);
    const sampleShape = dims.length === 2 ? [dims[0], dims[1], 1] : dims.length === 3 || dims.length === 1 ? dims : undefined;
    if (!sampleShape || p.x.shape.length === 0) {
      throw new Error(`${p.xName}: samples of shape (${p.x.shape.join(', ')}); expected (N, H, W), (N, H, W, C) or (N, features)`);
    }
    if (shape && shape.join('x') !== sampleShape.join('x')) throw new Error(`${p.xName}: samples of ${sampleShape.join('x')}, but an earlier array has ${shape.join('x')}`);
    shape = sampleShape;
    if (p.y.shape[0] !== n) {
      throw new Error(`${p.xName} holds ${plural(n, 'sample')} but ${p.yName} holds ${plural(p.y.shape[0] ?? 0, 'label')}: the counts must match`);
    }
    const labels = labelsOf(p.y, n, p.yName);
    const values = float ? Float32Array.from(p.x.numbers ?? p.x.bytes!) : undefined;
    return { split: pairs.length > 1 ? p.split : p.split, images: float ? new Uint8Array(0) : p.x.bytes!, values, labels, yName: p.yName };
  });
  const joined = concatSplits(parts);
  const classCount = options.classNames?.length ?? classCountOf(joined.labels);
  if (options.classNames) for (const p of parts) checkLabels(p.labels, classCount, p.yName);
  return {
    format: npz ? 'npz' : 'npy',
    shape: shape!,
    classNames: options.classNames ?? numberedClasses(classCount),
    count: joined.labels.length,
    images: float ? new Uint8Array(0) : joined.images,
    values: float ? joined.values : undefined,
    labels: joined.labels,
    splits: joined.splits,
    warnings: [],
    files: pairs.flatMap((p) => [p.xName, p.yName]),
  };
}
