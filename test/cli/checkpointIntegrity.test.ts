/**
 * A damaged checkpoint is named, never resumed or drawn silently: weights cut short, bytes changed (the
 * checksum state.json records no longer matches), NaN weights, or a manifest that points outside the
 * checkpoint folder. Each: `dl-lab train --resume` and `dl-lab featuremaps` exit 1 with one line.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli, tempDir, TINY, trainRun } from '../helpers';

let pristine = '';

/** A copy of the trained run with its checkpoints/last damaged by `damage`. */
function damaged(damage: (last: string) => void): string {
  const runDir = path.join(tempDir(), path.basename(pristine));
  fs.cpSync(pristine, runDir, { recursive: true });
  damage(path.join(runDir, 'checkpoints', 'last'));
  return runDir;
}

async function refused(runDir: string, message: RegExp): Promise<void> {
  const resume = await runCli(['train', '--resume', runDir, '--epochs', '2']);
  assert.equal(resume.code, 1, resume.stdout);
  assert.match(resume.stderr, message);
  assert.equal(resume.stderr.trim().split('\n').length, 1, resume.stderr);
  const maps = await runCli(['featuremaps', runDir, '--out', path.join(path.dirname(runDir), 'maps.png')]);
  assert.equal(maps.code, 1, maps.stdout);
  assert.match(maps.stderr, message);
}

describe('damaged checkpoints', () => {
  before(async () => {
    pristine = (await trainRun(TINY, ['--data', 'synthetic:shapes?count=300', '--backend', 'cpu', '--epochs', '1'])).runDir;
  });

  it('the undamaged copy resumes (the control)', async () => {
    const runDir = damaged(() => {});
    const resume = await runCli(['train', '--resume', runDir, '--epochs', '2']);
    assert.equal(resume.code, 0, resume.stderr);
  });

  it('weights cut short', async () => {
    await refused(
      damaged((last) => {
        const file = path.join(last, 'weights.bin');
        fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
      }),
      /weights\.bin does not match its checksum in state\.json: the checkpoint is damaged/,
    );
  });

  it('bytes changed in place', async () => {
    await refused(
      damaged((last) => {
        const file = path.join(last, 'weights.bin');
        const bytes = fs.readFileSync(file);
        for (let i = 1000; i < 1100; i++) bytes[i] ^= 0x5a;
        fs.writeFileSync(file, bytes);
      }),
      /weights\.bin does not match its checksum in state\.json: the checkpoint is damaged/,
    );
  });

  it('a truncated checkpoint from before checksums is still caught by its size', async () => {
    await refused(
      damaged((last) => {
        const state = JSON.parse(fs.readFileSync(path.join(last, 'state.json'), 'utf8'));
        delete state.checksums;
        fs.writeFileSync(path.join(last, 'state.json'), JSON.stringify(state));
        fs.truncateSync(path.join(last, 'weights.bin'), 1000);
      }),
      /the weight files hold 1000 bytes but model\.json's manifest needs \d+: the checkpoint is truncated or damaged/,
    );
  });

  it('NaN weights, with a checksum that matches them', async () => {
    await refused(
      damaged((last) => {
        const file = path.join(last, 'weights.bin');
        const bytes = fs.readFileSync(file);
        new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).fill(NaN, 0, 10);
        fs.writeFileSync(file, bytes);
        const state = JSON.parse(fs.readFileSync(path.join(last, 'state.json'), 'utf8'));
        state.checksums['weights.bin'] = createHash('sha256').update(bytes).digest('hex');
        fs.writeFileSync(path.join(last, 'state.json'), JSON.stringify(state));
      }),
      /the weight \S+ holds NaN: the checkpoint cannot be used/,
    );
  });

  it('a manifest that points outside the checkpoint folder', async () => {
    await refused(
      damaged((last) => {
        const json = JSON.parse(fs.readFileSync(path.join(last, 'model.json'), 'utf8'));
        json.weightsManifest[0].paths = ['../../../../../../etc/hostname'];
        fs.writeFileSync(path.join(last, 'model.json'), JSON.stringify(json));
      }),
      /model\.json: the weights path "\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname" leaves the checkpoint folder/,
    );
  });
});
