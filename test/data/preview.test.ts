/**
 * data/describe and data/preview on the real datasets: the summary (counts per class, shape, mean/std),
 * per-class sample PNGs that decode to the dataset's own pixels, seeded picks, augmented versions (the
 * descriptor's augmentation, or the preview's default), tabular data without pictures; and both requests
 * through the real engine process.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { EngineClient } from '../../src/client/engineClient';
import { loadDataset } from '../../src/engine/data/dataset';
import { DEFAULT_PREVIEW_AUGMENT, describeData, previewData } from '../../src/engine/data/preview';
import type { DataPreviewResult, DatasetSummary } from '../../src/protocol/engineTypes';
import { DataDescribeRequest, DataPreviewRequest } from '../../src/protocol/engineRequests';
import { ENGINE } from '../helpers';
import { CIFAR_CLASSES, CIFAR_FOLDER, MNIST, mnistCsv, scratch } from './build';

const decode = (b64: string) => PNG.sync.read(Buffer.from(b64, 'base64'));

describe('data/describe', () => {
  it('MNIST: 10,000 samples of 28x28x1, ten classes with their counts, the test split, mean and std', async () => {
    const s = await describeData(MNIST);
    assert.equal(s.format, 'idx');
    assert.equal(s.count, 10_000);
    assert.deepEqual(s.shape, [28, 28, 1]);
    assert.deepEqual(s.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    // The MNIST test split's well-known class counts.
    assert.deepEqual(s.classCounts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    assert.deepEqual(s.splits, { test: 10_000 });
    assert.ok(Math.abs(s.mean[0] - 0.1325) < 0.001, String(s.mean));
    assert.ok(Math.abs(s.std[0] - 0.3105) < 0.001, String(s.std));
  });

  it('the CIFAR image folder: 500 RGB images, 50 per class, in label order', async () => {
    const s = await describeData(CIFAR_FOLDER);
    assert.equal(s.format, 'image-folder');
    assert.equal(s.count, 500);
    assert.deepEqual(s.shape, [32, 32, 3]);
    assert.deepEqual(s.classes, CIFAR_CLASSES);
    assert.deepEqual(s.classCounts, new Array(10).fill(50));
    assert.equal(s.mean.length, 3);
  });

  it('synthetic:shapes: 6,000 samples, six classes', async () => {
    const s = await describeData('synthetic:shapes');
    assert.equal(s.count, 6000);
    assert.deepEqual(s.shape, [28, 28, 1]);
    assert.equal(s.classes.length, 6);
  });

  it('a missing path is an error that names it', async () => {
    await assert.rejects(describeData(path.join(scratch(), 'nope')), /dataset path not found/);
  });
});

describe('data/preview', () => {
  it('MNIST: per class N samples whose PNGs hold the dataset pixels, one class each', async () => {
    const ds = await loadDataset(MNIST);
    const p = await previewData({ data: MNIST, perClass: 6, augmented: 5, seed: 3 });
    assert.equal(p.classes.length, 10);
    for (const c of p.classes) {
      assert.equal(c.samples.length, 6);
      assert.equal(c.count, p.summary.classCounts[c.index]);
      assert.equal(new Set(c.samples.map((s) => s.index)).size, 6, 'no sample twice');
      for (const sample of c.samples) {
        assert.equal(ds.labels[sample.index], c.index, 'the sample belongs to its row');
        const png = decode(sample.png);
        assert.equal(png.width, 28);
        assert.equal(png.height, 28);
        for (const px of [0, 200, 406, 783]) assert.equal(png.data[px * 4], ds.images[sample.index * 784 + px]);
      }
    }
    // Compact: a 28x28 grey PNG is a few hundred bytes of base64.
    const bytes = p.classes.flatMap((c) => c.samples).reduce((n, s) => n + s.png.length, 0);
    assert.ok(bytes / 60 < 1200, `${bytes / 60} base64 characters a sample`);
  });

  it('the same seed picks the same samples, another seed others', async () => {
    const a = await previewData({ data: MNIST, perClass: 4, augmented: 0, seed: 1 });
    const b = await previewData({ data: MNIST, perClass: 4, augmented: 0, seed: 1 });
    const c = await previewData({ data: MNIST, perClass: 4, augmented: 0, seed: 2 });
    const ids = (p: DataPreviewResult) => p.classes.map((k) => k.samples.map((s) => s.index).join(',')).join(';');
    assert.equal(ids(a), ids(b));
    assert.notEqual(ids(a), ids(c));
    assert.equal(a.augmentation, undefined);
  });

  it('augmented versions of one sample: the default augmentation when the data asks for none, said so', async () => {
    const p = await previewData({ data: CIFAR_FOLDER, perClass: 2, augmented: 6, seed: 5 });
    const aug = p.augmentation!;
    assert.equal(aug.origin, 'default');
    assert.match(aug.description, /flipHorizontal 0\.5/);
    assert.match(aug.description, /rotation 15/);
    assert.equal(aug.augmented.length, 6);
    const original = decode(aug.original.png);
    assert.equal(original.width, 32);
    const versions = aug.augmented.map((a) => decode(a.png).data.toString('base64'));
    assert.equal(new Set(versions).size, 6, 'six different versions');
    assert.ok(!versions.includes(original.data.toString('base64')));
    assert.ok(DEFAULT_PREVIEW_AUGMENT.rotation > 0);
  });

  it("a descriptor's augment is the one shown", async () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, 'digits.dataset.json'), JSON.stringify({ path: MNIST, augment: { rotation: 30 } }));
    const p = await previewData({ data: path.join(dir, 'digits.dataset.json'), perClass: 1, augmented: 3, seed: 0 });
    assert.equal(p.augmentation?.origin, 'dataset');
    assert.equal(p.augmentation?.description, 'rotation 30');
  });

  it('tabular data: the summary, and no pictures, with the reason', async () => {
    const dir = scratch();
    const file = path.join(dir, 'digits.csv');
    fs.writeFileSync(file, mnistCsv(30));
    const p = await previewData({ data: file, perClass: 2, augmented: 2 });
    assert.equal(p.summary.format, 'csv');
    assert.deepEqual(p.classes, []);
    assert.match(p.note!, /not images/);
  });
});

describe('through the engine process', () => {
  const engine = new EngineClient({ enginePath: ENGINE });
  after(() => engine.dispose());

  it('answers data/describe and data/preview', async () => {
    const s = await engine.sendRequest<{ data: string }, DatasetSummary>(DataDescribeRequest, { data: 'synthetic:shapes' });
    assert.equal(s.count, 6000);
    const p = await engine.sendRequest(DataPreviewRequest, { data: 'synthetic:shapes', perClass: 3, augmented: 4, seed: 9 });
    assert.equal(p.classes.length, 6);
    assert.equal(p.classes[0].samples.length, 3);
    assert.equal(typeof p.classes[0].samples[0].png, 'string');
    assert.equal(p.augmentation?.augmented.length, 4);
    await assert.rejects(engine.sendRequest(DataDescribeRequest, { data: '/nowhere/at/all' }), /dataset path not found/);
  });
});
