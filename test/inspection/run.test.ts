/**
 * Inspecting a real run: train LeNet-5 for one epoch through the CLI, then `dl-lab featuremaps <runDir>`
 * (a PNG whose size is the layout's), and in-process: the checkpoint's weights, the run's normalisation.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { layoutFeatureMaps } from '../../src/cli/featureMapsPng';
import { loadDataset } from '../../src/engine/data/dataset';
import { normalize, readNormalization } from '../../src/engine/data/normalization';
import { decodeTensor, featureMaps, filters } from '../../src/engine/inspection';
import { fileSystemHandler } from '../../src/engine/training/checkpoint';
import { LENET, runCli, tempDir, trainRun } from '../helpers';

const DATA = 'synthetic:shapes?count=400';

describe('inspecting a run', () => {
  const dir = tempDir();
  const runsDir = path.join(dir, 'runs');
  let runDir = '';

  before(async () => {
    runDir = (await trainRun(LENET, ['--data', DATA, '--epochs', '1'], runsDir)).runDir;
  });

  it('dl-lab featuremaps <runDir> --index 3 writes a PNG of the input and every layer, and says where and what it predicts', async () => {
    const out = path.join(dir, 'maps.png');
    const result = await runCli(['featuremaps', runDir, '--index', '3', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /wrote .*maps\.png \(784x321 px: the input, then 8 layers top to bottom\)/);
    assert.match(result.stdout, new RegExp(`sample 3 of ${DATA.replace(/[?]/g, '\\?')}, label \\w+; last weights of`));
    assert.match(result.stdout, /prediction (disk|ring|square|triangle|cross|star) \((\w+ \d+\.\d%(, )?){3}\)/);
    assert.match(result.stdout, /conv2d\S*\s+Conv2D\s+28x28x6\s+\S+ \.\. \S+\s+\d+\s+72/);
    const png = PNG.sync.read(fs.readFileSync(out));
    // LeNet on 28x28x1: input 56x56 (x2); conv 6 tiles of 28; pool 6 of 14 (x2); conv 16 of 10 (x2); pool 16 of 5 (x5);
    // vectors of 400, 120, 84, 6 cells (128 to a row).
    const layout = layoutFeatureMaps([28, 28, 1], [[28, 28, 6], [14, 14, 6], [10, 10, 16], [5, 5, 16], [400], [120], [84], [6]].map((shape, i) => ({ layer: `l${i}`, shape })));
    assert.deepEqual([png.width, png.height], [layout.width, layout.height]);
    assert.deepEqual([png.width, png.height], [784, 321]);
    // Something is drawn: the input's pixels and viridis tiles differ from the background.
    const colours = new Set<number>();
    for (let p = 0; p < png.width * png.height; p++) colours.add((png.data[4 * p] << 16) | (png.data[4 * p + 1] << 8) | png.data[4 * p + 2]);
    assert.ok(colours.size > 100, `${colours.size} colours`);

  });

  it('--json gives the layout; --layer keeps one layer (an unknown one lists them); --checkpoint best and untrained', async () => {
    const out = path.join(dir, 'one.png');
    const all = await runCli(['featuremaps', runDir, '--out', out, '--json']);
    assert.equal(all.code, 0, all.stderr);
    const names: string[] = JSON.parse(all.stdout).layers.map((l: { layer: string }) => l.layer);
    const unknown = await runCli(['featuremaps', runDir, '--layer', 'nope', '--out', out]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, new RegExp(`unknown layer "nope"; the model's layers: ${names.join(', ')}`));

    const result = await runCli(['featuremaps', runDir, '--index', '0', '--layer', names[2], '--checkpoint', 'best', '--out', out, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.checkpoint, 'best');
    assert.deepEqual(report.layers.map((l: { layer: string }) => l.layer), [names[2]]);
    assert.deepEqual(report.blocks.map((b: { name: string }) => b.name), ['input', names[2]]);
    const png = PNG.sync.read(fs.readFileSync(out));
    assert.deepEqual([png.width, png.height], [report.width, report.height]);

    const untrained = await runCli(['featuremaps', runDir, '--checkpoint', 'untrained', '--out', out, '--json']);
    assert.equal(untrained.code, 0, untrained.stderr);
    assert.equal(JSON.parse(untrained.stdout).checkpoint, 'untrained');
  });

  it('feature maps use the checkpoint and the run\'s normalisation (normalization.json), as training did', async () => {
    const result = await featureMaps({ runDir, sample: { kind: 'index', index: 7 }, dtype: 'float32' });
    assert.equal(result.runDir, runDir);
    assert.equal(result.checkpoint, 'last');
    assert.equal(result.data, DATA);
    const normalization = readNormalization(runDir)!;
    assert.equal(normalization.mode, 'standardize');
    assert.ok(normalization.mean[0] > 0.01, 'not the identity');
    const dataset = await loadDataset(DATA);
    const x = tf.tensor4d(normalize(dataset.images.subarray(7 * 784, 8 * 784), normalization), [1, 28, 28, 1]);
    const saved = await tf.loadLayersModel(fileSystemHandler(path.join(runDir, 'checkpoints', 'last', 'model.json')));
    const expected = (saved.predict(x) as tf.Tensor).dataSync();
    result.prediction!.probabilities.forEach((p, i) => assert.ok(Math.abs(p - expected[i]) < 1e-5, `${p} vs ${expected[i]}`));
    const first = tf.model({ inputs: saved.inputs, outputs: saved.layers[0].output as tf.SymbolicTensor });
    const conv = (first.predict(x) as tf.Tensor).dataSync();
    const got = decodeTensor(result.layers[0].data);
    for (let i = 0; i < conv.length; i++) assert.ok(Math.abs(got[i] - conv[i]) < 1e-5);
  });

  it('filters equal the checkpoint\'s weights (last and best)', async () => {
    for (const checkpoint of ['last', 'best'] as const) {
      const result = await filters({ runDir, checkpoint });
      const saved = await tf.loadLayersModel(fileSystemHandler(path.join(runDir, 'checkpoints', checkpoint, 'model.json')));
      const kernels = saved.layers.filter((l) => l.getClassName() === 'Conv2D').map((l) => l.getWeights()[0]);
      assert.equal(result.layers.length, 2);
      result.layers.forEach((l, i) => {
        assert.deepEqual(l.kernelShape, kernels[i].shape);
        assert.deepEqual(decodeTensor(l.kernel), kernels[i].dataSync());
      });
      assert.ok(result.layers.every((l) => typeof l.line === 'number'));
    }
  });

  it('the CLI names the bad argument or file', async () => {
    const out = path.join(dir, 'bad.png');
    const cases: [string[], RegExp, number][] = [
      [['featuremaps', runDir, '--index', '400', '--out', out], /sample index 400 is out of range: synthetic:shapes\?count=400 has 400 samples \(0 to 399\)/, 1],
      [['featuremaps', runDir, '--index', '2.5', '--out', out], /--index must be a whole number >= 0, got "2.5"/, 2],
      [['featuremaps', runDir, '--out', path.join(dir, 'x.jpg')], /--out must name a \.png file/, 2],
      [['featuremaps', runDir], /featuremaps needs --out FILE\.png/, 2],
      [['featuremaps', runDir, '--checkpoint', 'first', '--out', out], /--checkpoint must be last, best or untrained, got "first"/, 2],
      [['featuremaps', LENET, '--checkpoint', 'best', '--out', out], /--checkpoint best needs a run folder/, 2],
      [['featuremaps', dir, '--out', out], /is a folder but not a run \(it has no run\.json\)/, 2],
      [['featuremaps', path.join(dir, 'missing.model.ts'), '--out', out], /missing\.model\.ts: no such model file or run folder/, 2],
    ];
    for (const [args, message, code] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });
});
