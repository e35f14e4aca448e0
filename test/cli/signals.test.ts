/**
 * Ctrl-C in a terminal sends SIGINT to the whole process group, the engine included: the engine must not
 * die of it. The CLI decides: the run stops after its current batch and ends `stopped`, not `interrupted`.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readMetrics } from '../../src/runs/runFolder';
import { FIXTURES, startTraining, tempDir, waitFor } from '../helpers';

describe('Ctrl-C to the terminal\'s process group', () => {
  it('stops the run after the current batch: stopped, metrics kept, engine gone', async () => {
    const runsDir = tempDir();
    const model = path.join(FIXTURES, 'models', 'tiny-dense.model.js');
    const { child, closed, events, stderr } = startTraining(
      [model, '--data', 'synthetic:shapes?count=3000', '--backend', 'cpu', '--epochs', '50', '--runs-dir', runsDir],
      { detached: true },
    );
    try {
      const run = await waitFor(() => events().find((e) => e.event === 'run'), 30_000, 'the run to start');
      await waitFor(() => events().find((e) => e.event === 'batch'), 60_000, 'a batch');
      process.kill(-child.pid!, 'SIGINT');
      const code = await closed;
      assert.equal(code, 1, stderr());
      const end = events().find((e) => e.event === 'end')!;
      assert.equal(end.status, 'stopped', JSON.stringify(end));
      const record = JSON.parse(fs.readFileSync(path.join(run.runDir, 'run.json'), 'utf8'));
      assert.equal(record.status, 'stopped');
      assert.ok(readMetrics(run.runDir).some((m) => m.kind === 'batch'), 'the batch losses are kept');
      await waitFor(() => { try { process.kill(run.pid, 0); return false; } catch { return true; } }, 10_000, 'the engine to exit');
    } finally {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }
  });
});
