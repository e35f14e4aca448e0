import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, jsonLines, runCli, tempDir } from '../helpers';

const cases: { file: string; message: RegExp }[] = [
  { file: 'syntax-error.model.ts', message: /^dl-lab: test\/fixtures\/models\/syntax-error\.model\.ts:4:\d+: Expected/ },
  { file: 'throws.model.ts', message: /^dl-lab: test\/fixtures\/models\/throws\.model\.ts:5:\d+: error while building the model: a block of 1024 filters/ },
  {
    file: 'wrong-classes.model.ts',
    message: /^dl-lab: test\/fixtures\/models\/wrong-classes\.model\.ts: the model's output has shape \[batch, 10\] but synthetic:shapes has 6 classes/,
  },
];

describe('dl-lab train with a broken model file', () => {
  for (const { file, message } of cases) {
    it(`${file}: exits non-zero with one line naming the file, and leaves a failed run holding it`, async () => {
      const runsDir = tempDir();
      const result = await runCli(['train', path.join(FIXTURES, 'models', file), '--runs-dir', runsDir]);
      assert.equal(result.code, 1);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
      assert.match(lines[0], message);

      const [runId] = fs.readdirSync(runsDir);
      const run = JSON.parse(fs.readFileSync(path.join(runsDir, runId, 'run.json'), 'utf8'));
      assert.equal(run.status, 'failed');
      assert.equal(`dl-lab: ${run.error}`, lines[0]);
    });
  }

  it('says so in --json mode too', async () => {
    const runsDir = tempDir();
    const result = await runCli(['train', path.join(FIXTURES, 'models', 'throws.model.ts'), '--runs-dir', runsDir, '--json']);
    assert.equal(result.code, 1);
    const end = jsonLines(result.stdout).at(-1)!;
    assert.equal(end.event, 'end');
    assert.equal(end.status, 'failed');
    assert.match(end.error, /throws\.model\.ts:5:\d+/);
  });

  it('names a dataset it cannot use', async () => {
    const runsDir = tempDir();
    const result = await runCli(['train', path.join(FIXTURES, 'models', 'tiny-dense.model.js'), '--data', 'synthetic:nope', '--runs-dir', runsDir]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /unknown synthetic dataset "nope"; known: synthetic:shapes/);
  });
});
