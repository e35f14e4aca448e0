// EngineClient's supervision against a fake engine (test/extension/fixtures/fakeEngine.js): runs, stops,
// crashes, the restart budget and its crash count, a manual restart, a changed launch setting.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { EngineClient, type EngineExit } from '../../src/client/engineClient';
import { isRestartBudgetError } from '../../src/client/restartPolicy';
import { TrainFinishedNotification, TrainProgressNotification } from '../../src/protocol/engineRequests';
import type { TrainFinishedParams } from '../../src/protocol/engineTypes';

const fakeEngine = path.join(__dirname, '..', 'extension', 'fixtures', 'fakeEngine.js');
const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lab-client-'));
const clients: EngineClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  fs.rmSync(runsDir, { recursive: true, force: true });
});

function make(options: { maxRestarts?: number; enginePath?: string } = {}) {
  const logs: string[] = [];
  const client = new EngineClient({
    enginePath: options.enginePath ?? fakeEngine,
    nodePath: () => undefined,
    onLog: (e) => logs.push(`${e.level} ${e.message}`),
    maxRestarts: options.maxRestarts,
  });
  clients.push(client);
  const finished: TrainFinishedParams[] = [];
  const exits: EngineExit[] = [];
  client.onNotification(TrainFinishedNotification, (p) => finished.push(p));
  client.onExit((e) => exits.push(e));
  return { client, logs, finished, exits };
}

const params = (data: string) => ({ modelFile: '/w/lenet.model.ts', data, runsDir, backend: 'auto' as const, overrides: {} });

function until<T>(what: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      const value = what();
      if (value) return resolve(value);
      if (Date.now() > deadline) return reject(new Error('timed out'));
      setTimeout(poll, 10);
    };
    poll();
  });
}

test('no engine process until the first request; a run completes; dispose stops the engine as expected', async () => {
  const { client, finished, exits, logs } = make();
  assert.equal(client.running, false);
  assert.deepEqual(await client.stopTraining('nope'), { stopping: false });
  assert.equal(client.running, false, 'stop never starts an engine');

  let progress = 0;
  client.onNotification(TrainProgressNotification, () => progress++);
  const { runId, runDir } = await client.startTraining(params('synthetic:shapes'));
  assert.ok(client.running);
  assert.ok(fs.existsSync(runDir));
  const end = await until(() => finished.find((f) => f.runId === runId));
  assert.equal(end.status, 'completed');
  assert.equal(progress, 15, '12 batches and 3 epochs');
  assert.ok(logs.some((l) => l.includes('training lenet.model.ts on synthetic:shapes')), 'engine log forwarded');

  await client.dispose();
  assert.equal(exits.length, 1);
  assert.equal(exits[0].expected, true);
  assert.equal(exits[0].willRestart, false);
  await assert.rejects(client.info(), /shutting down/);
});

test('a stop ends the run as stopped', async () => {
  const { client, finished } = make();
  const { runId } = await client.startTraining(params('slow'));
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(await client.stopTraining(runId), { stopping: true });
  const end = await until(() => finished.find((f) => f.runId === runId));
  assert.equal(end.status, 'stopped');
});

test('a crash marks the run interrupted, and the engine restarts on the next request', async () => {
  const { client, exits } = make();
  const { runDir } = await client.startTraining(params('crash'));
  const pid = client.pid;
  const exit = await until(() => exits[0]);
  assert.equal(exit.expected, false);
  assert.equal(exit.code, 3);
  assert.deepEqual(exit.interruptedRuns, [runDir]);
  assert.equal(exit.willRestart, true);
  assert.equal(exit.crashesInWindow, 1);
  assert.equal(JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')).status, 'interrupted');
  assert.equal(client.running, false);

  const info = await client.info();
  assert.notEqual(info.pid, pid, 'a new engine process');
});

test('once the restart budget is spent, requests fail until Restart Engine', async () => {
  const { client, exits } = make({ maxRestarts: 1 });
  await client.startTraining(params('crash'));
  await until(() => exits[0]);
  await client.startTraining(params('crash'));
  await until(() => exits[1]);
  assert.equal(exits[1].crashesInWindow, 2);
  await assert.rejects(client.startTraining(params('synthetic:shapes')), (err: Error) => isRestartBudgetError(err.message));

  const info = await client.restart();
  assert.equal(info.engineVersion, '0.0.0-fake');
  assert.equal(client.crashesInWindow, 0);
});

test('an engine that refuses the run: the request fails with its message', async () => {
  const { client } = make();
  await assert.rejects(client.startTraining(params('reject')), /cannot load the model/);
});

test('a missing engine bundle is named', async () => {
  const { client } = make({ enginePath: path.join(runsDir, 'nope', 'engine.js') });
  await assert.rejects(client.info(), /engine bundle .*engine\.js is missing/);
});

test('a changed engine setting (dlLab.threads) restarts the engine before the next request, not during a run', async () => {
  let env: NodeJS.ProcessEnv = { DL_LAB_THREADS: '1' };
  const logs: string[] = [];
  const client = new EngineClient({
    enginePath: fakeEngine,
    nodePath: () => undefined,
    env: () => env,
    onLog: (e) => logs.push(`${e.level} ${e.message}`),
  });
  clients.push(client);
  const first = (await client.info()).pid;
  assert.equal((await client.info()).pid, first, 'same settings: same engine');
  const finished: TrainFinishedParams[] = [];
  client.onNotification(TrainFinishedNotification, (p) => finished.push(p));
  const { runId } = await client.startTraining(params('slow'));
  env = { DL_LAB_THREADS: '2' };
  assert.equal((await client.info()).pid, first, 'a training engine is kept');
  await client.stopTraining(runId);
  await until(() => finished.find((f) => f.runId === runId));
  const second = (await client.info()).pid;
  assert.notEqual(second, first, 'the engine restarted with the new setting');
  assert.ok(logs.some((l) => /engine settings changed .*DL_LAB_THREADS.*2/.test(l)), logs.join('\n'));
});
