/**
 * Batches for training and evaluation: stored samples become normalised float32 tensors one batch at a
 * time, and the held-out split is evaluated with the run's loss and metrics.
 */
import * as tf from '@tensorflow/tfjs';
import type { AugmentConfig } from '../data/augment';
import { batchInputs, batchLabels } from '../data/batch';
import type { ImageDataset, Normalization } from '../data/dataset';
import { MetricTotals, resolveMetrics, type RunMetrics } from './metrics';
import type { LossFn } from './step';
import { foreignPatchBatch } from '../evaluation/fpi';
import { derivedRandom } from '../util/random';

const FPI_SALT = 0xf91;

const EVAL_BATCH = 256;

/**
 * Turns stored samples (uint8 images or float values) into normalised float32 batches one at a time, so a
 * dataset costs its bytes, not 4x; training batches (given a seeded `random`) are augmented on the fly.
 */
export class Batcher {
  constructor(
    private readonly dataset: ImageDataset,
    private readonly normalization: Normalization,
    private readonly augment?: AugmentConfig,
    /**
     * 'inputs' for a reconstruction model, whose target is its (augmented, normalised) input; 'fpi': the
     * inputs get foreign patches and the target is their per-pixel foreign fraction (evaluation/fpi).
     */
    private readonly target: 'labels' | 'inputs' | 'fpi' = 'labels',
  ) {}

  batch(indices: Uint32Array, random?: () => number): { x: tf.Tensor; y: tf.Tensor } {
    const n = indices.length;
    const augment = random && this.augment ? { config: this.augment, random } : undefined;
    const inputs = batchInputs(this.dataset, indices, this.normalization, augment);
    if (this.target === 'fpi') {
      // Validation batches (no random given) get the same patches at every epoch.
      const targets = foreignPatchBatch(inputs, n, this.dataset.shape, random ?? derivedRandom(FPI_SALT, indices[0] ?? 0));
      return { x: tf.tensor(inputs, [n, ...this.dataset.shape]), y: tf.tensor(targets, [n, this.dataset.shape[0], this.dataset.shape[1], 1]) };
    }
    const x = tf.tensor(inputs, [n, ...this.dataset.shape]);
    if (this.target === 'inputs') return { x, y: x.clone() };
    return { x, y: tf.tensor2d(batchLabels(this.dataset, indices), [n, this.dataset.classNames.length]) };
  }
}

/** The loss and the run's metrics (accuracy unless told otherwise) on `indices`, as `val_loss`, `val_acc`, .... */
export async function evaluate(
  model: tf.LayersModel,
  loss: LossFn,
  batcher: Batcher,
  indices: Uint32Array,
  metrics: RunMetrics = resolveMetrics(['accuracy'], loss, 'evaluate'),
): Promise<{ val_loss: number } & Record<string, number>> {
  let lossSum = 0;
  const totals = new MetricTotals(metrics.specs);
  for (let start = 0; start < indices.length; start += EVAL_BATCH) {
    const idx = indices.subarray(start, Math.min(start + EVAL_BATCH, indices.length));
    const { x, y } = batcher.batch(idx);
    const [l, c] = tf.tidy(() => {
      const p = model.apply(x, { training: false }) as tf.Tensor;
      return [loss(y, p), metrics.counter?.(y, p)];
    });
    lossSum += (await l.data())[0] * idx.length;
    if (c) totals.add(await c.data());
    tf.dispose([x, y, l, c]);
  }
  return { val_loss: lossSum / indices.length, ...totals.shares(indices.length, 'val_') };
}
