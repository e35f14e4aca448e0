import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadDataset, type ImageDataset } from '../../src/engine/data/dataset';
import { generateShapes, SHAPE_CLASSES } from '../../src/engine/data/synthetic/shapes';

const PIXELS = 28 * 28;

function sample(ds: ImageDataset, i: number): Uint8Array {
  return ds.images.subarray(i * PIXELS, (i + 1) * PIXELS);
}

describe('synthetic:shapes', () => {
  it('has the documented shape, classes and default count', async () => {
    const ds = await loadDataset('synthetic:shapes', { seed: 1 });
    assert.equal(ds.source, 'synthetic:shapes');
    assert.deepEqual(ds.shape, [28, 28, 1]);
    assert.deepEqual(ds.classNames, ['disk', 'ring', 'square', 'triangle', 'cross', 'star']);
    assert.equal(ds.count, 6000);
    assert.equal(ds.images.length, 6000 * PIXELS);
    assert.equal(ds.labels.length, 6000);
    assert.ok(ds.labels.every((l) => l < ds.classNames.length));
  });

  it('is byte-identical for the same seed and differs for another', async () => {
    const a = await loadDataset('synthetic:shapes?count=300', { seed: 7 });
    const b = await loadDataset('synthetic:shapes?count=300', { seed: 7 });
    const c = await loadDataset('synthetic:shapes?count=300', { seed: 8 });
    assert.ok(Buffer.from(a.images).equals(Buffer.from(b.images)));
    assert.ok(Buffer.from(a.labels).equals(Buffer.from(b.labels)));
    assert.ok(!Buffer.from(a.images).equals(Buffer.from(c.images)));
    assert.ok(!Buffer.from(a.labels).equals(Buffer.from(c.labels)));
  });

  it('is reproducible without a seed, and a seed in the spec wins over the option', async () => {
    const a = await loadDataset('synthetic:shapes?count=50');
    const b = await loadDataset('synthetic:shapes?count=50');
    assert.ok(Buffer.from(a.images).equals(Buffer.from(b.images)));
    const fromSpec = await loadDataset('synthetic:shapes?count=50&seed=9', { seed: 1 });
    const fromOption = await loadDataset('synthetic:shapes?count=50', { seed: 9 });
    assert.equal(fromSpec.seed, 9);
    assert.ok(Buffer.from(fromSpec.images).equals(Buffer.from(fromOption.images)));
  });

  it('balances the classes and shuffles them', async () => {
    const ds = await loadDataset('synthetic:shapes?count=1203', { seed: 3 });
    const counts = new Array<number>(SHAPE_CLASSES.length).fill(0);
    for (const l of ds.labels) counts[l]++;
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `class counts ${counts}`);
    const inOrder = ds.labels.every((l, i) => l === i % SHAPE_CLASSES.length);
    assert.ok(!inOrder, 'labels should not be in i % K order');
  });

  it('has sane pixel statistics: neither blank nor saturated', async () => {
    const ds = await loadDataset('synthetic:shapes?count=600', { seed: 11 });
    let sum = 0;
    let saturated = 0;
    for (const v of ds.images) {
      sum += v;
      if (v === 255) saturated++;
    }
    const mean = sum / ds.images.length;
    assert.ok(mean > 20 && mean < 110, `mean pixel ${mean}`);
    assert.ok(saturated / ds.images.length < 0.05, `saturated fraction ${saturated / ds.images.length}`);
    for (let i = 0; i < ds.count; i++) {
      const img = sample(ds, i);
      let lo = 255;
      let hi = 0;
      for (const v of img) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      assert.ok(hi - lo >= 100, `sample ${i} has too little contrast (${lo}..${hi})`);
    }
  });

  it('draws every shape inside the frame, with visible ink', () => {
    // Without noise and clutter, the background stays below 50 + gradient and ink is at least 150, so
    // the outermost pixels must all be background.
    const ds = generateShapes({ count: 1200, noise: 0, clutter: 0, seed: 5 });
    for (let i = 0; i < ds.count; i++) {
      const img = ds.images.subarray(i * PIXELS, (i + 1) * PIXELS);
      let border = 0;
      let peak = 0;
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const v = img[y * 28 + x];
          peak = Math.max(peak, v);
          if (x === 0 || y === 0 || x === 27 || y === 27) border = Math.max(border, v);
        }
      }
      assert.ok(border < 80, `sample ${i} (${SHAPE_CLASSES[ds.labels[i]]}) touches the border: ${border}`);
      assert.ok(peak >= 140, `sample ${i} (${SHAPE_CLASSES[ds.labels[i]]}) has no ink: ${peak}`);
    }
  });

  it('gives each class a distinct mean image', () => {
    // A weak check that the classes differ at all: the per-class ink coverage (fraction of bright pixels)
    // separates filled from outline shapes.
    const ds = generateShapes({ count: 1200, noise: 0, clutter: 0, seed: 2 });
    const bright = new Array<number>(SHAPE_CLASSES.length).fill(0);
    const n = new Array<number>(SHAPE_CLASSES.length).fill(0);
    for (let i = 0; i < ds.count; i++) {
      const img = ds.images.subarray(i * PIXELS, (i + 1) * PIXELS);
      let b = 0;
      for (const v of img) if (v >= 120) b++;
      bright[ds.labels[i]] += b;
      n[ds.labels[i]]++;
    }
    const mean = (name: string): number => bright[SHAPE_CLASSES.indexOf(name as never)] / n[SHAPE_CLASSES.indexOf(name as never)];
    assert.ok(mean('disk') > 1.5 * mean('ring'), `disk ${mean('disk')} vs ring ${mean('ring')}`);
    assert.ok(mean('square') > 1.5 * mean('cross'), `square ${mean('square')} vs cross ${mean('cross')}`);
  });

  it('validates parameters with clear errors', async () => {
    const rejects = (spec: string, pattern: RegExp) => assert.rejects(loadDataset(spec), pattern);
    await rejects('synthetic:shapes?count=0', /dataset "synthetic:shapes\?count=0": count must be an integer from 1 to 200000 .*got "0"/);
    await rejects('synthetic:shapes?count=12.5', /count must be an integer/);
    await rejects('synthetic:shapes?count=abc', /count must be an integer.*got "abc"/);
    await rejects('synthetic:shapes?noise=-0.1', /noise must be a number from 0 to 0.5/);
    await rejects('synthetic:shapes?noise=', /parameter "noise" needs a value/);
    await rejects('synthetic:shapes?count', /parameter "count" needs a value/);
    await rejects('synthetic:shapes?count=10&count=20', /parameter "count" is given twice/);
    await rejects('synthetic:shapes?size=3', /unknown parameter "size"; known parameters: count, noise, clutter, seed/);
    await rejects('synthetic:shapes?seed=-1', /seed must be an integer/);
    await assert.rejects(loadDataset('synthetic:shapes', { seed: 1.5 }), /seed must be an integer/);
  });

  it('accepts valid parameters', async () => {
    const ds = await loadDataset('synthetic:shapes?count=60&noise=0.2&clutter=0&', { seed: 1 });
    assert.equal(ds.count, 60);
    assert.equal(ds.images.length, 60 * PIXELS);
  });
});

describe('loadDataset', () => {
  it('lists the known synthetic datasets for an unknown name', async () => {
    await assert.rejects(loadDataset('synthetic:digits'), /unknown synthetic dataset "digits"; known: synthetic:shapes/);
    await assert.rejects(loadDataset('synthetic:'), /known: synthetic:shapes/);
  });

  it('reports a missing path with its absolute form', async () => {
    const missing = path.join('no-such-dir', 'data.bin');
    await assert.rejects(loadDataset(missing), (err: Error) => {
      assert.equal(err.message, `dataset path not found: ${path.resolve(missing)}`);
      return true;
    });
  });

  it('names an existing folder that holds no dataset, and says what it looked for', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lab-data-'));
    try {
      await assert.rejects(loadDataset(dir), (err: Error) => {
        assert.ok(err.message.startsWith(dir), err.message);
        assert.match(err.message, /no dataset found \(the folder is empty\); expected IDX files/);
        return true;
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an empty dataset argument', async () => {
    await assert.rejects(loadDataset('  '), /dataset is empty/);
  });
});
