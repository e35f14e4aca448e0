import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { BROWSE_DATASET, datasetPickEntries } from '../../src/extension/datasets/datasetPicks';
import { isModelFile, modelPickEntries } from '../../src/extension/models/modelFiles';

test('model files are *.model.ts and *.model.js', () => {
  assert.ok(isModelFile('/w/examples/lenet.model.ts'));
  assert.ok(isModelFile('c:\\w\\net.model.js'));
  assert.ok(!isModelFile('/w/lenet.ts'));
  assert.ok(!isModelFile('/w/lenet.model.tsx'));
  assert.ok(!isModelFile('/w/lenet.model.ts.bak'));
});

test('model pick: deduplicated, preferred first, then by path', () => {
  const p = (rel: string) => ({ fsPath: path.resolve('/w', rel), relativePath: rel.split('/').join(path.sep) });
  const entries = modelPickEntries(
    [p('z/b.model.ts'), p('a.model.js'), p('examples/lenet.model.ts'), p('a.model.js'), p('notes.ts')],
    path.resolve('/w/z/b.model.ts'),
  );
  assert.deepEqual(
    entries.map((e) => [e.label, e.description]),
    [
      ['b.model.ts', 'z'],
      ['a.model.js', ''],
      ['lenet.model.ts', 'examples'],
    ],
  );
});

test('dataset pick: the default first, then the other synthetic sets, then browse', () => {
  const entries = datasetPickEntries(undefined);
  assert.deepEqual(entries.map((e) => e.value), ['synthetic:shapes', BROWSE_DATASET]);
  assert.match(entries[0].description ?? '', /default/);
  assert.equal(entries[1].label, '$(folder-opened) Choose a File or Folder…');

  const custom = datasetPickEntries('/data/mnist');
  assert.deepEqual(custom.map((e) => e.value), ['/data/mnist', 'synthetic:shapes', BROWSE_DATASET]);
});
