/**
 * copyCheckpoint (EarlyStopping's best weights kept aside) on a disk that fills up: the copy fails, the
 * destination keeps its last good checkpoint, and no partial temporary folder is left beside it. The disk
 * is a file-size limit (ulimit -f), which fails writes the way a full disk does.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempDir } from '../helpers';

function checkpoint(dir: string, weightBytes: number, epoch: number): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ weightsManifest: [{ paths: ['weights.bin'], weights: [] }] }));
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(weightBytes, 1));
  fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ epoch }));
}

describe('copyCheckpoint when a write fails', { skip: process.platform === 'win32' && 'needs ulimit' }, () => {
  it('throws, keeps the destination as it was, and leaves no temporary folder', () => {
    const root = tempDir();
    const from = path.join(root, 'best');
    const to = path.join(root, 'early-stopping');
    checkpoint(from, 200 * 1024, 7);
    checkpoint(to, 10, 3);
    const script = `require(${JSON.stringify(path.join(ROOT, 'src', 'engine', 'training', 'checkpoint.ts'))}).copyCheckpoint(${JSON.stringify(from)}, ${JSON.stringify(to)})`;
    const result = spawnSync('bash', ['-c', 'ulimit -f 100 && exec "$0" "$@"', process.execPath, '--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    assert.notEqual(result.status, 0, 'the copy fails');
    assert.match(result.stderr, /EFBIG|file too large/);
    assert.deepEqual(fs.readdirSync(root).sort(), ['best', 'early-stopping']);
    assert.equal(JSON.parse(fs.readFileSync(path.join(to, 'state.json'), 'utf8')).epoch, 3, 'the last good checkpoint stays');
  });
});
