/**
 * Nothing is lost when the engine dies: a SIGKILL mid-epoch leaves a readable run, reported as
 * interrupted, that `dl-lab train --resume` completes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { fileSystemHandler } from '../../src/engine/training/checkpoint';
import { readMetrics } from '../../src/runs/runFolder';
import { jsonLines, LENET, ROOT, runCli, startTraining, tempDir, waitFor } from '../helpers';

describe('a run whose engine is killed', () => {
  it('is reported as interrupted with its metrics and last checkpoint, and --resume completes it', async () => {
    const runsDir = tempDir();
    const training = startTraining([LENET, '--epochs', '4', '--runs-dir', runsDir]);
    // Kill mid-epoch 2: after epoch 1's checkpoint, on a batch of the next epoch.
    const run = await waitFor(() => training.events().find((e) => e.event === 'run'), 30_000, 'the run to start');
    await waitFor(() => training.events().find((e) => e.event === 'batch' && e.epoch === 2), 120_000, 'a batch of epoch 2');
    process.kill(run.pid, 'SIGKILL');
    const code = await training.closed;
    assert.equal(code, 1, 'the CLI fails when its run is interrupted');
    const end = training.events().at(-1)!;
    assert.equal(end.status, 'interrupted');
    assert.match(end.error, /SIGKILL/);

    const list = JSON.parse((await runCli(['runs', '--runs-dir', runsDir, '--json'])).stdout);
    assert.equal(list[0].status, 'interrupted');
    assert.equal(list[0].epochsCompleted, 1);
    const runDir = run.runDir as string;
    assert.ok(readMetrics(runDir).some((m) => m.kind === 'epoch' && m.epoch === 1), 'epoch 1 metrics survive');
    const last = await tf.loadLayersModel(fileSystemHandler(path.join(runDir, 'checkpoints', 'last', 'model.json')));
    assert.equal(last.countParams(), 61_366);

    const resumed = await runCli(['train', '--resume', runDir, '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const events = jsonLines(resumed.stdout);
    assert.equal(events.find((e) => e.event === 'started')!.startEpoch, 2);
    assert.equal(events.at(-1)!.status, 'completed');
    const record = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    assert.equal(record.status, 'completed');
    assert.equal(record.epochsCompleted, 4);
    assert.equal(record.resumes, 1);
    const epochs = readMetrics(runDir).filter((m) => m.kind === 'epoch').map((m) => m.epoch);
    assert.deepEqual(epochs, [1, 2, 3, 4]);
  });

  it('is reported as interrupted even when the CLI died with it', async () => {
    const runsDir = tempDir();
    const model = path.join(ROOT, 'test', 'fixtures', 'models', 'tiny-dense.model.js');
    const training = startTraining([model, '--data', 'synthetic:shapes?count=3000', '--backend', 'cpu', '--epochs', '50', '--runs-dir', runsDir]);
    const run = await waitFor(() => training.events().find((e) => e.event === 'run'), 30_000, 'the run to start');
    await waitFor(() => training.events().find((e) => e.event === 'batch'), 60_000, 'a batch');
    training.child.kill('SIGKILL');
    process.kill(run.pid, 'SIGKILL');
    await training.closed;
    await waitFor(() => { try { process.kill(run.pid, 0); return false; } catch { return true; } }, 5000, 'the engine to die');
    const list = JSON.parse((await runCli(['runs', '--runs-dir', runsDir, '--json'])).stdout);
    assert.equal(list[0].status, 'interrupted');
    const record = JSON.parse(fs.readFileSync(path.join(run.runDir, 'run.json'), 'utf8'));
    // Readers never write: the file still says what the dead engine last wrote; every reader (the CLI, the
    // Runs view, --resume) sees that its process is gone.
    assert.equal(record.status, 'running', '`dl-lab runs` does not rewrite run.json');
  });
});

describe('dl-lab stop', () => {
  it('stops a run trained in another terminal after its current batch: stopped, metrics and checkpoint kept, resumable', async () => {
    const runsDir = tempDir();
    const training = startTraining([LENET, '--epochs', '50', '--runs-dir', runsDir]);
    try {
      const run = await waitFor(() => training.events().find((e) => e.event === 'run'), 30_000, 'the run to start');
      await waitFor(() => training.events().find((e) => e.event === 'batch' && e.epoch === 2), 120_000, 'a batch of epoch 2');
      const stopped = await runCli(['stop', run.runId, '--runs-dir', runsDir]);
      assert.equal(stopped.code, 0, stopped.stdout + stopped.stderr);
      assert.match(stopped.stdout, new RegExp(`^asked run ${run.runId} to stop after its current batch \\(engine pid ${run.pid} on .+\\)\\nrun ${run.runId} stopped: `));
      assert.equal(await training.closed, 1, 'the training CLI ends with the status of a run that did not complete');
      assert.equal(training.events().at(-1)!.status, 'stopped');
      const runDir = run.runDir as string;
      assert.ok(fs.existsSync(path.join(runDir, 'checkpoints', 'last', 'model.json')), 'epoch 1 left its checkpoint');
      assert.ok(!fs.existsSync(path.join(runDir, 'stop-request')), 'the request is gone, so a resume trains');

      // A run that is not training, and a run that does not exist, say so.
      const again = await runCli(['stop', runDir]);
      assert.equal(again.code, 1);
      assert.equal(again.stdout.trim(), `run ${run.runId} is not training (stopped)`);
      const missing = await runCli(['stop', 'no-such-run', '--runs-dir', runsDir]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, new RegExp(`no run "no-such-run": neither a folder with run.json nor a run id in ${runsDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    } finally {
      training.child.kill('SIGKILL');
    }
  });
});
