/**
 * `training.metrics` decides what a run computes and logs besides the loss: accuracy only when asked,
 * top-k accuracy when asked, nothing with `[]`; bad names and accuracy monitors without accuracy are
 * refused in one line. End to end through the real CLI and engine (cpu backend, small synthetic data).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resolveCallbacks } from '../../src/engine/training/callbacks';
import { resolveTrainingConfig } from '../../src/engine/training/config';
import { countTopK, resolveMetrics } from '../../src/engine/training/metrics';
import { lossFunction } from '../../src/engine/training/step';
import { jsonLines, readJsonl, runCli, tempDir } from '../helpers';

tf.env().set('PROD', true);

function modelFile(dir: string, training: string): string {
  const file = path.join(dir, 'dense.model.js');
  fs.writeFileSync(
    file,
    `import * as tf from '@tensorflow/tfjs';\n` +
      `export const training = ${training};\n` +
      `export default function model({ inputShape, numClasses }) {\n` +
      `  return tf.sequential({ layers: [tf.layers.flatten({ inputShape }), tf.layers.dense({ units: numClasses, activation: 'softmax' })] });\n` +
      `}\n`,
  );
  return file;
}

describe('training.metrics', () => {
  it('top-k counts rows whose class is among the k highest, ties in its favour (as in_top_k)', () => {
    const predictions = tf.tensor2d([
      [0.1, 0.5, 0.3, 0.1], // label 2: second highest
      [0.4, 0.3, 0.2, 0.1], // label 3: lowest
      [0.25, 0.25, 0.25, 0.25], // label 0: tied with every class
      [0.7, 0.1, 0.1, 0.1], // label 0: highest
    ]);
    const labels = tf.oneHot(tf.tensor1d([2, 3, 0, 0], 'int32'), 4).toFloat();
    assert.equal(countTopK(labels, predictions, 1).dataSync()[0], 2);
    assert.equal(countTopK(labels, predictions, 2).dataSync()[0], 3);
    assert.equal(countTopK(labels, predictions, 3).dataSync()[0], 3);
    assert.equal(countTopK(labels, predictions, 4).dataSync()[0], 4);
    // Through the run's counter, in the order asked: accuracy (arg-max), then top-2.
    const metrics = resolveMetrics(['accuracy', 'top2', 'acc'], lossFunction('categoricalCrossentropy'), 'a.model.ts: training');
    assert.deepEqual(metrics.specs.map((s) => s.key), ['acc', 'top2_acc']);
    assert.deepEqual([...metrics.counter!(labels, predictions).dataSync()], [2, 3]);
    assert.equal(resolveMetrics([], lossFunction('categoricalCrossentropy'), 'x').counter, null);
    tf.dispose([predictions, labels]);
  });

  it('bad names and impossible combinations are one line naming the setting', () => {
    assert.throws(() => resolveTrainingConfig({ metrics: ['accuracy', 'f1'] }, 'a.model.ts', {}), {
      message: `a.model.ts: training.metrics is ["accuracy","f1"]; expected an array of metric names: 'accuracy', 'top5' (top-k accuracy, any k >= 2); "f1" is not one`,
    });
    assert.throws(() => resolveTrainingConfig({ metrics: 'accuracy' }, 'a.model.ts', {}), /training\.metrics is "accuracy"; expected an array of metric names/);
    assert.throws(() => resolveTrainingConfig({ metrics: ['top1'] }, 'a.model.ts', {}), /"top1" is not one/);
    assert.deepEqual(resolveTrainingConfig({ metrics: ['top_k_categorical_accuracy'] }, 'a.model.ts', {}).metrics, ['top_k_categorical_accuracy']);
    assert.throws(
      () => resolveMetrics(['top5'], lossFunction('tripletMargin'), 'a.model.ts: training'),
      /a\.model\.ts: training\.metrics: "top5" needs one output per class; an embedding loss outputs embeddings/,
    );
    assert.throws(
      () => resolveCallbacks({ earlyStopping: { monitor: 'val_acc' } }, true, () => 'a.model.ts: training', false),
      { message: `a.model.ts: training.callbacks.earlyStopping.monitor is "val_acc", but training.metrics does not ask for accuracy; add 'accuracy' to training.metrics or monitor val_loss` },
    );
    assert.equal(resolveCallbacks({ earlyStopping: true }, true, undefined, false).earlyStopping!.monitor, 'val_loss');
  });

  it('a run logs the metrics asked for: none with [], accuracy and top-3 when asked', async () => {
    const dir = tempDir();
    const runs = path.join(dir, 'runs');
    const epochLines = async (training: string) => {
      const file = modelFile(dir, training);
      const r = await runCli(['train', file, '--data', 'synthetic:shapes?count=200', '--epochs', '1', '--backend', 'cpu', '--runs-dir', runs, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const runDir = jsonLines(r.stdout).find((e) => e.event === 'run')!.runDir;
      return readJsonl(path.join(runDir, 'metrics.jsonl')).filter((m) => m.kind === 'epoch');
    };
    const [none] = await epochLines(`{ metrics: [], validationSplit: 0.2 }`);
    assert.deepEqual(Object.keys(none).filter((k) => k.includes('acc')), [], 'no accuracy computed or logged');
    assert.ok(Number.isFinite(none.loss) && Number.isFinite(none.val_loss));
    const [both] = await epochLines(`{ metrics: ['accuracy', 'top3'], validationSplit: 0.2 }`);
    for (const key of ['acc', 'val_acc', 'top3_acc', 'val_top3_acc']) assert.ok(both[key] >= 0 && both[key] <= 1, `${key}: ${both[key]}`);
    assert.ok(both.top3_acc >= both.acc && both.val_top3_acc >= both.val_acc, 'top-3 is at least top-1');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
