/**
 * Datasets are read from regular files only: a named pipe blocks the reader forever and a device such as
 * /dev/zero never ends, so each is refused, before it is opened, with one line that names it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadDataset } from '../../src/engine/data/dataset';
import { runCli } from '../helpers';
import { scratch } from './build';

function fifo(dir: string, name: string): string {
  const file = path.join(dir, name);
  execFileSync('mkfifo', [file]);
  return file;
}

describe('files that are not regular files', { skip: process.platform === 'win32' && 'no named pipes in the file system' }, () => {
  it('a named pipe given as the dataset is refused, not waited on', async () => {
    const file = fifo(scratch(), 'data.csv');
    await assert.rejects(loadDataset(file), /data\.csv: a named pipe, not a regular file; datasets are read from regular files only$/);
  });

  it('a descriptor whose path is a named pipe or /dev/zero is refused, naming it', async () => {
    const dir = scratch();
    fifo(dir, 'pipe.csv');
    fs.writeFileSync(path.join(dir, 'pipe.dataset.json'), JSON.stringify({ format: 'csv', path: 'pipe.csv' }));
    await assert.rejects(loadDataset(path.join(dir, 'pipe.dataset.json')), /pipe\.csv: a named pipe, not a regular file/);
    const zero = scratch();
    fs.writeFileSync(path.join(zero, 'zero.dataset.json'), JSON.stringify({ format: 'csv', path: '/dev/zero' }));
    await assert.rejects(loadDataset(path.join(zero, 'zero.dataset.json')), /\/dev\/zero: a device, not a regular file/);
  });

  it('dl-lab data inspect on a named pipe exits with one line', async () => {
    const file = fifo(scratch(), 'x.npz');
    const result = await runCli(['data', 'inspect', file]);
    assert.equal(result.code, 1);
    assert.match(result.stderr.trim(), /^dl-lab: .*x\.npz: a named pipe, not a regular file; datasets are read from regular files only$/);
  });
});
