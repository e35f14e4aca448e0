/**
 * Every format reads the real data to the same pixels and labels: IDX gzipped or raw with train-/t10k-
 * splits, image folders (with a split level, grey PNGs, a given size), CIFAR-10/100 binaries built from the
 * CIFAR JPEGs, CSV, NPY and NPZ built from MNIST, and descriptor files.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, it } from 'node:test';
import { detectFormat, loadDataset } from '../../src/engine/data/dataset';
import { CIFAR_CLASSES, CIFAR_FOLDER, cifarBinary, cifarFolder, cifarImage, encodePng, idxFolder, MNIST, mnistCsv, mnistRaw, npy, scratch, zip } from './build';

const mnistLabels = (n: number) => [...mnistRaw().labels.subarray(8, 8 + n)];
const mnistPixels = (n: number) => new Uint8Array(mnistRaw().images.subarray(16, 16 + n * 784));

describe('IDX', () => {
  it('reads the MNIST test files: 10,000 samples, 28x28x1, labels 0-9, pixels as in the file', async () => {
    const ds = await loadDataset(MNIST);
    assert.equal(ds.format, 'idx');
    assert.equal(ds.count, 10_000);
    assert.deepEqual(ds.shape, [28, 28, 1]);
    assert.deepEqual(ds.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.equal(ds.images.byteLength, 10_000 * 784, 'uint8, one byte a pixel');
    assert.deepEqual(ds.images.subarray(0, 784 * 3), mnistPixels(3));
    assert.deepEqual([...ds.labels.subarray(0, 20)], mnistLabels(20));
    assert.equal(ds.splits?.test?.length, 10_000);
  });

  it('reads raw and gzipped files alike, and names train-/t10k- pairs as splits', async () => {
    const raw = idxFolder(40, { prefixes: ['train', 't10k'] });
    const gz = idxFolder(40, { prefixes: ['train', 't10k'], gzip: true });
    const a = await loadDataset(raw);
    const b = await loadDataset(gz);
    assert.equal(a.count, 80);
    assert.deepEqual(a.images, b.images);
    assert.deepEqual(a.labels, b.labels);
    assert.deepEqual([...a.splits!.train!], Array.from({ length: 40 }, (_, i) => i));
    assert.deepEqual([...a.splits!.test!], Array.from({ length: 40 }, (_, i) => 40 + i));
    // One file of the pair is enough to find the other.
    const single = await loadDataset(path.join(gz, 'train-images-idx3-ubyte.gz'));
    assert.equal(single.count, 40);
  });
});

describe('image folders', () => {
  it('reads the CIFAR-10 folder: 500 samples, 32x32x3, the class folders in CIFAR order', async () => {
    const ds = await loadDataset(CIFAR_FOLDER);
    assert.equal(ds.format, 'image-folder');
    assert.equal(ds.count, 500);
    assert.deepEqual(ds.shape, [32, 32, 3]);
    assert.deepEqual(ds.classNames, CIFAR_CLASSES);
    assert.deepEqual(ds.warnings, []);
    assert.equal(ds.images.byteLength, 500 * 3072);
    const counts = new Array(10).fill(0);
    for (const l of ds.labels) counts[l]++;
    assert.deepEqual(counts, new Array(10).fill(50));
    assert.deepEqual(ds.images.subarray(0, 3072), cifarImage('airplane', 0).rgb);
  });

  it('a train/ val/ test/ level becomes splits; grey PNGs give one channel', async () => {
    const dir = scratch();
    const { rgb } = cifarImage('cat', 0);
    for (const [split, n] of [['train', 3], ['val', 2], ['test', 1]] as const) {
      for (const c of ['a', 'b']) {
        fs.mkdirSync(path.join(dir, split, c), { recursive: true });
        for (let i = 0; i < n; i++) {
          const grey = new Uint8Array(32 * 32).map((_, p) => rgb[p * 3 + (i % 3)]);
          fs.writeFileSync(path.join(dir, split, c, `${i}.png`), encodePng(32, 32, 1, grey));
        }
      }
    }
    const ds = await loadDataset(dir);
    assert.deepEqual(ds.shape, [32, 32, 1]);
    assert.equal(ds.count, 12);
    assert.deepEqual(ds.classNames, ['a', 'b']);
    assert.deepEqual(Object.fromEntries(Object.entries(ds.splits!).map(([k, v]) => [k, v!.length])), { train: 6, val: 4, test: 2 });
    assert.deepEqual(ds.images.subarray(0, 1024), new Uint8Array(32 * 32).map((_, p) => rgb[p * 3]));
  });

  it('a descriptor sets the image size and channels', async () => {
    const dir = cifarFolder(2, ['cat', 'dog']);
    fs.writeFileSync(path.join(dir, 'pets.dataset.json'), JSON.stringify({ imageSize: [16, 16], channels: 1, classNames: ['cat', 'dog'] }));
    const ds = await loadDataset(dir);
    assert.deepEqual(ds.shape, [16, 16, 1]);
    assert.equal(ds.images.byteLength, 4 * 256);
    assert.match(ds.warnings!.join('\n'), /4 images resized to 16x16/);
    assert.match(ds.warnings!.join('\n'), /4 colour images of 4 converted to grey/);
  });
});

describe('CIFAR binary', () => {
  it('CIFAR-10 batches hold the same pixels as the image folder, split into train and test', async () => {
    const dir = scratch();
    const train = cifarBinary(2);
    const test = cifarBinary(1);
    fs.writeFileSync(path.join(dir, 'data_batch_1.bin'), train.buffer);
    fs.writeFileSync(path.join(dir, 'test_batch.bin'), test.buffer);
    fs.writeFileSync(path.join(dir, 'batches.meta.txt'), CIFAR_CLASSES.join('\n') + '\n\n');
    assert.equal(detectFormat(dir), 'cifar10');
    const ds = await loadDataset(dir);
    assert.equal(ds.format, 'cifar10');
    assert.deepEqual(ds.shape, [32, 32, 3]);
    assert.equal(ds.count, 30);
    assert.deepEqual(ds.classNames, CIFAR_CLASSES);
    assert.deepEqual([...ds.labels], [...train.labels, ...test.labels]);
    assert.deepEqual(ds.images.subarray(5 * 3072, 6 * 3072), train.hwc[5]);
    assert.equal(ds.splits!.train!.length, 20);
    assert.equal(ds.splits!.test!.length, 10);
  });

  it('CIFAR-100: the fine label and fine_label_names.txt', async () => {
    const dir = scratch();
    const { buffer } = cifarBinary(1);
    const records: Buffer[] = [];
    for (let i = 0; i < 10; i++) {
      const rec = Buffer.alloc(3074);
      rec[0] = i % 4; // coarse
      rec[1] = 90 + i; // fine
      buffer.copy(rec, 2, i * 3073 + 1, (i + 1) * 3073);
      records.push(rec);
    }
    fs.writeFileSync(path.join(dir, 'train.bin'), Buffer.concat(records));
    fs.writeFileSync(path.join(dir, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, i) => `class${i}`).join('\n'));
    const ds = await loadDataset(dir);
    assert.equal(ds.format, 'cifar100');
    assert.equal(ds.classNames.length, 100);
    assert.deepEqual([...ds.labels], Array.from({ length: 10 }, (_, i) => 90 + i));
    assert.deepEqual(ds.images.subarray(0, 3072), cifarImage('airplane', 0).rgb);
  });
});

describe('CSV', () => {
  it('features and a label column found by name, header detected, floats kept', async () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, 'digits.csv'), mnistCsv(30, true));
    const ds = await loadDataset(path.join(dir, 'digits.csv'));
    assert.equal(ds.format, 'csv');
    assert.deepEqual(ds.shape, [784]);
    assert.equal(ds.count, 30);
    assert.deepEqual([...ds.labels], mnistLabels(30));
    assert.deepEqual(ds.values!.subarray(0, 784), Float32Array.from(mnistPixels(1)));
  });

  it('no header: the last column is the label; text labels become sorted class names', async () => {
    const dir = scratch();
    const rows = ['5.1;3.5;setosa', '7.0;3.2;versicolor', '6.3;3.3;virginica', '4.9;3.0;setosa'];
    fs.writeFileSync(path.join(dir, 'iris.csv'), rows.join('\r\n'));
    const ds = await loadDataset(dir);
    assert.deepEqual(ds.shape, [2]);
    assert.deepEqual(ds.classNames, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual([...ds.labels], [0, 1, 2, 0]);
    assert.deepEqual([...ds.values!], [5.1, 3.5, 7.0, 3.2, 6.3, 3.3, 4.9, 3.0].map(Math.fround));
  });

  it('a descriptor names the label column', async () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, 'data.csv'), 'kind,w,h\n1,0.5,2\n0,0.25,3\n');
    fs.writeFileSync(path.join(dir, 'data.dataset.json'), JSON.stringify({ format: 'csv', labelColumn: 'kind', classNames: ['no', 'yes'] }));
    const ds = await loadDataset(dir);
    assert.deepEqual(ds.classNames, ['no', 'yes']);
    assert.deepEqual([...ds.labels], [1, 0]);
    assert.deepEqual([...ds.values!], [0.5, 2, 0.25, 3]);
  });
});

describe('NPY and NPZ', () => {
  const n = 25;
  const x = () => npy('|u1', [n, 28, 28], mnistPixels(n));
  const yInt64 = () => {
    const y = new BigInt64Array(mnistLabels(n).map(BigInt));
    return npy('<i8', [n], new Uint8Array(y.buffer));
  };

  it('x.npy + y.npy: uint8 images stay bytes, int64 labels are read', async () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, 'x.npy'), x());
    fs.writeFileSync(path.join(dir, 'y.npy'), yInt64());
    const ds = await loadDataset(dir);
    assert.equal(ds.format, 'npy');
    assert.deepEqual(ds.shape, [28, 28, 1]);
    assert.deepEqual(ds.images, mnistPixels(n));
    assert.deepEqual([...ds.labels], mnistLabels(n));
  });

  it('float32 features [N, F] are kept as floats', async () => {
    const dir = scratch();
    const f = new Float32Array([0.5, -1, 2.25, 3, 1e-3, 7]);
    fs.writeFileSync(path.join(dir, 'x.npy'), npy('<f4', [3, 2], new Uint8Array(f.buffer)));
    fs.writeFileSync(path.join(dir, 'y.npy'), npy('|u1', [3], new Uint8Array([0, 1, 1])));
    const ds = await loadDataset(path.join(dir, 'x.npy'));
    assert.deepEqual(ds.shape, [2]);
    assert.deepEqual(ds.values, f);
    assert.equal(ds.images.length, 0);
  });

  it('.npz in the Keras mnist.npz layout, stored or deflated', async () => {
    for (const deflate of [false, true]) {
      const dir = scratch();
      const yTrain = npy('|u1', [n], new Uint8Array(mnistLabels(n)));
      fs.writeFileSync(path.join(dir, 'mnist.npz'), zip({ 'x_train.npy': x(), 'y_train.npy': yTrain, 'x_test.npy': x(), 'y_test.npy': yInt64() }, deflate));
      const ds = await loadDataset(dir);
      assert.equal(ds.format, 'npz');
      assert.equal(ds.count, 2 * n);
      assert.deepEqual(ds.images.subarray(0, n * 784), mnistPixels(n));
      assert.deepEqual([...ds.labels], [...mnistLabels(n), ...mnistLabels(n)]);
      assert.equal(ds.splits!.train!.length, n);
      assert.equal(ds.splits!.test!.length, n);
    }
  });
});

describe('descriptor files', () => {
  it('points at files elsewhere, per split, with class names', async () => {
    const data = idxFolder(20, { prefixes: ['a', 'b'] });
    const dir = scratch();
    const descriptor = {
      format: 'idx',
      path: path.relative(dir, data),
      files: {
        train: { images: 'a-images-idx3-ubyte', labels: 'a-labels-idx1-ubyte' },
        test: { images: 'b-images-idx3-ubyte', labels: 'b-labels-idx1-ubyte' },
      },
      classNames: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
      normalization: 'scale',
      validationSplit: 0.25,
      augment: { rotation: 5 },
    };
    fs.writeFileSync(path.join(dir, 'digits.dataset.json'), JSON.stringify(descriptor));
    const ds = await loadDataset(path.join(dir, 'digits.dataset.json'));
    assert.equal(ds.count, 40);
    assert.equal(ds.classNames[7], 'seven');
    assert.equal(ds.splits!.train!.length, 20);
    assert.equal(ds.normalization, 'scale');
    assert.equal(ds.validationSplit, 0.25);
    assert.deepEqual(ds.augment, { rotation: 5 });
  });

  it('the gzip magic decides, not the name', async () => {
    const dir = idxFolder(5);
    const file = path.join(dir, 't10k-labels-idx1-ubyte');
    fs.writeFileSync(file, zlib.gzipSync(fs.readFileSync(file)));
    const ds = await loadDataset(dir);
    assert.deepEqual([...ds.labels], mnistLabels(5));
  });
});
