/**
 * A write that fails mid-run (a full disk; here a file-size limit, which fails writes the same way) fails
 * the run with what was being written, keeps the last good files, leaves no temporary folder, and the run
 * folder stays readable by `dl-lab runs`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { fileSystemHandler } from '../../src/engine/training/checkpoint';
import { readMetrics } from '../../src/runs/runFolder';
import { CLI, jsonLines, LENET, ROOT, runCli, tempDir } from '../helpers';

function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

describe('a write that fails mid-run', { skip: process.platform === 'win32' && 'needs ulimit' }, () => {
  it('fails the run saying what could not be written; the best checkpoint and the metrics are kept', async () => {
    const runsDir = tempDir();
    // 300 KiB per file: LeNet's weights (241 KiB) fit, Adam's state for checkpoints/last (482 KiB) does not.
    const args = [CLI, 'train', LENET, '--data', 'synthetic:shapes?count=300', '--epochs', '2', '--runs-dir', runsDir, '--json'];
    const child = spawn('bash', ['-c', 'ulimit -f 300 && exec "$0" "$@"', process.execPath, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 1, stderr);
    const end = jsonLines(stdout).find((e) => e.event === 'end')!;
    assert.equal(end.status, 'failed');
    assert.equal(end.error, 'file too large while saving checkpoints/last');

    const runDir = end.runDir as string;
    const record = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    assert.equal(record.status, 'failed');
    assert.equal(record.error, 'file too large while saving checkpoints/last');
    assert.deepEqual(allFiles(runDir).filter((f) => /\.tmp-|\.old$/.test(f)), [], 'no temporary files or folders left');
    assert.ok(readMetrics(runDir).some((m) => m.kind === 'epoch' && m.epoch === 1), 'epoch 1 metrics kept');
    const best = await tf.loadLayersModel(fileSystemHandler(path.join(runDir, 'checkpoints', 'best', 'model.json')));
    assert.equal(best.countParams(), 61_366);
    best.dispose();

    const list = await runCli(['runs', '--runs-dir', runsDir, '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(JSON.parse(list.stdout)[0].status, 'failed');
  });
});
