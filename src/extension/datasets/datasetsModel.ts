/**
 * The Datasets view's pure logic (no `vscode`), tested in test/extension/datasetsView.test.ts: the grouping
 * of found files into datasets (groupDatasetFiles), the rows' texts (describeSummary, countText) and the
 * spec the command line takes (cliSpec).
 */
import * as path from 'node:path';
import type { DatasetSummary } from '../../protocol/engineTypes';


export type FoundKind = 'idx' | 'cifar' | 'descriptor' | 'csv' | 'npy' | 'npz' | 'image-folder';

export interface FoundDataset {
  /** The dataset argument: an absolute path, a folder (IDX, CIFAR, NPY pairs, image folders) or a file. */
  spec: string;
  kind: FoundKind;
}

const IMAGE_RE = /\.(png|jpe?g)$/i;
const SPLIT_FOLDER_RE = /^(train|training|val|valid|validation|test|testing)$/i;

/**
 * Datasets from the files the globs found: IDX and CIFAR batch files and NPY arrays give their folder;
 * descriptors, CSV and NPZ files are datasets themselves; an image in `<root>/<class>/` (or
 * `<root>/<split>/<class>/`) makes `<root>` an image-folder dataset when it has at least two class folders.
 * A folder that holds a descriptor is that descriptor's: nothing else in it is listed. Sorted by path.
 */
export function groupDatasetFiles(files: readonly string[]): FoundDataset[] {
  const found = new Map<string, FoundDataset>();
  const add = (spec: string, kind: FoundKind) => {
    if (!found.has(spec)) found.set(spec, { spec, kind });
  };
  const imageRoots = new Map<string, Set<string>>();
  for (const file of files) {
    const name = path.basename(file);
    const dir = path.dirname(file);
    if (/-idx[13]-ubyte(\.gz)?$/i.test(name)) add(dir, 'idx');
    else if (/^(data_batch_\d+|test_batch)\.bin(\.gz)?$/i.test(name)) add(dir, 'cifar');
    else if (name.endsWith('.dataset.json')) add(file, 'descriptor');
    else if (/\.npy$/i.test(name)) add(dir, 'npy');
    else if (/\.npz$/i.test(name)) add(file, 'npz');
    else if (/\.csv$/i.test(name)) add(file, 'csv');
    else if (IMAGE_RE.test(name)) {
      let root = path.dirname(dir);
      let classDir = dir;
      if (SPLIT_FOLDER_RE.test(path.basename(root))) {
        classDir = path.join(path.basename(root), path.basename(dir));
        root = path.dirname(root);
      }
      if (root === dir) continue; // A file system root.
      const classes = imageRoots.get(root) ?? new Set<string>();
      classes.add(path.basename(classDir));
      imageRoots.set(root, classes);
    }
  }
  for (const [root, classes] of imageRoots) {
    if (classes.size >= 2) add(root, 'image-folder');
  }
  // A descriptor speaks for its folder: the folder as a dataset, and the data files beside it, are its own.
  const descriptorDirs = new Set([...found.values()].filter((d) => d.kind === 'descriptor').map((d) => path.dirname(d.spec)));
  const result = [...found.values()].filter(
    (d) => d.kind === 'descriptor' || !(descriptorDirs.has(d.spec) || ((d.kind === 'csv' || d.kind === 'npz') && descriptorDirs.has(path.dirname(d.spec)))),
  );
  return result.sort((a, b) => a.spec.localeCompare(b.spec));
}

/** A count as the rows show it: 10,000. */
export const fmt = (n: number) => n.toLocaleString('en-US');

/** "10,000 × 28×28×1 · 10 classes". */
export function describeSummary(s: Pick<DatasetSummary, 'count' | 'shape' | 'classes'>): string {
  const classes = s.classes.length === 1 ? '1 class' : `${fmt(s.classes.length)} classes`;
  return `${fmt(s.count)} × ${s.shape.join('×')} · ${classes}`;
}

/** The tooltip of a described dataset: format, splits, mean and std, warnings. */
export function summaryTooltip(spec: string, s: DatasetSummary): string {
  const lines = [spec, `${s.format} · ${describeSummary(s)} · ${s.dtype}`];
  const splits = Object.entries(s.splits);
  if (splits.length) lines.push(`splits: ${splits.map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
  const list = (v: number[]) => v.slice(0, 4).map((x) => x.toFixed(3)).join(', ') + (v.length > 4 ? ', …' : '');
  if (s.mean.length) lines.push(`mean ${list(s.mean)} · std ${list(s.std)}`);
  for (const w of s.warnings) lines.push(`⚠ ${w}`);
  return lines.join('\n');
}

/** "980 · 9.8%". */
export function countText(count: number, total: number): string {
  const pct = total > 0 ? (100 * count) / total : 0;
  return `${fmt(count)} · ${pct < 10 ? pct.toFixed(1) : pct.toFixed(0)}%`;
}

/** What `--data` takes: the path relative to the workspace folder when it lies in it, else as is. */
export function cliSpec(spec: string, workspaceFolder: string | undefined): string {
  if (spec.startsWith('synthetic:') || !workspaceFolder || !path.isAbsolute(spec)) return spec;
  const rel = path.relative(workspaceFolder, spec);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : spec;
}
