/**
 * The engine as its clients see it: a child process that speaks the typed protocol, stops between
 * batches, exits with its parent, and is restarted like a language server when it crashes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { EngineClient, type EngineExit } from '../../src/client/engineClient';
import type { TrainFinishedParams, TrainProgressParams } from '../../src/protocol/engineTypes';
import { EngineInfoRequest, TrainFinishedNotification, TrainProgressNotification, TrainStartRequest, TrainStopRequest } from '../../src/protocol/engineRequests';
import { readRunRecord } from '../../src/runs/runFolder';
import { ENGINE, tempDir, TINY, waitFor } from '../helpers';


function client(options: Partial<ConstructorParameters<typeof EngineClient>[0]> = {}) {
  return new EngineClient({ enginePath: ENGINE, ...options });
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('engine process', () => {
  it('answers engine/info with its versions and which backends are available', async () => {
    const engine = client();
    try {
      const info = await engine.sendRequest(EngineInfoRequest);
      assert.equal(info.pid, engine.pid);
      assert.match(info.tfjsVersion, /^4\./);
      const names = info.backends.map((b) => b.name);
      assert.deepEqual(names, ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
      assert.ok(info.backends.find((b) => b.name === 'wasm')!.available);
    } finally {
      await engine.dispose();
    }
  });

  it('stops a run between batches: status stopped, metrics kept', async () => {
    const engine = client();
    const progress: TrainProgressParams[] = [];
    let finished: TrainFinishedParams | undefined;
    engine.onNotification(TrainProgressNotification, (p) => progress.push(p));
    engine.onNotification(TrainFinishedNotification, (p) => (finished = p));
    try {
      const { runId, runDir } = await engine.sendRequest(TrainStartRequest, {
        modelFile: TINY,
        data: 'synthetic:shapes?count=3000',
        runsDir: tempDir(),
        backend: 'cpu',
        overrides: { epochs: 100, batchSize: 8 },
      });
      await waitFor(() => progress.find((p) => p.kind === 'epoch'), 60_000, 'an epoch to end');
      assert.equal((await engine.sendRequest(TrainStopRequest, { runId })).stopping, true);
      await waitFor(() => finished, 10_000, 'the run to finish');
      assert.equal(finished!.status, 'stopped');
      const record = readRunRecord(runDir);
      assert.equal(record.status, 'stopped');
      assert.ok(record.epochsCompleted >= 1);
      assert.equal((await engine.sendRequest(TrainStopRequest, { runId })).stopping, false, 'nothing left to stop');
    } finally {
      await engine.dispose();
    }
  });

  it('exits when its parent dies', async () => {
    // A parent that forks the engine, reports its pid, and is then killed without a chance to clean up.
    const parent = spawn(
      process.execPath,
      ['-e', `const c = require('child_process').fork(${JSON.stringify(ENGINE)}, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }); console.log(c.pid); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
    assert.ok(!processGone(pid));
    parent.kill('SIGKILL');
    await waitFor(() => processGone(pid), 10_000, 'the engine to exit after its parent');
  });

  it('restarts after a crash on the next request, marking the running run interrupted, at most 4 times in 3 minutes', async () => {
    const exits: EngineExit[] = [];
    const engine = client();
    engine.onExit((e) => exits.push(e));
    try {
      const { runDir } = await engine.sendRequest(TrainStartRequest, {
        modelFile: TINY,
        data: 'synthetic:shapes?count=3000',
        runsDir: tempDir(),
        backend: 'cpu',
        overrides: { epochs: 100 },
      });
      let batches = 0;
      engine.onNotification(TrainProgressNotification, () => batches++);
      await waitFor(() => batches > 0, 30_000, 'training to start');
      for (let crash = 1; crash <= 5; crash++) {
        const pid = engine.pid!;
        process.kill(pid, 'SIGKILL');
        await waitFor(() => exits.length === crash, 10_000, `crash ${crash} to be seen`);
        if (crash === 1) {
          assert.deepEqual(exits[0].interruptedRuns, [runDir]);
          assert.equal(readRunRecord(runDir).status, 'interrupted');
          assert.match(readRunRecord(runDir).error!, /SIGKILL/);
        }
        if (crash <= 4) {
          const info = await engine.sendRequest(EngineInfoRequest);
          assert.notEqual(info.pid, pid, 'a new engine answers');
        }
      }
      await assert.rejects(engine.sendRequest(EngineInfoRequest), /crashed 5 times in 3 minutes and will not be restarted automatically/);
    } finally {
      await engine.dispose();
    }
  });
});
