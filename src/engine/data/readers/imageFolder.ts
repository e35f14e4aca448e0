/**
 * Image folders (the ImageFolder convention): one sub-folder per class, PNG and JPEG, optionally under a
 * `train/`, `val/`, `test/` level. Images are brought to one size (the most common one unless given) and
 * to one channel count; files that cannot be read are skipped with a warning that counts them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadOptions, ReaderResult, SplitName } from '../types';
import { printable } from '../../../util/text';
import { checkInside, entryKind, listDir, plural, readRegularFile, shown, yieldToEventLoop } from '../util';
import { checkDataBytes, imageSizeProblem } from '../limits';
import { decodeImage, IMAGE_EXTENSIONS, readImageHeader, shortReason, writeImage } from './images';

const SPLIT_FOLDERS: Record<string, SplitName> = {
  train: 'train',
  training: 'train',
  val: 'val',
  valid: 'val',
  validation: 'val',
  test: 'test',
  testing: 'test',
};

interface Entry {
  file: string;
  label: number;
  split: SplitName | undefined;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** The split level, if the folder's sub-folders are all split names. */
export function splitFolders(root: string): { split: SplitName; dir: string }[] | undefined {
  const dirs = listDir(root).filter((e) => entryKind(root, e) === 'directory');
  if (dirs.length === 0 || !dirs.every((d) => d.name.toLowerCase() in SPLIT_FOLDERS)) return undefined;
  return dirs.map((d) => ({ split: SPLIT_FOLDERS[d.name.toLowerCase()], dir: path.join(root, d.name) }));
}

/** The files under `dir`, symbolic links followed (each real folder once, so a link to an ancestor ends). */
function walkFiles(dir: string, out: string[], broken: string[], seen = new Set<string>()): void {
  checkInside(dir);
  const real = fs.realpathSync(dir);
  if (seen.has(real)) return;
  seen.add(real);
  for (const e of listDir(dir)) {
    const full = path.join(dir, e.name);
    const kind = entryKind(dir, e);
    if (kind === 'directory') walkFiles(full, out, broken, seen);
    else if (kind === 'file') out.push(full);
    else if (kind === 'broken') broken.push(full);
  }
}

class Skipped {
  private readonly byReason = new Map<string, { count: number; first: string }>();
  add(kind: string, file: string, root: string, reason?: string): void {
    // Names from disk are printed with their control characters escaped.
    const rel = printable(path.relative(root, file).split(path.sep).join('/'));
    const entry = this.byReason.get(kind);
    if (entry) entry.count++;
    else this.byReason.set(kind, { count: 1, first: reason ? `${rel}: ${reason}` : rel });
  }
  lines(): string[] {
    return [...this.byReason].map(([kind, { count, first }]) => `${plural(count, kind)} skipped (${count === 1 ? '' : 'first: '}${first})`);
  }
}

export async function readImageFolder(options: LoadOptions): Promise<ReaderResult> {
  const root = options.path;
  const levels = splitFolders(root) ?? [{ split: undefined, dir: root }];
  const skipped = new Skipped();
  const warnings: string[] = [];

  // Classes: the union of class folders over the splits, in name order (CIFAR's folders sort into its label order).
  const classDirs = new Map<SplitName | undefined, string[]>();
  const names = new Set<string>();
  for (const { split, dir } of levels) {
    const entries = listDir(dir);
    const dirs = entries.filter((e) => entryKind(dir, e) === 'directory').map((e) => e.name);
    const brokenLinks = entries.filter((e) => entryKind(dir, e) === 'broken');
    if (brokenLinks.length) warnings.push(`${plural(brokenLinks.length, 'link')} in ${shown(dir)} to nothing ignored (first: ${printable(brokenLinks[0].name)})`);
    const loose = entries.filter((e) => entryKind(dir, e) === 'file' && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase()));
    if (loose.length) warnings.push(`${plural(loose.length, 'image')} in ${shown(dir)} outside any class folder ignored (first: ${printable(loose[0].name)})`);
    classDirs.set(split, dirs);
    for (const d of dirs) names.add(d);
  }
  if (names.size === 0) {
    throw new Error(`${shown(root)}: no class folders: an image folder dataset has one sub-folder of images per class`);
  }
  const classNames = options.classNames ?? [...names].sort();
  if (options.classNames) {
    const unknown = [...names].filter((n) => !classNames.includes(n));
    if (unknown.length) throw new Error(`${shown(root)}: class folder "${unknown[0]}" is not in classNames (${classNames.join(', ')})`);
  }
  if (classNames.length > 256) throw new Error(`${shown(root)}: ${classNames.length} class folders; at most 256 classes are supported`);

  // Pass 1: headers only (size and channels), so that the target size is known before decoding.
  const entries: Entry[] = [];
  let sinceYield = 0;
  for (const { split, dir } of levels) {
    for (const className of classDirs.get(split)!) {
      const classDir = path.join(dir, className);
      const files: string[] = [];
      const broken: string[] = [];
      walkFiles(classDir, files, broken);
      for (const file of broken) skipped.add('link to nothing', file, root);
      let kept = 0;
      let unreadable = 0;
      for (const file of files) {
        if (!IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase())) {
          skipped.add('non-image file', file, root);
          continue;
        }
        try {
          const h = readImageHeader(file);
          // Refused from the header, before any decoding: a 100000x100000 PNG is 40 GB once decoded.
          const problem = imageSizeProblem(h.width, h.height);
          if (problem) {
            skipped.add('oversized image', file, root, problem);
            unreadable++;
            continue;
          }
          entries.push({ file, label: classNames.indexOf(className), split, width: h.width, height: h.height, channels: h.channels });
          kept++;
        } catch (err) {
          skipped.add('unreadable image', file, root, shortReason(err));
          unreadable++;
        }
        if (++sinceYield >= 2000) {
          sinceYield = 0;
          await yieldToEventLoop();
        }
      }
      if (kept === 0) {
        const why = files.length === 0 ? 'is empty' : unreadable ? `holds no readable image (${plural(unreadable, 'unreadable file')})` : `holds no PNG or JPEG image (${plural(files.length, 'other file')})`;
        throw new Error(`${shown(classDir)}: class folder "${className}" ${why}; remove it or add images`);
      }
    }
  }

  // Target size: given, else the most common; channels: given, else RGB as soon as one image is colour.
  let height: number;
  let width: number;
  if (options.imageSize) [height, width] = options.imageSize;
  else {
    const sizes = new Map<string, number>();
    for (const e of entries) sizes.set(`${e.height}x${e.width}`, (sizes.get(`${e.height}x${e.width}`) ?? 0) + 1);
    const [best] = [...sizes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
    [height, width] = best.split('x').map(Number);
  }
  const grey = entries.filter((e) => e.channels === 1).length;
  const channels: 1 | 3 = options.channels ?? (grey === entries.length ? 1 : 3);
  const otherChannels = entries.filter((e) => e.channels !== channels);
  if (otherChannels.length) {
    const from = channels === 3 ? 'grey' : 'colour';
    const example = path.relative(root, otherChannels[0].file).split(path.sep).join('/');
    warnings.push(
      `mixed channel counts: ${plural(otherChannels.length, `${from} image`)} of ${entries.length.toLocaleString('en-US')} converted to ` +
        `${channels === 3 ? 'RGB' : 'grey'} (first: ${example}); set "channels" in a .dataset.json to choose`,
    );
  }
  const resized = entries.filter((e) => e.height !== height || e.width !== width);
  if (resized.length) {
    const example = path.relative(root, resized[0].file).split(path.sep).join('/');
    warnings.push(`${plural(resized.length, 'image')} resized to ${height}x${width} (first: ${example}, ${resized[0].height}x${resized[0].width})`);
  }

  // Pass 2: decode straight into one uint8 buffer.
  const sampleSize = height * width * channels;
  checkDataBytes(root, entries.length * sampleSize, `${plural(entries.length, 'image')} of ${height}x${width}x${channels}${options.imageSize ? ' (imageSize)' : ''}`);
  let images = new Uint8Array(entries.length * sampleSize);
  let labels = new Uint8Array(entries.length);
  const splitOf: (SplitName | undefined)[] = [];
  let n = 0;
  for (const e of entries) {
    try {
      const img = decodeImage(readRegularFile(e.file));
      writeImage(img, images, n * sampleSize, height, width, channels);
      labels[n] = e.label;
      splitOf.push(e.split);
      n++;
    } catch (err) {
      skipped.add('unreadable image', e.file, root, shortReason(err));
    }
    if (++sinceYield >= 500) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
  }
  if (n === 0) throw new Error(`${shown(root)}: no readable image`);
  if (n < entries.length) {
    images = images.slice(0, n * sampleSize);
    labels = labels.slice(0, n);
  }
  let splits: ReaderResult['splits'];
  if (levels[0].split !== undefined) {
    splits = {};
    for (const name of new Set(splitOf) as Set<SplitName>) {
      const idx: number[] = [];
      splitOf.forEach((s, i) => s === name && idx.push(i));
      splits[name] = Uint32Array.from(idx);
    }
  }
  return {
    format: 'image-folder',
    shape: [height, width, channels],
    classNames,
    count: n,
    images,
    labels,
    splits,
    warnings: [...skipped.lines(), ...warnings],
    files: [root],
  };
}
