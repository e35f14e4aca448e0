/**
 * The pure parts of the model-file insights: hint texts, the model error an engine error carries, where the
 * default export is, the feature-map strip (decoded and drawn as a PNG), and ModelInsights' handling of
 * stale answers (a scripted summarize, so that the order of answers is under the test's control).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { ResponseError } from 'vscode-jsonrpc';
import type { LayerSummary, ModelSummary, ModelSummaryParams } from '../../src/protocol/engineTypes';
import { findDefaultExportLine } from '../../src/extension/inspection/defaultExport';
import { decodeToUint8, drawFeatureMapStrip, VIRIDIS } from '../../src/extension/inspection/featureMapStrip';
import { formatCount, formatMacs, formatShape, hintLabel, hintTooltip, layersByLine } from '../../src/extension/inspection/hintText';
import { modelErrorOf } from '../../src/extension/inspection/modelError';
import { ModelInsights, type FileInsight } from '../../src/extension/inspection/modelInsights';

function layer(over: Partial<LayerSummary>): LayerSummary {
  return { name: 'conv2d_Conv2D1', type: 'Conv2D', outputShape: [null, 28, 28, 6], params: 156, trainableParams: 156, macs: 117600, line: 3, ...over };
}

describe('hint texts', () => {
  it('separates thousands and writes shapes without the batch axis', () => {
    assert.equal(formatCount(1234567), '1,234,567');
    assert.equal(formatCount(0), '0');
    assert.equal(formatShape([null, 14, 14, 6]), '14×14×6');
    assert.equal(formatShape([null, 400]), '400');
    assert.equal(formatShape([[null, 7, 7, 16], [null, 10]]), '7×7×16, 10');
    assert.equal(formatShape([null, null, 8]), '?×8');
    assert.equal(formatMacs(117600), '117.6K');
    assert.equal(formatMacs(15_470_264_320), '15.47G');
    assert.equal(formatMacs(504), '504');
  });

  it('one layer on a line: shape and parameters', () => {
    assert.equal(hintLabel([layer({})]), '→ 28×28×6 · 156 params');
    assert.equal(hintLabel([layer({ outputShape: [null, 120], params: 48120 })]), '→ 120 · 48,120 params');
    assert.equal(hintLabel([layer({ params: 1 })]), '→ 28×28×6 · 1 param');
  });

  it('several layers on a line (a loop, a helper): how many, first and last shape, total parameters', () => {
    const layers = [
      layer({ outputShape: [null, 14, 14, 6], params: 456 }),
      layer({ outputShape: [null, 14, 14, 16], params: 880 }),
      layer({ outputShape: [null, 7, 7, 16], params: 1536 }),
    ];
    assert.equal(hintLabel(layers), '→ 3 layers · 14×14×6 … 7×7×16 · 2,872 params');
    assert.equal(hintLabel([layer({}), layer({})]), '→ 2 layers · 28×28×6 · 312 params');
  });

  it('groups layers by line, leaving out layers without one', () => {
    const byLine = layersByLine({ layers: [layer({ line: 9, name: 'b' }), layer({ line: 3, name: 'a' }), layer({ line: null, name: 'x' }), layer({ line: 9, name: 'c' })] });
    assert.deepEqual([...byLine].map(([line, ls]) => [line, ls.map((l) => l.name)]), [[3, ['a']], [9, ['b', 'c']]]);
  });

  it('the tooltip lists each layer (receptive field when known) and where the shape came from', () => {
    const tip = hintTooltip(
      [layer({ receptiveField: 5 }), layer({ name: 'bn', type: 'BatchNormalization', params: 24, trainableParams: 12, macs: 0, receptiveField: null })],
      { inputShape: [28, 28, 1], numClasses: 10 },
      { data: 'synthetic:shapes', origin: 'setting' },
    );
    assert.match(tip, /^\*\*2 layers\*\* on this line/);
    assert.match(tip, /\| Layer \| Type \| Output \| Params \| MACs \| Receptive field \|/);
    assert.match(tip, /\| conv2d_Conv2D1 \| Conv2D \| 28×28×6 \| 156 \| 117\.6K \| 5×5 \|/);
    assert.match(tip, /\| bn \| BatchNormalization \| 28×28×6 \| 24 \(12 trainable\) \| 0 \| – \|/);
    assert.match(tip, /28×28×1 input, 10 classes from synthetic:shapes \(the `dlLab\.defaultDataset` setting\)/);
    const fallback = hintTooltip([layer({})], { inputShape: [28, 28, 1], numClasses: 6 }, { data: '/data/mnist', origin: 'lastRun', fallbackReason: 'no such folder' });
    assert.match(fallback, /from synthetic:shapes: \/data\/mnist could not be read \(no such folder\)/);
    assert.doesNotMatch(fallback, /Receptive field/);
  });
});

describe('model errors', () => {
  const file = '/ws/bad.model.ts';
  it('reads ModelErrorData from the ResponseError, without the engine prefix', () => {
    const err = new ResponseError(-32000, 'x', { file, line: 31, column: 9, message: 'error while building the model: Negative dimension size' });
    assert.deepEqual(modelErrorOf(err), { file, line: 31, column: 9, message: 'Negative dimension size' });
  });

  it('falls back to the "file:line:col: message" of an engine without ModelErrorData', () => {
    const err = new ResponseError(-32603, `Request model/summary failed with message: ${file}:31:9: error while building the model: Negative dimension size caused by adding layer conv2d_Conv2D3 with input shape [,5,5,16]`);
    assert.deepEqual(modelErrorOf(err), { file, line: 31, column: 9, message: 'Negative dimension size caused by adding layer conv2d_Conv2D3 with input shape [,5,5,16]' });
    assert.deepEqual(modelErrorOf(new Error(`${file}:4: Expected ";" but found "x"`)), { file, line: 4, message: 'Expected ";" but found "x"' });
    assert.deepEqual(modelErrorOf(new Error(`${file}: the default export must return a tf.LayersModel`)), { file, message: 'the default export must return a tf.LayersModel' });
  });

  it('is undefined for errors that are not about the model', () => {
    assert.equal(modelErrorOf(new Error('Request model/summary failed with message: cannot read dataset /data/mnist: no such file')), undefined);
    assert.equal(modelErrorOf(new Error('the engine bundle /x/dist/engine.js is missing')), undefined);
    assert.equal(modelErrorOf(undefined), undefined);
  });
});

describe('default export', () => {
  it('finds export default function, arrow functions and CommonJS, not commented-out ones', () => {
    assert.equal(findDefaultExportLine('import * as tf from "x";\n\nexport default function model() {}\n'), 2);
    assert.equal(findDefaultExportLine('/*\nexport default function old() {}\n*/\nexport default ({ inputShape }) => null;\n'), 3);
    assert.equal(findDefaultExportLine('// export default nothing\nmodule.exports = () => null;\n'), 1);
    assert.equal(findDefaultExportLine('export const training = {};\n'), undefined);
  });
});

describe('feature map strip', () => {
  const b64 = (bytes: number[] | Float32Array) => Buffer.from(bytes instanceof Float32Array ? new Uint8Array(bytes.buffer) : Uint8Array.from(bytes)).toString('base64');

  it('decodes uint8 and float32 tensors, and names a wrong size', () => {
    assert.deepEqual([...decodeToUint8({ dtype: 'uint8', shape: [3], data: b64([0, 128, 255]) })], [0, 128, 255]);
    assert.deepEqual([...decodeToUint8({ dtype: 'float32', shape: [3], data: b64(new Float32Array([-1, 0, 1])) })], [0, 128, 255]);
    assert.throws(() => decodeToUint8({ dtype: 'uint8', shape: [2, 2], data: b64([1, 2, 3]) }), /shape \[2, 2\] needs 4 bytes, got 3/);
  });

  it('draws the first 16 channels of [H, W, C] as viridis tiles, 8 per row', () => {
    const [h, w, c] = [4, 4, 20];
    const values = Array.from({ length: h * w * c }, (_, i) => i % c === 0 ? 255 : (i % c) * 10);
    const strip = drawFeatureMapStrip({ shape: [h, w, c], data: { dtype: 'uint8', shape: [h, w, c], data: b64(values) } });
    assert.equal(strip.shown, 16);
    assert.equal(strip.channels, 20);
    const png = PNG.sync.read(strip.png);
    const tile = 48; // 4 px magnified 12 times
    assert.deepEqual([png.width, png.height], [8 * tile + 7 * 2, 2 * tile + 2]);
    const rgb = (x: number, y: number) => [...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4)];
    assert.deepEqual(rgb(0, 0), [...VIRIDIS.subarray(255 * 3, 256 * 3), 255], 'channel 0 is 255: yellow');
    assert.deepEqual(rgb(tile + 2, 0), [...VIRIDIS.subarray(10 * 3, 11 * 3), 255], 'channel 1 is 10');
    assert.deepEqual(rgb(tile, 0), [0, 0, 0, 0], 'transparent gap');
    assert.deepEqual(VIRIDIS.subarray(0, 3), Uint8Array.from([68, 1, 84]));
  });

  it('draws a vector as one row of cells', () => {
    const strip = drawFeatureMapStrip({ shape: [10], data: { dtype: 'uint8', shape: [10], data: b64([0, 25, 50, 75, 100, 125, 150, 175, 200, 255]) } });
    const png = PNG.sync.read(strip.png);
    assert.equal(png.height, 16);
    assert.equal(png.width % 10, 0);
  });
});

describe('ModelInsights', () => {
  const summary = (file: string, tag: number): ModelSummary => ({
    modelFile: file, inputShape: [28, 28, 1], numClasses: 6, name: `m${tag}`, layers: [], totalParams: tag, trainableParams: tag,
    nonTrainableParams: 0, totalMacs: 0, outputShape: [null, 6], macsConvention: '',
  });

  function scripted() {
    const calls: { params: ModelSummaryParams; resolve: (s: ModelSummary) => void; reject: (e: unknown) => void }[] = [];
    let mtime = 1;
    let trusted = true;
    const insights = new ModelInsights({
      summarize: (params) => new Promise((resolve, reject) => calls.push({ params, resolve, reject })),
      mtime: () => mtime,
      readText: () => 'line 1\nline 2',
      datasetFor: () => ({ data: 'synthetic:shapes', origin: 'setting' }),
      canStart: () => trusted,
      log: () => undefined,
      debounceMs: 5,
    });
    const until = async (what: () => boolean) => {
      for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 5));
      assert.ok(what());
    };
    return { insights, calls, until, touch: () => mtime++, distrust: () => (trusted = false) };
  }

  it('asks once per file version; an answer for an older version is dropped for the newer one', async () => {
    const { insights, calls, until, touch } = scripted();
    const changes: string[] = [];
    insights.onDidChange((f) => changes.push(f));
    insights.ensure('/m.model.ts');
    await until(() => calls.length === 1);
    insights.ensure('/m.model.ts');
    touch();
    insights.refresh('/m.model.ts'); // saved while the engine builds the first version
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(calls.length, 1, 'one request at a time per file');
    calls[0].resolve(summary('/m.model.ts', 1));
    await until(() => calls.length === 2);
    assert.equal(insights.get('/m.model.ts'), undefined, 'the stale answer is not shown');
    assert.deepEqual(calls[1].params, { modelFile: '/m.model.ts', inputShape: [28, 28, 1], numClasses: 6 }, "the dataset's shape, learnt from the first answer");
    calls[1].resolve(summary('/m.model.ts', 2));
    await insights.whenIdle();
    const got = insights.get('/m.model.ts') as Extract<FileInsight, { kind: 'summary' }>;
    assert.equal(got.summary.name, 'm2');
    assert.deepEqual(got.lines, ['line 1', 'line 2']);
    assert.deepEqual(changes, ['/m.model.ts']);
    insights.ensure('/m.model.ts');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(calls.length, 2, 'up to date: not asked again');
  });

  it('reuses a dataset\'s shape and classes after the first summary', async () => {
    const { insights, calls, until } = scripted();
    insights.ensure('/a.model.ts');
    await until(() => calls.length === 1);
    calls[0].resolve(summary('/a.model.ts', 1));
    await insights.whenIdle();
    insights.ensure('/b.model.ts');
    await until(() => calls.length === 2);
    assert.deepEqual(calls[1].params, { modelFile: '/b.model.ts', inputShape: [28, 28, 1], numClasses: 6 });
    calls[1].resolve(summary('/b.model.ts', 2));
  });

  it('a file closed while its model builds: the answer is dropped; errors become error insights', async () => {
    const { insights, calls, until } = scripted();
    insights.ensure('/c.model.ts');
    await until(() => calls.length === 1);
    insights.forget('/c.model.ts');
    calls[0].resolve(summary('/c.model.ts', 1));
    await insights.whenIdle();
    assert.equal(insights.get('/c.model.ts'), undefined);

    insights.ensure('/d.model.ts');
    await until(() => calls.length === 2);
    calls[1].reject(new ResponseError(-32000, 'failed', { file: '/d.model.ts', line: 7, message: 'bad kernel' }));
    await insights.whenIdle();
    assert.deepEqual(insights.get('/d.model.ts'), { kind: 'error', error: { file: '/d.model.ts', line: 7, message: 'bad kernel' }, mtimeMs: 1, lines: ['line 1', 'line 2'] });
  });

  it('asks nothing when the workspace is not trusted', async () => {
    const { insights, calls, distrust } = scripted();
    distrust();
    insights.ensure('/e.model.ts');
    insights.refresh('/e.model.ts');
    await new Promise((r) => setTimeout(r, 30));
    await insights.whenIdle();
    assert.equal(calls.length, 0);
  });
});
