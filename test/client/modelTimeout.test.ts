/**
 * The editor's engine and a model file that never finishes building (the inlay hints and the Models view
 * build model files on every save): the engine client gives the engine the model time limit from its env
 * option (dlLab.modelTimeout), the request fails naming the file, and the engine restarts for the next
 * request without it counting as a crash (the restart budget is untouched even at 0).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { EngineClient, type EngineExit } from '../../src/client/engineClient';
import { ModelSummaryRequest } from '../../src/protocol/engineRequests';
import { ENGINE, FIXTURES, LENET } from '../helpers';

const clients: EngineClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
});

test('a model that never finishes building: an error naming the file, then a fresh engine, no crash counted', async () => {
  const exits: EngineExit[] = [];
  const client = new EngineClient({
    enginePath: ENGINE,
    nodePath: () => undefined,
    env: () => ({ DL_LAB_MODEL_TIMEOUT: '1' }),
    onLog: () => undefined,
    maxRestarts: 0,
  });
  clients.push(client);
  client.onExit((e) => exits.push(e));
  const loop = path.join(FIXTURES, 'models', 'loop-build.model.js');
  await assert.rejects(
    client.sendRequest(ModelSummaryRequest, { modelFile: loop, inputShape: [8, 8, 1], numClasses: 2 }),
    /loop-build\.model\.js: building the model did not finish within 1 s and was abandoned/,
  );
  const report = await client.sendRequest(ModelSummaryRequest, { modelFile: LENET, inputShape: [28, 28, 1], numClasses: 10 });
  assert.equal(report.totalParams, 61_706);
  assert.equal(exits.length, 1);
  assert.deepEqual([exits[0].expected, exits[0].crashesInWindow, exits[0].code], [true, 0, 75]);
});
