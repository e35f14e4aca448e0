/**
 * The equivariance probe on a real MNIST digit: stride-1 convolutions follow a cyclic shift exactly,
 * max-pooling with stride 2 breaks it for odd shifts, and blur-then-subsample (BlurPool) breaks it less.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadDataset } from '../../src/engine/data/dataset';
import { equivariance } from '../../src/engine/inspection';
import { shiftImage } from '../../src/engine/inspection/equivariance';
import type { EquivarianceResult } from '../../src/protocol/engineTypes';
import { DATASETS, tempDir } from '../helpers';

const MNIST = path.join(DATASETS, 'mnist');

/**
 * conv 3x3 'same' + ReLU, then `middle`, then conv, global average pooling and a dense softmax. No biases:
 * the black background stays 0 through every layer, like the zero padding, so a cyclic shift of a digit
 * that does not touch the image border commutes with the convolutions exactly (the circular-friendly setup).
 */
function modelFile(dir: string, name: string, middle: string): string {
  const file = path.join(dir, `${name}.model.ts`);
  fs.writeFileSync(
    file,
    `import * as tf from '@tensorflow/tfjs';
import { layers as dl } from 'dl-lab';
export const training = { seed: 7 };
export default function model({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape, filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', useBias: false, name: 'conv1' }));
  ${middle}
  m.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', useBias: false, name: 'conv2' }));
  m.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  m.add(tf.layers.dense({ units: numClasses, activation: 'softmax', name: 'out' }));
  return m;
}
`,
  );
  return file;
}

const layer = (r: EquivarianceResult, name: string) => r.layers.find((l) => l.layer === name)!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('equivariance probe', { skip: !fs.existsSync(MNIST) && `no MNIST in ${MNIST}` }, () => {
  const dir = tempDir();
  // Pixels / 255, so the black border is 0 like the convolutions' zero padding: 'same' convolutions then
  // commute with a cyclic shift exactly (the circular-friendly setup).
  const data = path.join(dir, 'mnist.dataset.json');
  fs.writeFileSync(data, JSON.stringify({ format: 'idx', path: MNIST, normalization: 'scale' }));
  const plain = modelFile(dir, 'plain', '');
  const maxPool = modelFile(dir, 'maxpool', `m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'down' }));`);
  // Zhang (2019): max-pool densely (stride 1), then blur and subsample.
  const blurPool = modelFile(
    dir,
    'blurpool',
    `m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'dense_max' }));
  m.add(dl.blurPool({ filterSize: 3, strides: 2, name: 'down' }));`,
  );
  const shifts = [0, 1, 2, 3, 4];
  const odd = (xs: number[]) => xs.filter((_, i) => shifts[i] % 2 === 1);
  const even = (xs: number[]) => xs.filter((_, i) => shifts[i] % 2 === 0);
  /**
   * MNIST test digits that stay clear of the border under shifts up to `reach`: ink only from row/column 2
   * to 25 - reach along the shifted axes (2 pixels: the radius of two 3x3 convolutions' field).
   */
  const mnist = loadDataset(data);
  async function digits(axis: 'x' | 'y' | 'both', count: number, reach = 4): Promise<number[]> {
    const d = await mnist;
    const found: number[] = [];
    for (let i = 0; i < d.count && found.length < count; i++) {
      const img = d.images.subarray(i * 784, (i + 1) * 784);
      let ok = true;
      for (let y = 0; y < 28 && ok; y++) {
        for (let x = 0; x < 28 && ok; x++) {
          if (!img[y * 28 + x]) continue;
          if (axis !== 'y' && (x < 2 || x > 25 - reach)) ok = false;
          if (axis !== 'x' && (y < 2 || y > 25 - reach)) ok = false;
        }
      }
      if (ok) found.push(i);
    }
    assert.equal(found.length, count, `MNIST digits clear of the border along ${axis}`);
    return found;
  }

  it('shiftImage moves an HWC image by (dy, dx), wrapping or filling with zeros', () => {
    const img = Uint8Array.from([1, 2, 3, 4, 5, 6]); // 2 x 3 x 1
    assert.deepEqual([...shiftImage(img, [2, 3, 1], 0, 1, 'cyclic')], [3, 1, 2, 6, 4, 5]);
    assert.deepEqual([...shiftImage(img, [2, 3, 1], 1, 0, 'zero')], [0, 0, 0, 1, 2, 3]);
  });

  it('stride-1 convolutions: ~0 error for cyclic shifts along x, y and both; global pooling is invariant', async () => {
    // Digits are 20 pixels on their longer side: along y (and both) the shifts stop at 2.
    for (const [axis, along] of [['x', shifts], ['y', [0, 1, 2]], ['both', [0, 1, 2]]] as const) {
      const index = (await digits(axis, 1, along[along.length - 1]))[0];
      const r = await equivariance({ modelFile: plain, data, sample: { kind: 'index', index }, shifts: [...along], axis, mode: 'cyclic' });
      assert.deepEqual(r.shifts, along);
      for (const name of ['conv1', 'conv2']) {
        const l = layer(r, name);
        assert.equal(l.jump, 1);
        assert.ok(l.exact.every(Boolean));
        assert.ok(Math.max(...l.errors) < 1e-5, `${axis} ${name}: ${l.errors}`);
      }
      assert.equal(layer(r, 'gap').jump, null);
      assert.ok(Math.max(...layer(r, 'gap').errors) < 1e-5);
      assert.ok(Math.max(...r.probabilityChange) < 1e-5);
      assert.equal(r.predictions.length, along.length);
    }
  });

  it('zero-filled shifts compare where both maps exist: a centred digit still gives ~0', async () => {
    const r = await equivariance({ modelFile: plain, data, sample: { kind: 'index', index: (await digits('x', 1))[0] }, shifts, mode: 'zero' });
    assert.equal(r.mode, 'zero');
    assert.ok(Math.max(...layer(r, 'conv2').errors) < 1e-5, String(layer(r, 'conv2').errors));
  });

  it('max-pooling with stride 2 breaks it for odd shifts; blur-then-subsample breaks it less (several MNIST digits)', async () => {
    const maxErr: number[] = [];
    const blurErr: number[] = [];
    const maxChange: number[] = [];
    const blurChange: number[] = [];
    for (const index of await digits('x', 5)) {
      const a = await equivariance({ modelFile: maxPool, data, sample: { kind: 'index', index }, shifts });
      const b = await equivariance({ modelFile: blurPool, data, sample: { kind: 'index', index }, shifts });
      const downA = layer(a, 'down');
      const downB = layer(b, 'down');
      assert.equal(downA.jump, 2);
      assert.deepEqual(downA.exact, shifts.map((v) => v % 2 === 0));
      // Even shifts move the pooling grid by whole cells: exact. Odd ones cannot.
      assert.ok(Math.max(...even(downA.errors)) < 1e-5, `even shifts: ${downA.errors}`);
      assert.ok(Math.min(...odd(downA.errors)) > 0.1, `odd shifts: ${downA.errors}`);
      assert.ok(Math.max(...layer(a, 'conv1').errors) < 1e-5, 'before the subsampling: still exact');
      maxErr.push(mean(odd(downA.errors)));
      blurErr.push(mean(odd(downB.errors)));
      maxChange.push(mean(odd(a.probabilityChange)));
      blurChange.push(mean(odd(b.probabilityChange)));
      assert.ok(mean(odd(downB.errors)) < mean(odd(downA.errors)), `digit ${index}: blur ${odd(downB.errors)} vs max ${odd(downA.errors)}`);
    }
    assert.ok(mean(blurErr) < 0.9 * mean(maxErr), `mean odd-shift error: blur ${mean(blurErr)}, max ${mean(maxErr)}`);
    assert.ok(mean(blurErr) > 0, 'blurring reduces the damage, it does not undo it');
    console.log(`odd-shift error at the subsampling: max-pool ${mean(maxErr).toFixed(3)}, blur-pool ${mean(blurErr).toFixed(3)}; probability change ${mean(maxChange).toFixed(4)} vs ${mean(blurChange).toFixed(4)}`);
  });

  it('says what is wrong with its arguments', async () => {
    const base = { modelFile: plain, data, sample: { kind: 'index' as const, index: 0 } };
    await assert.rejects(equivariance({ ...base, shifts: [0, 28] }), /shift 28 is too large: the input is 28x28/);
    await assert.rejects(equivariance({ ...base, shifts: [0.5] }), /shifts must be 1 to 64 whole numbers/);
    await assert.rejects(equivariance({ ...base, axis: 'z' as 'x' }), /axis must be x, y or both, got "z"/);
    await assert.rejects(equivariance({ ...base, mode: 'wrap' as 'zero' }), /mode must be cyclic or zero, got "wrap"/);
  });
});
