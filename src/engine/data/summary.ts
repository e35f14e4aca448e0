/**
 * `dl-lab data inspect`: what a dataset holds (format, samples per split, classes with counts, sample
 * shape, dtype, per-channel mean and std), read without TensorFlow.js so the CLI can run it in-process.
 */
import type { DatasetSummary } from '../../protocol/engineTypes';
import { loadDataset, type ImageDataset } from './dataset';
import { channelStats } from './normalization';
import { printable } from '../../util/text';
import { SPLIT_NAMES } from './types';

/** The protocol's DatasetSummary, plus what the CLI also shows: the bytes the samples take in memory. */
export interface DatasetReport extends DatasetSummary {
  bytes: number;
  bytesPerSample: number;
}

export async function inspectDataset(spec: string): Promise<DatasetReport> {
  const start = Date.now();
  const ds = await loadDataset(spec);
  const loadMs = Date.now() - start;
  return reportOf(ds, loadMs);
}

export function reportOf(ds: ImageDataset, loadMs = 0): DatasetReport {
  const classCounts = new Array<number>(ds.classNames.length).fill(0);
  for (let i = 0; i < ds.count; i++) classCounts[ds.labels[i]]++;
  const splits: Record<string, number> = {};
  for (const name of SPLIT_NAMES) {
    const idx = ds.splits?.[name];
    if (idx) splits[name] = idx.length;
  }
  const { mean, std } = channelStats(ds);
  const bytes = ds.values ? ds.values.byteLength : ds.images.byteLength;
  return {
    source: ds.source,
    format: ds.format ?? 'unknown',
    count: ds.count,
    splits,
    classes: ds.classNames,
    classCounts,
    shape: [...ds.shape],
    dtype: ds.values ? 'float32' : 'uint8',
    mean,
    std,
    bytes,
    bytesPerSample: ds.count ? bytes / ds.count : 0,
    warnings: ds.warnings ?? [],
    description: ds.description,
    loadMs,
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');
const dec = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(1) : n.toFixed(4));

/** The report as a few aligned lines for a terminal. */
export function formatReport(r: DatasetReport): string {
  const lines: string[] = [];
  // Names come from disk (folders, files, CSV headers): printed with control characters escaped.
  lines.push(`dataset  ${printable(r.source)}`);
  lines.push(`format   ${r.format}`);
  const splits = Object.entries(r.splits);
  lines.push(`samples  ${fmt(r.count)}${splits.length ? `  (${splits.map(([k, v]) => `${k} ${fmt(v)}`).join(', ')})` : ''}`);
  lines.push(`shape    [${r.shape.join(', ')}]  ${r.dtype}  (${fmt(Math.round(r.bytes / 1024))} KiB in memory, ${fmt(Math.round(r.bytesPerSample))} bytes a sample)`);
  const channels = r.mean.length;
  const shown = Math.min(channels, 8);
  const perChannel = (v: number[]) => v.slice(0, shown).map(dec).join(', ') + (channels > shown ? `, ... (${channels})` : '');
  lines.push(`mean     ${perChannel(r.mean)}${r.dtype === 'uint8' ? '  (per channel, pixels / 255)' : ''}`);
  lines.push(`std      ${perChannel(r.std)}`);
  lines.push(`classes  ${r.classes.length}`);
  const classes = r.classes.map(printable);
  const width = Math.max(...classes.map((c) => c.length));
  const maxRows = 40;
  classes.slice(0, maxRows).forEach((c, i) => lines.push(`  ${String(i).padStart(String(r.classes.length - 1).length)}  ${c.padEnd(width)}  ${fmt(r.classCounts[i])}`));
  if (r.classes.length > maxRows) lines.push(`  ... ${r.classes.length - maxRows} more`);
  for (const w of r.warnings) lines.push(`warning: ${printable(w)}`);
  return lines.join('\n');
}
