/** The data section of `npm run bench`: load-and-decode throughput and memory held per image. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benchDataLoading, dataBenchRows } from '../../src/engine/bench/dataBench';
import { DATASETS, scratch } from './build';

describe('benchDataLoading', () => {
  it('measures MNIST IDX and the CIFAR image folder: images/s, and about one byte a pixel held', async () => {
    const report = await benchDataLoading({ datasetsDir: DATASETS, repeats: 1, minSeconds: 0 });
    assert.deepEqual(report.skipped, []);
    const [mnist, cifar] = report.results;
    assert.equal(mnist.images, 10_000);
    assert.equal(mnist.bytesPerImage, 784);
    assert.equal(cifar.images, 500);
    assert.equal(cifar.bytesPerImage, 3072);
    for (const r of report.results) {
      assert.ok(r.imagesPerSec > 0 && Number.isFinite(r.imagesPerSec));
      assert.ok(r.heldBytesPerImage >= r.bytesPerImage * 0.9 && r.heldBytesPerImage < r.bytesPerImage * 2, `${r.name}: ${r.heldBytesPerImage} bytes held an image`);
    }
    assert.equal(dataBenchRows(report).length, 2);
  });

  it('skips what is missing, saying where it looked', async () => {
    const report = await benchDataLoading({ datasetsDir: scratch(), repeats: 1, minSeconds: 0 });
    assert.equal(report.results.length, 0);
    assert.match(report.skipped[0].reason, /mnist not found \(set DL_LAB_DATASETS\)/);
  });
});
