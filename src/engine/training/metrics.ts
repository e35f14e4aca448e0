/**
 * `training.metrics`: what a run computes and logs besides the loss (always there), as in Keras'
 * `compile({ metrics })`. `'accuracy'` (also `'acc'`) gives `acc` and `val_acc`; `'top5'` (any k from 2,
 * or Keras' `'top_k_categorical_accuracy'`, k = 5) gives `top5_acc` and `val_top5_acc`, the share of
 * samples whose class is among the k highest outputs. `[]` computes none: no accuracy, no `acc` lines.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossFn } from './step';
import { countCorrect } from './step';

/** A metric as logged: `acc`, `top5_acc` (training) and `val_acc`, `val_top5_acc` (validation). */
export interface MetricSpec {
  key: string;
  /** Top-k's k; absent for accuracy. */
  k?: number;
}

const ACCURACY_NAMES = new Set(['accuracy', 'acc', 'categoricalAccuracy', 'categorical_accuracy']);

/** The spec for one name, or undefined when the name is not a metric. */
function parseMetric(name: string): MetricSpec | undefined {
  if (ACCURACY_NAMES.has(name)) return { key: 'acc' };
  if (name === 'top_k_categorical_accuracy') return { key: 'top5_acc', k: 5 };
  const m = /^top(\d+)$/.exec(name);
  if (m && Number(m[1]) >= 2) return { key: `top${Number(m[1])}_acc`, k: Number(m[1]) };
  return undefined;
}

/** The config check of `training.metrics` (see ./config). */
export function checkMetrics(value: unknown): string | undefined {
  const expected = "an array of metric names: 'accuracy', 'top5' (top-k accuracy, any k >= 2)";
  if (!Array.isArray(value)) return expected;
  const bad = value.find((m) => typeof m !== 'string' || !parseMetric(m));
  return bad === undefined ? undefined : `${expected}; ${JSON.stringify(bad)} is not one`;
}

/** Counts, per batch, the samples each metric finds correct: one tensor with one count per metric. */
export type BatchCounter = (labels: tf.Tensor, predictions: tf.Tensor) => tf.Tensor1D;

export interface RunMetrics {
  specs: MetricSpec[];
  /** Null when no metric is asked for: the step then computes none. */
  counter: BatchCounter | null;
}

/**
 * The metrics a run computes, in the order asked (repeats dropped). Top-k needs one output per class: an
 * embedding loss has only accuracy (its nearest-neighbour count, see ./losses).
 */
export function resolveMetrics(names: readonly string[], loss: LossFn, origin: string): RunMetrics {
  const specs: MetricSpec[] = [];
  for (const name of names) {
    const spec = parseMetric(name);
    if (!spec) throw new Error(`${origin}.metrics: ${JSON.stringify(name)} is not a metric (${checkMetrics([name])})`);
    if (spec.k !== undefined && loss.embedding) {
      throw new Error(`${origin}.metrics: "${name}" needs one output per class; an embedding loss outputs embeddings (use 'accuracy')`);
    }
    if (!specs.some((s) => s.key === spec.key)) specs.push(spec);
  }
  if (specs.length === 0) return { specs, counter: null };
  const counter: BatchCounter = (labels, predictions) =>
    tf.tidy(() => {
      const counts = specs.map((s) => (s.k === undefined ? (loss.correct ?? countCorrect)(labels, predictions) : countTopK(labels, predictions, s.k)));
      return tf.stack(counts.map((c) => tf.cast(c, 'float32'))) as tf.Tensor1D;
    });
  return { specs, counter };
}

/**
 * Rows whose labelled class scores among the k highest. Ties count in its favour, as TensorFlow's
 * `in_top_k` does: a class is in the top k when fewer than k classes score strictly higher.
 */
export function countTopK(labels: tf.Tensor, predictions: tf.Tensor, k: number): tf.Scalar {
  return tf.tidy(() => {
    const labelScore = tf.sum(tf.mul(labels, predictions), -1, true);
    const higher = tf.sum(tf.cast(tf.greater(predictions, labelScore), 'int32'), -1);
    return tf.sum(tf.cast(tf.less(higher, k), 'float32')) as tf.Scalar;
  });
}

/** Sums of per-batch counts, turned into the shares an epoch reports (`acc`, `top5_acc`, with a prefix). */
export class MetricTotals {
  private readonly sums: number[];
  constructor(private readonly specs: MetricSpec[]) {
    this.sums = specs.map(() => 0);
  }
  add(counts: ArrayLike<number>): void {
    for (let i = 0; i < this.sums.length; i++) this.sums[i] += counts[i];
  }
  shares(samples: number, prefix = ''): Record<string, number> {
    const out: Record<string, number> = {};
    this.specs.forEach((s, i) => (out[prefix + s.key] = this.sums[i] / samples));
    return out;
  }
}
