/**
 * `inspect/filters`: the kernels of every 2-D convolution (Conv2D, DepthwiseConv2D, SeparableConv2D: its
 * depthwise, spatial kernel), as float32, with a histogram, mean and standard deviation of the weights.
 */
import * as tf from '@tensorflow/tfjs';
import type { FiltersParams, FiltersResult, LayerFilters } from '../../protocol/engineTypes';
import { encodeFloat32 } from './encode';
import { InspectError, openModel } from './source';

const KERNELS: Record<string, string> = {
  Conv2D: 'kernel',
  DepthwiseConv2D: 'depthwiseKernel',
  SeparableConv2D: 'depthwiseKernel',
};

export function histogram(values: Float32Array, bins: number): LayerFilters['histogram'] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) if (Number.isFinite(v)) (min = Math.min(min, v)), (max = Math.max(max, v));
  if (!Number.isFinite(min)) (min = 0), (max = 0);
  const counts = new Array<number>(bins).fill(0);
  const width = (max - min) / bins;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    const b = width > 0 ? Math.min(bins - 1, Math.floor((v - min) / width)) : 0;
    counts[b]++;
  }
  return { min, max, counts };
}

function meanStd(values: Float32Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = values.length ? sum / values.length : 0;
  let sq = 0;
  for (const v of values) sq += (v - mean) * (v - mean);
  return { mean, std: values.length ? Math.sqrt(sq / values.length) : 0 };
}

export async function filters(params: FiltersParams): Promise<FiltersResult> {
  const bins = params.bins ?? 50;
  if (!Number.isInteger(bins) || bins < 1 || bins > 1000) throw new InspectError(`bins must be an integer from 1 to 1000, got ${bins}`);
  const inspect = await openModel(params, { needData: false });
  const layers: LayerFilters[] = [];
  for (const layer of inspect.model.layers) {
    const type = layer.getClassName();
    const property = KERNELS[type];
    const variable = property ? ((layer as unknown as Record<string, tf.LayerVariable | undefined>)[property]) : undefined;
    if (!variable) continue;
    const tensor = variable.read();
    const values = (await tensor.data()) as Float32Array;
    layers.push({
      layer: inspect.nameOf(layer),
      type,
      line: inspect.lineOf(layer),
      kernelShape: [...tensor.shape],
      kernel: encodeFloat32(tensor.shape, values),
      histogram: histogram(values, bins),
      ...meanStd(values),
    });
  }
  return { modelFile: inspect.modelFile, ...(inspect.runDir ? { runDir: inspect.runDir } : {}), checkpoint: inspect.checkpoint, layers };
}
