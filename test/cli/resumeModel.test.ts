/**
 * `dl-lab train OTHER.model.ts --resume RUN`: the run's checkpoint belongs to the model file its run.json
 * names, and that file is what a resume runs; another one named on the command line is refused, where it
 * was silently ignored.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { jsonLines, LENET, runCli, tempDir, TINY, trainRun } from '../helpers';

describe('dl-lab train --resume with a model file', () => {
  it('refuses a model file that is not the run\'s, naming both', async () => {
    const { runDir } = await trainRun(TINY, ['--data', 'synthetic:shapes?count=300', '--backend', 'cpu', '--epochs', '1']);

    const other = await runCli(['train', LENET, '--resume', runDir, '--epochs', '2']);
    assert.equal(other.code, 2);
    assert.match(other.stderr, new RegExp(`run\\.json names the model file ${TINY.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, not ${LENET.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')).epochsCompleted, 1, 'nothing was trained');

    const same = await runCli(['train', TINY, '--resume', runDir, '--epochs', '2']);
    assert.equal(same.code, 0, same.stderr);
  });

  it('without a model file: the header names run.json\'s file as named by it; a missing file or a pipe is one line, the run untouched', async () => {
    const dir = tempDir();
    fs.copyFileSync(TINY, path.join(dir, 'm.model.js'));
    const cli = (args: string[]) => runCli(args, { cwd: dir });
    const first = await cli(['train', 'm.model.js', '--data', 'synthetic:shapes?count=300', '--backend', 'cpu', '--epochs', '1', '--runs-dir', 'runs', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const runDir = path.relative(dir, jsonLines(first.stdout).find((e) => e.event === 'end')!.runDir as string);

    const resumed = await cli(['train', '--resume', runDir, '--epochs', '2', '--backend', 'cpu']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`^  model    m\\.model\\.js  \\(named by ${runDir}/run\\.json\\)$`, 'm'));

    const runJson = () => JSON.parse(fs.readFileSync(path.join(dir, runDir, 'run.json'), 'utf8'));
    const before = runJson();
    fs.renameSync(path.join(dir, 'm.model.js'), path.join(dir, 'moved.js'));
    const missing = await cli(['train', '--resume', runDir, '--epochs', '3']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `dl-lab: ${path.join(dir, runDir, 'run.json')} names the model file ${path.join(dir, 'm.model.js')}, which does not exist; the run resumes only with the model file it was trained with\n`);
    execFileSync('mkfifo', [path.join(dir, 'm.model.js')]);
    const pipe = await cli(['train', '--resume', runDir, '--epochs', '3']);
    assert.equal(pipe.code, 1);
    assert.equal(pipe.stderr, `dl-lab: ${path.join(dir, runDir, 'run.json')} names the model file ${path.join(dir, 'm.model.js')}, which is a named pipe, not a regular file\n`);
    assert.deepEqual(runJson(), before, 'run.json untouched: still completed at epoch 2');
  });
});
