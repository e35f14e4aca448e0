import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRestartBudgetError, restartBudgetSpent } from '../../src/client/restartPolicy';
import { engineExitActions, engineExitMessage, requestErrorActions } from '../../src/extension/engine/exitMessages';

const exit = { code: 3, signal: null, interruptedRuns: ['/w/runs/20261127-224501-lenet-3f9c'], willRestart: true };

test('a crash names the interrupted run and the restart on the next request', () => {
  assert.equal(
    engineExitMessage(exit, 1),
    'The training engine stopped unexpectedly (exit code 3). Run 20261127-224501-lenet-3f9c was marked interrupted. It restarts on the next request.',
  );
  assert.deepEqual(engineExitActions(1), ['Show Log']);
});

test('a kill with no run training', () => {
  assert.equal(
    engineExitMessage({ ...exit, code: null, signal: 'SIGKILL', interruptedRuns: [] }, 2),
    'The training engine stopped unexpectedly (killed by SIGKILL). It restarts on the next request.',
  );
});

test('past 4 restarts in 3 minutes: no automatic restart, offer Restart Engine', () => {
  assert.ok(!restartBudgetSpent(4));
  assert.ok(restartBudgetSpent(5));
  assert.equal(
    engineExitMessage({ ...exit, interruptedRuns: ['/r/a', '/r/b'] }, 5),
    'The training engine stopped unexpectedly (exit code 3). Runs a, b were marked interrupted. It stopped 5 times in 3 minutes and will not be restarted automatically: use Restart Engine.',
  );
  assert.deepEqual(engineExitActions(5), ['Restart Engine', 'Show Log']);
});

test("the client's refusal is recognised", () => {
  const refusal = 'the training engine crashed 5 times in 3 minutes and will not be restarted automatically; see the engine log';
  assert.ok(isRestartBudgetError(refusal));
  assert.deepEqual(requestErrorActions(refusal), ['Restart Engine', 'Show Log']);
  assert.deepEqual(requestErrorActions('model.ts:3: boom'), ['Show Log']);
});
