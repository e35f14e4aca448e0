/**
 * Evaluate Run and its Evaluation view against the VS Code stub and the REAL engine (dist/engine.js: `npm
 * run build` first), on a LeNet trained one epoch on MNIST by the CLI: the command opens one view per run
 * beside the editor under a CSP with a nonce (revealed when asked again; from the palette, a pick of the
 * workspace's runs); the first open asks the engine, whose report (saved in the run folder) is consistent
 * (the matrix sums to the count, its trace is the accuracy); the most confident mistakes come with their
 * pictures; a cell's gallery holds exactly that cell's samples; a sample opens in Feature Maps on that
 * sample; reopening reads the saved file without the engine; another split says in one line why there is
 * none; bad messages from the page are dropped. Every message posted to the page passes its parser.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineClient } from '../../src/client/engineClient';
import { parseEvaluationUpdate, parseFeatureMapsUpdate, type EvaluationUpdate, type FeatureMapsUpdate } from '../../src/protocol/webview';
import { DATASETS, ENGINE, ROOT, tempDir, trainRun, waitFor } from '../helpers';
import * as vscode from './vscodeStub';
import { fakeEngineHost } from './fakeEngineHost';
import { useVscodeStub } from './useVscodeStub';

const { ui } = vscode;
const MNIST = path.join(DATASETS, 'mnist');
const LENET_RELU = path.join(ROOT, 'examples', 'lenet-relu.model.ts');
const workspace = tempDir('dl-lab-evaluation-ws-');
const runsDir = path.join(workspace, 'runs');
let runDir: string;
let client: EngineClient;
let registration: { dispose(): void };
const log: string[] = [];
let requests: { method: string; params: Record<string, unknown> }[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = <T>(what: string, probe: () => T | undefined | false, timeout = 60_000) => waitFor(probe, timeout, what);

function posted(panel: vscode.StubWebviewPanel): EvaluationUpdate[] {
  return panel.webview.posted.map((json) => {
    const parsed = parseEvaluationUpdate(JSON.parse(json));
    assert.ok(parsed, `the page would drop this message: ${json.slice(0, 300)}`);
    return parsed;
  });
}
const ofType = <K extends EvaluationUpdate['type']>(panel: vscode.StubWebviewPanel, type: K) =>
  posted(panel).filter((m): m is Extract<EvaluationUpdate, { type: K }> => m.type === type);

async function evaluate(arg: unknown): Promise<vscode.StubWebviewPanel> {
  const count = vscode.webviewPanels.length;
  await vscode.commands.executeCommand('dlLab.evaluateRun', arg);
  assert.equal(vscode.webviewPanels.length, count + 1, 'Evaluate Run opened a view');
  return vscode.webviewPanels[vscode.webviewPanels.length - 1];
}

before(async () => {
  assert.ok(fs.existsSync(ENGINE), 'dist/engine.js: run npm run build');
  fs.mkdirSync(runsDir, { recursive: true });
  ({ runDir } = await trainRun(LENET_RELU, ['--data', MNIST, '--epochs', '1', '--validation-split', '0.2', '--backend', 'wasm'], runsDir));
  useVscodeStub();
  ui.folder = workspace;
  ui.settings['dlLab.runsDir'] = runsDir;
  client = new EngineClient({ enginePath: ENGINE });
  const { host: engine, requests: sent } = fakeEngineHost(client);
  requests = sent;
  const channel = { info: (m: string) => log.push(m), warn: (m: string) => log.push(m), error: (m: string) => log.push(m), debug() {}, trace() {} };
  const { registerEvaluation } = require('../../src/extension/evaluation/evaluationCommands') as typeof import('../../src/extension/evaluation/evaluationCommands');
  const { registerInspectionPanels } = require('../../src/extension/inspection/panels') as typeof import('../../src/extension/inspection/panels');
  const { FeatureMapStore } = require('../../src/extension/inspection/featureMapStore') as typeof import('../../src/extension/inspection/featureMapStore');
  const deps = { extensionUri: vscode.Uri.file(ROOT) as never, engine, log: channel as never };
  registration = vscode.Disposable.from(registerEvaluation(deps), registerInspectionPanels({ ...deps, featureMaps: new FeatureMapStore() }));
});

after(async () => {
  registration?.dispose();
  await client?.dispose();
  ui.folder = '';
  delete ui.settings['dlLab.runsDir'];
});

describe('Evaluate Run', () => {
  it('opens the run’s view beside the editor under a CSP with a nonce; the engine evaluates it; the report is consistent and saved', async () => {
    const panel = await evaluate({ runDir });
    assert.equal(panel.viewType, 'dlLab.evaluation');
    assert.equal(panel.title, `Evaluation: ${path.basename(runDir)}`);
    assert.deepEqual(panel.showOptions, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(panel.webview.html)?.[1] ?? '';
    assert.match(csp, /^default-src 'none';/);
    const nonce = /script-src 'nonce-([A-Za-z0-9]{32})'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    const scripts = panel.webview.html.match(/<script[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.ok(scripts[0].includes(`nonce="${nonce}"`) && scripts[0].includes('evaluation.js'), scripts[0]);
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'webviews', 'evaluation.js')), 'the page is built');
    assert.equal(requests.length, 0, 'nothing is computed before the page is ready');

    panel.receive({ type: 'ready' });
    const context = await until('the context', () => ofType(panel, 'context')[0]);
    assert.equal(context.context.runId, path.basename(runDir));
    assert.equal(context.context.model, 'lenet-relu.model.ts');
    assert.equal(context.context.hasBest, true);
    assert.deepEqual(context.context.saved, []);
    assert.match(ofType(panel, 'loading')[0]?.message ?? '', /^Evaluating run \S+ on the held-out split…$/);
    const { report } = await until('the report', () => ofType(panel, 'report')[0], 120_000);
    assert.equal(requests.filter((r) => r.method === 'eval/run').length, 1);
    // MNIST here has no test split: the run's validation carve, its best checkpoint.
    assert.equal(report.split, 'val');
    assert.equal(report.checkpoint, 'best');
    assert.equal(report.fromFile, false);
    assert.equal(report.count, 2000);
    assert.equal(report.confusion.flat().reduce((a, b) => a + b, 0), report.count);
    const trace = report.confusion.reduce((a, row, i) => a + row[i], 0);
    assert.equal(trace / report.count, report.accuracy);
    assert.deepEqual(report.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.equal(report.reliability.length, 15);
    assert.equal(report.file, path.join(runDir, 'eval', 'val-best.json'));
    assert.ok(fs.existsSync(report.file), 'saved in the run folder');
    // The mistakes: wrong, surest first.
    assert.ok(report.mistakes.length > 0 && report.mistakes.length <= 16);
    assert.ok(report.mistakes.every((s) => s.label !== s.predicted));
    assert.ok(report.mistakes.every((s, i) => i === 0 || s.confidence <= report.mistakes[i - 1].confidence));

    // Their pictures, from the engine's feature maps of each sample (the output layer alone after the first).
    const want = new Set(report.mistakes.map((s) => s.index));
    const pictures = await until('the mistakes’ pictures', () => {
      const got = ofType(panel, 'images').flatMap((m) => m.images);
      return got.length >= want.size && got;
    });
    assert.deepEqual(new Set(pictures.map((p) => p.index)), want);
    for (const p of pictures) {
      assert.deepEqual(p.image.shape, [28, 28, 1]);
      assert.equal(p.probabilities.length, 10);
      const s = report.mistakes.find((m) => m.index === p.index)!;
      const predicted = p.probabilities.indexOf(Math.max(...p.probabilities.map((x) => x ?? 0)));
      assert.equal(predicted, s.predicted, `sample ${p.index}: the picture's prediction is the report's`);
    }
    const maps = requests.filter((r) => r.method === 'inspect/featureMaps');
    assert.equal(maps.length, want.size);
    assert.equal(maps[0].params.layers, undefined, 'the first: every layer (the last one is the output)');
    assert.ok(maps.slice(1).every((m) => Array.isArray(m.params.layers) && (m.params.layers as string[]).length === 1), 'then the output layer alone');
    assert.ok(maps.every((m) => m.params.runDir === runDir && m.params.checkpoint === 'best'));

    // A cell: exactly its samples, most confident first, and their pictures.
    let worst = { label: 0, predicted: 1, count: -1 };
    report.confusion.forEach((row, label) => row.forEach((count, predicted) => {
      if (label !== predicted && count > worst.count) worst = { label, predicted, count };
    }));
    panel.receive({ type: 'cell', label: worst.label, predicted: worst.predicted });
    const gallery = await until('the gallery', () => ofType(panel, 'gallery')[0]);
    assert.equal(gallery.label, worst.label);
    assert.equal(gallery.total, worst.count);
    assert.equal(gallery.samples.length, Math.min(48, worst.count));
    assert.ok(gallery.samples.every((s) => s.label === worst.label && s.predicted === worst.predicted));
    assert.ok(gallery.samples.every((s, i) => i === 0 || s.confidence <= gallery.samples[i - 1].confidence));
    await until('the gallery’s pictures', () => {
      const got = new Set(ofType(panel, 'images').flatMap((m) => m.images.map((p) => p.index)));
      return gallery.samples.every((s) => got.has(s.index));
    });

    // Asked again: the same view, revealed.
    const count = vscode.webviewPanels.length;
    await vscode.commands.executeCommand('dlLab.evaluateRun', runDir);
    assert.equal(vscode.webviewPanels.length, count);
    assert.deepEqual(panel.revealed, [{ viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }]);

    // A sample opens in Feature Maps, on that sample.
    const sample = gallery.samples[0].index;
    panel.receive({ type: 'openSample', index: sample });
    const maps1 = await until('the Feature Maps view', () => vscode.webviewPanels.find((p) => p.viewType === 'dlLab.featureMaps'));
    maps1.receive({ type: 'ready' });
    const result = await until('its maps', () =>
      maps1.webview.posted.map((j) => parseFeatureMapsUpdate(JSON.parse(j))).find((m): m is Extract<FeatureMapsUpdate, { type: 'result' }> => m?.type === 'result'),
      120_000,
    );
    assert.equal(result.result.sample.index, sample);
    assert.equal(result.result.runDir, runDir);
    assert.equal(result.result.checkpoint, report.checkpoint, 'the checkpoint evaluated');
    // Another sample: the open Feature Maps view moves to it.
    const other = report.mistakes[0].index;
    panel.receive({ type: 'openSample', index: other });
    await until('the other sample’s maps', () =>
      maps1.webview.posted.map((j) => parseFeatureMapsUpdate(JSON.parse(j))).some((m) => m?.type === 'result' && m.result.sample.index === other),
      60_000,
    );
    maps1.dispose();
    panel.dispose();
  });

  it('reopened, it reads the saved report (no engine); another split it asks the engine for, which says in one line why there is none', async () => {
    const before = requests.length;
    const panel = await evaluate(vscode.Uri.file(runDir));
    panel.receive({ type: 'ready' });
    const { report } = await until('the saved report', () => ofType(panel, 'report')[0]);
    assert.equal(report.fromFile, true);
    assert.equal(report.file, path.join(runDir, 'eval', 'val-best.json'));
    assert.deepEqual(ofType(panel, 'context')[0].context.saved, ['val-best']);
    await sleep(100);
    assert.equal(requests.slice(before).filter((r) => r.method === 'eval/run').length, 0, 'no evaluation: the file was read');

    panel.receive({ type: 'show', split: 'test', checkpoint: 'best' });
    const error = await until('the error', () => ofType(panel, 'error')[0], 60_000);
    assert.match(error.message, /^run \S+: no test samples in .*mnist \(the data has no held-out test split\); choose another --split$/);

    // The last checkpoint: not saved yet, so evaluated (and saved).
    panel.receive({ type: 'show', split: 'val', checkpoint: 'last' });
    const last = await until('the last checkpoint’s report', () => ofType(panel, 'report').find((m) => m.report.checkpoint === 'last'), 120_000);
    assert.equal(last.report.fromFile, false);
    assert.ok(fs.existsSync(path.join(runDir, 'eval', 'val-last.json')));
    // Re-run: the engine again, even though it is saved.
    const runs = requests.filter((r) => r.method === 'eval/run').length;
    panel.receive({ type: 'rerun', split: 'val', checkpoint: 'last' });
    await until('a second evaluation', () => requests.filter((r) => r.method === 'eval/run').length === runs + 1);
    await until('its report', () => ofType(panel, 'report').filter((m) => m.report.checkpoint === 'last').length === 2, 120_000);
    panel.dispose();
  });

  it('Restricted Mode: a saved report still opens; evaluating is refused with the reason, and the engine is not asked', async () => {
    ui.trusted = false;
    try {
      const before = requests.length;
      const panel = await evaluate(runDir);
      panel.receive({ type: 'ready' });
      const { report } = await until('the saved report', () => ofType(panel, 'report')[0]);
      assert.equal(report.fromFile, true);
      panel.receive({ type: 'rerun', split: 'val', checkpoint: 'best' });
      const error = await until('the refusal', () => ofType(panel, 'error')[0]);
      assert.match(error.message, /Restricted Mode.*trust this workspace to evaluate \(saved reports still open\)/);
      await sleep(100);
      assert.equal(requests.length, before, 'neither an evaluation nor pictures');
      panel.dispose();
    } finally {
      ui.trusted = true;
    }
  });

  it('from the Command Palette: a pick of the workspace’s runs; bad messages from the page are dropped', async () => {
    let offered: string[] = [];
    ui.pickAnswers.push((items) => {
      offered = items.map((i) => i.label);
      return items[0];
    });
    const panel = await evaluate(undefined);
    assert.deepEqual(offered, [path.basename(runDir)]);
    assert.equal(panel.title, `Evaluation: ${path.basename(runDir)}`);

    panel.receive({ type: 'ready' });
    const { report } = await until('the report', () => ofType(panel, 'report')[0]);
    await until('the pictures', () => ofType(panel, 'images').flatMap((m) => m.images).length === report.mistakes.length);
    const before = requests.length;
    log.length = 0;
    const bad: unknown[] = [
      { type: 'cell', label: -1, predicted: 0 },
      { type: 'cell', label: 1, predicted: 2, runDir: '/etc' },
      { type: 'openSample', index: '3' },
      { type: 'show', split: 'validation', checkpoint: 'best' },
      { type: 'rerun', split: 'val', checkpoint: 'untrained' },
      { type: 'evaluate' },
      'ready',
      null,
    ];
    for (const m of bad) panel.receive(m);
    await sleep(200);
    assert.equal(requests.length, before);
    assert.equal(log.filter((l) => /^Evaluation view: ignored a message that is not one \(/.test(l)).length, bad.length);
    assert.match(log.find((l) => l.includes('runDir')) ?? '', /unknown field "runDir"/);
    panel.dispose();
  });

  it("the dashboard's Evaluate button opens the run's Evaluation view", async () => {
    const { Dashboards } = require('../../src/extension/dashboard/dashboards') as typeof import('../../src/extension/dashboard/dashboards');
    const { host } = fakeEngineHost();
    const channel = { info() {}, warn: (m: string) => log.push(m), error: (m: string) => log.push(m), debug() {}, trace() {} };
    const dashboards = new Dashboards({ extensionUri: vscode.Uri.file(ROOT) as never, log: channel as never, engine: host, currentRun: { session: undefined } as never });
    try {
      dashboards.show([runDir]);
      const dashboard = vscode.webviewPanels[vscode.webviewPanels.length - 1];
      dashboard.receive({ type: 'ready' });
      const count = vscode.webviewPanels.length;
      dashboard.receive({ type: 'evaluate', runId: path.basename(runDir) });
      const view = await until('the Evaluation view', () => vscode.webviewPanels.length === count + 1 && vscode.webviewPanels[count]);
      assert.equal(view.viewType, 'dlLab.evaluation');
      assert.equal(view.title, `Evaluation: ${path.basename(runDir)}`);
      // A run the dashboard does not show: nothing.
      dashboard.receive({ type: 'evaluate', runId: 'not-shown' });
      await sleep(50);
      assert.equal(vscode.webviewPanels.length, count + 1);
      view.dispose();
    } finally {
      dashboards.dispose();
    }
  });

  it('a folder that is not a run is refused in one line; no view', async () => {
    const count = vscode.webviewPanels.length;
    ui.reset();
    await vscode.commands.executeCommand('dlLab.evaluateRun', workspace);
    assert.equal(vscode.webviewPanels.length, count);
    assert.match(ui.shown[0]?.message ?? '', /is not a run folder \(it has no run\.json\)$/);
  });
});
