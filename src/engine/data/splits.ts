/**
 * Which samples train and which validate. Splits the files define are used: a `val` split validates, a
 * `test` split is held out; otherwise the validation samples are carved from the training pool by seed
 * (the last `fraction` of a seeded permutation), so the same seed always gives the same split.
 */
import { derivedRandom, shuffleInPlace } from '../util/random';
import type { ImageDataset } from './dataset';

export interface SplitSelection {
  train: Uint32Array;
  val: Uint32Array;
  /** Held out: not trained on, not validated on. */
  test: Uint32Array;
  /** One line on where the split came from, for the log. */
  note: string;
}

/** Salt of the split permutation; kept from the first version of the split, so synthetic runs are unchanged. */
const SPLIT_SALT = 0x5b1177;

export function selectSplits(dataset: Pick<ImageDataset, 'count' | 'splits'>, fraction: number, seed: number): SplitSelection {
  const splits = dataset.splits ?? {};
  // A test split is held out when something else can train; a dataset that is only a test split trains on it.
  const test = splits.test && (splits.train || splits.val) ? splits.test : new Uint32Array(0);
  if (splits.val && splits.val.length) {
    let train = splits.train;
    if (!train) {
      const excluded = new Uint8Array(dataset.count);
      for (const i of splits.val) excluded[i] = 1;
      for (const i of test) excluded[i] = 1;
      train = indicesWhere(dataset.count, (i) => !excluded[i]);
    }
    return { train, val: splits.val, test, note: `the data's own validation split (${splits.val.length} samples)` };
  }
  const pool = splits.train ?? allIndices(dataset.count);
  const shuffled = shuffleInPlace(pool.slice(), derivedRandom(seed, SPLIT_SALT));
  const valCount = Math.floor(shuffled.length * fraction);
  const note =
    `validation: ${valCount} of ${pool.length} ${splits.train ? 'training-split ' : ''}samples by seed ${seed} (fraction ${fraction})` +
    (test.length ? `; ${test.length} test samples held out` : '');
  return { train: shuffled.slice(0, shuffled.length - valCount), val: shuffled.slice(shuffled.length - valCount), test, note };
}

function allIndices(n: number): Uint32Array {
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  return all;
}

function indicesWhere(n: number, keep: (i: number) => boolean): Uint32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep(i)) out.push(i);
  return Uint32Array.from(out);
}

/**
 * The indices whose label is one of `classes`, in their order. Applied after the carve (training on some
 * classes only, evaluating them), so that which samples validate does not depend on the classes kept.
 */
export function onlyClasses(indices: Uint32Array, labels: ArrayLike<number>, classes: readonly number[]): Uint32Array {
  const keep = new Set(classes);
  return indices.filter((i) => keep.has(labels[i]));
}
