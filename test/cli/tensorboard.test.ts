/**
 * `dl-lab tensorboard [runs-dir]` prints the command that starts TensorBoard on the runs folder, and says
 * when TensorBoard is not installed or no run has logs yet; the printed command, given to a real
 * TensorBoard (where one is installed), serves the runs' scalars.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempDir, TINY } from '../helpers';
import { pythonWith, skipUnlessPython } from '../python';

/** A PATH with only a fake `tensorboard` on it, or with nothing. */
function fakePath(withTensorboard: boolean): string {
  const bin = tempDir();
  if (withTensorboard) {
    fs.writeFileSync(path.join(bin, 'tensorboard'), '#!/bin/sh\nexit 0\n');
    fs.chmodSync(path.join(bin, 'tensorboard'), 0o755);
  }
  return bin;
}

describe('dl-lab tensorboard', () => {
  it('prints the command for the runs folder given, or --runs-dir, or ./runs; quoted where a shell would split it', async () => {
    const dir = tempDir();
    const spaced = path.join(dir, 'my runs');
    fs.mkdirSync(path.join(spaced, 'r1', 'tensorboard'), { recursive: true });
    const env = { ...process.env, PATH: fakePath(true) };
    const given = await runCli(['tensorboard', spaced], { env });
    assert.equal(given.code, 0, given.stderr);
    assert.equal(given.stdout, `tensorboard --logdir '${spaced}'\n`);
    assert.equal(given.stderr, '', 'installed, and a run has logs: nothing to say');

    const byOption = await runCli(['tensorboard', '--runs-dir', dir], { env });
    assert.equal(byOption.stdout, `tensorboard --logdir ${dir}\n`);
    assert.match(byOption.stderr, /no run in .* has TensorBoard logs yet/);
    const byDefault = await runCli(['tensorboard'], { env, cwd: dir });
    assert.equal(byDefault.stdout, `tensorboard --logdir ${fs.realpathSync(dir)}/runs\n`);
    assert.match(byDefault.stderr, /runs does not exist yet/);
  });

  it('says how to install TensorBoard when it is not on the PATH; a second folder is a usage error', async () => {
    const dir = tempDir();
    const r = await runCli(['tensorboard', dir], { env: { ...process.env, PATH: fakePath(false) } });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `tensorboard --logdir ${dir}\n`);
    assert.match(r.stderr, /TensorBoard is not installed here \(no tensorboard on PATH\): pip install tensorboard/);
    const two = await runCli(['tensorboard', dir, dir]);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /tensorboard takes one runs folder, got 2/);
  });

  it('the printed command, run, serves the runs\' scalars', { skip: skipUnlessPython(['tensorboard']) }, async () => {
    const dir = tempDir();
    const runsDir = path.join(dir, 'runs');
    const trained = await runCli(['train', TINY, '--data', 'synthetic:shapes?count=64', '--epochs', '1', '--backend', 'cpu', '--runs-dir', runsDir]);
    assert.equal(trained.code, 0, trained.stderr);
    const printed = (await runCli(['tensorboard', runsDir])).stdout.trim().split(' ');
    assert.equal(printed[0], 'tensorboard');
    const port = 16006 + (process.pid % 1000);
    // TensorBoard's own entry point, from the interpreter that has it: the same program as its `tensorboard` script.
    const server = spawn(pythonWith(['tensorboard'])!, ['-m', 'tensorboard.main', ...printed.slice(1), '--port', String(port), '--host', '127.0.0.1'], { stdio: 'ignore' });
    try {
      let runs: Record<string, Record<string, unknown>> | undefined;
      for (const start = Date.now(); !runs && Date.now() - start < 60_000; await new Promise((r) => setTimeout(r, 500))) {
        runs = await fetch(`http://127.0.0.1:${port}/data/plugin/scalars/tags`)
          .then((res) => (res.ok ? (res.json() as Promise<Record<string, Record<string, unknown>>>) : undefined))
          .catch(() => undefined);
      }
      assert.ok(runs, 'TensorBoard answered within 60 s');
      const names = Object.keys(runs);
      assert.ok(names.some((n) => n.endsWith('/tensorboard/train') && 'epoch_loss' in runs[n]), names.join(', '));
      assert.ok(names.some((n) => n.endsWith('/tensorboard/validation') && 'epoch_loss' in runs[n]), names.join(', '));
    } finally {
      server.kill();
    }
  });
});
