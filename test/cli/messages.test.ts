/**
 * Messages that blamed the wrong thing: `--epochs -1` said "argument is ambiguous" (parseArgs' words), and
 * a model file calling process.exit() ended the engine, reported as "the engine exited with code 0".
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, LENET, runCli, tempDir } from '../helpers';

describe('messages that name the rule or the file at fault', () => {
  it('--epochs -1 and --batch-size -8 say which rule they break', async () => {
    const epochs = await runCli(['train', LENET, '--epochs', '-1']);
    assert.equal(epochs.code, 2);
    assert.match(epochs.stderr, /^dl-lab: --epochs must be an integer >= 1, got "-1"$/m);
    const batch = await runCli(['train', LENET, '--batch-size', '-8']);
    assert.equal(batch.code, 2);
    assert.match(batch.stderr, /^dl-lab: --batch-size must be an integer >= 1, got "-8"$/m);
    const shape = await runCli(['summary', LENET, '--input-shape', '-1,28,1', '--classes', '10']);
    assert.equal(shape.code, 2);
    assert.match(shape.stderr, /^dl-lab: --input-shape must be positive integers/m);
  });

  it('a model file that calls process.exit() fails the run naming its line; the engine lives on', async () => {
    const runsDir = tempDir();
    const result = await runCli(['train', path.join(FIXTURES, 'models', 'exits.model.js'), '--runs-dir', runsDir]);
    assert.equal(result.code, 1);
    assert.match(result.stderr.trim(), /^dl-lab: test\/fixtures\/models\/exits\.model\.js:5:\d+: error while building the model: process\.exit\(\) was called: a model file builds a model and cannot end the engine$/);
    const [runId] = fs.readdirSync(runsDir);
    assert.equal(JSON.parse(fs.readFileSync(path.join(runsDir, runId, 'run.json'), 'utf8')).status, 'failed');
  });
});
