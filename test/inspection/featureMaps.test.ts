/**
 * inspect/featureMaps in-process: every layer's maps equal the truncated model run directly with
 * TensorFlow.js (uint8 within 1/255 of each channel's range; float32 exactly), for a sequential and a
 * functional model with branches; sample choice and bad input.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { clearInspectCache, decodeTensor, dequantize, featureMaps, filters, InspectQueue } from '../../src/engine/inspection';
import { encodeFloat32, quantizePerChannel } from '../../src/engine/inspection/encode';
import { openModel } from '../../src/engine/inspection/source';
import { loadDataset } from '../../src/engine/data/dataset';
import type { FeatureMapsResult } from '../../src/protocol/engineTypes';
import { FIXTURES, LENET, tempDir } from '../helpers';

const FUNCTIONAL = path.join(FIXTURES, 'models', 'helpers-loop.model.ts');

/** Checks every map against `reference(layerName)` (float32 values of one sample). */
function compare(result: FeatureMapsResult, reference: (name: string) => Float32Array): void {
  for (const map of result.layers) {
    const expected = reference(map.layer);
    const data = decodeTensor(map.data);
    assert.equal(data.length, expected.length, map.layer);
    const channels = map.min.length;
    if (map.data.dtype === 'float32') {
      for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(data[i] - expected[i]) <= 1e-5 * (1 + Math.abs(expected[i])), `${map.layer}[${i}]: ${data[i]} vs ${expected[i]}`);
      continue;
    }
    const values = dequantize(data as Uint8Array, map.min, map.max);
    for (let i = 0; i < expected.length; i++) {
      const c = i % channels;
      const tolerance = (map.max[c] - map.min[c]) / 255 + 1e-6;
      assert.ok(Math.abs(values[i] - expected[i]) <= tolerance, `${map.layer}[${i}] (channel ${c}): ${values[i]} vs ${expected[i]} ± ${tolerance}`);
    }
  }
}

describe('feature maps', () => {
  it('LeNet-5: every layer equals the model truncated there, applied layer by layer to the normalised sample', async () => {
    const params = { modelFile: LENET, data: 'synthetic:shapes', sample: { kind: 'index' as const, index: 3 } };
    const result = await featureMaps(params);
    const inspect = await openModel(params, { needData: true });
    const dataset = await loadDataset('synthetic:shapes');
    // The sample: the dataset's own bytes.
    assert.deepEqual(result.sample.image.shape, [28, 28, 1]);
    assert.deepEqual(decodeTensor(result.sample.image), dataset.images.subarray(3 * 784, 4 * 784));
    assert.equal(result.sample.index, 3);
    assert.equal(result.sample.className, dataset.classNames[dataset.labels[3]]);
    assert.equal(result.checkpoint, 'untrained');
    assert.deepEqual(result.layers.map((l) => l.type), ['Conv2D', 'AveragePooling2D', 'Conv2D', 'AveragePooling2D', 'Flatten', 'Dense', 'Dense', 'Dense']);
    assert.deepEqual(result.layers.map((l) => l.shape), [[28, 28, 6], [14, 14, 6], [10, 10, 16], [5, 5, 16], [400], [120], [84], [6]]);

    // Independently: normalise (x - mean) / std by hand and apply the layers one by one, eagerly.
    const n = inspect.normalization;
    assert.equal(n.mode, 'standardize');
    const raw = dataset.images.subarray(3 * 784, 4 * 784);
    const x = tf.tensor4d(Float32Array.from(raw, (v) => (v * n.scale - n.mean[0]) / n.std[0]), [1, 28, 28, 1]);
    const outputs = new Map<string, Float32Array>();
    let y: tf.Tensor = x;
    for (const layer of inspect.model.layers) {
      y = layer.apply(y) as tf.Tensor;
      outputs.set(layer.name, y.dataSync() as Float32Array);
    }
    compare(result, (name) => outputs.get(name)!);
    // The prediction is the softmax output itself.
    const last = outputs.get(inspect.model.layers[inspect.model.layers.length - 1].name)!;
    // A classifier: a prediction (null is for models that output an image).
    const prediction = result.prediction!;
    prediction.probabilities.forEach((p, i) => assert.ok(Math.abs(p - last[i]) < 1e-6));
    assert.equal(prediction.predicted, last.indexOf(Math.max(...last)));
    assert.deepEqual(prediction.classes, dataset.classNames);

    const float = await featureMaps({ ...params, dtype: 'float32' });
    assert.equal(float.layers[0].data.dtype, 'float32');
    compare(float, (name) => outputs.get(name)!);
  });

  it('a functional model with residual Adds, a BlurPool and a Concatenate: each layer equals tf.model(inputs, that layer) run directly', async () => {
    const params = { modelFile: FUNCTIONAL, data: 'synthetic:shapes', sample: { kind: 'class' as const, classIndex: 2 } };
    const result = await featureMaps(params);
    const inspect = await openModel(params, { needData: true });
    assert.equal(result.sample.label, 2);
    assert.equal(result.layers.length, 19, 'every layer but the input');
    assert.ok(result.layers.every((l) => l.line !== null));
    const dataset = inspect.dataset!;
    const raw = dataset.images.subarray(result.sample.index! * 784, (result.sample.index! + 1) * 784);
    const n = inspect.normalization;
    const x = tf.tensor4d(Float32Array.from(raw, (v) => (v * n.scale - n.mean[0]) / n.std[0]), [1, 28, 28, 1]);
    const reference = (name: string) => {
      const truncated = tf.model({ inputs: inspect.model.inputs, outputs: inspect.model.getLayer(name).output as tf.SymbolicTensor });
      return (truncated.predict(x) as tf.Tensor).dataSync() as Float32Array;
    };
    compare(result, reference);
    compare(await featureMaps({ ...params, dtype: 'float32' }), reference);
    // Only some layers.
    const some = await featureMaps({ ...params, layers: ['blur', 'concat'] });
    assert.deepEqual(some.layers.map((l) => [l.layer, l.shape]), [['blur', [14, 14, 8]], ['concat', [14, 14, 12]]]);
    assert.deepEqual(some.prediction, result.prediction);
  });

  it('samples: a seeded random one is reproducible; an image file is decoded and resized to the input', async () => {
    const a = await featureMaps({ modelFile: LENET, data: 'synthetic:shapes', sample: { kind: 'random', seed: 5 } });
    const b = await featureMaps({ modelFile: LENET, data: 'synthetic:shapes', sample: { kind: 'random', seed: 5 } });
    assert.equal(a.sample.index, b.sample.index);
    const file = path.join(tempDir(), 'grey.png');
    const png = new PNG({ width: 56, height: 56 });
    for (let p = 0; p < 56 * 56; p++) png.data.set([200, 200, 200, 255], 4 * p);
    fs.writeFileSync(file, PNG.sync.write(png));
    const r = await featureMaps({ modelFile: LENET, data: 'synthetic:shapes', sample: { kind: 'image', file } });
    assert.equal(r.sample.index, null);
    assert.equal(r.sample.file, file);
    assert.deepEqual(r.sample.image.shape, [28, 28, 1]);
    assert.ok((decodeTensor(r.sample.image) as Uint8Array).every((v) => v === 200));
  });

  it('untrained filters are the model\'s own kernels, with a histogram that counts every weight', async () => {
    const result = await filters({ modelFile: LENET, data: 'synthetic:shapes', bins: 20 });
    const inspect = await openModel({ modelFile: LENET, data: 'synthetic:shapes' }, { needData: false });
    assert.deepEqual(result.layers.map((l) => l.kernelShape), [[5, 5, 1, 6], [5, 5, 6, 16]]);
    result.layers.forEach((l, i) => {
      const kernel = (inspect.model.layers.filter((x) => x.getClassName() === 'Conv2D')[i].getWeights()[0].dataSync()) as Float32Array;
      assert.deepEqual(decodeTensor(l.kernel), kernel);
      assert.equal(l.histogram.counts.length, 20);
      assert.equal(l.histogram.counts.reduce((s, c) => s + c, 0), kernel.length);
      assert.equal(l.line, inspect.lineOf(inspect.model.layers.filter((x) => x.getClassName() === 'Conv2D')[i]));
    });
  });

  it('says what is wrong: index out of range (with the range and the dataset), unknown layer (with the layers), a checkpoint without a run', async () => {
    await assert.rejects(
      featureMaps({ modelFile: LENET, data: 'synthetic:shapes?count=50', sample: { kind: 'index', index: 50 } }),
      /sample index 50 is out of range: synthetic:shapes\?count=50 has 50 samples \(0 to 49\)/,
    );
    await assert.rejects(
      featureMaps({ modelFile: LENET, data: 'synthetic:shapes', sample: { kind: 'index', index: 0 }, layers: ['conv9'] }),
      /unknown layer "conv9"; the model's layers: conv2d_Conv2D\d+, average_pooling2d_AveragePooling2D\d+, .*dense_Dense\d+$/,
    );
    await assert.rejects(featureMaps({ modelFile: LENET, checkpoint: 'best', sample: { kind: 'index', index: 0 } }), /checkpoint "best" needs a run folder/);
    await assert.rejects(featureMaps({ modelFile: LENET, data: 'synthetic:shapes', sample: { kind: 'class', classIndex: 9 } }), /class 9 is out of range: synthetic:shapes has 6 classes \(0 to 5: disk, ring/);
    await assert.rejects(featureMaps({ modelFile: LENET, data: 'synthetic:shapes', sample: { kind: 'image', file: '/nope.png' } }), /image file not found: \/nope\.png/);
  });

  it('an edit to a file the model file imports is seen: the cached model is rebuilt', async () => {
    const dir = tempDir('inspect-import-');
    const helper = path.join(dir, 'blocks.ts');
    const model = path.join(dir, 'imports.model.ts');
    const writeHelper = (filters: number) =>
      fs.writeFileSync(helper, `import * as tf from '@tensorflow/tfjs';\nexport const conv = () => tf.layers.conv2d({ filters: ${filters}, kernelSize: 3, padding: 'same' });\n`);
    writeHelper(4);
    fs.writeFileSync(
      model,
      `import * as tf from '@tensorflow/tfjs';\nimport { conv } from './blocks';\n` +
        `export default function model({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {\n` +
        `  const input = tf.input({ shape: inputShape });\n` +
        `  const x = conv().apply(input) as tf.SymbolicTensor;\n` +
        `  const y = tf.layers.dense({ units: numClasses, activation: 'softmax' }).apply(tf.layers.flatten().apply(x)) as tf.SymbolicTensor;\n` +
        `  return tf.model({ inputs: input, outputs: y });\n}\n`,
    );
    const channels = async () => {
      const result = await featureMaps({ modelFile: model, data: 'synthetic:shapes', sample: { kind: 'index', index: 0 } });
      return result.layers.find((l) => l.type === 'Conv2D')!.shape[2];
    };
    assert.equal(await channels(), 4);
    // Only the imported file changes (a different size: the cache key is modification time and size).
    writeHelper(12);
    assert.equal(await channels(), 12);
  });

  it('an engine idle for a while frees the cached model: its tensors go, and the next request builds it again', async () => {
    clearInspectCache();
    const before = tf.memory().numTensors;
    const queue = new InspectQueue(150);
    const params = { modelFile: LENET, data: 'synthetic:shapes', sample: { kind: 'index' as const, index: 1 } };
    const first = await queue.run(() => featureMaps(params));
    const held = tf.memory().numTensors;
    assert.ok(held > before, `the model's weights are held while the view may ask again (${before} -> ${held})`);
    // A request within the idle time keeps the model (no rebuild, the same tensors).
    await new Promise((r) => setTimeout(r, 50));
    await queue.run(() => featureMaps(params));
    assert.equal(tf.memory().numTensors, held);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(tf.memory().numTensors, before, 'all freed after 150 ms without a request');
    const again = await queue.run(() => featureMaps(params));
    assert.deepEqual(decodeTensor(again.layers[0].data), decodeTensor(first.layers[0].data), 'rebuilt with the same seeded weights');
    await new Promise((r) => setTimeout(r, 400));
  });

  it('encodes tensors as bytes: float32 round-trips, uint8 per channel within half a step', () => {
    const values = Float32Array.from([0, 1, 10, -1, 0.5, 20, 2, 0.25, 30]);
    assert.deepEqual(decodeTensor(encodeFloat32([3, 3], values)), values);
    const q = quantizePerChannel(values, 3);
    assert.deepEqual(q.min, [-1, 0.25, 10]);
    assert.deepEqual(q.max, [2, 1, 30]);
    const back = dequantize(q.data, q.min, q.max);
    values.forEach((v, i) => assert.ok(Math.abs(back[i] - v) <= (q.max[i % 3] - q.min[i % 3]) / 510 + 1e-7));
  });
});
