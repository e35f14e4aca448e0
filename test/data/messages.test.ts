/**
 * Messages about data say what is wrong with the data: an empty dataset or one of 0-sized samples is
 * refused by `data inspect` (it passed, and training then blamed the model file); a class folder linked in
 * with a symbolic link is a class (it was dropped without a word), a link to nothing is reported; names
 * from disk are printed with control characters escaped.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadDataset } from '../../src/engine/data/dataset';
import { runCli } from '../helpers';
import { cifarImage, npy, scratch } from './build';

describe('data messages', () => {
  it('data inspect refuses a dataset with no samples, and one whose samples are 0x0', async () => {
    const none = scratch('npy0-');
    fs.writeFileSync(path.join(none, 'x.npy'), npy('|u1', [0, 28, 28], new Uint8Array(0)));
    fs.writeFileSync(path.join(none, 'y.npy'), npy('|u1', [0], new Uint8Array(0)));
    const empty = await runCli(['data', 'inspect', none]);
    assert.equal(empty.code, 1, empty.stdout);
    assert.match(empty.stderr, /: the dataset holds no samples$/m);

    const zero = scratch('npy00-');
    fs.writeFileSync(path.join(zero, 'x.npy'), npy('|u1', [5, 0, 0], new Uint8Array(0)));
    fs.writeFileSync(path.join(zero, 'y.npy'), npy('|u1', [5], new Uint8Array(5)));
    const result = await runCli(['data', 'inspect', zero]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /: its samples have shape 0x0x1, which holds no values$/m);
  });

  it('a symlinked class folder is a class; a link to nothing is reported', async () => {
    const dir = scratch('links-');
    const elsewhere = scratch('elsewhere-');
    for (const [cls, target] of [['cat', path.join(dir, 'cat')], ['dog', path.join(elsewhere, 'dog')]] as const) {
      fs.mkdirSync(target);
      for (let i = 0; i < 2; i++) fs.copyFileSync(cifarImage(cls, i).file, path.join(target, `${i}.jpg`));
    }
    fs.symlinkSync(path.join(elsewhere, 'dog'), path.join(dir, 'dog'));
    fs.symlinkSync(path.join(elsewhere, 'gone'), path.join(dir, 'bird'));
    const dataset = await loadDataset(dir);
    assert.deepEqual(dataset.classNames, ['cat', 'dog']);
    assert.equal(dataset.count, 4);
    assert.ok(dataset.warnings!.some((w) => /1 link in .* to nothing ignored \(first: bird\)/.test(w)), dataset.warnings!.join('\n'));
  });

  it('file names with control characters are printed escaped', async () => {
    const dir = scratch('esc-');
    for (const cls of ['a', 'b']) {
      fs.mkdirSync(path.join(dir, cls));
      fs.copyFileSync(cifarImage('cat', 0).file, path.join(dir, cls, '0.jpg'));
    }
    fs.writeFileSync(path.join(dir, 'a', 'bad\u001b[31m\nname.png'), 'not an image');
    const dataset = await loadDataset(dir);
    const warning = dataset.warnings!.find((w) => w.includes('unreadable image'))!;
    assert.ok(warning, dataset.warnings!.join('\n'));
    assert.doesNotMatch(warning, /[\u0000-\u001f]/);
    assert.match(warning, /a\/bad\\x1b\[31m\\nname\.png/);
  });

  it('a bad value is quoted as a short, escaped excerpt, not echoed whole', async () => {
    const dir = scratch('quote-');
    const junk = 'A'.repeat(5000) + '\u001b[2J';
    fs.writeFileSync(path.join(dir, 'd.dataset.json'), JSON.stringify({ format: 'csv', channels: '\u001b[2J' + junk }));
    await assert.rejects(loadDataset(path.join(dir, 'd.dataset.json')), (err: Error) => {
      assert.match(err.message, /d\.dataset\.json: "channels" is "\\u001b\[2JAAAA/);
      assert.ok(err.message.length < 200, `${err.message.length} characters`);
      assert.doesNotMatch(err.message, /[\u0000-\u001f]/);
      return true;
    });
    fs.writeFileSync(path.join(dir, 'torn.dataset.json'), '\u001b[2J{');
    await assert.rejects(loadDataset(path.join(dir, 'torn.dataset.json')), (err: Error) => {
      assert.match(err.message, /torn\.dataset\.json: not valid JSON/);
      assert.doesNotMatch(err.message, /[\u0000-\u001f]/);
      return true;
    });
    const csv = scratch('csvq-');
    fs.writeFileSync(path.join(csv, 'data.csv'), `a,b,label\n1,2,0\n3,\u001b[2J${junk},1\n`);
    await assert.rejects(loadDataset(path.join(csv, 'data.csv')), (err: Error) => {
      assert.match(err.message, /data\.csv:3: column "b" is "\\u001b\[2JAAAA/);
      assert.ok(err.message.length < 200, `${err.message.length} characters`);
      assert.doesNotMatch(err.message, /[\u0000-\u001f]/);
      return true;
    });
  });

  it('data inspect prints class folder names with control characters escaped', async () => {
    const dir = scratch('escname-');
    for (const cls of ['plain', 'evil\u001b]0;pwned\u0007']) {
      fs.mkdirSync(path.join(dir, cls));
      fs.copyFileSync(cifarImage('cat', 0).file, path.join(dir, cls, '0.jpg'));
    }
    const result = await runCli(['data', 'inspect', dir]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /[\u0000-\u0009\u000b-\u001f]/);
    assert.match(result.stdout, /evil\\x1b\]0;pwned\\x07/);
  });
});
