/**
 * Histograms of every layer's weights, for TensorBoard at each epoch's end (src/runs/tensorboard writes
 * them): computed here, where the weights are, and handed over as plain numbers.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WeightHistogram } from '../../runs/tensorboard/runLogs';

/** As TensorFlow's summary histograms: 30 buckets of equal width between the smallest and largest value. */
const BUCKETS = 30;

/** One histogram per weight of each layer, tagged with the weight's name (`conv2d_Conv2D1/kernel`). */
export async function weightHistograms(model: tf.LayersModel): Promise<WeightHistogram[]> {
  const out: WeightHistogram[] = [];
  for (const layer of model.layers) {
    for (const weight of layer.weights) {
      // data(), not dataSync(): a GPU backend cannot read synchronously in Node.js.
      const values = (await weight.read().data()) as Float32Array;
      out.push({ tag: weight.name, histogram: histogram(values) });
    }
  }
  return out;
}

/**
 * The `histo` value of `values`: bucket `i` counts the values in (limit[i-1], limit[i]] (the first from
 * the minimum). Values that are not finite are left out; none at all gives an empty histogram.
 */
export function histogram(values: ArrayLike<number>): WeightHistogram['histogram'] {
  let min = Infinity;
  let max = -Infinity;
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    num++;
    sum += v;
    sumSquares += v * v;
  }
  if (num === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  const buckets = max > min ? BUCKETS : 1;
  const width = (max - min) / buckets;
  const bucket = new Array<number>(buckets).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    bucket[width > 0 ? Math.min(buckets - 1, Math.max(0, Math.ceil((v - min) / width) - 1)) : 0]++;
  }
  const bucketLimit = bucket.map((_, i) => (i === buckets - 1 ? max : min + width * (i + 1)));
  return { min, max, num, sum, sumSquares, bucketLimit, bucket };
}
