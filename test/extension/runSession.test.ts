import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrainProgressParams, TrainStartedParams } from '../../src/protocol/engineTypes';
import { RunSession } from '../../src/extension/training/runSession';

const request = { modelFile: '/w/lenet.model.ts', data: 'synthetic:shapes', backend: 'auto' };
const started = (runId: string): TrainStartedParams => ({
  runId,
  runDir: `/w/runs/${runId}`,
  modelFile: request.modelFile,
  data: request.data,
  backend: { requested: 'auto', name: 'wasm', reason: 'first that loaded' },
  config: { epochs: 2, batchSize: 8, optimizer: 'adam', learningRate: 0.001, momentum: 0, loss: 'x', metrics: [], validationSplit: 0.1, seed: 1 },
  trainSamples: 32,
  valSamples: 8,
  startEpoch: 1,
});
const progress = (runId: string, over: Partial<TrainProgressParams>): TrainProgressParams => ({
  runId, kind: 'batch', epoch: 1, epochs: 2, batch: 1, batchesPerEpoch: 4, step: 1, loss: 0.9, samplesPerSec: 10, time: 0, ...over,
});

function clock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('follows its run to completion; notifications of other runs are ignored', async () => {
  const c = clock();
  const s = new RunSession(request, c.now);
  assert.equal(s.statusBarState.phase, 'starting');
  assert.equal(s.attach({ runId: 'a', runDir: '/w/runs/a' }), false);
  s.handleStarted(started('a'));
  s.handleProgress(progress('other', { loss: 5 }));
  s.handleProgress(progress('a', { batch: 2, loss: 0.4123 }));
  assert.deepEqual(s.statusBarState, { phase: 'training', backend: 'wasm', epoch: 1, epochs: 2, loss: 0.4123 });
  assert.equal(s.fraction, 2 / 8);
  s.handleProgress(progress('a', { kind: 'epoch', batch: 4, loss: 0.5, metrics: { loss: 0.5, val_acc: 0.9 } }));
  s.handleFinished({ runId: 'other', runDir: '/x', status: 'failed' });
  assert.ok(s.active);
  c.advance(5000);
  s.handleFinished({ runId: 'a', runDir: '/w/runs/a', status: 'completed', metrics: { loss: 0.3, val_acc: 0.95 } });
  const outcome = await s.done;
  assert.deepEqual(outcome, {
    status: 'completed', error: undefined, metrics: { loss: 0.3, val_acc: 0.95 }, runId: 'a', runDir: '/w/runs/a',
    epochsDone: 1, epochs: 2, durationMs: 5000, backend: 'wasm',
  });
  assert.equal(s.fraction, 1);
  assert.ok(!s.active);
});

test('notifications that arrive before the train/start reply are replayed', async () => {
  const s = new RunSession(request);
  s.handleStarted(started('b'));
  s.handleProgress(progress('b', { kind: 'epoch', epoch: 1, batch: 4, loss: 0.5, metrics: { loss: 0.5 } }));
  s.handleFinished({ runId: 'b', runDir: '/w/runs/b', status: 'completed' });
  assert.ok(s.active);
  s.attach({ runId: 'b', runDir: '/w/runs/b' });
  const outcome = await s.done;
  assert.equal(outcome.status, 'completed');
  assert.deepEqual(outcome.metrics, { loss: 0.5 });
  assert.equal(outcome.backend, 'wasm');
});

test('a stop asked before the run id is known is sent once the reply lands', async () => {
  const s = new RunSession(request);
  assert.equal(s.requestStop(), false, 'no run id yet: nothing to send');
  assert.equal(s.statusBarState.phase, 'stopping');
  assert.equal(s.requestStop(), false, 'asked once');
  assert.equal(s.attach({ runId: 'c', runDir: '/w/runs/c' }), true, 'send train/stop now');
  s.handleFinished({ runId: 'c', runDir: '/w/runs/c', status: 'stopped' });
  assert.equal((await s.done).status, 'stopped');
});

test('a stop once running is sent at once', () => {
  const s = new RunSession(request);
  s.attach({ runId: 'd', runDir: '/w/runs/d' });
  assert.equal(s.requestStop(), true);
  assert.equal(s.requestStop(), false);
});

test('an engine crash interrupts the run; before the reply it fails the start', async () => {
  const s = new RunSession(request);
  s.attach({ runId: 'e', runDir: '/w/runs/e' });
  s.handleEngineExit({ code: 3, signal: null, expected: false });
  const outcome = await s.done;
  assert.equal(outcome.status, 'interrupted');
  assert.equal(outcome.endedByCrash, true);
  assert.match(outcome.error ?? '', /exit code 3/);
  s.handleFinished({ runId: 'e', runDir: '/w/runs/e', status: 'completed' });
  assert.equal(s.outcome?.status, 'interrupted', 'the first end wins');

  const t = new RunSession(request);
  t.handleEngineExit({ code: null, signal: 'SIGKILL', expected: false });
  assert.equal((await t.done).status, 'failed');
  t.failToStart('Pending response rejected since connection got disposed');
  assert.match(t.outcome?.error ?? '', /SIGKILL/, 'the crash explains it better than the rejected request');
});

test('a failed train/start ends the session', async () => {
  const s = new RunSession(request);
  s.failToStart('lenet.model.ts: cannot load the model');
  const outcome = await s.done;
  assert.equal(outcome.status, 'failed');
  assert.equal(outcome.runId, undefined);
});

test('listeners hear every change', () => {
  const s = new RunSession(request);
  let changes = 0;
  const off = s.onChange(() => changes++);
  s.attach({ runId: 'f', runDir: '/w/runs/f' });
  s.handleProgress(progress('f', {}));
  off();
  s.handleProgress(progress('f', {}));
  assert.equal(changes, 2);
});
