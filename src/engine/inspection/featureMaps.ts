/**
 * `inspect/featureMaps`: every layer's output for one sample, from one forward pass, as uint8 maps scaled
 * per channel (or float32 when asked), with the model's prediction (null for a model that outputs an
 * image: a reconstruction or FPI run has no class to predict; its output is the last layer's map).
 */
import * as tf from '@tensorflow/tfjs';
import type { FeatureMapsParams, FeatureMapsResult, LayerFeatureMap } from '../../protocol/engineTypes';
import { encodeFloat32, encodeUint8, quantizePerChannel } from './encode';
import { describeSample, inputTensor, openModel, pickSample, prediction, probe, selectLayers } from './source';

export async function featureMaps(params: FeatureMapsParams): Promise<FeatureMapsResult> {
  const start = performance.now();
  const inspect = await openModel(params, { needData: params.sample?.kind !== 'image' });
  const sample = pickSample(inspect, params.sample);
  const layers = selectLayers(inspect, params.layers);
  const { model, predictionIndex } = probe(inspect, layers);
  const outputs = tf.tidy(() => {
    const x = inputTensor(inspect, sample.raw);
    const out = model.predict(x);
    return Array.isArray(out) ? out : [out];
  });
  try {
    const values = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
    const maps: LayerFeatureMap[] = layers.map((layer, i) => {
      const shape = outputs[i].shape.slice(1);
      // Channels are the last axis; a vector is one channel (per-unit scaling would show nothing).
      const channels = shape.length >= 2 ? shape[shape.length - 1] : 1;
      const v = values[i];
      const q = quantizePerChannel(v, channels);
      const data = params.dtype === 'float32' ? encodeFloat32(shape, v) : encodeUint8(shape, q.data);
      return { layer: inspect.nameOf(layer), type: layer.getClassName(), line: inspect.lineOf(layer), shape, data, min: q.min, max: q.max };
    });
    return {
      modelFile: inspect.modelFile,
      ...(inspect.runDir ? { runDir: inspect.runDir } : {}),
      checkpoint: inspect.checkpoint,
      data: inspect.data ?? '',
      sample: describeSample(inspect, sample),
      layers: maps,
      prediction: inspect.imageOutput ? null : prediction(inspect, values[predictionIndex]),
      ms: performance.now() - start,
    };
  } finally {
    tf.dispose(outputs);
  }
}
