/**
 * Margin ranking, triplet margin and cosine embedding by name in `training.loss`: pairs and triplets made
 * from the classes within a batch (see src/engine/training/losses.ts), each checked against values worked
 * out by hand from the formulas, and a model trained with a triplet loss whose embeddings come to group
 * by class (nearest-neighbour accuracy well above chance).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { checkLossSpec, embeddingCorrect, resolveLoss } from '../../src/engine/training/losses';
import { readJsonl, runCli, tempDir } from '../helpers';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-4, `${what}: ${actual}, expected ${expected}`);
const value = (t: tf.Scalar) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};
const oneHot = (classes: number[], n: number) => tf.oneHot(tf.tensor1d(classes, 'int32'), n);

describe('pair and triplet losses by name, from class labels', () => {
  it('marginRanking ranks the true class above every other by the margin', () => {
    // Sample 1 (class 1): true 0.5; others 0.2 -> max(0, -0.3 + 0.2) = 0, 0.4 -> max(0, -0.1 + 0.2) = 0.1.
    // Sample 2 (class 0): true 0.1; others 0.3 -> max(0, 0.2 + 0.2) = 0.4, -0.2 -> max(0, -0.3 + 0.2) = 0.
    const labels = oneHot([1, 0], 3);
    const scores = tf.tensor2d([[0.2, 0.5, 0.4], [0.1, 0.3, -0.2]]);
    close(value(resolveLoss({ name: 'marginRanking', margin: 0.2 })(labels, scores)), 0.5 / 4, 'mean over the 4 pairs');
    close(value(resolveLoss({ name: 'marginRanking', margin: 0.2, reduction: 'sum' })(labels, scores)), 0.5, 'sum');
    close(value(resolveLoss('marginRanking')(labels, scores)), 0.2 / 4, 'PyTorch default margin 0: only 0.3 > 0.1 counts');
  });

  // a (0,0) and b (3,0) are class 0, c (1,0) and d (0,4) class 1, e (10,10) class 2 (no positive; far from all).
  const tripletLabels = () => oneHot([0, 0, 1, 1, 2], 3);
  const tripletPoints = () => tf.tensor2d([[0, 0], [3, 0], [1, 0], [0, 4], [10, 10]]);
  const r17 = Math.sqrt(17);

  it('tripletMargin (mining: hard) uses each anchor’s farthest positive and nearest negative, and skips anchors without a positive', () => {
    // a: d(a,b) 3, nearest negative c 1 -> 3 - 1 + 1 = 3;  b: 3, nearest negative c 2 -> 2
    // c: d(c,d) sqrt(17), nearest negative a 1 -> sqrt(17);  d: sqrt(17), nearest negative a 4 -> sqrt(17) - 3
    const [labels, x] = [tripletLabels(), tripletPoints()];
    close(value(resolveLoss({ name: 'tripletMargin', mining: 'hard' })(labels, x)), (3 + 2 + r17 + (r17 - 3)) / 4, 'mean over the 4 anchors');
    close(value(resolveLoss({ name: 'tripletMargin', mining: 'hard', margin: 0, reduction: 'sum' })(labels, x)), 2 + 1 + (r17 - 1) + (r17 - 4), 'sum, margin 0');
    // p = 1: a: |ab| 3, nearest negative c 1 -> 3; b: 3 - 2 + 1 = 2; c: |cd| 5, a 1 -> 5; d: 5 - 4 + 1 = 2.
    close(value(resolveLoss({ name: 'tripletMargin', mining: 'hard', p: 1 })(labels, x)), (3 + 2 + 5 + 2) / 4, 'L1 distance');
  });

  it('tripletMargin (mining: all, the default) averages every triplet that violates the margin', () => {
    // Margin 0.9 (at 1, (a,b,d) would sit exactly on the margin): (a,b,c) 3 - 1 + 0.9 = 2.9; (b,a,c) 3 - 2 + 0.9
    // = 1.9; (c,d,a) r17 - 0.1; (c,d,b) r17 - 1.1; (d,c,a) r17 - 3.1; (d,c,b) r17 - 4.1 = 0.023; the rest
    // ((a,b,d), (b,a,d) and every triplet with e) are 0: 6 violating triplets.
    const [labels, x] = [tripletLabels(), tripletPoints()];
    const sum = 2.9 + 1.9 + (r17 - 0.1) + (r17 - 1.1) + (r17 - 3.1) + (r17 - 4.1);
    close(value(resolveLoss({ name: 'tripletMargin', margin: 0.9 })(labels, x)), sum / 6, 'mean over violating triplets');
    close(value(resolveLoss({ name: 'tripletMargin', margin: 0.9, reduction: 'sum' })(labels, x)), sum, 'sum');
  });

  it('cosineEmbedding pulls same-class pairs together and pushes others below the margin', () => {
    // (x1, x2) same class: 1 - cos = 1; (x1, x3) and (x2, x3) differ: max(0, 1/sqrt(2) - 0.5) each.
    const labels = oneHot([0, 0, 1], 2);
    const x = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
    const pushed = Math.SQRT1_2 - 0.5;
    close(value(resolveLoss({ name: 'cosineEmbedding', margin: 0.5 })(labels, x)), (1 + 2 * pushed) / 3, 'mean over the 3 pairs');
    close(value(resolveLoss({ name: 'cosineEmbedding', margin: 0.5, reduction: 'sum' })(labels, x)), 1 + 2 * pushed, 'sum');
    close(value(resolveLoss('cosineEmbedding')(labels, x)), (1 + 2 * Math.SQRT1_2) / 3, 'margin 0');
  });

  it('embedding accuracy counts samples whose nearest other sample shares their class', () => {
    const labels = oneHot([0, 0, 1, 1], 2);
    close(value(embeddingCorrect(labels, tf.tensor2d([[0, 0], [0.1, 0], [5, 5], [5, 5.2]]))), 4, 'grouped');
    close(value(embeddingCorrect(labels, tf.tensor2d([[0, 0], [3, 0], [1, 0], [0, 4]]))), 0, 'interleaved');
  });

  it('options are checked per loss', () => {
    assert.equal(checkLossSpec({ name: 'tripletMargin', margin: 0.3, p: 1 }), undefined);
    assert.match(checkLossSpec({ name: 'cosineEmbedding', p: 2 }) ?? '', /cosineEmbedding takes \(it takes margin besides reduction, not p\)/);
    assert.match(checkLossSpec({ name: 'crossEntropy', margin: 1 }) ?? '', /not margin/);
    assert.match(checkLossSpec({ name: 'tripletMargin', p: 0 }) ?? '', /p is a number >= 1/);
  });

  it('a model trained with tripletMargin by name learns embeddings that group by class', async () => {
    const dir = tempDir('triplet-');
    const model = path.join(dir, 'embed.model.js');
    fs.writeFileSync(
      model,
      `import * as tf from '@tensorflow/tfjs';\n` +
        `export const training = { epochs: 6, batchSize: 64, learningRate: 0.001, loss: { name: 'tripletMargin', margin: 0.5 } };\n` +
        `export default function model({ inputShape }) {\n` +
        `  return tf.sequential({ layers: [\n` +
        `    tf.layers.conv2d({ inputShape, filters: 8, kernelSize: 5, strides: 2, activation: 'relu' }),\n` +
        `    tf.layers.flatten(), tf.layers.dense({ units: 16 }),\n` +
        `  ] });\n}\n`,
    );
    const runs = path.join(dir, 'runs');
    const result = await runCli(['train', model, '--data', 'synthetic:shapes?count=1200', '--backend', 'wasm', '--runs-dir', runs, '--json']);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const [runDir] = fs.readdirSync(runs).map((d) => path.join(runs, d));
    const epochs = readJsonl(path.join(runDir, 'metrics.jsonl')).filter((r) => r.kind === 'epoch');
    assert.equal(epochs.length, 6);
    // 6 classes: a random embedding's nearest neighbour is right about 1 time in 6. (The loss, a mean over
    // the triplets still violating the margin, need not fall while fewer triplets violate it.)
    const acc = epochs.map((e) => e.acc.toFixed(2)).join(', ');
    assert.ok(epochs[5].acc > epochs[0].acc + 0.1, `nearest-neighbour accuracy rises: ${acc}`);
    assert.ok(epochs[5].val_acc > 0.4, `nearest-neighbour val_acc ${epochs[5].val_acc} (train: ${acc})`);
  });

  it('an embedding loss takes any output width; a class loss still names the class count', async () => {
    const dir = tempDir('embed-shape-');
    const model = path.join(dir, 'wide.model.js');
    fs.writeFileSync(
      model,
      `import * as tf from '@tensorflow/tfjs';\nexport const training = { epochs: 1, loss: 'cosineEmbedding' };\n` +
        `export default function model({ inputShape }) {\n  return tf.sequential({ layers: [tf.layers.flatten({ inputShape }), tf.layers.dense({ units: 3 })] });\n}\n`,
    );
    const ok = await runCli(['train', model, '--data', 'synthetic:shapes?count=100', '--backend', 'cpu', '--runs-dir', path.join(dir, 'runs')]);
    assert.equal(ok.code, 0, ok.stderr);
    const bad = await runCli(['train', model, '--data', 'synthetic:shapes?count=100', '--backend', 'cpu', '--runs-dir', path.join(dir, 'runs2'), '--json']);
    assert.equal(bad.code, 0);
    fs.writeFileSync(model, fs.readFileSync(model, 'utf8').replace("loss: 'cosineEmbedding'", "loss: 'crossEntropy'"));
    const wrong = await runCli(['train', model, '--data', 'synthetic:shapes?count=100', '--backend', 'cpu', '--runs-dir', path.join(dir, 'runs3')]);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr + wrong.stdout, /wide\.model\.js.*output has shape \[batch, 3\].*6 classes/);
  });
});
