/**
 * Anomaly detection end to end on real data: LeNet (ReLU) trained two epochs on MNIST digits 0-8
 * (`--normal-classes 0-8`) of the MNIST test images, carved 80/20 into training and validation; the 9s of
 * the validation carve are the anomalies. Through the real CLI and engine.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { loadDataset } from '../../src/engine/data/dataset';
import { selectSplits } from '../../src/engine/data/splits';
import { DATASETS, jsonLines, ROOT, runCli, tempDir, trainRun } from '../helpers';

const MNIST = path.join(DATASETS, 'mnist');
const LENET_RELU = path.join(ROOT, 'examples', 'lenet-relu.model.ts');
const DIGITS_0_8 = [0, 1, 2, 3, 4, 5, 6, 7, 8];

/** AUROC by its definition, over every (anomalous, normal) pair: 1 when the anomaly scores higher, 1/2 on a tie. */
function aurocByPairs(rows: { score: number; anomalous: boolean }[]): number {
  const pos = rows.filter((r) => r.anomalous).map((r) => r.score);
  const neg = rows.filter((r) => !r.anomalous).map((r) => r.score);
  let sum = 0;
  for (const p of pos) for (const n of neg) sum += p > n ? 1 : p === n ? 0.5 : 0;
  return sum / (pos.length * neg.length);
}

describe('anomaly detection on MNIST, normal digits 0-8', () => {
  let runDir: string;
  let started: Record<string, any>;
  let val: Uint32Array;
  let labels: Uint8Array;
  const dir = tempDir();
  before(async () => {
    const { runDir: made, result } = await trainRun(LENET_RELU, ['--data', MNIST, '--epochs', '2', '--validation-split', '0.2', '--normal-classes', '0-8', '--backend', 'wasm'], dir);
    runDir = made;
    started = jsonLines(result.stdout).find((e) => e.event === 'started')!;
    // The carve as the engine makes it, on every sample (seed 42, the model file's).
    const dataset = await loadDataset(MNIST);
    labels = dataset.labels;
    const carve = selectSplits(dataset, 0.2, 42);
    val = carve.val;
    assert.equal(started.trainSamples, carve.train.filter((i) => labels[i] !== 9).length);
  });

  it('records the normal classes, carves validation before filtering, and trains on digits 0-8 only', () => {
    const record = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    assert.deepEqual(record.config.normalClasses, DIGITS_0_8);
    assert.equal(record.config.validationSplit, 0.2);
    assert.equal(val.length, 2000);
    assert.equal(started.valSamples, val.filter((i) => labels[i] !== 9).length);
    assert.ok(started.trainSamples + started.valSamples < 10_000 - 900, 'the 9s are left out of training and validation');
  });

  it('evaluates the classifier on its normal classes, consistently', async () => {
    const result = await runCli(['eval', runDir, '--checkpoint', 'last', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(report.normalClasses, DIGITS_0_8);
    assert.equal(report.count, started.valSamples);
    const confusion: number[][] = report.confusion;
    assert.equal(confusion.flat().reduce((a, b) => a + b, 0), report.count);
    assert.equal(confusion.reduce((a, row, c) => a + row[c], 0) / report.count, report.accuracy);
    assert.deepEqual(confusion[9], new Array(10).fill(0), 'no 9 is evaluated');
    const saved = JSON.parse(fs.readFileSync(report.file, 'utf8'));
    assert.deepEqual(saved.samples.map((s: any) => s.index), Array.from(val).filter((i) => labels[i] !== 9), 'the validation carve, in its order');
  });

  it('scores the held-out 9s by msp with AUROC >= 0.85, and the CSV gives the same AUROC', async () => {
    const csv = path.join(dir, 'msp.csv');
    const result = await runCli(['anomaly', runDir, '--method', 'msp', '--scores-out', csv, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.method, 'msp');
    assert.equal(report.split, 'val');
    assert.deepEqual(report.anomalyClasses, [9]);
    assert.equal(report.anomalous, Array.from(val).filter((i) => labels[i] === 9).length);
    assert.equal(report.normal + report.anomalous, val.length);
    assert.ok(report.auroc >= 0.85, `msp AUROC ${report.auroc}`);
    assert.ok(report.auprc > report.anomalous / val.length, `AUPRC ${report.auprc} above chance`);
    assert.ok(report.fpr95 >= 0 && report.fpr95 < 1);

    const [header, ...lines] = fs.readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(header, 'index,label,score,anomalous');
    const rows = lines.map((line) => {
      const [index, label, score, anomalous] = line.split(',');
      return { index: Number(index), label: Number(label), score: Number(score), anomalous: anomalous === '1' };
    });
    assert.deepEqual(rows.map((r) => r.index).sort((a, b) => a - b), Array.from(val).sort((a, b) => a - b), 'every sample of the validation carve, once');
    for (const r of rows) {
      assert.equal(r.label, labels[r.index]);
      assert.equal(r.anomalous, r.label === 9);
    }
    assert.equal(aurocByPairs(rows), report.auroc);
    // And the saved report holds the same scores.
    const saved = JSON.parse(fs.readFileSync(report.file, 'utf8'));
    assert.deepEqual(saved.scores.score, rows.map((r) => r.score));
  });

  it('scores by mahalanobis and knn on the penultimate features, better than chance', async () => {
    for (const method of ['mahalanobis', 'knn']) {
      const result = await runCli(['anomaly', runDir, '--method', method, '--json']);
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout);
      assert.equal(report.layer, 'dense_Dense2', `${method}: the last layer's input`);
      assert.equal(report.fitted, started.trainSamples, `${method}: fitted on the run's training samples`);
      assert.ok(report.auroc > 0.7, `${method} AUROC ${report.auroc}`);
    }
  });

  it('says in one line what is wrong', async () => {
    const layer = await runCli(['anomaly', runDir, '--method', 'knn', '--layer', 'nope']);
    assert.equal(layer.code, 1);
    assert.match(layer.stderr, /^dl-lab: no layer "nope" in lenet-relu\.model\.ts; its layers: conv2d_Conv2D1, .*dense_Dense3\n$/);
    const everything = await runCli(['anomaly', runDir, '--method', 'msp', '--anomaly-classes', '0-9']);
    assert.match(everything.stderr, /every class is anomalous/);
    const method = await runCli(['anomaly', runDir, '--method', 'odin']);
    assert.equal(method.code, 2);
    assert.match(method.stderr, /--method must be one of msp, mahalanobis, knn, recon, fpi, got "odin"/);
    const classes = await runCli(['train', LENET_RELU, '--normal-classes', '8-0']);
    assert.equal(classes.code, 2);
    assert.match(classes.stderr, /--normal-classes must list classes as numbers and ranges, e.g. 0-8 or 0,3-5; got "8-0"/);
  });
});
