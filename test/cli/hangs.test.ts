/**
 * Nothing hangs and nothing is left behind: a model file that never finishes loading or building is cut
 * off after the model time limit (the run fails naming the file, the engine restarts), and an engine whose
 * client is killed exits even while it is stuck in user code.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EngineClient } from '../../src/client/engineClient';
import { ModelSummaryRequest } from '../../src/protocol/engineRequests';
import { alive, CLI, ENGINE, expectFreshEngineAnswers, FIXTURES, jsonLines, reapedAfterTests, ROOT, runCli, tempDir, waitFor } from '../helpers';

const LOOP_TOP = path.join(FIXTURES, 'models', 'loop-top.model.js');
const LOOP_BUILD = path.join(FIXTURES, 'models', 'loop-build.model.js');

const engines = reapedAfterTests();

describe('a model file that never finishes', () => {
  it('dl-lab train: a loop at the top level fails the run after --model-timeout, naming the file, and leaves no engine', async () => {
    const runsDir = tempDir();
    const result = await runCli(['train', LOOP_TOP, '--runs-dir', runsDir, '--model-timeout', '1', '--json']);
    const events = jsonLines(result.stdout);
    const run = events.find((e) => e.event === 'run')!;
    engines.push(run.pid);
    assert.equal(result.code, 1);
    const end = events.at(-1)!;
    assert.equal(end.status, 'failed');
    assert.match(end.error, /^test\/fixtures\/models\/loop-top\.model\.js: loading the model file did not finish within 1 s and was abandoned/);
    assert.match(end.error, /dlLab\.modelTimeout/);
    const record = JSON.parse(fs.readFileSync(path.join(run.runDir, 'run.json'), 'utf8'));
    assert.equal(record.status, 'failed');
    assert.equal(record.error, end.error);
    await waitFor(() => !alive(run.pid), 10_000, 'the engine to exit');
  });

  it('dl-lab summary: a builder that never returns gives one line naming the file', async () => {
    const result = await runCli(['summary', LOOP_BUILD, '--model-timeout', '1']);
    assert.equal(result.code, 1);
    assert.match(result.stderr.trim(), /^dl-lab: test\/fixtures\/models\/loop-build\.model\.js: building the model did not finish within 1 s and was abandoned/);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  });

  it('dl-lab featuremaps: the inspection build is cut off the same way', async () => {
    const result = await runCli(['featuremaps', LOOP_BUILD, '--out', path.join(tempDir(), 'maps.png'), '--model-timeout', '1']);
    assert.equal(result.code, 1);
    assert.match(result.stderr.trim(), /^dl-lab: test\/fixtures\/models\/loop-build\.model\.js: building the model did not finish within 1 s and was abandoned/);
  });

  it('the editor\'s engine restarts after a cut-off build and serves the next request, without counting it as a crash', async () => {
    const client = new EngineClient({ enginePath: ENGINE, maxRestarts: 0, env: { DL_LAB_MODEL_TIMEOUT: '1' } });
    try {
      await assert.rejects(
        client.sendRequest(ModelSummaryRequest, { modelFile: LOOP_BUILD, inputShape: [8, 8, 1], numClasses: 3 }),
        /loop-build\.model\.js: building the model did not finish within 1 s/,
      );
      const first = client.pid;
      if (first) engines.push(first);
      // At once: the request waits for the fresh engine rather than going to the one that is exiting.
      await expectFreshEngineAnswers(client, first);
    } finally {
      await client.dispose();
    }
  });

  it('a loop in a timer the model file set is cut off too: the editor\'s next request is answered by a fresh engine', async () => {
    const logs: string[] = [];
    const client = new EngineClient({ enginePath: ENGINE, maxRestarts: 0, env: { DL_LAB_MODEL_TIMEOUT: '1' }, onLog: (e) => logs.push(e.message) });
    try {
      const timer = path.join(FIXTURES, 'models', 'loop-timer.model.js');
      const first = await client.sendRequest(ModelSummaryRequest, { modelFile: timer, inputShape: [8, 8, 1], numClasses: 3 });
      assert.equal(first.totalParams, 8 * 8 * 3 + 3);
      const pid = client.pid;
      if (pid) engines.push(pid);
      await expectFreshEngineAnswers(client, pid);
      assert.ok(logs.some((l) => /loop-timer\.model\.js: a timer callback of the model file did not finish within 1 s/.test(l)), logs.join('\n'));
    } finally {
      await client.dispose();
    }
  });

  it('an engine stuck in a model file exits when its CLI is killed; the run then reads as interrupted', async () => {
    const runsDir = tempDir();
    const child = spawn(process.execPath, [CLI, 'train', LOOP_TOP, '--runs-dir', runsDir, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const closed = new Promise((resolve) => child.on('close', resolve));
    const run = await waitFor(() => jsonLines(stdout.slice(0, stdout.lastIndexOf('\n') + 1)).find((e) => e.event === 'run'), 30_000, 'the run to start');
    engines.push(run.pid);
    // The engine is in the loop once run.json names its backend... or soon after; a second is plenty.
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGKILL');
    await closed;
    await waitFor(() => !alive(run.pid), 10_000, 'the engine to exit');
    const list = JSON.parse((await runCli(['runs', '--runs-dir', runsDir, '--json'])).stdout);
    assert.equal(list[0].status, 'interrupted');
  });

  it('a model file that is a named pipe is refused, not waited on', async () => {
    const file = path.join(tempDir(), 'pipe.model.ts');
    execFileSync('mkfifo', [file]);
    const result = await runCli(['summary', file, '--input-shape', '8,8,1', '--classes', '2']);
    assert.equal(result.code, 1);
    assert.match(result.stderr.trim(), /^dl-lab: .*pipe\.model\.ts: not a regular file; a model file must be one$/);
  });
});

describe('a model too large to build', () => {
  it('is refused as its weights are added, naming the file, the line, the count and the variable that raises the limit', async () => {
    const result = await runCli(['summary', path.join(FIXTURES, 'models', 'billion.model.js'), '--input-shape', '28,28,1', '--classes', '10']);
    assert.equal(result.code, 1);
    const line = result.stderr.trim();
    assert.equal(line.split('\n').length, 1, line);
    assert.match(line, /^dl-lab: test\/fixtures\/models\/billion\.model\.js:9:\d+: error while building the model: the model reaches 1,099,\d{3},\d{3} parameters at layer dense_Dense2 \(kernel of shape \[32768, 32768\]\), above the limit of 400,000,000 \(set DL_LAB_MAX_PARAMS to raise it\)$/);
  });
});
