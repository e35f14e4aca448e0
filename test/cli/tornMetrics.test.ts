/**
 * A run killed mid-write leaves a torn last line in metrics.jsonl; a resume must not glue its first record
 * onto it (losing both): the torn tail is cut back, and every line of the file parses afterwards.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, TINY, trainRun } from '../helpers';

describe('a torn last line of metrics.jsonl', () => {
  it('is cut back before a resume appends: every line parses, no epoch is lost', async () => {
    const { runDir } = await trainRun(TINY, ['--data', 'synthetic:shapes?count=300', '--backend', 'cpu', '--epochs', '1']);
    const file = path.join(runDir, 'metrics.jsonl');
    fs.appendFileSync(file, '{"kind":"batch","epoch":2,"step":1');

    const resumed = await runCli(['train', '--resume', runDir, '--epochs', '2']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
    const records = lines.map((l, i) => {
      try {
        return JSON.parse(l);
      } catch {
        assert.fail(`line ${i + 1} of metrics.jsonl does not parse: ${l.slice(0, 80)}`);
      }
    });
    assert.deepEqual(records.filter((r) => r.kind === 'epoch').map((r) => r.epoch), [1, 2]);
    assert.ok(records.some((r) => r.kind === 'batch' && r.epoch === 2), 'the resumed epoch\'s first batch line is kept');
  });
});
