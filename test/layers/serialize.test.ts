/**
 * Every layer of the `dl-lab` library serialises with the model and loads back: model.save to memory, then
 * tf.loadLayersModel from the JSON text, gives the same predictions and the same config. Then a model with
 * all of them trains one step on wasm with the same gradients as on cpu.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backends';
import { CLASS_PREFIX, layers as dl, registeredClassNames } from '../../src/engine/layers';
import { fileSystemHandler, saveCheckpoint } from '../../src/engine/training/checkpoint';
import { tempDir } from '../helpers';
import { assertClose } from './reference';

tf.env().set('PROD', true);

/** Each layer in a small model that suits it, with non-default parameters so the config round trip shows. */
const MODELS: Record<string, () => tf.LayersModel> = {
  gelu: () => image(dl.gelu({ approximate: 'tanh' })),
  silu: () => image(dl.swish({ beta: 1.5 })),
  mish: () => image(dl.mish()),
  celu: () => image(dl.celu({ alpha: 0.7 })),
  selu: () => image(dl.selu()),
  softplus: () => image(dl.softplus({ beta: 2, threshold: 3 })),
  relu6: () => image(dl.relu6()),
  logSigmoid: () => image(dl.logSigmoid()),
  softmin: () => image(dl.softmin({ axis: 1 })),
  logSoftmax: () => image(dl.logSoftmax({ axis: 2 })),
  sine: () => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [6, 6, 4] }), dl.sine({ units: 8, isFirst: true }), dl.sine({ units: 5, w0: 10 })] }),
  blurPool: () => image(dl.blurPool({ filterSize: 5, strides: 2, padding: 'zero' })),
  channelShuffle: () => image(dl.channelShuffle({ groups: 2 })),
  squeezeExcite: () => image(dl.squeezeExcite({ ratio: 2 })),
  prelu: () => image(dl.prelu({ alphaInitializer: tf.initializers.constant({ value: 0.3 }) })),
  leakyReLU: () => image(dl.leakyReLU({ alpha: 0.2 })),
  // TensorFlow.js's ELU takes alpha = 1 only ("Non-default alpha value is not supported").
  elu: () => image(dl.elu()),
};

function image(layer: tf.layers.Layer): tf.LayersModel {
  // A convolution first, so the layer sees a mix of signs and its input is not the model input.
  return tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [6, 6, 3], filters: 4, kernelSize: 3, padding: 'same' }), layer] });
}

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }));
  // Through JSON text, as on disk.
  const modelTopology = JSON.parse(JSON.stringify(saved!.modelTopology));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs: saved!.weightSpecs, weightData: saved!.weightData }));
}

describe('dl-lab layers serialise', () => {
  it('registers every class under a DlLab-prefixed name', () => {
    const names = registeredClassNames();
    assert.equal(names.length, 14); // 10 activations, sine, blurPool, channelShuffle, squeezeExcite
    assert.equal(new Set(names).size, names.length);
    for (const name of names) {
      assert.ok(name.startsWith(CLASS_PREFIX), name);
      assert.ok(tf.serialization.SerializationMap.getMap().classNameMap[name], `${name} is in tf.serialization's map`);
    }
  });

  for (const [name, build] of Object.entries(MODELS)) {
    it(`${name}: saves and loads back with the same config and predictions`, async () => {
      const model = build();
      const x = tf.randomNormal(model.inputs[0].shape.map((d) => d ?? 2), 0, 1, 'float32', 3);
      const before = model.predict(x) as tf.Tensor;
      const loaded = await roundTrip(model);
      const last = model.layers.at(-1)!;
      const lastLoaded = loaded.layers.at(-1)!;
      assert.equal(lastLoaded.getClassName(), last.getClassName());
      assert.equal(lastLoaded.constructor, last.constructor);
      assert.deepEqual(lastLoaded.getConfig(), last.getConfig());
      assert.equal(loaded.countParams(), model.countParams());
      assertClose((loaded.predict(x) as tf.Tensor).dataSync(), before.dataSync(), 1e-6, name);
    });
  }

  it('a checkpoint of a model with all of them loads back from disk', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same' }),
        dl.gelu(), dl.silu(), dl.mish(), dl.celu(), dl.selu(), dl.softplus(), dl.relu6(), dl.logSigmoid(),
        dl.blurPool(), dl.channelShuffle({ groups: 2 }), dl.squeezeExcite({ ratio: 2 }), dl.softmin({ axis: 3 }),
        dl.logSoftmax({ axis: 1 }), dl.prelu(), dl.leakyReLU(), dl.elu(),
        tf.layers.flatten(), dl.sine({ units: 6, isFirst: true }), dl.sine({ units: 6 }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const dir = path.join(tempDir(), 'last');
    await saveCheckpoint(dir, model, null, { epoch: 1, step: 1, monitor: 'loss', best: null, time: 0, metrics: {} });
    const loaded = await tf.loadLayersModel(fileSystemHandler(path.join(dir, 'model.json')));
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 5);
    assertClose((loaded.predict(x) as tf.Tensor).dataSync(), (model.predict(x) as tf.Tensor).dataSync(), 1e-6, 'checkpoint');
  });
});

describe('dl-lab layers train on wasm as on cpu', () => {
  it('gives the same gradients for every weight of a model with all the layers', async () => {
    const build = () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
          dl.gelu(), dl.silu({ beta: 1.2 }), dl.mish(), dl.celu({ alpha: 0.6 }), dl.selu(), dl.softplus({ beta: 2, threshold: 4 }),
          dl.relu6(), dl.logSigmoid(), dl.blurPool({ filterSize: 3 }), dl.channelShuffle({ groups: 2 }), dl.squeezeExcite({ ratio: 2 }),
          dl.softmin({ axis: 3 }), dl.logSoftmax({ axis: 1 }),
          tf.layers.flatten(), dl.sine({ units: 6, isFirst: true }), dl.sine({ units: 6 }),
          tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
    const gradients = async (backend: 'cpu' | 'wasm', weights?: tf.Tensor[]) => {
      await initBackend(backend);
      const model = build();
      if (weights) model.setWeights(weights.map((w) => tf.tensor(w.arraySync() as number[], w.shape)));
      const x = tf.tensor4d(Array.from({ length: 2 * 8 * 8 * 2 }, (_, i) => Math.sin(i * 0.37)), [2, 8, 8, 2]);
      const y = tf.tensor2d([[1, 0, 0], [0, 0, 1]]);
      const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, model.trainableWeights.map((w) => w.read() as tf.Variable));
      const out = model.trainableWeights.map((w) => ({ name: w.originalName, values: Array.from(grads[(w.read() as tf.Variable).name].dataSync()) }));
      return { out, weights: model.getWeights().map((w) => ({ values: w.arraySync(), shape: w.shape })) };
    };
    const cpu = await gradients('cpu');
    const cpuWeights = cpu.weights;
    const wasm = await gradients('wasm', cpuWeights.map((w) => ({ arraySync: () => w.values, shape: w.shape }) as unknown as tf.Tensor));
    assert.equal(wasm.out.length, cpu.out.length);
    for (let i = 0; i < cpu.out.length; i++) {
      const scale = Math.max(1e-6, ...cpu.out[i].values.map(Math.abs));
      const err = Math.max(...cpu.out[i].values.map((v, j) => Math.abs(v - wasm.out[i].values[j])));
      assert.ok(err / scale < 1e-3, `${cpu.out[i].name}: relative error ${err / scale}`);
    }
  });
});
