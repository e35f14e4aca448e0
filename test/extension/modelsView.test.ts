/**
 * The Models view against the VS Code stub and the REAL engine (dist/engine.js, `npm run build` first):
 * the workspace's model files, LeNet-5's layers with types, shapes, parameters and the lines that made
 * them (a click goes there), a model that does not build shown with the engine's message as its child,
 * a changed file built again (debounced); and the texts' pure logic.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LayerNode } from '../../src/extension/models/modelsView';
import type { LayerSummary } from '../../src/protocol/engineTypes';
import * as stub from './vscodeStub';
import { fakeEngineHost } from './fakeEngineHost';
import { useVscodeStub } from './useVscodeStub';

const root = path.resolve(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lab-models-view-'));
const ws = path.join(tmp, 'ws');
const lenet = path.join(ws, 'examples', 'lenet.model.ts');
const bad = path.join(ws, 'broken.model.ts');
let models: typeof import('../../src/extension/models/modelsView');
let texts: typeof import('../../src/extension/models/modelsModel');
let client: import('../../src/client/engineClient').EngineClient;
let engine: ReturnType<typeof fakeEngineHost>;
let keepAlive: ReturnType<typeof setInterval> | undefined;
const globs: string[] = [];

const BROKEN = `import * as tf from '@tensorflow/tfjs';
export default function model({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape, filters: 4, kernelSize: 3 }),
    tf.layers.flatten(),
    tf.layers.conv2d({ filters: 4, kernelSize: 2 }),
    tf.layers.dense({ units: numClasses, activation: 'softmax' }),
  ] });
}
`;

before(() => {
  const vscode = {
    ...stub,
    workspace: Object.assign(Object.create(stub.workspace), {
      findFiles: async (glob: string) => (globs.push(glob), [stub.Uri.file(lenet), stub.Uri.file(bad)]),
    }),
  };
  useVscodeStub(vscode);
  models = require('../../src/extension/models/modelsView');
  texts = require('../../src/extension/models/modelsModel');
  assert.ok(fs.existsSync(path.join(root, 'dist', 'engine.js')), 'dist/engine.js: run npm run build first');
  const { EngineClient } = require('../../src/client/engineClient');
  client = new EngineClient({ enginePath: path.join(root, 'dist', 'engine.js'), cwd: ws });
  engine = fakeEngineHost(client);
  fs.mkdirSync(path.dirname(lenet), { recursive: true });
  fs.copyFileSync(path.join(root, 'examples', 'lenet.model.ts'), lenet);
  fs.writeFileSync(bad, BROKEN);
  stub.ui.folder = ws;
  stub.ui.trusted = true;
  stub.ui.settings = {};
  keepAlive = setInterval(() => undefined, 1000);
});

after(async () => {
  clearInterval(keepAlive);
  await client?.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const log = { warn() {}, debug() {} };

describe('Models view, with the real engine', () => {
  it("lists the model files, and LeNet-5's layers with their lines; a click reveals the line", async () => {
    stub.ui.watchers.length = 0;
    const provider = new models.ModelsProvider(engine.host, log, 50);
    const files = await provider.getChildren();
    assert.deepEqual(files.map((f) => f.label), ['broken.model.ts', 'lenet.model.ts']);
    assert.deepEqual(globs, ['**/*.model.{ts,js}']);
    assert.equal(provider.getTreeItem(files[1]).description, 'examples');
    assert.equal(provider.getTreeItem(files[1]).contextValue, 'dlLab.modelFile');
    assert.equal(stub.ui.watchers[0]?.glob, '**/*.model.{ts,js}');

    const layers = (await provider.getChildren(files[1])) as LayerNode[];
    const source = fs.readFileSync(lenet, 'utf8').split('\n');
    const rows = layers.map((l) => [l.description, l.line && /tf\.layers\.(\w+)/.exec(source[l.line - 1])?.[1]]);
    assert.deepEqual(rows, [
      ['Conv2D · 28×28×6 · 156 params', 'conv2d'],
      ['AveragePooling2D · 14×14×6 · 0 params', 'averagePooling2d'],
      ['Conv2D · 10×10×16 · 2,416 params', 'conv2d'],
      ['AveragePooling2D · 5×5×16 · 0 params', 'averagePooling2d'],
      ['Flatten · 400 · 0 params', 'flatten'],
      ['Dense · 120 · 48,120 params', 'dense'],
      ['Dense · 84 · 10,164 params', 'dense'],
      ['Dense · 6 · 510 params', 'dense'],
    ]);
    const item = provider.getTreeItem(layers[2]);
    const command = item.command as unknown as { command: string; arguments: [stub.Uri, { selection: stub.Range }] };
    assert.equal(command.command, 'vscode.open');
    assert.equal(command.arguments[0].fsPath, lenet);
    assert.equal(command.arguments[1].selection.start.line, layers[2].line! - 1);
    assert.match(String(item.tooltip), /^conv2d_Conv2D\d+ \(Conv2D\)\noutput 10×10×16\n2,416 parameters\n/);
    assert.equal(provider.getTreeItem(files[1]).description, '61.4K params · 28×28×1 → 6 · examples');
    assert.match(String(provider.getTreeItem(files[1]).tooltip), /61,366 parameters \(61,366 trainable\), [\d,]+ MACs per sample\nfor 28×28×1 inputs and 6 classes$/);
    provider.dispose();
  });

  it('a model that does not build: its child is the engine message, and a click goes to the line', async () => {
    const provider = new models.ModelsProvider(engine.host, log, 50);
    const [broken] = await provider.getChildren();
    const [error] = (await provider.getChildren(broken)) as LayerNode[];
    assert.equal(error.type, 'error');
    assert.match(error.label, /^cannot build: .*(conv2d|ndim)/i);
    assert.doesNotMatch(error.label, /broken\.model\.ts:\d+/, 'the location is not repeated in the label');
    assert.equal(provider.getTreeItem(broken).description, '⚠ cannot build');
    const item = provider.getTreeItem(error);
    assert.equal((item.iconPath as stub.ThemeIcon).id, 'error');
    // The line is the engine's to find (the layer's, or the tf.sequential call that added it): the row goes there.
    assert.ok(error.line && error.line >= 1 && error.line <= BROKEN.split('\n').length, `line ${error.line}`);
    assert.equal(error.description, `line ${error.line}`);
    const reveal = item.command as unknown as { command: string; arguments: [stub.Uri, { selection: stub.Range }] };
    assert.deepEqual([reveal.command, reveal.arguments[0].fsPath, reveal.arguments[1].selection.start.line], ['vscode.open', bad, error.line! - 1]);

    // Fixed and saved: built again after the debounce.
    let refreshed = 0;
    provider.onDidChangeTreeData(() => refreshed++);
    fs.writeFileSync(bad, BROKEN.replace("    tf.layers.conv2d({ filters: 4, kernelSize: 2 }),\n", ''));
    stub.ui.watchers.at(-1)!.change.fire(stub.Uri.file(bad));
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(refreshed, 1);
    const fixed = (await provider.getChildren(broken)) as LayerNode[];
    assert.deepEqual(fixed.map((l) => l.description), ['Conv2D · 26×26×4 · 40 params', 'Flatten · 2704 · 0 params', 'Dense · 6 · 16,230 params']);
    provider.dispose();
  });

  it('in Restricted Mode the files are listed, their layers are not built', async () => {
    stub.ui.trusted = false;
    const asked = engine.requests.length;
    const provider = new models.ModelsProvider(engine.host, log, 50);
    const [file] = await provider.getChildren();
    const children = await provider.getChildren(file);
    assert.deepEqual(children.map((c) => c.label), ['Layers are listed in a trusted workspace']);
    assert.equal(engine.requests.length, asked, 'no model/summary request');
    stub.ui.trusted = true;
    provider.dispose();
  });
});

describe('Models view texts', () => {
  const layer = (over: Partial<LayerSummary>): LayerSummary => ({ name: 'd', type: 'Dense', outputShape: [null, 10], params: 1234, trainableParams: 1234, macs: 1200, line: 7, ...over });

  it('shapes, descriptions, errors', () => {
    assert.equal(texts.formatShape([null, 28, 28, 6]), '28×28×6');
    assert.equal(texts.formatShape([[null, 4], [null, 2, 2]]), '4, 2×2');
    assert.equal(texts.formatShape([null, null, 3]), '?×3');
    assert.equal(texts.layerDescription(layer({})), 'Dense · 10 · 1,234 params');
    assert.match(texts.layerTooltip(layer({ trainableParams: 1000, line: null }), 'm.model.ts'), /1,000 trainable\n1,200 MACs per sample\ncreated outside this file$/);
    const withData = Object.assign(new Error('x'), { data: { file: '/a/m.model.ts', line: 12, column: 5, message: 'Input 0 is incompatible with layer conv2d_Conv2D3: expected ndim=4, found ndim=2' } });
    assert.deepEqual(texts.buildErrorText(withData), {
      label: 'cannot build: Input 0 is incompatible with layer conv2d_Conv2D3: expected ndim=4, found ndim=2',
      line: 12,
      detail: 'Input 0 is incompatible with layer conv2d_Conv2D3: expected ndim=4, found ndim=2',
    });
    const plain = new Error('examples/bad.model.ts:12:5: error while building the model: boom');
    assert.deepEqual(texts.buildErrorText(plain), { label: 'cannot build: boom', line: 12, detail: plain.message });
  });
});
