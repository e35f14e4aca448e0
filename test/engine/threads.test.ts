/**
 * The wasm backend on several threads (tfjs's threaded SIMD build, XNNPACK's pool on worker_threads):
 * the real CLI and engine, real CIFAR images. What a user would notice: the run says how many threads it
 * used, the same seed gives the same metrics to the last bit with any thread count (XNNPACK splits each
 * product by output tiles, never along the sum), the engine exits, and a bad count is one clear line.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DATASETS, FIXTURES, jsonLines, readJsonl, runCli, tempDir } from '../helpers';
import { requestedThreads } from '../../src/engine/backends/wasm/threads';

const MODEL = path.join(FIXTURES, 'models', 'bn-cnn.model.ts');
const CIFAR = path.join(DATASETS, 'cifar10-small');

async function train(threads: number): Promise<{ run: Record<string, any>; epochs: Record<string, any>[] }> {
  const runsDir = tempDir();
  const r = await runCli(['train', MODEL, '--data', CIFAR, '--backend', 'wasm', '--threads', String(threads), '--runs-dir', runsDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const end = jsonLines(r.stdout).at(-1)!;
  assert.equal(end.status, 'completed');
  const run = JSON.parse(fs.readFileSync(path.join(end.runDir, 'run.json'), 'utf8'));
  // Epoch records: batch records are throttled by time, so which batches get one differs between runs.
  return { run, epochs: readJsonl(path.join(end.runDir, 'metrics.jsonl')).filter((m) => m.kind === 'epoch') };
}

describe('wasm threads', () => {
  it('--threads 2 trains a BatchNorm CNN to the same metrics, bit for bit, as --threads 1, and says so in the run', async () => {
    const one = await train(1);
    const two = await train(2);
    assert.match(one.run.backend.reason, /SIMD, 1 thread\b/);
    assert.match(two.run.backend.reason, /SIMD, 2 threads/);
    const strip = (ms: Record<string, any>[]) => ms.map(({ time: _t, samplesPerSec: _s, ...rest }) => rest);
    assert.ok(one.epochs.length > 0);
    assert.deepEqual(strip(two.epochs), strip(one.epochs));
  });

  it('dl-lab info says how many threads the engine uses', async () => {
    const r = await runCli(['info', '--json', '--threads', '3']);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.equal(info.threads.threads, 3);
    assert.match(info.backends.find((b: { name: string }) => b.name === 'wasm').detail, /3 threads/);
  });

  it('a thread count that is not a positive integer is one line naming the option or variable', async () => {
    const r = await runCli(['info', '--threads', 'two']);
    assert.equal(r.code, 2);
    assert.match(r.stderr.split('\n')[0], /^dl-lab: --threads must be a positive integer, got "two"$/);
    assert.throws(() => requestedThreads({ DL_LAB_THREADS: '-1' }), /DL_LAB_THREADS is "-1"; expected a positive integer/);
    assert.equal(requestedThreads({ DL_LAB_THREADS: '5' }), 5);
    assert.ok(requestedThreads({}) >= 1);
  });
});
