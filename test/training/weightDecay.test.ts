/**
 * Weight decay (`training.weightDecay`, `dl-lab train --weight-decay`): each step adds `weightDecay * w`
 * to every weight's gradient, as PyTorch's optimizers do, on every backend's optimizer path; the loss a
 * user sees stays the data loss; and a bad value is refused with where it came from.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backends';
import { resolveTrainingConfig } from '../../src/engine/training/config';
import { lossFunction, makeOptimizer, trainableVariables, trainStep } from '../../src/engine/training/step';
import { readJsonl, runCli, tempDir } from '../helpers';

tf.env().set('PROD', true);

function tinyModel(seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), biasInitializer: 'ones' }),
    ],
  });
}

/** Weights after one step from the same start, with and without decay. */
async function oneStep(optimizer: 'sgd' | 'adam', weightDecay: number): Promise<{ before: Float32Array[]; after: Float32Array[]; loss: number }> {
  const model = tinyModel(7);
  const x = tf.randomUniform([4, 6, 6, 1], 0, 1, 'float32', 3);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
  const before = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  const opt = makeOptimizer({ optimizer, learningRate: 0.1, momentum: 0 });
  const out = trainStep(model, opt, lossFunction('categoricalCrossentropy'), x, y, trainableVariables(model), weightDecay);
  const loss = (await out.loss.data())[0];
  const after = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  tf.dispose([x, y, out.loss, out.correct]);
  opt.dispose();
  model.dispose();
  return { before, after, loss };
}

describe('weight decay', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`SGD on ${backend}: the step differs from the undecayed one by exactly -lr * weightDecay * w, and the loss is the data loss`, async () => {
      await initBackend(backend);
      const plain = await oneStep('sgd', 0);
      const decayed = await oneStep('sgd', 0.5);
      assert.equal(decayed.loss, plain.loss, 'the reported loss does not include the penalty');
      for (let i = 0; i < plain.before.length; i++) {
        for (let j = 0; j < plain.before[i].length; j++) {
          const expected = plain.after[i][j] - 0.1 * 0.5 * plain.before[i][j];
          assert.ok(Math.abs(decayed.after[i][j] - expected) < 1e-5, `weight ${i}[${j}]: ${decayed.after[i][j]} vs ${expected}`);
        }
      }
    });

    it(`Adam on ${backend}: decay changes the step (the fused Adam sees the decayed gradient)`, async () => {
      await initBackend(backend);
      const plain = await oneStep('adam', 0);
      const decayed = await oneStep('adam', 10);
      // Adam normalises the first step to about lr * sign(g): a decay that dominates g flips it to -sign(w).
      const bias = plain.before.length - 1; // the dense bias starts at 1: its decayed step goes down
      assert.ok(decayed.after[bias].every((v, j) => v < plain.before[bias][j]), 'bias decayed towards 0');
      assert.notDeepEqual(decayed.after[0], plain.after[0]);
    });
  }

  it('is refused when negative, naming where the value came from', () => {
    assert.throws(() => resolveTrainingConfig({ weightDecay: -1 }, 'm.model.ts', {}), /m\.model\.ts: training\.weightDecay is -1; expected a number >= 0/);
    assert.equal(resolveTrainingConfig({}, 'm.model.ts', {}).weightDecay, 0);
  });

  it('dl-lab train --weight-decay: recorded in run.json, and large decay shrinks the weights', async () => {
    const dir = tempDir('wd-');
    const model = path.join(dir, 'tiny.model.js');
    fs.writeFileSync(
      model,
      `import * as tf from '@tensorflow/tfjs';\nexport const training = { epochs: 2, batchSize: 32, optimizer: 'sgd', learningRate: 0.05 };\n` +
        `export default function model({ inputShape, numClasses }) {\n  return tf.sequential({ layers: [tf.layers.flatten({ inputShape }), tf.layers.dense({ units: numClasses, activation: 'softmax' })] });\n}\n`,
    );
    const norms: number[] = [];
    for (const wd of ['0', '2']) {
      const runs = path.join(dir, `runs-${wd}`);
      const result = await runCli(['train', model, '--data', 'synthetic:shapes?count=200', '--backend', 'cpu', '--runs-dir', runs, '--weight-decay', wd, '--json']);
      assert.equal(result.code, 0, result.stderr);
      const [runDir] = fs.readdirSync(runs).map((d) => path.join(runs, d));
      const record = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
      assert.equal(record.config.weightDecay, Number(wd));
      assert.ok(readJsonl(path.join(runDir, 'metrics.jsonl')).some((r) => r.kind === 'epoch'));
      const manifest = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoints', 'last', 'model.json'), 'utf8'));
      const specs = manifest.weightsManifest.flatMap((g: { weights: { name: string; shape: number[] }[] }) => g.weights);
      const buffer = fs.readFileSync(path.join(runDir, 'checkpoints', 'last', manifest.weightsManifest[0].paths[0]));
      const values = new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
      const kernelSize = specs[0].shape.reduce((a: number, b: number) => a * b, 1);
      norms.push(Math.hypot(...values.subarray(0, kernelSize)));
    }
    assert.ok(norms[1] < norms[0] * 0.5, `kernel norm with decay ${norms[1]} vs without ${norms[0]}`);
  });
});
