/**
 * The Anomaly view's data (src/extension/anomaly/anomalyModel.ts) and texts (webviews/anomaly/format.ts):
 * histograms of both groups on shared bins, the ROC curve as drawn, the most and least anomalous samples,
 * the methods a run offers, and which saved report reopens.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { anomalyView, extremes, histogram, methodsFor, rocPoints, savedReport, shownIndices } from '../../src/extension/anomaly/anomalyModel';
import type { AnomalyReport } from '../../src/protocol/engineTypes';
import { parseAnomalyUpdate } from '../../src/protocol/webview';
import { classRanges, scoreText, ticks } from '../../webviews/anomaly/format';
import { tempDir } from '../helpers';

function report(over: Partial<AnomalyReport> = {}): AnomalyReport {
  return {
    runId: 'r1',
    runDir: '/runs/r1',
    data: 'mnist',
    split: 'test',
    checkpoint: 'best',
    method: 'msp',
    normalClasses: [0, 1, 2],
    anomalyClasses: [3],
    auroc: 0.75,
    auprc: 0.5,
    fpr95: 0.5,
    normal: 3,
    anomalous: 2,
    roc: { fpr: [0, 0, 0.5, 1], tpr: [0, 0.5, 1, 1] },
    scores: { index: [10, 11, 12, 13, 14], label: [0, 3, 1, 3, 2], score: [0.1, 0.9, 0.5, 0.3, 0.2], anomalous: [false, true, false, true, false] },
    file: '/runs/r1/anomaly/msp-test-best.json',
    ms: 5,
    ...over,
  };
}

describe('the histograms', () => {
  it('bins both groups on the same edges, from the lowest to the highest score, each sample once', () => {
    const h = histogram([0, 1, 2, 3, 4, 10], [false, false, false, true, true, true], 5);
    assert.deepEqual(h.edges, [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(h.normal, [2, 1, 0, 0, 0]);
    // 4 falls on an inner edge (the upper bin), 10 on the last edge (the last bin).
    assert.deepEqual(h.anomalous, [0, 1, 1, 0, 1]);
  });

  it('leaves out scores that are not finite, and puts equal scores in one bin', () => {
    const h = histogram([NaN, 2, Infinity, 2], [true, false, true, true], 10);
    assert.deepEqual(h.edges, [1.5, 2.5]);
    assert.deepEqual([h.normal, h.anomalous], [[1], [1]]);
    assert.deepEqual(histogram([NaN], [true]), { edges: [], normal: [], anomalous: [] });
  });
});

describe('the ROC curve', () => {
  it('runs from (0, 0) to (1, 1) through the corners', () => {
    assert.deepEqual(rocPoints({ fpr: [0, 0, 0.5, 1], tpr: [0, 0.5, 1, 1] }), { fpr: [0, 0, 0.5, 1], tpr: [0, 0.5, 1, 1] });
    assert.deepEqual(rocPoints({ fpr: [0.5], tpr: [1] }), { fpr: [0, 0.5, 1], tpr: [0, 1, 1] });
  });

  it('thins thousands of corners to a drawable few, keeping the shape within a pixel of 400', () => {
    const n = 10_000;
    const fpr = Array.from({ length: n + 1 }, (_, i) => i / n);
    const tpr = fpr.map((f) => Math.sqrt(f));
    const thin = rocPoints({ fpr, tpr });
    assert.ok(thin.fpr.length < 1200, `${thin.fpr.length} points`);
    assert.deepEqual([thin.fpr.at(-1), thin.tpr.at(-1)], [1, 1]);
    for (let i = 1; i < thin.fpr.length; i++) assert.ok(thin.fpr[i] >= thin.fpr[i - 1] && thin.tpr[i] >= thin.tpr[i - 1], 'monotone');
  });
});

describe('the extreme samples', () => {
  it('most anomalous by highest score, least by lowest, ties to the lower index, never a sample twice', () => {
    const scores = { index: [5, 6, 7, 8, 9], label: [0, 1, 1, 0, 1], score: [0.2, 0.9, 0.9, NaN, 0.1], anomalous: [false, true, true, false, true] };
    const { most, least } = extremes(scores, 2);
    assert.deepEqual(most.map((s) => s.index), [6, 7]);
    assert.deepEqual(least.map((s) => s.index), [9, 5]);
    assert.deepEqual(most[0], { index: 6, label: 1, score: 0.9, anomalous: true });
    // Fewer samples than both ends: each once.
    const few = extremes(scores, 3);
    assert.deepEqual([few.most.map((s) => s.index), few.least.map((s) => s.index)], [[6, 7, 5], [9]]);
  });

  it('the view carries them, its histogram and ROC, and the page would take it', () => {
    const view = anomalyView(report(), true);
    // Five samples: all among the most anomalous (eight at each end), none left for the least.
    assert.deepEqual(view.most.map((s) => s.index), [11, 12, 13, 14, 10]);
    assert.deepEqual(view.least, []);
    assert.equal(view.histogram.normal.reduce((a, b) => a + b) + view.histogram.anomalous.reduce((a, b) => a + b), 5);
    assert.deepEqual(shownIndices(view).sort(), [10, 11, 12, 13, 14]);
    assert.equal(view.maps, false);
    assert.equal(anomalyView(report({ method: 'recon' }), false).maps, true);
    assert.ok(parseAnomalyUpdate({ type: 'report', view }), 'a valid report message');
  });
});

describe('methods and saved reports', () => {
  it('offers the methods of the run\'s task', () => {
    assert.deepEqual(methodsFor(undefined), ['msp', 'mahalanobis', 'knn']);
    assert.deepEqual(methodsFor('reconstruction'), ['recon']);
    assert.deepEqual(methodsFor('fpi'), ['fpi']);
  });

  it('reopens the newest saved report of the method (and layer), skipping files that are not reports', () => {
    const runDir = tempDir('dl-lab-anomaly-model-');
    const dir = path.join(runDir, 'anomaly');
    fs.mkdirSync(dir);
    assert.equal(savedReport(runDir, 'msp', undefined), undefined);
    const write = (name: string, r: unknown, age: number) => {
      fs.writeFileSync(path.join(dir, name), JSON.stringify(r));
      const t = new Date(Date.now() - age * 1000);
      fs.utimesSync(path.join(dir, name), t, t);
    };
    write('msp-val-last.json', report({ split: 'val', checkpoint: 'last' }), 20);
    write('msp-test-best.json', report(), 10);
    write('knn-test-best.json', report({ method: 'knn', layer: 'dense_1' }), 5);
    write('msp-train-best.json', { method: 'msp', scores: {} }, 1);
    const skipped: string[] = [];
    const found = savedReport(runDir, 'msp', undefined, (file, why) => skipped.push(`${path.basename(file)}: ${why}`));
    assert.equal(found?.split, 'test');
    assert.equal(found?.file, path.join(dir, 'msp-test-best.json'));
    assert.deepEqual(skipped, ['msp-train-best.json: its scores are not index, label, score and anomalous lists of one length']);
    assert.equal(savedReport(runDir, 'knn', 'dense_1')?.layer, 'dense_1');
    assert.equal(savedReport(runDir, 'knn', 'conv_1'), undefined, 'another layer is scored anew');
    assert.equal(savedReport(runDir, 'recon', undefined), undefined);
  });
});

describe('the page\'s texts', () => {
  it('classes as ranges, or names; scores; round ticks', () => {
    assert.equal(classRanges([8, 0, 1, 2, 3, 4, 5, 6, 7]), '0–8');
    assert.equal(classRanges([0, 1, 3, 5, 6, 7]), '0, 1, 3, 5–7');
    assert.equal(classRanges([1, 0], new Map([[0, 'cat'], [1, 'dog']])), 'cat, dog');
    assert.equal(scoreText(0.000123), '1.23e-4');
    assert.equal(scoreText(0.91234), '0.9123');
    assert.deepEqual(ticks(0, 1, 4), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(ticks(0.013, 0.087, 4), [0.02, 0.04, 0.06, 0.08]);
  });
});
