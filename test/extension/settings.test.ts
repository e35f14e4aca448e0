import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { BACKEND_CHOICES, BACKENDS } from '../../src/protocol/engineTypes';
import { normalizeBackend, normalizeNodePath, resolveRunsDir } from '../../src/extension/settings';

test('the backend choices match the protocol', () => {
  assert.deepEqual([...BACKEND_CHOICES].sort(), ['auto', ...BACKENDS].sort());
});

test('runs folder: relative to the workspace folder, else to the model file; absolute and ~ as is', () => {
  const ws = path.resolve('/ws');
  const model = path.resolve('/ws/models/lenet.model.ts');
  assert.equal(resolveRunsDir('runs', { workspaceFolder: ws, modelFile: model }), path.join(ws, 'runs'));
  assert.equal(resolveRunsDir('', { workspaceFolder: ws, modelFile: model }), path.join(ws, 'runs'));
  assert.equal(resolveRunsDir(undefined, { modelFile: model }), path.resolve('/ws/models/runs'));
  assert.equal(resolveRunsDir('out/../my-runs', { workspaceFolder: ws, modelFile: model }), path.join(ws, 'my-runs'));
  assert.equal(resolveRunsDir(path.resolve('/data/runs'), { workspaceFolder: ws, modelFile: model }), path.resolve('/data/runs'));
  assert.equal(resolveRunsDir('~/runs', { workspaceFolder: ws, modelFile: model }, path.resolve('/home/me')), path.resolve('/home/me/runs'));
});

test('backend setting: a backend, else auto with a warning', () => {
  assert.deepEqual(normalizeBackend('wasm'), { backend: 'wasm' });
  assert.deepEqual(normalizeBackend(undefined), { backend: 'auto' });
  const bad = normalizeBackend('webgl');
  assert.equal(bad.backend, 'auto');
  assert.match(bad.warning ?? '', /webgl/);
});

test('node path: empty means VS Code runtime', () => {
  assert.equal(normalizeNodePath(''), undefined);
  assert.equal(normalizeNodePath('   '), undefined);
  assert.equal(normalizeNodePath(undefined), undefined);
  assert.equal(normalizeNodePath(' /usr/bin/node '), '/usr/bin/node');
  assert.equal(normalizeNodePath('~/n/node', path.resolve('/home/me')), path.resolve('/home/me/n/node'));
});
