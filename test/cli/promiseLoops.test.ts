/**
 * A loop in a promise callback a model file queued runs after its load or build returned, outside the vm
 * time limit: the engine's main thread was stuck for good. The watchdog thread cuts it off past the model
 * time limit: the run or request fails naming the file, the engine restarts, no process is left behind.
 * (Before, each of these hung; the abort signal ends a regression's CLI instead of the test run.)
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { EngineClient } from '../../src/client/engineClient';
import { ModelSummaryRequest } from '../../src/protocol/engineRequests';
import { alive, ENGINE, expectFreshEngineAnswers, FIXTURES, jsonLines, reapedAfterTests, runCli, tempDir, waitFor } from '../helpers';

const TOP = path.join(FIXTURES, 'models', 'loop-promise-top.model.js');
const BUILD = path.join(FIXTURES, 'models', 'loop-promise-build.model.js');
const LIMIT = /a promise callback it queued did not finish within 1 s and was abandoned \(a loop that never ends\?\); the limit is the setting dlLab\.modelTimeout/;

const engines = reapedAfterTests();
const guard = () => ({ signal: AbortSignal.timeout(60_000) });
const clients: EngineClient[] = [];
after(() => Promise.all(clients.map((c) => c.dispose())));

describe('a promise callback of a model file that never ends', () => {
  it('dl-lab train: queued by the top level, it fails the run naming the file, and leaves no engine', async () => {
    const runsDir = tempDir();
    const result = await runCli(['train', TOP, '--runs-dir', runsDir, '--model-timeout', '1', '--backend', 'cpu', '--json'], guard());
    const events = jsonLines(result.stdout);
    const run = events.find((e) => e.event === 'run')!;
    engines.push(run.pid);
    assert.equal(result.code, 1, result.stderr);
    const end = events.at(-1)!;
    assert.equal(end.status, 'failed');
    assert.match(end.error, /^test\/fixtures\/models\/loop-promise-top\.model\.js: loading the model file: /);
    assert.match(end.error, LIMIT);
    const record = JSON.parse(fs.readFileSync(path.join(run.runDir, 'run.json'), 'utf8'));
    assert.equal(record.status, 'failed');
    assert.equal(record.error, end.error);
    await waitFor(() => !alive(run.pid), 10_000, 'the engine to exit');
  });

  it('dl-lab train: queued by the builder, two hops away, it fails the run naming the file', async () => {
    const runsDir = tempDir();
    const result = await runCli(['train', BUILD, '--runs-dir', runsDir, '--model-timeout', '1', '--backend', 'cpu', '--json'], guard());
    const events = jsonLines(result.stdout);
    const run = events.find((e) => e.event === 'run')!;
    engines.push(run.pid);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(events.at(-1)!.status, 'failed');
    assert.match(events.at(-1)!.error, /^test\/fixtures\/models\/loop-promise-build\.model\.js: building the model: /);
    assert.equal(JSON.parse(fs.readFileSync(path.join(run.runDir, 'run.json'), 'utf8')).status, 'failed');
    await waitFor(() => !alive(run.pid), 10_000, 'the engine to exit');
  });

  it('dl-lab summary: queued by the builder, one line naming the file', async () => {
    const result = await runCli(['summary', BUILD, '--model-timeout', '1'], guard());
    assert.equal(result.code, 1);
    assert.match(result.stderr.trim(), /^dl-lab: test\/fixtures\/models\/loop-promise-build\.model\.js: building the model: /);
    assert.match(result.stderr, LIMIT);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  });

  it('the editor\'s engine answers with the error, restarts, and serves the next request without counting a crash', { timeout: 60_000 }, async () => {
    const client = new EngineClient({ enginePath: ENGINE, maxRestarts: 0, env: { DL_LAB_MODEL_TIMEOUT: '1' } });
    clients.push(client);
    try {
      await assert.rejects(client.sendRequest(ModelSummaryRequest, { modelFile: BUILD, inputShape: [8, 8, 1], numClasses: 3 }), (err: Error) => {
        assert.match(err.message, /loop-promise-build\.model\.js: building the model: /);
        assert.match(err.message, LIMIT);
        return true;
      });
      const first = client.pid;
      if (first) engines.push(first);
      await expectFreshEngineAnswers(client, first);
    } finally {
      await client.dispose();
    }
  });
});
