/**
 * The inspection panels (Show Model Summary, Show Feature Maps, Show Learned Filters, Probe Shift
 * Equivariance) against the VS Code stub and the REAL engine (dist/engine.js: `npm run build` first), on
 * examples/lenet.model.ts with MNIST: each command opens its panel beside the editor under a CSP with a
 * nonce, and reveals it when asked again; Restricted Mode refuses; the summary's numbers and a row click
 * that reveals the line, refreshed on save; bad messages from a page are dropped; a feature-maps request
 * reaches the engine with the chosen sample and checkpoint, its result is valid for the page and lands in
 * the FeatureMapStore; following a run refreshes at its epoch end with the run's last checkpoint; filters
 * (untrained against last) and the equivariance probe. Every message posted to a page passes the page's
 * own parser (src/protocol/webview.ts).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineClient } from '../../src/client/engineClient';
import type { FeatureMapsResult } from '../../src/protocol/engineTypes';
import {
  parseEquivarianceUpdate,
  parseFeatureMapsUpdate,
  parseFiltersUpdate,
  parseModelSummaryUpdate,
  type EquivarianceUpdate,
  type FeatureMapsUpdate,
  type FiltersUpdate,
  type ModelSummaryUpdate,
} from '../../src/protocol/webview';
import { DATASETS, ENGINE, LENET, ROOT, tempDir } from '../helpers';
import * as vscode from './vscodeStub';
import { fakeEngineHost } from './fakeEngineHost';
import { useVscodeStub } from './useVscodeStub';

const { ui } = vscode;
const MNIST = path.join(DATASETS, 'mnist');
type Panels = typeof import('../../src/extension/inspection/panels');
type Store = typeof import('../../src/extension/inspection/featureMapStore');
let registration: { dispose(): void };
let store: InstanceType<Store['FeatureMapStore']>;
let client: EngineClient;
const runsDir = tempDir('dl-lab-inspect-runs-');
const log: string[] = [];
/** Every request the panels sent to the engine. */
let requests: { method: string; params: Record<string, unknown> }[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, probe: () => T | undefined | false, timeout = 60_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The messages posted to a panel's page, each run through the page's parser (which must accept it). */
function posted<T>(panel: vscode.StubWebviewPanel, parse: (m: unknown) => T | undefined): T[] {
  return panel.webview.posted.map((json) => {
    const parsed = parse(JSON.parse(json));
    assert.ok(parsed, `the page would drop this message: ${json.slice(0, 300)}`);
    return parsed;
  });
}

function lineOf(needle: string): number {
  const index = fs.readFileSync(LENET, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(index >= 0);
  return index + 1;
}

async function open(command: string, arg: unknown = vscode.Uri.file(LENET)): Promise<vscode.StubWebviewPanel> {
  const before = vscode.webviewPanels.length;
  await vscode.commands.executeCommand(command, arg);
  assert.equal(vscode.webviewPanels.length, before + 1, `${command} opened a panel`);
  return vscode.webviewPanels[vscode.webviewPanels.length - 1];
}

before(() => {
  assert.ok(fs.existsSync(ENGINE), 'dist/engine.js: run npm run build');
  useVscodeStub();
  const panels: Panels = require('../../src/extension/inspection/panels');
  store = new (require('../../src/extension/inspection/featureMapStore') as Store).FeatureMapStore();
  client = new EngineClient({ enginePath: ENGINE });
  const { host: engine, requests: sent } = fakeEngineHost(client);
  requests = sent;
  const channel = { info: (m: string) => log.push(m), warn: (m: string) => log.push(m), error: (m: string) => log.push(m), debug() {}, trace() {} };
  ui.settings['dlLab.runsDir'] = runsDir;
  ui.settings['dlLab.defaultDataset'] = MNIST;
  registration = panels.registerInspectionPanels({ extensionUri: vscode.Uri.file(ROOT) as never, engine, log: channel as never, featureMaps: store });
});

after(async () => {
  registration?.dispose();
  await client?.dispose();
  delete ui.settings['dlLab.runsDir'];
  delete ui.settings['dlLab.defaultDataset'];
});

describe('inspection panels', () => {
  it('each command opens its panel beside the editor, keeping focus, under a CSP with a nonce; asked again, it is revealed', async () => {
    const kinds: [string, string, string][] = [
      ['dlLab.showSummary', 'dlLab.modelSummary', 'Summary: lenet.model.ts'],
      ['dlLab.showFeatureMaps', 'dlLab.featureMaps', 'Feature Maps: lenet.model.ts'],
      ['dlLab.showFilters', 'dlLab.filters', 'Filters: lenet.model.ts'],
      ['dlLab.probeEquivariance', 'dlLab.equivariance', 'Equivariance: lenet.model.ts'],
    ];
    const opened: vscode.StubWebviewPanel[] = [];
    for (const [command, viewType, title] of kinds) {
      const panel = await open(command);
      opened.push(panel);
      assert.equal(panel.viewType, viewType);
      assert.equal(panel.title, title);
      assert.deepEqual(panel.showOptions, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
      const options = panel.options as { enableScripts: boolean; localResourceRoots: vscode.Uri[] };
      assert.equal(options.enableScripts, true);
      assert.deepEqual(options.localResourceRoots.map((u) => u.fsPath), [path.join(ROOT, 'dist', 'webviews')]);
      const html = panel.webview.html;
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
      assert.match(csp, /^default-src 'none';/);
      const nonce = /script-src 'nonce-([A-Za-z0-9]{32})'/.exec(csp)?.[1];
      assert.ok(nonce, csp);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      const scripts = html.match(/<script[^>]*>/g) ?? [];
      assert.equal(scripts.length, 1);
      assert.ok(scripts[0].includes(`nonce="${nonce}"`) && scripts[0].includes(`${viewType.slice('dlLab.'.length)}.js`), scripts[0]);
      assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'webviews', `${viewType.slice('dlLab.'.length)}.js`)), 'the page is built');
    }
    // The active editor's model file, no argument: the same panel, revealed beside without taking focus.
    ui.activeFile = LENET;
    try {
      const count = vscode.webviewPanels.length;
      await vscode.commands.executeCommand('dlLab.showFeatureMaps');
      assert.equal(vscode.webviewPanels.length, count);
      assert.deepEqual(opened[1].revealed, [{ viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }]);
    } finally {
      ui.activeFile = undefined;
    }
    for (const p of opened) p.dispose();
    assert.equal(requests.length, 0, 'nothing is computed before the page says it is ready');
  });

  it('Restricted Mode: refused with a message that says why; no panel, no engine', async () => {
    ui.trusted = false;
    ui.reset();
    try {
      const count = vscode.webviewPanels.length;
      await vscode.commands.executeCommand('dlLab.showFeatureMaps', vscode.Uri.file(LENET));
      assert.equal(vscode.webviewPanels.length, count);
      assert.match(ui.shown[0]?.message ?? '', /Restricted Mode.*model files are code/);
      assert.equal(client.running, false);
    } finally {
      ui.trusted = true;
    }
  });

  it("summary: the engine's LeNet-5 numbers on MNIST; a row click reveals the layer's line; saving the file rebuilds it", async () => {
    const panel = await open('dlLab.showSummary');
    panel.receive({ type: 'ready' });
    const summaries = () => posted<ModelSummaryUpdate>(panel, parseModelSummaryUpdate).filter((m) => m.type === 'summary');
    const first = await until('the summary', () => summaries()[0], 120_000);
    assert.ok(first.type === 'summary');
    const s = first.summary;
    assert.equal(s.totalParams, 61_706);
    assert.deepEqual(s.inputShape, [28, 28, 1]);
    assert.equal(s.layers[0].type, 'Conv2D');
    assert.equal(s.layers[0].line, lineOf('tf.layers.conv2d({ inputShape'));
    assert.equal(s.layers[0].receptiveField, 5);

    ui.reset();
    panel.receive({ type: 'reveal', line: s.layers[2].line });
    await until('the model file shown', () => ui.opened.length > 0, 5_000);
    assert.deepEqual(ui.opened, [LENET]);
    const options = ui.openedOptions[0] as { selection: vscode.Range; viewColumn: number; preserveFocus: boolean };
    assert.equal(options.selection.start.line, lineOf('filters: 16') - 1);
    assert.equal(options.viewColumn, vscode.ViewColumn.One);

    ui.saved.fire({ uri: vscode.Uri.file(LENET) });
    await until('a rebuilt summary after saving', () => summaries().length === 2, 60_000);
    panel.dispose();
  });

  it('bad messages from a page are dropped: nothing reaches the engine or the editor', async () => {
    const panel = await open('dlLab.showFeatureMaps');
    ui.reset();
    log.length = 0;
    const before = requests.length;
    const bad: unknown[] = [
      { type: 'request', sample: { kind: 'image', file: '/etc/passwd' }, checkpoint: 'untrained' },
      { type: 'request', sample: { kind: 'index', index: -1 }, checkpoint: 'untrained' },
      { type: 'request', sample: { kind: 'index', index: 0 }, checkpoint: 'latest' },
      { type: 'request', sample: { kind: 'index', index: 0 }, checkpoint: 'untrained', modelFile: '/tmp/evil.model.ts' },
      { type: 'reveal', line: 0 },
      { type: 'reveal', line: '3' },
      { type: 'follow' },
      'ready',
      null,
    ];
    for (const m of bad) panel.receive(m);
    await sleep(200);
    assert.equal(requests.length, before);
    assert.deepEqual(ui.opened, []);
    assert.equal(log.filter((l) => /ignored a message that is not one/.test(l)).length, bad.length);
    panel.dispose();
  });

  it('feature maps of an MNIST sample: the chosen sample reaches the engine, the result suits the page and goes to the FeatureMapStore', async () => {
    const panel = await open('dlLab.showFeatureMaps');
    const updates = () => posted<FeatureMapsUpdate>(panel, parseFeatureMapsUpdate);
    const results = () => updates().filter((m): m is Extract<FeatureMapsUpdate, { type: 'result' }> => m.type === 'result');
    panel.receive({ type: 'ready' });
    const first = await until('the first maps', () => results()[0], 120_000);
    const context = updates().find((m) => m.type === 'context');
    assert.ok(context?.type === 'context');
    assert.equal(context.context.run, undefined, 'no run yet: untrained');
    assert.equal(context.context.count, 10_000);
    assert.equal(context.context.classes.length, 10);
    assert.equal(first.result.checkpoint, 'untrained');
    assert.equal(first.result.sample.index, 0);
    assert.deepEqual(first.result.sample.image.shape, [28, 28, 1]);
    const conv = first.result.layers.find((l) => l.type === 'Conv2D');
    assert.deepEqual(conv?.shape, [28, 28, 6]);
    assert.equal(conv?.line, lineOf('tf.layers.conv2d({ inputShape'));
    assert.equal(first.result.prediction!.probabilities.length, 10);

    panel.receive({ type: 'request', sample: { kind: 'class', classIndex: 3 }, checkpoint: 'untrained' });
    const second = await until('the maps of a "3"', () => results()[1], 60_000);
    assert.deepEqual(requests[requests.length - 1], {
      method: 'inspect/featureMaps',
      params: { modelFile: LENET, checkpoint: 'untrained', data: MNIST, sample: { kind: 'class', classIndex: 3 } },
    });
    assert.equal(second.result.sample.label, 3);
    const stored = store.get(LENET) as FeatureMapsResult;
    assert.deepEqual(stored, second.result, 'the hover reads the last maps');

    // Image File…: the file comes from the extension's dialog, never from the page.
    const image = path.join(DATASETS, 'cifar10-small', 'cat', fs.readdirSync(path.join(DATASETS, 'cifar10-small', 'cat')).sort()[0]);
    ui.openDialogAnswer = () => [vscode.Uri.file(image)];
    try {
      panel.receive({ type: 'pickImage', checkpoint: 'untrained' });
      const third = await until('the maps of an image file', () => results()[2], 60_000);
      assert.deepEqual(requests[requests.length - 1].params.sample, { kind: 'image', file: image });
      assert.equal(third.result.sample.file, image);
      assert.deepEqual(third.result.sample.image.shape, [28, 28, 1], 'the image as the model sees it');
    } finally {
      ui.openDialogAnswer = () => undefined;
    }
    panel.dispose();
  });

  it('follow run: a run of this model refreshes the maps at its epoch end from its last checkpoint; best is asked for by name', async () => {
    const panel = await open('dlLab.showFeatureMaps');
    const results = () => posted<FeatureMapsUpdate>(panel, parseFeatureMapsUpdate).filter((m): m is Extract<FeatureMapsUpdate, { type: 'result' }> => m.type === 'result');
    panel.receive({ type: 'ready' });
    await until('the untrained maps', () => results()[0], 120_000);
    panel.receive({ type: 'follow', on: true });
    const run = await client.startTraining({
      modelFile: LENET,
      data: 'synthetic:shapes',
      runsDir,
      backend: 'auto',
      overrides: { epochs: 1, batchSize: 128 },
    });
    const followed = await until('maps from the run', () => results().find((r) => r.result.checkpoint === 'last'), 240_000);
    assert.equal(followed.result.runDir, run.runDir);
    const asked = requests.filter((r) => r.method === 'inspect/featureMaps').pop()!;
    assert.equal(asked.params.runDir, run.runDir);
    assert.equal(asked.params.checkpoint, 'last');
    await until('the run to end', () => fs.existsSync(path.join(run.runDir, 'checkpoints', 'best')) && JSON.parse(fs.readFileSync(path.join(run.runDir, 'run.json'), 'utf8')).status !== 'running', 120_000);

    panel.receive({ type: 'request', sample: { kind: 'index', index: 7 }, checkpoint: 'best' });
    const best = await until('maps from the best checkpoint', () => results().find((r) => r.result.checkpoint === 'best'), 60_000);
    assert.deepEqual(requests[requests.length - 1].params, { runDir: run.runDir, checkpoint: 'best', sample: { kind: 'index', index: 7 } });
    assert.equal(best.result.sample.index, 7);
    assert.equal(store.get(LENET)?.checkpoint, 'best');
    panel.dispose();
  });

  it("filters (untrained against the run's last) and the equivariance probe, with the real engine", async () => {
    const filters = await open('dlLab.showFilters');
    filters.receive({ type: 'ready' });
    const f = await until('filters', () => posted<FiltersUpdate>(filters, parseFiltersUpdate).find((m) => m.type === 'filters'), 120_000);
    assert.ok(f.type === 'filters');
    assert.equal(f.left.checkpoint, 'untrained');
    assert.equal(f.right?.checkpoint, 'last');
    assert.deepEqual(f.left.layers.map((l) => l.kernelShape), [[5, 5, 1, 6], [5, 5, 6, 16]]);
    filters.dispose();

    const probe = await open('dlLab.probeEquivariance');
    probe.receive({ type: 'ready' });
    const first = await until('a probe', () => posted<EquivarianceUpdate>(probe, parseEquivarianceUpdate).find((m) => m.type === 'result'), 120_000);
    assert.ok(first.type === 'result');
    probe.receive({ type: 'probe', sample: { kind: 'index', index: 1 }, checkpoint: 'untrained', maxShift: 4, axis: 'y', mode: 'zero' });
    const second = await until('a second probe', () => posted<EquivarianceUpdate>(probe, parseEquivarianceUpdate).filter((m) => m.type === 'result')[1], 60_000);
    assert.ok(second.type === 'result');
    assert.deepEqual(second.result.shifts, [0, 1, 2, 3, 4]);
    assert.equal(second.result.axis, 'y');
    assert.equal(second.result.mode, 'zero');
    assert.equal(second.result.checkpoint, 'untrained');
    const conv = second.result.layers.find((l) => l.type === 'Conv2D')!;
    assert.ok(Math.abs(conv.errors[0] ?? 1) < 1e-6, 'no shift, no error');
    probe.dispose();
  });
});
