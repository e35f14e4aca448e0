/**
 * `dl-lab runs` reads and never writes: a torn run.json, or one that is not a run record, is listed as
 * unreadable (naming the file) beside the other runs instead of hiding them or failing the command, and a
 * run whose engine is gone is reported interrupted without its run.json being rewritten.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers';

function run(runsDir: string, id: string, fields: Record<string, unknown>): string {
  const dir = path.join(runsDir, id);
  fs.mkdirSync(dir);
  const record = { id, modelFile: '/w/m.model.ts', data: 'synthetic:shapes', config: { epochs: 3 }, backend: null, startTime: '2026-12-01T10:00:00.000Z', epochsCompleted: 3, ...fields };
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(record, null, 2) + '\n');
  return dir;
}

describe('dl-lab runs with bad run folders', () => {
  it('lists the good runs and names each bad run.json, exit 0', async () => {
    const runsDir = tempDir();
    run(runsDir, 'good', { status: 'completed' });
    fs.mkdirSync(path.join(runsDir, 'torn'));
    fs.writeFileSync(path.join(runsDir, 'torn', 'run.json'), '{\n  "id": "torn",\n  "sta');
    fs.mkdirSync(path.join(runsDir, 'array'));
    fs.writeFileSync(path.join(runsDir, 'array', 'run.json'), '[]\n');
    fs.mkdirSync(path.join(runsDir, 'other'));
    fs.writeFileSync(path.join(runsDir, 'other', 'run.json'), '{"name": "not a run"}\n');
    fs.mkdirSync(path.join(runsDir, 'empty-folder'));

    const json = await runCli(['runs', '--runs-dir', runsDir, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout) as { runId: string; status: string; error: string | null }[];
    assert.deepEqual(list.map((r) => [r.runId, r.status]), [['good', 'completed'], ['torn', 'unreadable'], ['other', 'unreadable'], ['array', 'unreadable']]);
    assert.match(list.find((r) => r.runId === 'torn')!.error!, /torn\/run\.json: not valid JSON/);
    assert.match(list.find((r) => r.runId === 'array')!.error!, /array\/run\.json: not a run record \(a JSON array, not an object\)/);
    assert.match(list.find((r) => r.runId === 'other')!.error!, /other\/run\.json: not a run record \("id" is missing\)/);

    const text = await runCli(['runs', '--runs-dir', runsDir]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^good +completed/m);
    assert.match(text.stdout, /^torn +unreadable .*not valid JSON/m);
  });

  it('reports a run whose engine is gone as interrupted and leaves its run.json as it was', async () => {
    const runsDir = tempDir();
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const dir = run(runsDir, 'dead', { status: 'running', pid: deadPid, epochsCompleted: 1 });
    const before = fs.readFileSync(path.join(dir, 'run.json'), 'utf8');
    const result = await runCli(['runs', '--runs-dir', runsDir, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout)[0].status, 'interrupted');
    assert.equal(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'), before, 'a reader does not write');
    assert.deepEqual(fs.readdirSync(dir), ['run.json']);
  });

  it('escapes control characters of what it prints from run.json', async () => {
    const runsDir = tempDir();
    run(runsDir, 'esc', { status: 'failed', error: 'bad\u001b[2J\nnext line' });
    const result = await runCli(['runs', '--runs-dir', runsDir]);
    assert.equal(result.code, 0);
    assert.doesNotMatch(result.stdout, /\u001b/);
    assert.match(result.stdout, /bad\\x1b\[2J\\nnext line/);
  });
});
