/**
 * Dataset load-and-decode throughput (images/s) and memory held per image, for `npm run bench`: the MNIST
 * IDX files (gunzip + parse) and the CIFAR-10 image folder (JPEG decode), from ../shared/datasets or
 * `DL_LAB_DATASETS`. No TensorFlow.js: it measures the readers alone.
 *
 *   import { benchDataLoading } from './dataBench';
 *   const report = await benchDataLoading();            // { results: [...], skipped: [...] }
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import type { DataBenchReport, DataBenchResult } from '../../protocol/engineTypes';
import { loadDataset } from '../data/dataset';

export type { DataBenchReport, DataBenchResult };

export const DATA_BENCH_SETS = [
  { name: 'MNIST IDX (gzip)', dir: 'mnist' },
  { name: 'CIFAR-10 image folder (JPEG)', dir: 'cifar10-small' },
];

export function defaultDatasetsDir(): string {
  return process.env.DL_LAB_DATASETS ?? path.resolve(process.cwd(), '..', 'shared', 'datasets');
}

/** Loads each dataset `repeats` times (at least once, and for at least `minSeconds` in all) and keeps the best time. */
export async function benchDataLoading(options: { datasetsDir?: string; repeats?: number; minSeconds?: number } = {}): Promise<DataBenchReport> {
  const datasetsDir = path.resolve(options.datasetsDir ?? defaultDatasetsDir());
  const repeats = options.repeats ?? 3;
  const minSeconds = options.minSeconds ?? 1;
  const results: DataBenchResult[] = [];
  const skipped: DataBenchReport['skipped'] = [];
  const gc = collector();
  for (const set of DATA_BENCH_SETS) {
    const dir = path.join(datasetsDir, set.dir);
    if (!fs.existsSync(dir)) {
      skipped.push({ name: set.name, reason: `${dir} not found (set DL_LAB_DATASETS)` });
      continue;
    }
    try {
      let best = Infinity;
      let count = 0;
      const start = process.hrtime.bigint();
      for (let i = 0; i < 50 && (i < repeats || Number(process.hrtime.bigint() - start) / 1e9 < minSeconds); i++) {
        const t0 = process.hrtime.bigint();
        count = (await loadDataset(dir)).count;
        best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
      }
      // Memory: one more load, measured with everything else collected before and after.
      let held: Awaited<ReturnType<typeof loadDataset>> | undefined;
      await settle(gc);
      const before = process.memoryUsage().arrayBuffers;
      held = await loadDataset(dir);
      await settle(gc);
      const growth = process.memoryUsage().arrayBuffers - before;
      const stored = (held.values?.byteLength ?? held.images.byteLength) / held.count;
      results.push({
        name: set.name,
        path: dir,
        format: held.format ?? 'unknown',
        images: count,
        seconds: best,
        imagesPerSec: count / best,
        bytesPerImage: stored,
        heldBytesPerImage: gc ? Math.max(0, growth) / held.count : NaN,
      });
      held = undefined;
    } catch (err) {
      skipped.push({ name: set.name, reason: (err as Error).message });
    }
  }
  return { datasetsDir, results, skipped };
}

/** The garbage collector, exposed on demand (the engine does not run with --expose-gc). */
function collector(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/** Collects until freed buffers are returned (their backing stores go in a later task). */
async function settle(gc: (() => void) | undefined): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The report as table rows: name, images, images/s, bytes/image stored, bytes/image held. */
export function dataBenchRows(report: DataBenchReport): string[][] {
  return report.results.map((r) => [
    r.name,
    r.images.toLocaleString('en-US'),
    Math.round(r.imagesPerSec).toLocaleString('en-US'),
    Math.round(r.bytesPerImage).toLocaleString('en-US'),
    Math.round(r.heldBytesPerImage).toLocaleString('en-US'),
  ]);
}

export const DATA_BENCH_HEADER = ['dataset', 'images', 'images/s (load + decode)', 'bytes/image stored', 'bytes/image held'];
