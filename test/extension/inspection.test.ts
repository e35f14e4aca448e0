/**
 * The model-file insights in the editor, against the VS Code stub and the REAL engine (dist/engine.js: run
 * `npm run build` first): inlay hints on every layer line of examples/lenet.model.ts with the engine's
 * shapes and parameters, a loop and a helper counted per line, a diagnostic on the line of a model that
 * does not build (cleared when fixed, removed when closed), the CodeLens above the default export, the
 * setting that turns hints off, Restricted Mode (no engine), and the hover's feature-map strip.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { EngineClient } from '../../src/client/engineClient';
import type { FeatureMapsResult } from '../../src/protocol/engineTypes';
import { ENGINE, LENET, tempDir } from '../helpers';
import * as vscode from './vscodeStub';
import { fakeEngineHost } from './fakeEngineHost';
import { useVscodeStub } from './useVscodeStub';

const { ui } = vscode;
type EditorInsightsModule = typeof import('../../src/extension/inspection/editorInsights');
type FeatureMapStoreModule = typeof import('../../src/extension/inspection/featureMapStore');
let mod: EditorInsightsModule;
let insights: InstanceType<EditorInsightsModule['EditorInsights']>;
let featureMaps: InstanceType<FeatureMapStoreModule['FeatureMapStore']>;
let client: EngineClient;
const dir = tempDir('dl-lab-inspection-');
const log: string[] = [];

/** A TextDocument over a file's current text. */
function doc(file: string) {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  return {
    uri: vscode.Uri.file(file),
    lineCount: lines.length,
    isDirty: false,
    getText: () => text,
    lineAt: (i: number) => ({ text: lines[i], range: new vscode.Range(i, 0, i, lines[i].length) }),
  };
}
const provider = (kind: 'inlayHints' | 'codeLens' | 'hover') => ui.providers.find((p) => p.kind === kind)!.provider;
const everything = new vscode.Range(0, 0, 10_000, 0);
const lineOf = (file: string, needle: string) => {
  const index = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `${needle} in ${file}`);
  return index;
};
/** Hints of a file once the engine has answered: { 0-based line: label }. */
async function hints(file: string): Promise<Record<number, string>> {
  const d = doc(file);
  provider('inlayHints').provideInlayHints(d, everything);
  await insights.insights.whenIdle();
  const out: Record<number, string> = {};
  for (const h of provider('inlayHints').provideInlayHints(d, everything) as vscode.InlayHint[]) {
    assert.equal(h.position.character, d.lineAt(h.position.line).text.length, 'at the end of the line');
    out[h.position.line] = h.label;
  }
  return out;
}

before(() => {
  assert.ok(fs.existsSync(ENGINE), 'dist/engine.js: run npm run build');
  useVscodeStub();
  mod = require('../../src/extension/inspection/editorInsights');
  featureMaps = new (require('../../src/extension/inspection/featureMapStore') as FeatureMapStoreModule).FeatureMapStore();
  client = new EngineClient({ enginePath: ENGINE });
  const channel = { info: (m: string) => log.push(m), warn: (m: string) => log.push(m), error: (m: string) => log.push(m) };
  const start = performance.now();
  insights = mod.registerEditorInsights({
    engine: fakeEngineHost(client).host,
    log: channel as never,
    featureMaps,
  });
  const ms = performance.now() - start;
  // Registration is part of activation: it must not wait for anything.
  assert.ok(ms < 50, `registering took ${ms.toFixed(1)} ms`);
});

after(async () => {
  insights?.dispose();
  await client?.dispose();
});

describe('model file insights with the real engine', () => {
  it('Restricted Mode: showing a model file starts no engine and shows no hints', async () => {
    ui.trusted = false;
    try {
      assert.deepEqual(await hints(LENET), {});
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(client.running, false);
      assert.equal(insights.insights.get(LENET), undefined);
    } finally {
      ui.trusted = true;
    }
  });

  it('every layer line of lenet.model.ts gets its output shape and parameters (synthetic:shapes: 28×28×1, 6 classes)', async () => {
    let changed = 0;
    const sub = provider('inlayHints').onDidChangeInlayHints(() => changed++);
    const got = await hints(LENET);
    sub.dispose();
    assert.ok(changed >= 1, 'onDidChangeInlayHints fired when the summary arrived');
    const expected: [string, string][] = [
      ['tf.layers.conv2d({ inputShape', '→ 28×28×6 · 156 params'],
      ['tf.layers.conv2d({ filters: 16', '→ 10×10×16 · 2,416 params'],
      ['tf.layers.flatten()', '→ 400 · 0 params'],
      ['units: 120', '→ 120 · 48,120 params'],
      ['units: 84', '→ 84 · 10,164 params'],
      ['units: numClasses', '→ 6 · 510 params'],
    ];
    const want: Record<number, string> = Object.fromEntries(expected.map(([needle, label]) => [lineOf(LENET, needle), label]));
    const pools = fs.readFileSync(LENET, 'utf8').split('\n').flatMap((l, i) => (l.includes('averagePooling2d') ? [i] : []));
    assert.equal(pools.length, 2);
    want[pools[0]] = '→ 14×14×6 · 0 params';
    want[pools[1]] = '→ 5×5×16 · 0 params';
    assert.deepEqual(got, want);

    const [hint] = provider('inlayHints').provideInlayHints(doc(LENET), new vscode.Range(pools[0], 0, pools[0], 0)) as vscode.InlayHint[];
    const tooltip = (hint.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /\| average_pooling2d_AveragePooling2D\d+ \| AveragePooling2D \| 14×14×6 \| 0 \| 0 \|/);
    assert.match(tooltip, /28×28×1 input, 6 classes from synthetic:shapes \(the `dlLab\.defaultDataset` setting\)/);
  });

  it('a line in a loop, and a helper called twice, say how many layers they made', async () => {
    const file = path.join(dir, 'loop.model.ts');
    fs.writeFileSync(
      file,
      [
        "import * as tf from '@tensorflow/tfjs';",
        'function block(m: tf.Sequential, filters: number) {',
        "  m.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }));",
        '  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));',
        '}',
        'export default function model({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {',
        '  const m = tf.sequential();',
        "  m.add(tf.layers.conv2d({ inputShape, filters: 4, kernelSize: 3, padding: 'same' }));",
        "  for (const filters of [4, 4, 4]) m.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same' }));",
        '  block(m, 8);',
        '  block(m, 16);',
        '  m.add(tf.layers.flatten());',
        "  m.add(tf.layers.dense({ units: numClasses, activation: 'softmax' }));",
        '  return m;',
        '}',
        '',
      ].join('\n'),
    );
    assert.deepEqual(await hints(file), {
      2: '→ 2 layers · 28×28×8 … 14×14×16 · 1,464 params',
      3: '→ 2 layers · 14×14×8 … 7×7×16 · 0 params',
      7: '→ 28×28×4 · 40 params',
      8: '→ 3 layers · 28×28×4 · 444 params',
      11: '→ 784 · 0 params',
      12: '→ 6 · 4,710 params',
    });
    ui.closed.fire(doc(file));
  });

  it('a layer whose output is empty (a kernel as large as its input plus one) gets a warning on its line; fixed, it goes', async () => {
    const file = path.join(dir, 'empty.model.ts');
    const good = fs.readFileSync(LENET, 'utf8');
    // After S4 the maps are 5x5: a 6x6 'valid' convolution gives 0x0, which TensorFlow.js builds without complaint.
    const bad = good.replace('  model.add(tf.layers.flatten());', '  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 6 }));\n  model.add(tf.layers.flatten());');
    fs.writeFileSync(file, bad);
    const badLine = lineOf(file, 'kernelSize: 6');
    const collection = ui.diagnostics.get('dl-lab')!;
    assert.match((await hints(file))[badLine], /0×0×16/);
    const list = collection.byFile.get(file) ?? [];
    assert.equal(list.length, 1, 'one warning: the layer that empties the data, not the ones after it');
    assert.equal(list[0].severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(list[0].range.start.line, badLine);
    assert.match(list[0].message, /^conv2d_Conv2D\d+ \(Conv2D\) outputs 0×0×16: an empty tensor\. Its input is smaller than its window/);

    fs.writeFileSync(file, good);
    ui.saved.fire(doc(file));
    await new Promise((r) => setTimeout(r, 50));
    await insights.insights.whenIdle();
    assert.equal(collection.byFile.get(file), undefined, 'fixed: the warning is cleared');
    ui.closed.fire(doc(file));
  });

  it('a model that does not build: one error on its line with TensorFlow.js\'s message; fixed, it goes; closed, it goes', async () => {
    const file = path.join(dir, 'broken.model.ts');
    const good = fs.readFileSync(LENET, 'utf8');
    const bad = good.replace('  model.add(tf.layers.flatten());', '  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 9 }));\n  model.add(tf.layers.flatten());');
    fs.writeFileSync(file, bad);
    const badLine = lineOf(file, 'kernelSize: 9');
    const collection = ui.diagnostics.get('dl-lab')!;

    assert.deepEqual(await hints(file), {}, 'no hints for a model that does not build');
    const [diagnostic, ...more] = collection.byFile.get(file) ?? [];
    assert.ok(diagnostic, `a diagnostic; log: ${log.join('\n')}`);
    assert.equal(more.length, 0);
    assert.match(diagnostic.message, /^Negative dimension size caused by adding layer conv2d_Conv2D\d+ with input shape \[,5,5,16\]$/);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(diagnostic.source, 'Deep Learning Lab');
    const text = doc(file).lineAt(badLine).text;
    assert.deepEqual([diagnostic.range.start, diagnostic.range.end], [
      new vscode.Position(badLine, text.indexOf('model.add')),
      new vscode.Position(badLine, text.length),
    ]);

    fs.writeFileSync(file, good);
    ui.saved.fire(doc(file));
    await new Promise((r) => setTimeout(r, 50));
    await insights.insights.whenIdle();
    assert.equal(collection.byFile.get(file), undefined, 'fixed: the diagnostic is cleared');
    assert.equal(Object.keys(await hints(file)).length, 8);

    fs.writeFileSync(file, bad);
    ui.saved.fire(doc(file));
    await new Promise((r) => setTimeout(r, 50));
    await insights.insights.whenIdle();
    assert.equal(collection.byFile.get(file)?.length, 1);
    ui.closed.fire(doc(file));
    assert.equal(collection.byFile.get(file), undefined, 'closed: the diagnostic is removed');
  });

  it('CodeLens above the default export: Train · Summary · Feature Maps · Filters, with the file as argument', () => {
    const d = doc(LENET);
    const lenses = provider('codeLens').provideCodeLenses(d) as vscode.CodeLens[];
    const line = lineOf(LENET, 'export default function');
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command!.title, l.command!.command, (l.command!.arguments![0] as vscode.Uri).fsPath]),
      [
        [line, 'Train', 'dlLab.train', LENET],
        [line, 'Summary', 'dlLab.showSummary', LENET],
        [line, 'Feature Maps', 'dlLab.showFeatureMaps', LENET],
        [line, 'Filters', 'dlLab.showFilters', LENET],
      ],
    );
    ui.settings['dlLab.codeLens.enabled'] = false;
    try {
      assert.deepEqual(provider('codeLens').provideCodeLenses(d), []);
    } finally {
      delete ui.settings['dlLab.codeLens.enabled'];
    }
  });

  it('dlLab.inlayHints.enabled off: no hints, and VS Code is told to ask again', async () => {
    assert.ok(Object.keys(await hints(LENET)).length > 0);
    let changed = 0;
    const sub = provider('inlayHints').onDidChangeInlayHints(() => changed++);
    ui.settings['dlLab.inlayHints.enabled'] = false;
    try {
      ui.configChanged.fire({ affectsConfiguration: (s: string) => s === 'dlLab.inlayHints.enabled' });
      assert.equal(changed, 1);
      assert.deepEqual(await hints(LENET), {});
    } finally {
      delete ui.settings['dlLab.inlayHints.enabled'];
      sub.dispose();
    }
  });

  it('unsaved edits above a layer line: its hint follows the line, and an edited line loses it', async () => {
    await hints(LENET);
    const text = fs.readFileSync(LENET, 'utf8').split('\n');
    const conv = lineOf(LENET, 'tf.layers.conv2d({ inputShape');
    const dense = lineOf(LENET, 'units: 84');
    const edited = [...text.slice(0, conv), '  // a new comment', '  // and another', ...text.slice(conv)];
    edited[dense + 2] = edited[dense + 2].replace('84', '86');
    const dirty = { ...doc(LENET), isDirty: true, lineCount: edited.length, lineAt: (i: number) => ({ text: edited[i], range: new vscode.Range(i, 0, i, edited[i].length) }) };
    const shown = Object.fromEntries((provider('inlayHints').provideInlayHints(dirty, everything) as vscode.InlayHint[]).map((h) => [h.position.line, h.label]));
    assert.equal(shown[conv + 2], '→ 28×28×6 · 156 params');
    assert.equal(shown[dense + 2], undefined, 'the edited line waits for the next save');
    assert.equal(Object.keys(shown).length, 7);
    const pools = text.flatMap((l, i) => (l.includes('averagePooling2d') ? [i] : []));
    assert.deepEqual([shown[pools[0] + 2], shown[pools[1] + 2]], ['→ 14×14×6 · 0 params', '→ 5×5×16 · 0 params'], 'two identical lines keep their order');
    assert.equal(mod.currentLine(['a', 'b'], 5, dirty as never), undefined);
  });

  it('hover on a layer line: its numbers, and a PNG strip of its feature maps from the last FeatureMapsResult', async () => {
    await hints(LENET);
    const convLine = lineOf(LENET, 'tf.layers.conv2d({ inputShape');
    const denseLine = lineOf(LENET, 'units: 120');
    const hover = (line: number) => provider('hover').provideHover(doc(LENET), new vscode.Position(line, 4)) as Promise<vscode.Hover | undefined>;

    const plain = (await hover(denseLine))!;
    assert.match(plain.contents.value, /^\*\*dense\\_Dense\d+\*\* · Dense · 120 · 48,120 params · 48K MACs/);
    assert.match(plain.contents.value, /\[Show feature maps\]\(command:dlLab\.showFeatureMaps\?/);
    assert.equal(await hover(lineOf(LENET, 'export const training')), undefined, 'no hover off layer lines');

    // The feature maps come from another build of the file, whose unnamed layers got other numbers: the
    // hover matches them by line (and order on it), not by name.
    const conv = 'conv2d_Conv2D999';
    const [h, w, c] = [28, 28, 6];
    const bytes = Uint8Array.from({ length: h * w * c }, (_, i) => (Math.floor(i / c) % w) * 9); // a left-to-right ramp
    const result: FeatureMapsResult = {
      modelFile: LENET, checkpoint: 'untrained', data: 'synthetic:shapes', ms: 5,
      sample: { index: 12, label: 1, className: 'ring', image: { dtype: 'uint8', shape: [28, 28, 1], data: '' } },
      layers: [{ layer: conv, type: 'Conv2D', line: convLine + 1, shape: [h, w, c], data: { dtype: 'uint8', shape: [h, w, c], data: Buffer.from(bytes).toString('base64') }, min: [0, 0, 0, 0, 0, 0], max: [1, 1, 1, 1, 1, 1] }],
      prediction: { classes: ['a', 'b'], probabilities: [0.5, 0.5], predicted: 0 },
    };
    featureMaps.set(result);
    const withMaps = (await hover(convLine))!;
    const md = withMaps.contents.value;
    const uri = /!\[[^\]]*\]\((data:image\/png;base64,[A-Za-z0-9+/=]+)\)/.exec(md)?.[1];
    assert.ok(uri, md);
    const png = PNG.sync.read(Buffer.from(uri.slice('data:image/png;base64,'.length), 'base64'));
    assert.deepEqual([png.width, png.height], [6 * 56 + 5 * 2, 56], 'six 28×28 tiles magnified twice');
    const px = (x: number) => [...png.data.subarray(x * 4, x * 4 + 3)];
    assert.deepEqual(px(0), [68, 1, 84], 'left edge: viridis 0');
    assert.notDeepEqual(px(55), px(0), 'the ramp rises across a tile');
    assert.match(md, /_6 channels_/);
    assert.match(md, /For sample \\#12 \(ring\), untrained weights/, 'names are escaped, not Markdown');
    assert.equal((withMaps.contents as vscode.MarkdownString).isTrusted && typeof withMaps.contents.isTrusted, 'object');
  });
});
