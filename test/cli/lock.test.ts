/**
 * A run folder being trained is locked: a second `--resume` of it is refused, naming the process that
 * trains it, instead of writing the same files beside it; a lock left by a process that is gone is taken
 * over, and a run's lock goes when the run ends.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CLI, jsonLines, ROOT, runCli, tempDir, TINY, trainRun, waitFor } from '../helpers';

const DATA = 'synthetic:shapes?count=600';

describe('the run folder lock', () => {
  it('refuses a second resume of a run that is training, and is gone when the run ends', async () => {
    const runsDir = tempDir();
    // A first run, stopped, to resume twice at once.
    const { runDir } = await trainRun(TINY, ['--data', DATA, '--backend', 'cpu', '--epochs', '1'], runsDir);
    assert.ok(!fs.existsSync(path.join(runDir, 'lock')), 'a completed run holds no lock');

    const child = spawn(process.execPath, [CLI, 'train', '--resume', runDir, '--epochs', '500', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const closed = new Promise((resolve) => child.on('close', resolve));
    try {
      const events = () => jsonLines(stdout.slice(0, stdout.lastIndexOf('\n') + 1));
      const run = await waitFor(() => events().find((e) => e.event === 'run'), 30_000, 'the resume to start');
      await waitFor(() => events().find((e) => e.event === 'batch'), 60_000, 'a batch');
      const lock = JSON.parse(fs.readFileSync(path.join(runDir, 'lock'), 'utf8'));
      assert.equal(lock.pid, run.pid, 'the lock names the engine that trains the run');

      const second = await runCli(['train', '--resume', runDir, '--epochs', '500']);
      assert.equal(second.code, 1);
      assert.match(second.stderr.trim(), new RegExp(`^dl-lab: ${runDir} is still training \\(engine process ${run.pid}\\); stop it first$`));
      const record = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
      assert.equal(record.pid, run.pid, 'run.json still belongs to the first resume');
      assert.equal(record.resumes, 1);

      assert.equal((await runCli(['stop', runDir])).code, 0);
      await closed;
      assert.ok(!fs.existsSync(path.join(runDir, 'lock')), 'the lock is released when the run ends');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a lock whose process is gone does not block a resume; a live holder\'s does', async () => {
    const runsDir = tempDir();
    const { runDir } = await trainRun(TINY, ['--data', DATA, '--backend', 'cpu', '--epochs', '1'], runsDir);

    // A live process that is not the run's engine (so run.json says completed), holding the lock.
    fs.writeFileSync(path.join(runDir, 'lock'), JSON.stringify({ pid: process.pid, hostname: hostname() }));
    const blocked = await runCli(['train', '--resume', runDir, '--epochs', '2']);
    assert.equal(blocked.code, 1);
    assert.match(blocked.stderr, new RegExp(`is being trained by process ${process.pid} \\(it holds .*lock\\)`));

    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    fs.writeFileSync(path.join(runDir, 'lock'), JSON.stringify({ pid: deadPid, hostname: hostname() }));
    const resumed = await runCli(['train', '--resume', runDir, '--epochs', '2', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(jsonLines(resumed.stdout).at(-1)!.status, 'completed');
    assert.ok(!fs.existsSync(path.join(runDir, 'lock')));
  });
});
