/**
 * The acceptance checks, end to end: the real CLI, the real engine child process, real files.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { fileSystemHandler } from '../../src/engine/training/checkpoint';
import { jsonLines, LENET, readJsonl, runCli, tempDir } from '../helpers';

describe('dl-lab train', () => {
  it('trains LeNet-5 on synthetic:shapes for 3 epochs: falling loss, val_acc well above chance, loadable checkpoint', async () => {
    const runsDir = tempDir();
    const result = await runCli(['train', LENET, '--data', 'synthetic:shapes', '--epochs', '3', '--runs-dir', runsDir, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const events = jsonLines(result.stdout);
    const end = events.at(-1)!;
    assert.equal(end.event, 'end');
    assert.equal(end.status, 'completed');
    const runDir = end.runDir as string;
    assert.equal(path.dirname(runDir), runsDir);

    const run = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    assert.equal(run.status, 'completed');
    assert.equal(run.config.epochs, 3);
    assert.ok(run.backend.name, 'the backend is recorded');

    const epochs = readJsonl(path.join(runDir, 'metrics.jsonl')).filter((m) => m.kind === 'epoch');
    assert.equal(epochs.length, 3);
    for (const m of epochs) for (const key of ['epoch', 'step', 'time', 'loss', 'acc', 'val_loss', 'val_acc']) assert.equal(typeof m[key], 'number', key);
    assert.ok(epochs[1].loss < epochs[0].loss && epochs[2].loss < epochs[1].loss, `loss falls: ${epochs.map((m) => m.loss)}`);
    const classes = 6;
    assert.ok(epochs[2].val_acc > 2.5 / classes, `val_acc ${epochs[2].val_acc} is well above chance (${(1 / classes).toFixed(3)})`);

    const model = await tf.loadLayersModel(fileSystemHandler(path.join(runDir, 'checkpoints', 'best', 'model.json')));
    assert.deepEqual(model.outputs[0].shape, [null, classes]);
    assert.ok(fs.existsSync(path.join(runDir, 'checkpoints', 'last', 'optimizer.json')));

    const progress = events.filter((e) => e.event === 'batch');
    assert.ok(progress.length > 0, 'batch progress is streamed');
    for (let i = 1; i < progress.length; i++) {
      assert.ok(progress[i].time - progress[i - 1].time >= 240, 'batch progress is throttled to one every 250 ms');
    }
  });

  it('reports runs with status and final metrics', async () => {
    const runsDir = tempDir();
    const train = await runCli(['train', path.join(__dirname, '..', 'fixtures', 'models', 'tiny-dense.model.js'), '--data', 'synthetic:shapes?count=300', '--epochs', '1', '--runs-dir', runsDir, '--json']);
    assert.equal(train.code, 0, train.stderr);
    const list = await runCli(['runs', '--runs-dir', runsDir, '--json']);
    assert.equal(list.code, 0);
    const runs = JSON.parse(list.stdout);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].status, 'completed');
    assert.equal(typeof runs[0].metrics.val_acc, 'number');
    assert.equal(runs[0].runDir, jsonLines(train.stdout).at(-1)!.runDir);
    const text = await runCli(['runs', '--runs-dir', runsDir]);
    assert.match(text.stdout, /completed\s+1\/1/);
  });

  it('gives the same metrics for the same seed on the cpu backend', async () => {
    const runsDir = tempDir();
    const model = path.join(__dirname, '..', 'fixtures', 'models', 'tiny-dense.model.js');
    const args = ['train', model, '--data', 'synthetic:shapes?count=240', '--backend', 'cpu', '--seed', '7', '--runs-dir', runsDir, '--json'];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    const epochsOf = (r: typeof a) => {
      assert.equal(r.code, 0, r.stderr);
      const runDir = jsonLines(r.stdout).at(-1)!.runDir;
      return readJsonl(path.join(runDir, 'metrics.jsonl'))
        .filter((m) => m.kind === 'epoch')
        .map(({ loss, acc, val_loss, val_acc }) => ({ loss, acc, val_loss, val_acc }));
    };
    const first = epochsOf(a);
    assert.equal(first.length, 2);
    assert.deepEqual(epochsOf(b), first);
    const other = await runCli(args.map((v) => (v === '7' ? '8' : v)));
    assert.notDeepEqual(epochsOf(other), first, 'another seed gives another run');
  });

  it('rejects bad options with a usage error before starting anything', async () => {
    const result = await runCli(['train', LENET, '--epochs', 'many']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--epochs must be an integer >= 1, got "many"/);
    const backend = await runCli(['train', LENET, '--backend', 'tpu']);
    assert.equal(backend.code, 2);
    assert.match(backend.stderr, /--backend must be auto or one of tensorflow-gpu, webgpu, tensorflow, wasm, cpu/);
  });
});
