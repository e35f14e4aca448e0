/**
 * The Datasets view against the VS Code stub (findFiles and the clipboard controlled here) and a fake
 * engine: grouping found files into datasets, the rows' descriptions, children (splits,
 * classes with counts), errors, the placeholder when the workspace has none, one describe at a time,
 * re-describing after a file change; the webview messages' validation; the preview page's CSP; the
 * `{ data }` argument of dlLab.train.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import type { DataPreviewResult, DatasetSummary } from '../../src/protocol/engineTypes';
import { cliSpec, countText, describeSummary, groupDatasetFiles } from '../../src/extension/datasets/datasetsModel';
import { parseDatasetPreviewAction, parseDatasetPreviewUpdate } from '../../src/protocol/webview';
import * as stub from './vscodeStub';
import { useVscodeStub } from './useVscodeStub';

// --- The stub, with findFiles and the clipboard under this test's control.
/** glob -> files findFiles returns for it. */
const filesByGlob = new Map<string, string[]>();
const clipboard: string[] = [];
const watchers = stub.ui.watchers;
const vscode = {
  ...stub,
  workspace: Object.assign(Object.create(stub.workspace), {
    findFiles: async (glob: string) => (filesByGlob.get(glob) ?? []).map((f) => stub.Uri.file(f)),
  }),
  env: { ...stub.env, clipboard: { writeText: async (t: string) => void clipboard.push(t) } },
};

type View = typeof import('../../src/extension/datasets/datasetsView');
let view: View;
let commands: typeof import('../../src/extension/datasets/datasetCommands');
let pickers: typeof import('../../src/extension/models/pickers');
let page: typeof import('../../src/extension/shared/webviewHtml');

before(() => {
  useVscodeStub(vscode);
  view = require('../../src/extension/datasets/datasetsView');
  commands = require('../../src/extension/datasets/datasetCommands');
  pickers = require('../../src/extension/models/pickers');
  page = require('../../src/extension/shared/webviewHtml');
});

const ws = path.resolve('/ws');
const at = (...p: string[]) => path.join(ws, ...p);

function summary(over: Partial<DatasetSummary> = {}): DatasetSummary {
  return {
    source: 'synthetic:shapes', format: 'synthetic', count: 6000, splits: {}, classes: ['disk', 'ring', 'square', 'triangle', 'cross', 'star'],
    classCounts: [1000, 1000, 1000, 1000, 1000, 1000], shape: [28, 28, 1], dtype: 'uint8', mean: [0.2], std: [0.25], warnings: [], loadMs: 5, ...over,
  };
}

/** An engine whose describe answers from a table, one call at a time being checked. */
function fakeEngine(answers: Record<string, DatasetSummary | Error>, delayMs = 5) {
  const calls: string[] = [];
  const withins: (string[] | undefined)[] = [];
  let active = 0;
  let maxActive = 0;
  const supervisor = {
    describeData: async (data: string, within?: string[]) => {
      calls.push(data);
      withins.push(within);
      maxActive = Math.max(maxActive, ++active);
      await new Promise((r) => setTimeout(r, delayMs));
      active--;
      const a = answers[data];
      if (!a) throw new Error(`dataset path not found: ${data}`);
      if (a instanceof Error) throw a;
      return a;
    },
  };
  return { calls, withins, maxActive: () => maxActive, engine: { get: async () => supervisor as never } };
}

const log = { trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never;

describe('grouping found files into datasets', () => {
  it('IDX pairs and CIFAR batches are one dataset per folder; CSV and NPZ files each one; NPY per folder', () => {
    const found = groupDatasetFiles([
      at('mnist', 'train-images-idx3-ubyte.gz'),
      at('mnist', 't10k-images-idx3-ubyte.gz'),
      at('cifar', 'data_batch_1.bin'),
      at('cifar', 'data_batch_2.bin'),
      at('tables', 'iris.csv'),
      at('tables', 'wine.csv'),
      at('arrays', 'x.npy'),
      at('arrays', 'y.npy'),
      at('arrays', 'more.npz'),
    ]);
    assert.deepEqual(
      found.map((d) => [path.relative(ws, d.spec), d.kind]),
      [['arrays', 'npy'], [path.join('arrays', 'more.npz'), 'npz'], ['cifar', 'cifar'], ['mnist', 'idx'], [path.join('tables', 'iris.csv'), 'csv'], [path.join('tables', 'wine.csv'), 'csv']],
    );
  });

  it('images in class folders (with or without a split level) make their root a dataset; one folder of images does not', () => {
    const found = groupDatasetFiles([
      at('pets', 'cat', '1.jpg'),
      at('pets', 'dog', '2.jpg'),
      at('flowers', 'train', 'rose', 'a.png'),
      at('flowers', 'test', 'tulip', 'b.png'),
      at('media', 'icon.png'),
      at('docs', 'img', 'shot.png'),
    ]);
    assert.deepEqual(found.map((d) => [path.relative(ws, d.spec), d.kind]), [['flowers', 'image-folder'], ['pets', 'image-folder']]);
  });

  it("a descriptor speaks for its folder: the data beside it is not listed again", () => {
    const found = groupDatasetFiles([at('digits', 'digits.dataset.json'), at('digits', 't10k-images-idx3-ubyte'), at('digits', 'extra.csv'), at('digits', 'sub', 'x.csv')]);
    assert.deepEqual(found.map((d) => path.relative(ws, d.spec)), [path.join('digits', 'digits.dataset.json'), path.join('digits', 'sub', 'x.csv')]);
  });

  it('descriptions and counts read as the issue says', () => {
    assert.equal(describeSummary(summary()), '6,000 × 28×28×1 · 6 classes');
    assert.equal(describeSummary({ count: 10_000, shape: [28, 28, 1], classes: [...'0123456789'] }), '10,000 × 28×28×1 · 10 classes');
    assert.equal(describeSummary({ count: 3, shape: [4], classes: ['a'] }), '3 × 4 · 1 class');
    assert.equal(countText(980, 10_000), '980 · 9.8%');
    assert.equal(countText(1135, 10_000), '1,135 · 11%');
  });

  it('the CLI spec, command arguments', () => {
    assert.equal(cliSpec(at('data', 'mnist'), ws), path.join('data', 'mnist'));
    assert.equal(cliSpec('/elsewhere/mnist', ws), '/elsewhere/mnist');
    assert.equal(cliSpec('synthetic:shapes', ws), 'synthetic:shapes');
    assert.deepEqual(commands.datasetArg({ type: 'dataset', spec: at('mnist'), label: 'mnist' }), { spec: at('mnist'), label: 'mnist' });
    assert.deepEqual(commands.datasetArg({ data: 'synthetic:shapes' }), { spec: 'synthetic:shapes', label: 'synthetic:shapes' });
    assert.equal(commands.datasetArg(42), undefined);
  });
});

describe('the tree', () => {
  const mnist = summary({ source: at('data', 'mnist'), format: 'idx', count: 10_000, splits: { train: 8000, test: 2000 }, classes: [...'0123456789'], classCounts: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009] });

  function setup(answers: Record<string, DatasetSummary | Error>) {
    stub.ui.folder = ws;
    filesByGlob.clear();
    watchers.length = 0;
    const engine = fakeEngine(answers);
    const provider = new view.DatasetsProvider(engine.engine, log);
    const fired: unknown[] = [];
    provider.onDidChangeTreeData((e) => fired.push(e));
    return { provider, engine, fired };
  }

  it('roots: synthetic:shapes, then the workspace datasets; described lazily, one at a time', async () => {
    const { provider, engine, fired } = setup({ 'synthetic:shapes': summary(), [at('data', 'mnist')]: mnist });
    filesByGlob.set('**/*-idx3-ubyte.gz', [at('data', 'mnist', 't10k-images-idx3-ubyte.gz'), at('data', 'mnist', 'train-images-idx3-ubyte.gz')]);
    const roots = await provider.getChildren();
    assert.deepEqual(roots.map((r) => r.label), ['synthetic:shapes', path.join('data', 'mnist')]);
    assert.equal(engine.calls.length, 0, 'nothing is described before a row is shown');

    const before = roots.map((r) => provider.getTreeItem(r));
    assert.deepEqual(before.map((i) => i.description), ['reading…', 'reading…']);
    assert.equal(before[0].contextValue, 'dlLab.dataset');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(engine.maxActive(), 1);
    assert.deepEqual(engine.calls, ['synthetic:shapes', at('data', 'mnist')]);
    assert.deepEqual(fired, roots, 'each row is refreshed when its description arrives');
    const after = roots.map((r) => provider.getTreeItem(r));
    assert.deepEqual(after.map((i) => i.description), ['6,000 × 28×28×1 · 6 classes', '10,000 × 28×28×1 · 10 classes']);
    assert.match(String(after[1].tooltip), /splits: train 8,000, test 2,000/);
    assert.equal(engine.calls.length, 2, 'described once, then cached');

    const children = await provider.getChildren(roots[1]);
    assert.deepEqual(
      children.slice(0, 4).map((c) => [c.type, c.label, (c as { description?: string }).description]),
      [['split', 'train', '8,000 · 80%'], ['split', 'test', '2,000 · 20%'], ['class', '0', '980 · 9.8%'], ['class', '1', '1,135 · 11%']],
    );
    assert.equal(children.length, 12);
    assert.equal(provider.getParent(children[0]), roots[1]);
    assert.ok(watchers.some((w) => w.glob === '**/*-idx3-ubyte.gz'), 'the globs are watched once the view is shown');
  });

  it('in Restricted Mode the engine may read only the workspace folders; trusted, it is not confined', async () => {
    const trusted = stub.ui.trusted;
    try {
      for (const [trust, expected] of [[false, [ws]], [true, undefined]] as const) {
        stub.ui.trusted = trust;
        const { provider, engine } = setup({ [at('data', 'mnist')]: mnist });
        filesByGlob.set('**/*-idx3-ubyte.gz', [at('data', 'mnist', 't10k-images-idx3-ubyte.gz')]);
        const roots = await provider.getChildren();
        roots.forEach((r) => provider.getTreeItem(r));
        await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(engine.withins.at(-1), expected, `trusted: ${trust}`);
      }
    } finally {
      stub.ui.trusted = trusted;
    }
  });

  it('a dataset that cannot be read says so, with the reason as its child', async () => {
    const { provider } = setup({ 'synthetic:shapes': summary() });
    filesByGlob.set('**/*.csv', [at('bad.csv')]);
    const [, bad] = await provider.getChildren();
    const children = await provider.getChildren(bad);
    assert.deepEqual(children.map((c) => c.label), [`dataset path not found: ${at('bad.csv')}`]);
    assert.equal(provider.getTreeItem(bad).description, '⚠ cannot read');
  });

  it('no workspace datasets: a row that says so and opens the setting', async () => {
    const { provider } = setup({ 'synthetic:shapes': summary() });
    const roots = await provider.getChildren();
    assert.deepEqual(roots.map((r) => r.label), ['synthetic:shapes', 'No datasets in this workspace']);
    const item = provider.getTreeItem(roots[1]);
    assert.deepEqual(item.command, { title: 'Edit dlLab.datasetGlobs', command: 'workbench.action.openSettings', arguments: ['dlLab.datasetGlobs'] });
  });

  it('a changed file is described again (debounced); a new file is found', async () => {
    const { provider, engine, fired } = setup({ 'synthetic:shapes': summary(), [at('data', 'mnist')]: mnist });
    filesByGlob.set('**/*-idx3-ubyte.gz', [at('data', 'mnist', 't10k-images-idx3-ubyte.gz')]);
    const roots = await provider.getChildren();
    await provider.getChildren(roots[1]);
    assert.equal(engine.calls.filter((c) => c === at('data', 'mnist')).length, 1);
    const w = watchers.find((x) => x.glob === '**/*-idx3-ubyte.gz')!;
    w.change.fire(stub.Uri.file(at('data', 'mnist', 't10k-images-idx3-ubyte.gz')));
    w.change.fire(stub.Uri.file(at('data', 'mnist', 't10k-images-idx3-ubyte.gz')));
    fired.length = 0;
    await new Promise((r) => setTimeout(r, 900));
    assert.deepEqual(fired, [undefined], 'one refresh for both events');
    assert.equal(provider.getTreeItem(roots[1]).description, 'reading…');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(engine.calls.filter((c) => c === at('data', 'mnist')).length, 2);
    assert.equal(provider.getTreeItem(roots[0]).description, 'reading…', 'synthetic data was not described yet in this test');

    filesByGlob.set('**/*.npz', [at('new.npz')]);
    w.create.fire(stub.Uri.file(at('other', 'train-images-idx3-ubyte.gz')));
    await new Promise((r) => setTimeout(r, 900));
    assert.deepEqual((await provider.getChildren()).map((r) => r.label), ['synthetic:shapes', path.join('data', 'mnist'), 'new.npz']);
  });
});

describe('webview messages', () => {
  const png = 'iVBORw0KGgo=';
  const good: DataPreviewResult = {
    summary: summary(),
    seed: 3,
    classes: [{ index: 0, name: 'disk', count: 1000, samples: [{ index: 4, width: 28, height: 28, png }] }],
    augmentation: { description: 'rotation 15', origin: 'default', classIndex: 0, original: { index: 4, width: 28, height: 28, png }, augmented: [] },
  };

  it('from the page: only the known actions, exactly', () => {
    assert.deepEqual(parseDatasetPreviewAction({ type: 'shuffle' }), { type: 'shuffle' });
    assert.deepEqual(parseDatasetPreviewAction({ type: 'ready' }), { type: 'ready' });
    for (const bad of [null, 'shuffle', [], { type: 'run' }, { type: 'train', data: '/etc' }, { type: 'copySpec', extra: 1 }, {}]) {
      assert.equal(parseDatasetPreviewAction(bad), undefined, JSON.stringify(bad));
    }
  });

  it('to the page: a well-formed preview, loading and error; anything else is dropped', () => {
    assert.equal(parseDatasetPreviewUpdate({ type: 'preview', name: 'x', spec: 'synthetic:shapes', preview: good })?.type, 'preview');
    assert.deepEqual(parseDatasetPreviewUpdate({ type: 'loading', name: 'x', seed: 0 }), { type: 'loading', name: 'x', seed: 0 });
    assert.deepEqual(parseDatasetPreviewUpdate({ type: 'error', name: 'x', message: 'm' }), { type: 'error', name: 'x', message: 'm' });
    const broken = (f: (p: DataPreviewResult) => void) => {
      const p = structuredClone(good);
      f(p);
      return parseDatasetPreviewUpdate({ type: 'preview', name: 'x', spec: 's', preview: p });
    };
    assert.equal(broken((p) => (p.classes[0].samples[0].png = '"><script>alert(1)</script>')), undefined, 'not base64');
    assert.equal(broken((p) => p.summary.classCounts.pop()), undefined, 'counts do not match the classes');
    assert.equal(broken((p) => ((p.summary as { count: unknown }).count = '6000')), undefined);
    assert.equal(broken((p) => ((p.augmentation as { origin: string }).origin = 'elsewhere')), undefined);
    assert.equal(broken((p) => ((p.classes as unknown[])[0] = 1)), undefined);
    assert.equal(parseDatasetPreviewUpdate({ type: 'loading', name: 'x', seed: -1 }), undefined);
    assert.equal(parseDatasetPreviewUpdate({ type: 'eval', name: 'x' }), undefined);
  });
});

describe('the preview page and Train with a dataset', () => {
  it('strict CSP: nothing by default, the script by nonce, images as data: URLs only, no inline styles', () => {
    const html = page.webviewHtml({ cspSource: 'vscode-resource:', scriptUri: 'vscode-resource:/d/p.js', styleUri: 'vscode-resource:/d/p.css', nonce: 'N0nce', title: 'Preview: <b>x</b>', placeholder: 'Reading the dataset…', dataImages: true });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    assert.equal(csp, "default-src 'none'; img-src data:; style-src vscode-resource:; font-src vscode-resource:; script-src 'nonce-N0nce'");
    assert.ok(!html.includes('unsafe'));
    assert.ok(html.includes('<script nonce="N0nce" src="vscode-resource:/d/p.js"></script>'));
    assert.ok(html.includes('<title>Preview: &#60;b&#62;x&#60;/b&#62;</title>'), 'the title is escaped');
    assert.ok(!/<script(?![^>]*nonce)/.test(html), 'every script has the nonce');
    assert.notEqual(page.nonce(), page.nonce());
    assert.match(page.nonce(), /^[0-9a-f]{32}$/, '128 random bits');
  });

  it('dlLab.train takes { data } as the dataset, and nothing else for one', () => {
    assert.equal(pickers.presetDataset({ data: ' synthetic:shapes ' }), 'synthetic:shapes');
    assert.equal(pickers.presetDataset({ data: '' }), undefined);
    assert.equal(pickers.presetDataset(stub.Uri.file('/ws/a.model.ts')), undefined);
    assert.equal(pickers.presetDataset(undefined), undefined);
    assert.equal(pickers.presetDataset({ data: 3 }), undefined);
  });
});
