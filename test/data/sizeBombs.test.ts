/**
 * Size bombs are refused from what the file claims, before memory is allocated, in one line that names
 * the file, the size claimed and the variable that raises the limit; never "Invalid typed array length".
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, describe, it } from 'node:test';
import { loadDataset } from '../../src/engine/data/dataset';
import { cifarImage, encodePng, npy, scratch, zip } from './build';

async function fails(spec: string, pattern: RegExp): Promise<void> {
  await assert.rejects(loadDataset(spec), (err: Error) => {
    assert.match(err.message, pattern);
    assert.doesNotMatch(err.message, /\n|Invalid typed array length|Array buffer allocation failed/);
    return true;
  });
}

/** A PNG whose header claims width x height; no pixel data follows. */
function pngHeader(width: number, height: number): Buffer {
  const png = encodePng(2, 2, 3, new Uint8Array(12));
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  return png;
}

/** A class-folder dataset: two real CIFAR images in class a, and `extra` files in class b. */
function imageFolder(extra: Record<string, Buffer>): string {
  const dir = scratch('bomb-');
  for (const [cls, files] of [['a', { '0.jpg': fs.readFileSync(cifarImage('cat', 0).file), '1.jpg': fs.readFileSync(cifarImage('cat', 1).file) }], ['b', { ...extra, '2.jpg': fs.readFileSync(cifarImage('dog', 0).file) }]] as const) {
    fs.mkdirSync(path.join(dir, cls));
    for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, cls, name), bytes);
  }
  return dir;
}

const saved = { ...process.env };
after(() => {
  process.env.DL_LAB_MAX_DATA_MB = saved.DL_LAB_MAX_DATA_MB;
  if (saved.DL_LAB_MAX_DATA_MB === undefined) delete process.env.DL_LAB_MAX_DATA_MB;
});

describe('size bombs', () => {
  it('an image whose header claims 100000x100000 pixels is skipped from its header, with the size it claims', async () => {
    const dataset = await loadDataset(imageFolder({ 'huge.png': pngHeader(100_000, 100_000) }));
    assert.equal(dataset.count, 3);
    assert.ok(
      dataset.warnings!.some((w) => /oversized image skipped \(b\/huge\.png: the header claims 100000x100000 pixels, above the limit of 100,000,000 pixels \(set DL_LAB_MAX_IMAGE_PIXELS to raise it\)\)/.test(w)),
      dataset.warnings!.join('\n'),
    );
  });

  it('a descriptor whose imageSize makes the dataset too large is refused before the images are allocated', async () => {
    process.env.DL_LAB_MAX_DATA_MB = '100';
    try {
      const dir = imageFolder({});
      fs.writeFileSync(path.join(dir, 'big.dataset.json'), JSON.stringify({ format: 'image-folder', path: '.', imageSize: [4096, 4096], channels: 3 }));
      await fails(path.join(dir, 'big.dataset.json'), /: 3 images of 4096x4096x3 \(imageSize\) would take 144 MB of memory, above the limit of 100 MB \(set DL_LAB_MAX_DATA_MB to raise it\)/);
    } finally {
      delete process.env.DL_LAB_MAX_DATA_MB;
    }
  });

  it('an NPY whose shape is negative names the shape', async () => {
    const dir = scratch('npy-');
    fs.writeFileSync(path.join(dir, 'x.npy'), npy('<f4', [-5, 4], new Uint8Array(80)));
    fs.writeFileSync(path.join(dir, 'y.npy'), npy('|u1', [5], new Uint8Array(5)));
    await fails(dir, /x\.npy: the header's shape \(-5, 4\) is not a list of sizes >= 0/);
  });

  it('a small .npz that inflates past the limit, or past what it claims, is stopped', async () => {
    process.env.DL_LAB_MAX_DATA_MB = '1';
    try {
      const x = npy('|u1', [8, 1024, 1024], new Uint8Array(8 * 1024 * 1024));
      const y = npy('|u1', [8], new Uint8Array(8));
      const dir = scratch('npz-');
      const bomb = zip({ 'x.npy': x, 'y.npy': y }, true);
      assert.ok(bomb.length < 64 * 1024, `a small file (${bomb.length} bytes)`);
      fs.writeFileSync(path.join(dir, 'bomb.npz'), bomb);
      await fails(path.join(dir, 'bomb.npz'), /bomb\.npz: entry "x\.npy" inflates to 8,388,\d{3} bytes, which would take 8\.00 MB of memory, above the limit of 1\.00 MB \(set DL_LAB_MAX_DATA_MB to raise it\)/);

      // The same archive claiming 100 bytes for x.npy: inflating stops there.
      const liar = Buffer.from(bomb);
      const central = liar.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      liar.writeUInt32LE(100, central + 24);
      fs.writeFileSync(path.join(dir, 'liar.npz'), liar);
      await fails(path.join(dir, 'liar.npz'), /liar\.npz: entry "x\.npy" inflates past the 100 bytes the archive claims for it/);
    } finally {
      delete process.env.DL_LAB_MAX_DATA_MB;
    }
  });

  it('a gzip bomb in place of an IDX file stops at the limit', async () => {
    process.env.DL_LAB_MAX_DATA_MB = '1';
    try {
      const dir = scratch('gz-');
      fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'), zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024)));
      fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(Buffer.alloc(100)));
      await fails(dir, /t10k-images-idx3-ubyte\.gz: inflates to more than 1\.00 MB, the limit for data in memory \(set DL_LAB_MAX_DATA_MB to raise it\)/);
    } finally {
      delete process.env.DL_LAB_MAX_DATA_MB;
    }
  });

  it('a file larger than the data limit is refused before it is read', async () => {
    process.env.DL_LAB_MAX_DATA_MB = '1';
    try {
      const dir = scratch('bigcsv-');
      const row = '0.5,'.repeat(63) + '1\n';
      fs.writeFileSync(path.join(dir, 'big.csv'), row.repeat(Math.ceil((2 * 1024 * 1024) / row.length)));
      await fails(path.join(dir, 'big.csv'), /big\.csv: the file \([\d,]+ bytes\) would take 2\.00 MB of memory, above the limit of 1\.00 MB \(set DL_LAB_MAX_DATA_MB to raise it\)/);
    } finally {
      delete process.env.DL_LAB_MAX_DATA_MB;
    }
  });
});
