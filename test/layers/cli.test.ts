/**
 * A model file that imports the layer library (`import { layers as dl } from 'dl-lab'`) trains through
 * the real CLI and engine, and its checkpoint loads back with tf.loadLayersModel.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '../../src/engine/layers'; // registers the DlLab* classes in this process, as the engine does
import { fileSystemHandler } from '../../src/engine/training/checkpoint';
import { FIXTURES, jsonLines, readJsonl, runCli, tempDir } from '../helpers';

tf.env().set('PROD', true);

describe('dl-lab train with the dl-lab layer library', () => {
  it('trains a model file that imports dl-lab for one epoch, and its checkpoint loads back', async () => {
    const runsDir = tempDir();
    const model = path.join(FIXTURES, 'models', 'dl-layers.model.ts');
    const result = await runCli(['train', model, '--data', 'synthetic:shapes?count=300', '--runs-dir', runsDir, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const end = jsonLines(result.stdout).at(-1)!;
    assert.equal(end.status, 'completed');
    const runDir = end.runDir as string;

    const run = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    assert.deepEqual(run.config.loss, { name: 'nll', reduction: 'mean' });
    const [epoch] = readJsonl(path.join(runDir, 'metrics.jsonl')).filter((m) => m.kind === 'epoch');
    assert.ok(Number.isFinite(epoch.loss) && Number.isFinite(epoch.val_loss), `finite losses: ${JSON.stringify(epoch)}`);

    const modelJson = path.join(runDir, 'checkpoints', 'last', 'model.json');
    const topology = fs.readFileSync(modelJson, 'utf8');
    for (const name of ['DlLabGelu', 'DlLabBlurPool', 'DlLabChannelShuffle', 'DlLabSqueezeExcite', 'DlLabMish', 'DlLabSine', 'DlLabSilu', 'DlLabLogSoftmax']) {
      assert.ok(topology.includes(`"class_name":"${name}"`), `model.json holds ${name}`);
    }
    const loaded = await tf.loadLayersModel(fileSystemHandler(modelJson));
    assert.deepEqual(loaded.outputs[0].shape, [null, 6]);
    const out = loaded.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor;
    // logSoftmax rows: exp sums to 1.
    const sums = tf.sum(tf.exp(out), -1).dataSync();
    for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-4, `row sums to ${s}`);
  });
});
