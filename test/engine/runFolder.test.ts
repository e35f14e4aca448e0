import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { TrainingConfig } from '../../src/protocol/engineTypes';
import {
  effectiveStatus,
  listRuns,
  markInterrupted,
  readMetrics,
  readRunRecord,
  type RunRecord,
  writeRunRecord,
} from '../../src/runs/runFolder';
import { tempDir } from '../helpers';

function record(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'r1',
    modelFile: '/m.model.ts',
    data: 'synthetic:shapes',
    config: {} as TrainingConfig,
    backend: null,
    status: 'running',
    startTime: new Date().toISOString(),
    epochsCompleted: 0,
    ...overrides,
  };
}

/** A pid that certainly belongs to no live process: one that just exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('run folders', () => {
  it('reads metrics.jsonl past a torn last line, as a SIGKILL mid-write leaves it', () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'metrics.jsonl'),
      '{"kind":"epoch","epoch":1,"step":10,"time":1,"loss":0.5}\n{"kind":"batch","epoch":2,"step":11,"time":2,"loss":0.4}\n{"kind":"batch","epo',
    );
    const metrics = readMetrics(dir);
    assert.equal(metrics.length, 2);
    assert.equal(metrics[1].loss, 0.4);
  });

  it('reports a running run whose engine process is gone as interrupted, and marks it so', () => {
    const runsDir = tempDir();
    const dir = path.join(runsDir, 'r1');
    fs.mkdirSync(dir);
    writeRunRecord(dir, record({ pid: deadPid() }));
    assert.equal(effectiveStatus(readRunRecord(dir)), 'interrupted');
    assert.equal(listRuns(runsDir)[0].status, 'interrupted');
    assert.equal(markInterrupted(dir, 'engine gone'), true);
    assert.equal(readRunRecord(dir).status, 'interrupted');
    assert.equal(markInterrupted(dir, 'again'), false, 'an ended run is not marked twice');
  });

  it('keeps a run whose engine is alive as running', () => {
    assert.equal(effectiveStatus(record({ pid: process.pid })), 'running');
  });

  it('lists runs newest first and skips folders that are not runs', () => {
    const runsDir = tempDir();
    for (const [id, start] of [['old', '2026-01-01T00:00:00Z'], ['new', '2026-02-01T00:00:00Z']]) {
      fs.mkdirSync(path.join(runsDir, id));
      writeRunRecord(path.join(runsDir, id), record({ id, startTime: start, status: 'completed' }));
    }
    fs.mkdirSync(path.join(runsDir, 'not-a-run'));
    assert.deepEqual(listRuns(runsDir).map((r) => r.record.id), ['new', 'old']);
  });

  it('names the file when run.json is not valid JSON', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'run.json'), '{ nope');
    assert.throws(() => readRunRecord(dir), new RegExp(`${dir}/run\\.json: not valid JSON`));
  });
});
