import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  fileSystemHandler,
  resolveCheckpointDir,
  restoreCheckpoint,
  saveCheckpoint,
  type TrainerState,
} from '../../src/engine/training/checkpoint';
import { lossFunction, makeOptimizer, trainStep } from '../../src/engine/training/step';
import { tempDir } from '../helpers';

tf.env().set('PROD', true);

function tinyModel(): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 5, activation: 'relu' }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
}

const state: TrainerState = { epoch: 1, step: 3, monitor: 'val_loss', best: 0.5, time: 0, metrics: { loss: 0.7 } };
const x = tf.tensor2d([[1, 2, 3, 4], [0, 1, 0, 1], [4, 3, 2, 1]]);
const y = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
const loss = lossFunction('categoricalCrossentropy');
const config = { optimizer: 'adam' as const, learningRate: 0.01, momentum: 0 };

function step(model: tf.LayersModel, optimizer: tf.Optimizer): number {
  const out = trainStep(model, optimizer, loss, x, y);
  const value = out.loss.dataSync()[0];
  tf.dispose([out.loss, out.correct]);
  return value;
}

describe('checkpoints', () => {
  it('resume continues exactly where training stopped, optimizer state included', async () => {
    const dir = path.join(tempDir(), 'last');
    const model = tinyModel();
    const optimizer = makeOptimizer(config);
    for (let i = 0; i < 3; i++) step(model, optimizer);
    await saveCheckpoint(dir, model, optimizer, state);
    const continued = [step(model, optimizer), step(model, optimizer)];

    const model2 = tinyModel(); // fresh random weights
    const optimizer2 = makeOptimizer(config);
    const restored = await restoreCheckpoint(dir, model2, optimizer2);
    assert.equal(restored.optimizerRestored, true);
    assert.deepEqual(restored.state, state);
    const resumed = [step(model2, optimizer2), step(model2, optimizer2)];
    // To the bit: Adam's β powers are saved too (setWeights alone recomputes them as pow(β, t)).
    assert.deepEqual(resumed, continued);
  });

  it('writes a model.json that tf.loadLayersModel loads, with the same predictions', async () => {
    const dir = path.join(tempDir(), 'best');
    const model = tinyModel();
    await saveCheckpoint(dir, model, null, state);
    const loaded = await tf.loadLayersModel(fileSystemHandler(path.join(dir, 'model.json')));
    assert.deepEqual(
      Array.from((loaded.predict(x) as tf.Tensor).dataSync()),
      Array.from((model.predict(x) as tf.Tensor).dataSync()),
    );
    assert.ok(!fs.existsSync(path.join(dir, 'optimizer.json')), 'no optimizer state when none is given');
  });

  it('replaces a checkpoint atomically and falls back to the previous one after a crash mid-swap', async () => {
    const root = tempDir();
    const dir = path.join(root, 'last');
    const model = tinyModel();
    await saveCheckpoint(dir, model, null, state);
    await saveCheckpoint(dir, model, null, { ...state, epoch: 2 });
    assert.deepEqual(fs.readdirSync(root), ['last'], 'no temporary or old folders are left behind');
    // A crash between the two renames leaves only last.old.
    fs.renameSync(dir, `${dir}.old`);
    assert.equal(resolveCheckpointDir(dir), `${dir}.old`);
    const restored = await restoreCheckpoint(dir, tinyModel(), makeOptimizer(config));
    assert.equal(restored.state.epoch, 2);
  });

  it('refuses a checkpoint that does not fit the model, saying so', async () => {
    const dir = path.join(tempDir(), 'last');
    await saveCheckpoint(dir, tinyModel(), null, state);
    const other = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
    await assert.rejects(restoreCheckpoint(dir, other, makeOptimizer(config)), /does not fit the model built from the model file/);
  });
});
