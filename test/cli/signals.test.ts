/**
 * Ctrl-C in a terminal sends SIGINT to the whole process group, the engine included: the engine must not
 * die of it. The CLI decides: the run stops after its current batch and ends `stopped`, not `interrupted`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readMetrics } from '../../src/runs/runFolder';
import { CLI, FIXTURES, jsonLines, ROOT, tempDir, waitFor } from '../helpers';

describe('Ctrl-C to the terminal\'s process group', () => {
  it('stops the run after the current batch: stopped, metrics kept, engine gone', async () => {
    const runsDir = tempDir();
    const model = path.join(FIXTURES, 'models', 'tiny-dense.model.js');
    // detached: the CLI leads its own process group, as a shell's foreground job does.
    const child = spawn(process.execPath, [CLI, 'train', model, '--data', 'synthetic:shapes?count=3000', '--backend', 'cpu', '--epochs', '50', '--runs-dir', runsDir, '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const events = () => jsonLines(stdout.slice(0, stdout.lastIndexOf('\n') + 1));
    try {
      const run = await waitFor(() => events().find((e) => e.event === 'run'), 30_000, 'the run to start');
      await waitFor(() => events().find((e) => e.event === 'batch'), 60_000, 'a batch');
      process.kill(-child.pid!, 'SIGINT');
      const code = await closed;
      assert.equal(code, 1, stderr);
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
