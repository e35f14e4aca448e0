/**
 * Every loss against values computed by hand from its formula (the arithmetic is in the comments), with
 * 'mean' and 'sum' reductions; then the names and objects `training.loss` takes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resolveTrainingConfig } from '../../src/engine/training/config';
import { checkLossSpec, LOSS_NAMES, losses, resolveLoss } from '../../src/engine/training/losses';
import { lossFunction, makeOptimizer, trainStep } from '../../src/engine/training/step';

tf.env().set('PROD', true);

const close = (actual: tf.Scalar | number, expected: number, tol = 1e-5) => {
  const a = typeof actual === 'number' ? actual : actual.dataSync()[0];
  assert.ok(Math.abs(a - expected) <= tol * Math.max(1, Math.abs(expected)), `${a} is not ${expected}`);
};

describe('regression losses', () => {
  // y = [[1, 2], [3, 4]], p = [[1.5, 1], [2, 6]]: d = y - p = [-0.5, 1, 1, -2].
  const y = tf.tensor2d([[1, 2], [3, 4]]);
  const p = tf.tensor2d([[1.5, 1], [2, 6]]);

  it('mse: squares 0.25 + 1 + 1 + 4 = 6.25; mean over 4 elements 1.5625', () => {
    close(losses.mse(y, p, { reduction: 'sum' }), 6.25);
    close(losses.mse(y, p), 1.5625);
    close(losses.mse(y, p, { reduction: 'batchmean' }), 3.125); // 6.25 / 2 rows
  });

  it('l1: 0.5 + 1 + 1 + 2 = 4.5; mean 1.125', () => {
    close(losses.l1(y, p, { reduction: 'sum' }), 4.5);
    close(losses.l1(y, p), 1.125);
  });

  it('huber: 0.5 d^2 below delta, delta (|d| - delta/2) above', () => {
    // delta 1: 0.5*0.25 = 0.125; |d| = 1 is the boundary, both sides give 0.5; twice; 1 * (2 - 0.5) = 1.5.
    // Sum 0.125 + 0.5 + 0.5 + 1.5 = 2.625, mean 0.65625.
    close(losses.huber(y, p, { reduction: 'sum' }), 2.625);
    close(losses.huber(y, p), 0.65625);
    // delta 1.5: 0.125, 0.5, 0.5, 1.5 * (2 - 0.75) = 1.875. Sum 3, mean 0.75.
    close(losses.huber(y, p, { delta: 1.5, reduction: 'sum' }), 3);
    close(losses.huber(y, p, { delta: 1.5 }), 0.75);
  });

  it('smoothL1: 0.5 d^2 / beta below beta, |d| - beta/2 above', () => {
    // beta 1 is huber with delta 1: sum 2.625, mean 0.65625.
    close(losses.smoothL1(y, p, { reduction: 'sum' }), 2.625);
    close(losses.smoothL1(y, p), 0.65625);
    // beta 1.5: 0.5*0.25/1.5 = 0.083333, 0.5*1/1.5 = 0.333333 twice, 2 - 0.75 = 1.25. Sum 2, mean 0.5.
    close(losses.smoothL1(y, p, { beta: 1.5, reduction: 'sum' }), 2);
    close(losses.smoothL1(y, p, { beta: 1.5 }), 0.5);
  });
});

describe('class losses', () => {
  // Two samples, three classes: sample 1 is class 0 with p = [0.7, 0.2, 0.1], sample 2 class 2 with p = [0.1, 0.3, 0.6].
  const y = tf.tensor2d([[1, 0, 0], [0, 0, 1]]);
  const p = tf.tensor2d([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]);

  it('nll on log-probabilities: -ln 0.7 = 0.356675, -ln 0.6 = 0.510826; sum 0.867501, mean 0.433750', () => {
    const logp = tf.log(p);
    close(losses.nll(y, logp, { reduction: 'sum' }), 0.8675006);
    close(losses.nll(y, logp), 0.4337503);
    // classWeights [1, 2, 3]: 1 * 0.356675 + 3 * 0.510826 = 1.889152; mean divides by 1 + 3: 0.472288.
    close(losses.nll(y, logp, { classWeights: [1, 2, 3], reduction: 'sum' }), 1.8891518);
    close(losses.nll(y, logp, { classWeights: [1, 2, 3] }), 0.4722880);
  });

  it('crossEntropy on probabilities: the same numbers', () => {
    close(losses.crossEntropy(y, p, { reduction: 'sum' }), 0.8675006);
    close(losses.crossEntropy(y, p), 0.4337503);
    close(losses.crossEntropy(y, p, { classWeights: [1, 2, 3] }), 0.4722880);
    // Label smoothing 0.1: sample 1's target is 0.9 * [1, 0, 0] + 0.1 / 3 = [0.933333, 0.033333, 0.033333]:
    // 0.933333 * 0.356675 + 0.033333 * (1.609438 + 2.302585) = 0.332897 + 0.130401 = 0.463297;
    // sample 2: 0.033333 * (2.302585 + 1.203973) + 0.933333 * 0.510826 = 0.116885 + 0.476771 = 0.593656. Sum 1.056953.
    close(losses.crossEntropy(y, p, { labelSmoothing: 0.1, reduction: 'sum' }), 1.056953);
    // A probability of 0 is clipped to 1e-7: -ln(1e-7) = 16.118096.
    close(losses.crossEntropy(tf.tensor2d([[0, 1]]), tf.tensor2d([[1, 0]])), 16.118096, 1e-4);
  });

  it('crossEntropyFromLogits: log-sum-exp minus the true logit', () => {
    // z1 = [2, 1, 0], class 0: ln(e^2 + e + 1) - 2 = 2.407606 - 2 = 0.407606.
    // z2 = [0, 0, 3], class 2: ln(1 + 1 + e^3) - 3 = 3.094923 - 3 = 0.094923. Sum 0.502529, mean 0.251264.
    const z = tf.tensor2d([[2, 1, 0], [0, 0, 3]]);
    close(losses.crossEntropyFromLogits(y, z, { reduction: 'sum' }), 0.5025289);
    close(losses.crossEntropyFromLogits(y, z), 0.2512645);
    // classWeights [1, 2, 3]: (0.407606 + 3 * 0.094923) / 4 = 0.692375 / 4 = 0.173094.
    close(losses.crossEntropyFromLogits(y, z, { classWeights: [1, 2, 3] }), 0.1730937);
    // Stable for large logits: z = [1000, 0], class 0: ln(e^1000 + 1) - 1000 = 0 (not NaN).
    close(losses.crossEntropyFromLogits(tf.tensor2d([[1, 0]]), tf.tensor2d([[1000, 0]])), 0);
    // Gradient: (softmax(z) - y) / N.
    const g = tf.grad((t: tf.Tensor) => losses.crossEntropyFromLogits(y, t))(z).dataSync();
    const softmax = (row: number[]) => row.map((v) => Math.exp(v) / row.reduce((s, u) => s + Math.exp(u), 0));
    const expected = [...softmax([2, 1, 0]).map((v, i) => (v - [1, 0, 0][i]) / 2), ...softmax([0, 0, 3]).map((v, i) => (v - [0, 0, 1][i]) / 2)];
    expected.forEach((e, i) => close(g[i], e));
  });

  it('bce: -(y ln p + (1 - y) ln(1 - p)) per element', () => {
    // y = [1, 0, 1, 0], p = [0.9, 0.2, 0.4, 0.6]: -ln 0.9 = 0.105361, -ln 0.8 = 0.223144, -ln 0.4 = 0.916291 twice.
    // Sum 2.161086, mean 0.540271.
    const yb = tf.tensor2d([[1, 0], [1, 0]]);
    const pb = tf.tensor2d([[0.9, 0.2], [0.4, 0.6]]);
    close(losses.bce(yb, pb, { reduction: 'sum' }), 2.1610855);
    close(losses.bce(yb, pb), 0.5402714);
    // Column weights [2, 1]: 2 * 0.105361 + 0.223144 + 2 * 0.916291 + 0.916291 = 3.182739; mean over 4: 0.795685.
    close(losses.bce(yb, pb, { classWeights: [2, 1], reduction: 'sum' }), 3.1827392);
    close(losses.bce(yb, pb, { classWeights: [2, 1] }), 0.7956848);
  });

  it('bceWithLogits: max(z, 0) - z y + ln(1 + e^-|z|), stable', () => {
    // y = [1, 0, 1, 0], z = [2, -1, 0, 3]: ln(1 + e^-2) = 0.126928; ln(1 + e^-1) = 0.313262; ln 2 = 0.693147;
    // 3 + ln(1 + e^-3) = 3.048587. Sum 4.181924, mean 1.045481.
    const yb = tf.tensor2d([[1, 0], [1, 0]]);
    const z = tf.tensor2d([[2, -1], [0, 3]]);
    close(losses.bceWithLogits(yb, z, { reduction: 'sum' }), 4.1819242);
    close(losses.bceWithLogits(yb, z), 1.0454811);
    // Equals bce of sigmoid(z) where that is representable.
    close(losses.bce(yb, tf.sigmoid(z)), 1.0454811);
    // z = 100 with y = 0, z = -100 with y = 1: 100 each (bce of sigmoid would saturate at -ln 1e-7 = 16.1).
    close(losses.bceWithLogits(tf.tensor1d([0, 1]), tf.tensor1d([100, -100]), { reduction: 'sum' }), 200);
    // Its gradient is (sigmoid(z) - y) / n, finite at the extremes.
    const g = tf.grad((t: tf.Tensor) => losses.bceWithLogits(tf.tensor1d([0, 1]), t))(tf.tensor1d([100, -100])).dataSync();
    close(g[0], 0.5);
    close(g[1], -0.5);
  });

  it('klDiv: y (ln y - q) with q = log-probabilities, 0 where y = 0', () => {
    // Row 1: y = [0.5, 0.5, 0], q = ln [0.25, 0.5, 0.25]: 0.5 (ln 0.5 - ln 0.25) = 0.5 ln 2 = 0.346574; 0; 0.
    // Row 2: y = [0.2, 0.3, 0.5] = q's probabilities: 0. Sum 0.346574; mean over 6 elements 0.057762;
    // batchmean (2 rows) 0.173287.
    const yk = tf.tensor2d([[0.5, 0.5, 0], [0.2, 0.3, 0.5]]);
    const q = tf.log(tf.tensor2d([[0.25, 0.5, 0.25], [0.2, 0.3, 0.5]]));
    close(losses.klDiv(yk, q, { reduction: 'sum' }), 0.3465736);
    close(losses.klDiv(yk, q), 0.0577623);
    close(losses.klDiv(yk, q, { reduction: 'batchmean' }), 0.1732868);
    const g = tf.grad((t: tf.Tensor) => losses.klDiv(yk, t, { reduction: 'sum' }))(q).dataSync();
    [-0.5, -0.5, 0, -0.2, -0.3, -0.5].forEach((e, i) => close(g[i], e)); // d/dq = -y
  });
});

describe('pair and triplet losses', () => {
  it('marginRanking: max(0, -y (x1 - x2) + margin)', () => {
    // x1 = [1, 2, 3], x2 = [2, 2, 1], y = [1, -1, -1], margin 0.5:
    // max(0, 1 + 0.5) = 1.5; max(0, 0 + 0.5) = 0.5; max(0, 2 + 0.5) = 2.5. Sum 4.5, mean 1.5.
    const args = [tf.tensor1d([1, 2, 3]), tf.tensor1d([2, 2, 1]), tf.tensor1d([1, -1, -1])] as const;
    close(losses.marginRanking(...args, { margin: 0.5, reduction: 'sum' }), 4.5);
    close(losses.marginRanking(...args, { margin: 0.5 }), 1.5);
    // Margin 0 (the default): 1, 0, 2; mean 1.
    close(losses.marginRanking(...args), 1);
  });

  it('tripletMargin: max(d(a, p) - d(a, n) + margin, 0), d = ||x1 - x2 + 1e-6||_2', () => {
    // Triplet 1: a = (0, 0), p = (3, 4), n = (1, 0): d(a, p) = |(-3, -4) + 1e-6| = 4.9999986, d(a, n) = 0.999999;
    // 4.9999986 - 0.999999 + 1 = 5.0000 (to 1e-6). Triplet 2: a = (1, 1), p = (1, 2), n = (4, 5): 1 - 5 + 1 < 0: 0.
    // Sum 5, mean 2.5.
    const a = tf.tensor2d([[0, 0], [1, 1]]);
    const p = tf.tensor2d([[3, 4], [1, 2]]);
    const n = tf.tensor2d([[1, 0], [4, 5]]);
    close(losses.tripletMargin(a, p, n, { reduction: 'sum' }), 5);
    close(losses.tripletMargin(a, p, n), 2.5);
    // margin 3: triplet 2 gives 1 - 5 + 3 = -1: still 0; triplet 1: 4 + 3 = 7. Mean 3.5.
    close(losses.tripletMargin(a, p, n, { margin: 3 }), 3.5);
    // p = 1: d(a, p) = 7, d(a, n) = 1: 7 - 1 + 1 = 7 (eps shifts each |.| by 1e-6).
    close(losses.tripletMargin(tf.tensor2d([[0, 0]]), tf.tensor2d([[3, 4]]), tf.tensor2d([[1, 0]]), { p: 1 }), 7);
    // Swap: a = (0, 0), p = (1, 0), n = (1.5, 0): d(a, p) = 1, d(a, n) = 1.5, d(p, n) = 0.5.
    // Without swap 1 - 1.5 + 1 = 0.5; with swap min(1.5, 0.5) = 0.5: 1 - 0.5 + 1 = 1.5.
    const s = [tf.tensor2d([[0, 0]]), tf.tensor2d([[1, 0]]), tf.tensor2d([[1.5, 0]])] as const;
    close(losses.tripletMargin(...s), 0.5);
    close(losses.tripletMargin(...s, { swap: true }), 1.5);
  });

  it('cosineEmbedding: 1 - cos for y = 1, max(0, cos - margin) for y = -1', () => {
    // cos((1, 0), (0, 1)) = 0 -> 1; cos((1, 1), (1, 1)) = 1 -> 0; cos((1, 0), (1, 1)) = 0.707107, y = -1,
    // margin 0.5 -> 0.207107. Sum 1.207107, mean 0.402369.
    const x1 = tf.tensor2d([[1, 0], [1, 1], [1, 0]]);
    const x2 = tf.tensor2d([[0, 1], [1, 1], [1, 1]]);
    const y = tf.tensor1d([1, 1, -1]);
    close(losses.cosineEmbedding(x1, x2, y, { margin: 0.5, reduction: 'sum' }), 1.2071068);
    close(losses.cosineEmbedding(x1, x2, y, { margin: 0.5 }), 0.4023689);
    // Margin 0: the third gives 0.707107; mean (1 + 0 + 0.707107) / 3 = 0.569036.
    close(losses.cosineEmbedding(x1, x2, y), 0.5690356);
  });
});

describe('losses by name', () => {
  it('keeps the earlier names, computing what they computed before', () => {
    const y = tf.tensor2d([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
    const z = tf.tensor2d([[2, 1, 0], [0.5, -1, 3], [0, 0, 0]]);
    const p = tf.softmax(z);
    close(lossFunction('categoricalCrossentropy')(y, p), tf.metrics.categoricalCrossentropy(y, p).mean().dataSync()[0]);
    close(lossFunction('sparseCategoricalCrossentropy')(y, p), tf.metrics.categoricalCrossentropy(y, p).mean().dataSync()[0]);
    close(lossFunction('softmaxCrossEntropy')(y, z), (tf.losses.softmaxCrossEntropy(y, z) as tf.Scalar).dataSync()[0]);
    close(lossFunction('meanSquaredError')(y, p), (tf.losses.meanSquaredError(y, p) as tf.Scalar).dataSync()[0]);
    close(lossFunction('meanAbsoluteError')(y, p), (tf.losses.absoluteDifference(y, p) as tf.Scalar).dataSync()[0]);
  });

  it('every name resolves, and options come from the object', () => {
    for (const name of LOSS_NAMES) assert.equal(typeof resolveLoss(name), 'function', name);
    const y = tf.tensor2d([[1, 0, 0], [0, 0, 1]]);
    const p = tf.tensor2d([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]);
    close(resolveLoss({ name: 'crossEntropy', classWeights: [1, 2, 3] })(y, p), 0.4722880);
    close(resolveLoss({ name: 'categoricalCrossentropy', reduction: 'sum' })(y, p), 0.8675006);
    close(resolveLoss({ name: 'huber', delta: 1.5, reduction: 'sum' })(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([1.5, 1, 2, 6])), 3);
  });

  it('explains a bad spec', () => {
    assert.match(checkLossSpec('crossentropy')!, /^one of mse, l1, smoothL1, huber, nll, crossEntropy/);
    assert.match(checkLossSpec({ name: 'mse', classWeights: [1] })!, /mse takes .*no options besides reduction, not classWeights/);
    assert.match(checkLossSpec({ name: 'nll', reduction: 'avg' })!, /reduction is one of mean, sum, batchmean/);
    assert.match(checkLossSpec({ name: 'nll', classWeights: [1, -2] })!, /classWeights is an array of non-negative numbers/);
    assert.match(checkLossSpec({ name: 'huber', delta: 0 })!, /delta is a positive number/);
    assert.match(checkLossSpec({ name: 'mse', weight: 2 })!, /not weight/);
    assert.equal(checkLossSpec({ name: 'bceWithLogits', classWeights: [1, 2], reduction: 'sum' }), undefined);
    assert.throws(() => lossFunction('nope'), /unknown loss "nope" \(expected one of mse/);
    // classWeights of the wrong length is found when the loss meets the labels.
    assert.throws(() => resolveLoss({ name: 'nll', classWeights: [1, 2] })(tf.tensor2d([[1, 0, 0]]), tf.tensor2d([[0, 0, 0]])), /nll: classWeights has 2 values, but the labels have 3 classes/);
  });

  it('training.loss takes a name or an object, and says what is wrong with a bad one', () => {
    const object = { name: 'crossEntropyFromLogits', classWeights: [1, 2], reduction: 'sum' };
    assert.deepEqual(resolveTrainingConfig({ loss: object }, 'm.model.ts', {}).loss, object);
    assert.equal(resolveTrainingConfig({ loss: 'huber' }, 'm.model.ts', {}).loss, 'huber');
    assert.throws(
      () => resolveTrainingConfig({ loss: { name: 'mse', delta: 1 } }, 'm.model.ts', {}),
      /m\.model\.ts: training\.loss is \{"name":"mse","delta":1\}; expected an object with options that mse takes/,
    );
    assert.equal(resolveTrainingConfig({ loss: 'tripletMargin' }, 'm.model.ts', {}).loss, 'tripletMargin');
    assert.throws(() => resolveTrainingConfig({ loss: 'tripletLoss' }, 'm.model.ts', {}), /training\.loss is "tripletLoss"; expected one of/);
  });

  it('a spec trains through trainStep', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2, kernelInitializer: 'ones' })] });
    const loss = lossFunction({ name: 'crossEntropyFromLogits', classWeights: [1, 3] });
    const optimizer = makeOptimizer({ optimizer: 'sgd', learningRate: 0.1, momentum: 0 });
    const x = tf.tensor2d([[1, 0], [0, 1]]);
    const y = tf.tensor2d([[1, 0], [0, 1]]);
    const first = trainStep(model, optimizer, loss, x, y).loss.dataSync()[0];
    // Both logits start equal (all-ones kernel, zero bias): ln 2 per sample, whatever the weights: ln 2 = 0.693147.
    close(first, Math.LN2);
    let last = first;
    for (let i = 0; i < 5; i++) last = trainStep(model, optimizer, loss, x, y).loss.dataSync()[0];
    assert.ok(last < first, `the loss falls: ${first} -> ${last}`);
  });
});
