/**
 * In an untrusted workspace the engine reads data only inside the workspace's folders: a descriptor whose
 * path or files lead out (`../..`, an absolute path) or a class folder linked in from outside is refused,
 * and the message quotes none of the outside file's content. Trusted (unconfined), the same data loads.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { EngineClient } from '../../src/client/engineClient';
import { loadDataset } from '../../src/engine/data/dataset';
import { DataDescribeRequest } from '../../src/protocol/engineRequests';
import { ENGINE } from '../helpers';
import { cifarImage, mnistCsv, scratch } from './build';

const OUTSIDE_MESSAGE = /outside the workspace; in Restricted Mode data is read only from the workspace's folders \(trust the workspace to read it\)/;

/** A workspace and, beside it, a folder that is not part of it holding a CSV dataset and an image class. */
function layout() {
  const root = scratch('trust-');
  const ws = path.join(root, 'ws');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(ws);
  fs.mkdirSync(path.join(outside, 'dog'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'secret.csv'), mnistCsv(20));
  for (let i = 0; i < 2; i++) fs.copyFileSync(cifarImage('dog', i).file, path.join(outside, 'dog', `${i}.jpg`));
  return { ws, outside };
}

const clients: EngineClient[] = [];
after(async () => {
  for (const c of clients) await c.dispose();
});

describe('data paths in an untrusted workspace', () => {
  it('a descriptor whose path climbs out of the workspace is refused; trusted, it loads', async () => {
    const { ws } = layout();
    const descriptor = path.join(ws, 'up.dataset.json');
    fs.writeFileSync(descriptor, JSON.stringify({ format: 'csv', path: '../outside/secret.csv' }));
    await assert.rejects(loadDataset(descriptor, { within: [ws] }), (err: Error) => {
      assert.match(err.message, OUTSIDE_MESSAGE);
      assert.match(err.message, /secret\.csv/);
      assert.doesNotMatch(err.message, /px0|label/, 'nothing of the file is quoted');
      return true;
    });
    assert.equal((await loadDataset(descriptor)).count, 20);
  });

  it('an absolute path in files, and a class folder linked in from outside, are refused', async () => {
    const { ws, outside } = layout();
    const descriptor = path.join(ws, 'abs.dataset.json');
    fs.writeFileSync(descriptor, JSON.stringify({ format: 'csv', path: '.', files: { train: path.join(outside, 'secret.csv') } }));
    await assert.rejects(loadDataset(descriptor, { within: [ws] }), OUTSIDE_MESSAGE);

    const images = path.join(ws, 'images');
    fs.mkdirSync(path.join(images, 'cat'), { recursive: true });
    for (let i = 0; i < 2; i++) fs.copyFileSync(cifarImage('cat', i).file, path.join(images, 'cat', `${i}.jpg`));
    fs.symlinkSync(path.join(outside, 'dog'), path.join(images, 'dog'));
    await assert.rejects(loadDataset(images, { within: [ws] }), OUTSIDE_MESSAGE);
    assert.deepEqual((await loadDataset(images)).classNames, ['cat', 'dog'], 'trusted: the link is followed');
  });

  it('the engine process confines data/describe to the folders it is given', async () => {
    const { ws } = layout();
    const descriptor = path.join(ws, 'up.dataset.json');
    fs.writeFileSync(descriptor, JSON.stringify({ format: 'csv', path: '../outside/secret.csv' }));
    const client = new EngineClient({ enginePath: ENGINE });
    clients.push(client);
    await assert.rejects(client.sendRequest(DataDescribeRequest, { data: descriptor, within: [ws] }), OUTSIDE_MESSAGE);
    assert.equal((await client.sendRequest(DataDescribeRequest, { data: descriptor })).count, 20, 'unconfined, it is read (not a cached refusal)');
  });
});
