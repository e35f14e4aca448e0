/**
 * Detect Anomalies against the VS Code stub and the REAL engine (dist/engine.js: `npm run build` first), on
 * a LeNet trained one epoch on MNIST digits 0-8 (`--normal-classes 0-8`): from a run's row the method pick
 * offers the classifier's methods and opens the Anomaly view beside the code under a CSP with a nonce; the
 * page's `ready` brings the engine's report (histograms holding every sample, the ROC curve, the AUROC the
 * saved file says) and then the images of the samples shown; reopened, the saved report is read without
 * the engine; Re-run asks the engine again; a message that is not one is ignored, naming its field; the
 * palette picks a run; mahalanobis offers the layers, the default first; Restricted Mode shows the saved
 * report only. A conv autoencoder trained one epoch on 1-9 is scored by recon, its one method, with a
 * per-pixel error map per sample shown. Every message posted to the page passes the page's parser
 * (src/protocol/webview.ts).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineClient } from '../../src/client/engineClient';
import type { AnomalyReport } from '../../src/protocol/engineTypes';
import { parseAnomalyUpdate, type AnomalyUpdate } from '../../src/protocol/webview';
import { DATASETS, ENGINE, ROOT, tempDir, trainRun, waitFor } from '../helpers';
import * as vscode from './vscodeStub';
import { fakeEngineHost } from './fakeEngineHost';
import { useVscodeStub } from './useVscodeStub';

const { ui } = vscode;
const MNIST = path.join(DATASETS, 'mnist');
const LENET_RELU = path.join(ROOT, 'examples', 'lenet-relu.model.ts');
const AUTOENCODER = path.join(ROOT, 'test', 'evaluation', 'fixtures', 'conv-autoencoder.model.js');
const COMMAND = 'dlLab.detectAnomalies';
const runsDir = tempDir('dl-lab-anomaly-runs-');
const log: string[] = [];
let runDir: string;
let client: EngineClient;
let requests: { method: string; params: Record<string, unknown> }[];
let registration: { dispose(): void };

/** The messages posted to the page, each through the page's parser (which must accept it). */
function posted(panel: vscode.StubWebviewPanel): AnomalyUpdate[] {
  return panel.webview.posted.map((json) => {
    const parsed = parseAnomalyUpdate(JSON.parse(json));
    assert.ok(parsed, `the page would drop this message: ${json.slice(0, 300)}`);
    return parsed;
  });
}

function lastOf<T extends AnomalyUpdate['type']>(panel: vscode.StubWebviewPanel, type: T): Extract<AnomalyUpdate, { type: T }> | undefined {
  return posted(panel).filter((u): u is Extract<AnomalyUpdate, { type: T }> => u.type === type).at(-1);
}

/** Runs the command, answering the quick picks in order; the panel it opened (or revealed). */
async function detect(arg: unknown, ...answers: ((items: { label: string }[]) => { label: string } | undefined)[]): Promise<vscode.StubWebviewPanel> {
  ui.pickAnswers.push(...answers);
  const count = vscode.webviewPanels.length;
  await vscode.commands.executeCommand(COMMAND, arg);
  assert.equal(ui.pickAnswers.length, 0, 'every pick was offered');
  assert.ok(vscode.webviewPanels.length >= count);
  return vscode.webviewPanels[vscode.webviewPanels.length - 1];
}

const pick = (label: string) => (items: { label: string }[]) => {
  const found = items.find((i) => i.label === label);
  assert.ok(found, `${label} is offered among ${items.map((i) => i.label).join(', ')}`);
  return found;
};

before(async () => {
  assert.ok(fs.existsSync(ENGINE), 'dist/engine.js: run npm run build');
  ({ runDir } = await trainRun(LENET_RELU, ['--data', MNIST, '--epochs', '1', '--normal-classes', '0-8', '--backend', 'wasm'], runsDir));
  useVscodeStub();
  const { registerAnomaly } = require('../../src/extension/anomaly/anomalyCommands') as typeof import('../../src/extension/anomaly/anomalyCommands');
  client = new EngineClient({ enginePath: ENGINE });
  const fake = fakeEngineHost(client);
  requests = fake.requests;
  const channel = { info: (m: string) => log.push(m), warn: (m: string) => log.push(m), error: (m: string) => log.push(m), debug() {}, trace() {} };
  registration = registerAnomaly({ extensionUri: vscode.Uri.file(ROOT) as never, engine: fake.host, log: channel as never });
});

after(async () => {
  registration?.dispose();
  await client?.dispose();
});

describe('Detect Anomalies', () => {
  let panel: vscode.StubWebviewPanel;

  it("offers a classifier's methods and opens the Anomaly view beside the code under a CSP with a nonce, computing nothing before the page is ready", async () => {
    let offered: string[] = [];
    panel = await detect({ runDir }, (items) => ((offered = items.map((i) => i.label)), pick('msp')(items)));
    assert.deepEqual(offered, ['msp', 'mahalanobis', 'knn']);
    assert.equal(panel.viewType, 'dlLab.anomaly');
    assert.equal(panel.title, `Anomalies: ${path.basename(runDir)} · msp`);
    assert.deepEqual(panel.showOptions, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(panel.webview.html)?.[1] ?? '';
    assert.match(csp, /^default-src 'none'; img-src data:; /);
    const nonce = /script-src 'nonce-([A-Za-z0-9]{32})'/.exec(csp)?.[1];
    assert.ok(nonce && panel.webview.html.includes(`<script nonce="${nonce}" src=`) && panel.webview.html.includes('anomaly.js'));
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'webviews', 'anomaly.js')), 'the page is built');
    assert.equal(requests.length, 0);
  });

  it("scores the run when the page is ready: the histograms hold every sample, the AUROC is the saved report's, then the samples' images", async () => {
    panel.receive({ type: 'ready' });
    const samples = await waitFor(() => lastOf(panel, 'samples'), 120_000, 'the images');
    const { view } = lastOf(panel, 'report')!;
    assert.equal(posted(panel)[0].type, 'loading');
    assert.equal(posted(panel).filter((u) => u.type === 'error').length, 0, JSON.stringify(lastOf(panel, 'error')));
    const saved = JSON.parse(fs.readFileSync(path.join(runDir, 'anomaly', `msp-${view.split}-${view.checkpoint}.json`), 'utf8')) as AnomalyReport;
    assert.deepEqual([view.auroc, view.auprc, view.fpr95, view.saved], [saved.auroc, saved.auprc, saved.fpr95, false]);
    assert.ok(view.auroc > 0.6, `msp AUROC ${view.auroc} after one epoch`);
    assert.deepEqual([view.normalClasses, view.anomalyClasses], [[0, 1, 2, 3, 4, 5, 6, 7, 8], [9]]);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    assert.deepEqual([sum(view.histogram.normal), sum(view.histogram.anomalous)], [view.normal, view.anomalous]);
    assert.deepEqual([view.roc.fpr[0], view.roc.tpr[0], view.roc.fpr.at(-1), view.roc.tpr.at(-1)], [0, 0, 1, 1]);
    // The most anomalous first; the least after; eight each, with the class of each.
    assert.equal(view.most.length, 8);
    assert.ok(view.most[0].score >= view.most[7].score && view.least[0].score <= view.least[7].score && view.least[7].score <= view.most[7].score);
    assert.deepEqual(samples.samples.map((s) => s.index), [...view.most, ...view.least].map((s) => s.index));
    for (const s of samples.samples) {
      assert.deepEqual(s.image.shape, [28, 28, 1]);
      assert.equal(s.className, String([...view.most, ...view.least].find((x) => x.index === s.index)!.label));
      assert.equal(s.map, undefined, 'msp has no maps');
    }
    // The images came with one small layer's output, not every layer's.
    const images = requests.filter((r) => r.method === 'inspect/featureMaps');
    assert.equal(images.length, 16);
    assert.ok(images.every((r) => Array.isArray(r.params.layers) && (r.params.layers as string[]).length === 1), JSON.stringify(images[0].params));
  });

  it('reopens the saved report without scoring again; Re-run scores again; a message that is not one is ignored, naming the field', async () => {
    panel.dispose();
    const before = requests.length;
    const reopened = await detect({ runDir }, pick('msp'));
    assert.notEqual(reopened, panel);
    reopened.receive({ type: 'ready' });
    const { view } = await waitFor(() => lastOf(reopened, 'report'), 10_000, 'the saved report');
    assert.equal(view.saved, true);
    await waitFor(() => lastOf(reopened, 'samples'), 60_000, 'the images');
    assert.equal(requests.slice(before).filter((r) => r.method === 'eval/anomaly').length, 0, 'no scoring');
    // Asked again: the same view, revealed.
    assert.equal(await detect({ runDir }, pick('msp')), reopened);
    assert.deepEqual(reopened.revealed.at(-1), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });

    reopened.receive({ type: 'rerun', force: true });
    assert.ok(log.some((l) => /Anomaly view: ignored a message that is not one \(unknown field "force"\)/.test(l)), log.join('\n'));
    const count = reopened.webview.posted.length;
    reopened.receive({ type: 'rerun' });
    await waitFor(() => posted(reopened).slice(count).find((u) => u.type === 'samples'), 120_000, 'the re-run');
    const rerun = posted(reopened).slice(count).find((u) => u.type === 'report');
    assert.equal(rerun?.type === 'report' && rerun.view.saved, false);
    assert.equal(requests.slice(before).filter((r) => r.method === 'eval/anomaly').length, 1);
    reopened.dispose();
  });

  it('from the palette, picks a run of the workspace; mahalanobis offers the layers, the default (the last layer\'s input) first', async () => {
    ui.folder = path.dirname(runsDir);
    ui.settings['dlLab.runsDir'] = runsDir;
    try {
      let runs: string[] = [];
      let layers: string[] = [];
      const opened = await detect(
        undefined,
        (items) => ((runs = items.map((i) => i.label)), items[0]),
        pick('mahalanobis'),
        (items) => ((layers = items.map((i) => i.label)), items[0]),
      );
      assert.deepEqual(runs, [path.basename(runDir)]);
      assert.equal(layers[0], 'Default');
      assert.ok(layers.length >= 4, layers.join(', '));
      assert.equal(opened.title, `Anomalies: ${path.basename(runDir)} · mahalanobis`);
      opened.receive({ type: 'ready' });
      const { view } = await waitFor(() => lastOf(opened, 'report'), 120_000, 'the mahalanobis report');
      assert.equal(view.method, 'mahalanobis');
      assert.ok(view.layer, 'the layer scored is named');
      opened.dispose();
    } finally {
      ui.folder = '';
      delete ui.settings['dlLab.runsDir'];
    }
  });

  it('in Restricted Mode shows the saved report only: no images, no Re-run, nothing asked of the engine', async () => {
    ui.trusted = false;
    try {
      const before = requests.length;
      const opened = await detect({ runDir }, pick('msp'));
      opened.receive({ type: 'ready' });
      await waitFor(() => lastOf(opened, 'error'), 10_000, 'the restricted note');
      assert.equal(lastOf(opened, 'report')?.view.saved, true);
      assert.match(lastOf(opened, 'error')!.message, /^Restricted Mode: the samples' images come from the engine, which runs the model file\. Trust this workspace/);
      const count = opened.webview.posted.length;
      opened.receive({ type: 'rerun' });
      await waitFor(() => opened.webview.posted.length > count, 10_000, 'the refusal');
      assert.match(lastOf(opened, 'error')!.message, /^Restricted Mode: Re-run is unavailable, and scoring runs the model file/);
      assert.equal(requests.length, before, 'the engine was not asked');
      opened.dispose();
    } finally {
      ui.trusted = true;
    }
  });
});

describe('Detect Anomalies on a reconstruction run', () => {
  let aeRun: string;
  before(async () => {
    ({ runDir: aeRun } = await trainRun(AUTOENCODER, ['--data', MNIST, '--epochs', '1', '--normal-classes', '1-9', '--backend', 'wasm'], runsDir));
  });

  it('scores by recon without a method pick, and shows each sample with its per-pixel error map', async () => {
    const opened = await detect({ runDir: aeRun });
    assert.equal(opened.title, `Anomalies: ${path.basename(aeRun)} · recon`);
    opened.receive({ type: 'ready' });
    const { samples } = await waitFor(() => lastOf(opened, 'samples'), 180_000, 'the images and maps');
    const { view } = lastOf(opened, 'report')!;
    assert.deepEqual([view.method, view.maps, view.anomalyClasses], ['recon', true, [0]]);
    assert.equal(samples.length, 16);
    for (const s of samples) {
      assert.deepEqual([s.image.shape, s.map?.dtype, s.map?.shape], [[28, 28, 1], 'float32', [28, 28]]);
      // The map's mean is the sample's score (its mean squared error).
      const bytes = Buffer.from(s.map!.data, 'base64');
      const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const score = [...view.most, ...view.least].find((x) => x.index === s.index)!.score;
      assert.ok(Math.abs(mean - score) <= 1e-5 * Math.max(1, score), `sample ${s.index}: map mean ${mean}, score ${score}`);
    }
    opened.dispose();
  });
});
