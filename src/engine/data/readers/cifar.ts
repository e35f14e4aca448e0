/**
 * CIFAR-10 and CIFAR-100 binary batches: `data_batch_1.bin` ... `data_batch_5.bin` + `test_batch.bin`
 * (one label byte, then 3072 bytes of R, G and B planes per record), or CIFAR-100's `train.bin` +
 * `test.bin` (coarse and fine label bytes first; the fine label is used). Class names come from
 * `batches.meta.txt` / `fine_label_names.txt`. Planes are turned into HWC.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { concatSplits, type DatasetFormat, type LoadOptions, type ReaderResult, type SplitName } from '../types';
import { checkLabels, listDir, numberedClasses, plural, readMaybeGzip, readRegularFile, shown, yieldToEventLoop } from '../util';

const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const SIDE = 32;
const PIXELS = SIDE * SIDE * 3;

interface Layout {
  format: 'cifar10' | 'cifar100';
  dir: string;
  files: { file: string; split: SplitName }[];
}

/** The CIFAR layout of a folder (or of its `cifar-10-batches-bin` / `cifar-100-binary` sub-folder), if any. */
export function findCifar(target: string): Layout | undefined {
  const stat = fs.statSync(target);
  const dirs = stat.isFile() ? [path.dirname(target)] : [target, path.join(target, 'cifar-10-batches-bin'), path.join(target, 'cifar-100-binary')];
  for (const dir of dirs) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) continue;
    const names = listDir(dir).filter((e) => e.isFile()).map((e) => e.name);
    const batches = names.filter((n) => /^data_batch_\d+\.bin(\.gz)?$/.test(n)).sort((a, b) => parseInt(a.slice(11)) - parseInt(b.slice(11)));
    const test10 = names.find((n) => /^test_batch\.bin(\.gz)?$/.test(n));
    let layout: Layout | undefined;
    if (batches.length || test10) {
      layout = { format: 'cifar10', dir, files: [...batches.map((f) => ({ file: f, split: 'train' as SplitName })), ...(test10 ? [{ file: test10, split: 'test' as SplitName }] : [])] };
    } else if ((names.includes('train.bin') || names.includes('test.bin')) && (names.includes('fine_label_names.txt') || names.includes('coarse_label_names.txt'))) {
      layout = { format: 'cifar100', dir, files: [] };
      if (names.includes('train.bin')) layout.files.push({ file: 'train.bin', split: 'train' });
      if (names.includes('test.bin')) layout.files.push({ file: 'test.bin', split: 'test' });
    }
    if (!layout) continue;
    if (stat.isFile()) {
      const base = path.basename(target);
      layout.files = layout.files.filter((f) => f.file === base);
      if (!layout.files.length) return undefined;
    }
    layout.files = layout.files.map((f) => ({ ...f, file: path.join(dir, f.file) }));
    return layout;
  }
  return undefined;
}

function readNames(file: string): string[] | undefined {
  if (!fs.existsSync(file)) return undefined;
  return readRegularFile(file, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}

export async function readCifar(options: LoadOptions, format?: DatasetFormat): Promise<ReaderResult> {
  const layout = findCifar(options.path);
  if (!layout) throw new Error(`${shown(options.path)}: no CIFAR binary batches (data_batch_*.bin, test_batch.bin, or CIFAR-100's train.bin/test.bin)`);
  const is100 = (format ?? layout.format) === 'cifar100';
  const labelBytes = is100 ? 2 : 1;
  const record = labelBytes + PIXELS;
  const classNames =
    options.classNames ??
    (is100 ? readNames(path.join(layout.dir, 'fine_label_names.txt')) ?? numberedClasses(100) : readNames(path.join(layout.dir, 'batches.meta.txt')) ?? CIFAR10_NAMES);
  // Records per file from the file sizes where they are raw, so that the pixels are written straight into
  // one buffer (CIFAR-10's 50,000 training images: 154 MB, never twice that).
  const known = layout.files.every((f) => !f.file.endsWith('.gz'));
  const total = known ? layout.files.reduce((s, f) => s + Math.floor(fs.statSync(f.file).size / record), 0) : 0;
  const out = known ? { images: new Uint8Array(total * PIXELS), labels: new Uint8Array(total) } : undefined;
  let written = 0;
  const parts: { split: SplitName | undefined; images: Uint8Array; labels: Uint8Array }[] = [];
  for (const { file, split } of layout.files) {
    const buf = readMaybeGzip(file);
    if (buf.length === 0 || buf.length % record !== 0) {
      throw new Error(
        `${shown(file)}: ${plural(buf.length, 'byte')} is not a whole number of ${record}-byte ${is100 ? 'CIFAR-100' : 'CIFAR-10'} records ` +
          `(${Math.floor(buf.length / record)} whole, ${buf.length % record} bytes left over): truncated or not a CIFAR batch`,
      );
    }
    const n = buf.length / record;
    const images = out ? out.images.subarray(written * PIXELS, (written + n) * PIXELS) : new Uint8Array(n * PIXELS);
    const labels = out ? out.labels.subarray(written, written + n) : new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const base = i * record;
      labels[i] = buf[base + labelBytes - 1];
      const src = base + labelBytes;
      const dst = i * PIXELS;
      for (let p = 0; p < SIDE * SIDE; p++) {
        images[dst + p * 3] = buf[src + p];
        images[dst + p * 3 + 1] = buf[src + SIDE * SIDE + p];
        images[dst + p * 3 + 2] = buf[src + 2 * SIDE * SIDE + p];
      }
    }
    checkLabels(labels, classNames.length, file);
    parts.push({ split, images, labels });
    written += n;
    await yieldToEventLoop();
  }
  let joined: ReturnType<typeof concatSplits>;
  if (out) {
    joined = { images: out.images, labels: out.labels };
    if (parts.length > 1 || parts[0].split) {
      const splits: NonNullable<ReaderResult['splits']> = {};
      let at = 0;
      for (const p of parts) {
        const idx = Uint32Array.from({ length: p.labels.length }, (_, i) => at + i);
        const prev = splits[p.split!];
        splits[p.split!] = prev ? Uint32Array.from([...prev, ...idx]) : idx;
        at += p.labels.length;
      }
      joined.splits = splits;
    }
  } else joined = concatSplits(parts);
  return {
    format: is100 ? 'cifar100' : 'cifar10',
    shape: [SIDE, SIDE, 3],
    classNames,
    count: joined.labels.length,
    images: joined.images,
    labels: joined.labels,
    splits: joined.splits,
    warnings: [],
    files: layout.files.map((f) => f.file),
  };
}
