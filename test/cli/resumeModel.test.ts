/**
 * `dl-lab train OTHER.model.ts --resume RUN`: the run's checkpoint belongs to the model file its run.json
 * names, and that file is what a resume runs; another one named on the command line is refused, where it
 * was silently ignored.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, jsonLines, LENET, runCli, tempDir } from '../helpers';

describe('dl-lab train --resume with a model file', () => {
  it('refuses a model file that is not the run\'s, naming both', async () => {
    const tiny = path.join(FIXTURES, 'models', 'tiny-dense.model.js');
    const first = await runCli(['train', tiny, '--data', 'synthetic:shapes?count=300', '--backend', 'cpu', '--epochs', '1', '--runs-dir', tempDir(), '--json']);
    assert.equal(first.code, 0, first.stderr);
    const runDir = jsonLines(first.stdout).find((e) => e.event === 'end')!.runDir as string;

    const other = await runCli(['train', LENET, '--resume', runDir, '--epochs', '2']);
    assert.equal(other.code, 2);
    assert.match(other.stderr, new RegExp(`run\\.json names the model file ${tiny.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, not ${LENET.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')).epochsCompleted, 1, 'nothing was trained');

    const same = await runCli(['train', tiny, '--resume', runDir, '--epochs', '2']);
    assert.equal(same.code, 0, same.stderr);
  });
});
