import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { BACKEND_CHOICES, BACKENDS } from '../../src/protocol/engineTypes';
import * as fs from 'node:fs';
import { MODEL_FILE_GLOB } from '../../src/extension/models/modelFiles';
import {
  datasetGlobs,
  DEFAULT_DATASET_GLOBS,
  engineEnvFrom,
  excludeGlob,
  modelGlobFrom,
  normalizeBackend,
  normalizeNodePath,
  resolveRunsDir,
  SETTING_KEYS,
} from '../../src/extension/shared/settings';

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

test("the settings read are package.json's, both ways", () => {
  const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8'));
  const contributed = Object.keys(manifest.contributes.configuration.properties).map((k) => k.replace(/^dlLab\./, ''));
  assert.deepEqual([...SETTING_KEYS].sort(), contributed.sort());
});

test('search exclusions from dlLab.runsDir; the model and dataset globs', () => {
  assert.equal(excludeGlob('runs'), '{**/node_modules/**,**/.git/**,runs/**}');
  assert.equal(excludeGlob('/abs/runs'), '{**/node_modules/**,**/.git/**}');
  assert.equal(excludeGlob('./out/runs/'), '{**/node_modules/**,**/.git/**,out/runs/**}');
  assert.deepEqual(datasetGlobs(undefined), DEFAULT_DATASET_GLOBS);
  assert.deepEqual(datasetGlobs(['**/*.csv', 3, ' ']), ['**/*.csv']);
  assert.equal(modelGlobFrom(undefined), MODEL_FILE_GLOB);
  assert.equal(modelGlobFrom('  '), MODEL_FILE_GLOB);
  assert.equal(modelGlobFrom(' src/**/*.model.ts '), 'src/**/*.model.ts');
});

test("the engine's environment: dlLab.modelTimeout in seconds, dlLab.threads a whole count; 0 or nonsense sets nothing", () => {
  assert.deepEqual(engineEnvFrom(30, 4), { DL_LAB_MODEL_TIMEOUT: '30', DL_LAB_THREADS: '4' });
  assert.deepEqual(engineEnvFrom(0, 0), {});
  assert.deepEqual(engineEnvFrom('30', 2.5), {});
  assert.deepEqual(engineEnvFrom(undefined, undefined), {});
});
