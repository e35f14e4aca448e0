/**
 * The evaluation metrics on tiny examples with ties, computed by hand (the comments show the arithmetic)
 * and checked once against scikit-learn 1.9 (confusion_matrix, precision_recall_fscore_support, f1_score,
 * roc_auc_score, average_precision_score, roc_curve); the values are written here, so the tests need no
 * Python.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { averageF1, calibration, confusionMatrix, perClassMetrics, predictedClasses, topKAccuracy, type Predictions } from '../../src/engine/evaluation/classification';
import { auroc, fprAtTpr, separation } from '../../src/engine/evaluation/ranking';

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);

// Seven samples of three classes; sample 1 ties classes 0 and 1 (argmax takes 0), sample 6 ties 1 and 2.
const P: Predictions = {
  classes: 3,
  probabilities: [0.5, 0.3, 0.2, 0.4, 0.4, 0.2, 0.1, 0.7, 0.2, 0.2, 0.2, 0.6, 0.3, 0.6, 0.1, 0.9, 0.05, 0.05, 0.34, 0.33, 0.33],
  labels: [0, 1, 1, 2, 2, 0, 2],
};

describe('classification metrics', () => {
  const predicted = predictedClasses(P);
  const confusion = confusionMatrix(P.labels, predicted, 3);
  const perClass = perClassMetrics(confusion, ['a', 'b', 'c']);

  it('predicts the first of tied classes and counts rows as true, columns as predicted', () => {
    assert.deepEqual([...predicted], [0, 0, 1, 2, 1, 0, 0]);
    assert.deepEqual(confusion, [
      [2, 0, 0],
      [1, 1, 0],
      [1, 1, 1],
    ]);
  });

  it('gives per-class precision, recall, F1 and support', () => {
    // a: 2 of 4 predicted a are a, both a found; b: 1 of 2, 1 of 2; c: 1 of 1, 1 of 3.
    const expected = [
      { class: 'a', precision: 0.5, recall: 1, f1: 2 / 3, support: 2 },
      { class: 'b', precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
      { class: 'c', precision: 1, recall: 1 / 3, f1: 0.5, support: 3 },
    ];
    perClass.forEach((m, c) => {
      assert.equal(m.class, expected[c].class);
      assert.equal(m.support, expected[c].support);
      for (const key of ['precision', 'recall', 'f1'] as const) close(m[key], expected[c][key], `${m.class} ${key}`);
    });
  });

  it('averages F1 plainly (macro) and by support (weighted)', () => {
    const { macroF1, weightedF1 } = averageF1(confusion, perClass);
    close(macroF1, (2 / 3 + 0.5 + 0.5) / 3, 'macro'); // 0.5556
    close(weightedF1, (2 * (2 / 3) + 2 * 0.5 + 3 * 0.5) / 7, 'weighted'); // 0.5476
  });

  it('leaves a class absent from labels and predictions out of the macro mean, and gives an unpredicted class precision 0', () => {
    const m = confusionMatrix([0, 0, 1], [0, 0, 0], 3);
    const per = perClassMetrics(m, ['a', 'b', 'c']);
    assert.deepEqual(per.map((x) => x.precision), [2 / 3, 0, 0]);
    close(averageF1(m, per).macroF1, (0.8 + 0) / 2, 'macro over a and b'); // a: p 2/3, r 1, F1 0.8
  });

  it('counts top-k hits with ties in the true class favour', () => {
    // Top-2 misses only sample 4 (its class scores 0.1 under 0.3 and 0.6); sample 6's 0.33 has one class above.
    close(topKAccuracy(P, 2), 6 / 7, 'top-2');
    close(topKAccuracy(P, 1), 5 / 7, 'top-1 with ties in favour'); // accuracy's 4 and sample 1 (0.4 tied), which argmax missed
    close(topKAccuracy(P, 3), 1, 'top-3');
  });

  it('bins confidence into 15 bins (lower, upper] and weighs |accuracy - confidence| by count', () => {
    const { ece, bins } = calibration(P, predicted);
    assert.equal(bins.length, 15);
    const used = bins.filter((b) => b.count > 0).map((b) => [Math.round(b.lower * 15), b.count, b.accuracy, Number(b.confidence!.toFixed(12))]);
    // 0.4 sits on the boundary 6/15 and 0.6 on 9/15: both go into the bin below.
    assert.deepEqual(used, [
      [5, 2, 0, 0.37], // 0.4 and 0.34, both wrong
      [7, 1, 1, 0.5],
      [8, 2, 0.5, 0.6], // 0.6 right, 0.6 wrong
      [10, 1, 1, 0.7],
      [13, 1, 1, 0.9],
    ]);
    assert.equal(bins.reduce((a, b) => a + b.count, 0), 7);
    // (2 * 0.37 + 1 * 0.5 + 2 * 0.1 + 1 * 0.3 + 1 * 0.1) / 7
    close(ece, 1.84 / 7, 'ece');
    assert.deepEqual(bins[14].accuracy, null);
  });
});

describe('anomaly ranking metrics (anomalous = positive, higher score = more anomalous)', () => {
  // Anomalous scores 0.9, 0.8, 0.4, 0.35; normal 0.4, 0.4, 0.2, 0.1: the 0.4 anomaly ties two normals.
  const scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.2, 0.9];
  const anomalous = [0, 0, 1, 1, 1, 0, 0, 1];

  it('AUROC counts each (anomalous, normal) pair ordered right as 1 and a tie as 1/2', () => {
    // 0.9 and 0.8 beat all 4 normals, 0.4 beats 2 and ties 2, 0.35 beats 2: (4 + 4 + 3 + 2) / 16.
    close(auroc(scores, anomalous), 13 / 16, 'auroc');
    close(auroc([0.5, 0.5, 0.5, 0.5], [1, 0, 0, 1]), 0.5, 'all tied');
    close(auroc([3, 2, 1], [0, 1, 1]), 0, 'inverted');
  });

  it('AUPRC is average precision, one step per distinct score', () => {
    // Recall steps of 1/4 at 0.9 (precision 1), 0.8 (1), 0.4 (3 of 5), 0.35 (4 of 6).
    close(separation(scores, anomalous).auprc, 0.25 * (1 + 1 + 3 / 5 + 4 / 6), 'auprc'); // 0.8167
    close(separation([0.5, 0.5, 0.5, 0.5], [1, 0, 0, 1]).auprc, 0.5, 'all tied');
  });

  it('FPR95 is the FPR at the first threshold that finds 95% of the anomalies', () => {
    close(separation(scores, anomalous).fpr95, 0.5, 'every anomaly needs threshold 0.35, above 2 of 4 normals');
    // 10 normals scoring 0..9; 18 anomalies at 20, one at 8.5 (recall 0.95, above normal 9), one at 3.
    const s = [...Array.from({ length: 10 }, (_, i) => i), ...new Array(18).fill(20), 8.5, 3];
    const y = [...new Array(10).fill(0), ...new Array(20).fill(1)];
    const r = separation(s, y);
    close(r.fpr95, 0.1, 'fpr95');
    // Pairs: the 18 at 20 beat all 10 normals, 8.5 beats 9, 3 beats 3 and ties 1: 192.5 of 200.
    close(r.auroc, (18 * 10 + 9 + 3.5) / 200, 'auroc'); // 0.9625, as scikit-learn
    close(r.auprc, 0.984537037037037, 'auprc (scikit-learn)');
    assert.deepEqual([r.normal, r.anomalous], [10, 20]);
  });

  it('gives the ROC curve at its corners, from (0, 0) to (1, 1), as scikit-learn roc_curve', () => {
    const { roc } = separation(scores, anomalous);
    assert.deepEqual(roc.fpr, [0, 0, 0, 0.5, 0.5, 1]);
    assert.deepEqual(roc.tpr, [0, 0.25, 0.5, 0.75, 1, 1]);
    assert.deepEqual(roc.thresholds, [Infinity, 0.9, 0.8, 0.4, 0.35, 0.1]);
    close(fprAtTpr(roc, 0.5), 0, 'fpr at tpr 0.5');
  });

  it('is undefined without one of the two kinds, and refuses NaN scores', () => {
    assert.ok(Number.isNaN(separation([1, 2], [0, 0]).auroc));
    assert.ok(Number.isNaN(separation([1, 2], [1, 1]).fpr95));
    assert.throws(() => separation([1, NaN], [0, 1]), /score 1 is NaN/);
  });
});
