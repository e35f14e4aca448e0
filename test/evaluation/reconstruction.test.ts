/**
 * Reconstruction models end to end on real data: a small convolutional autoencoder (training.task
 * 'reconstruction') trained three epochs on MNIST digits 1-9 of the MNIST test images; the 0s of the
 * validation carve are the anomalies, scored by their reconstruction error (`recon`).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { auroc } from '../../src/engine/evaluation/ranking';
import { DATASETS, readJsonl, ROOT, runCli, tempDir, trainRun } from '../helpers';

const MNIST = path.join(DATASETS, 'mnist');
const AUTOENCODER = path.join(ROOT, 'test', 'evaluation', 'fixtures', 'conv-autoencoder.model.js');

describe('reconstruction runs and recon anomaly scores on MNIST, normal digits 1-9', () => {
  let runDir: string;
  const dir = tempDir();
  before(async () => {
    ({ runDir } = await trainRun(AUTOENCODER, ['--data', MNIST, '--normal-classes', '1-9', '--backend', 'wasm'], dir));
  });

  it('trains on the input as target with MSE, pixels scaled to [0, 1], and reports no accuracy', () => {
    const record = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    assert.equal(record.config.task, 'reconstruction');
    assert.equal(record.config.loss, 'mse');
    assert.deepEqual(record.config.metrics, []);
    const epochs = readJsonl(path.join(runDir, 'metrics.jsonl')).filter((r) => r.kind === 'epoch');
    assert.equal(epochs.length, 3);
    assert.ok(epochs.every((e) => e.acc === undefined && e.val_acc === undefined));
    assert.ok(epochs[2].val_loss < epochs[0].val_loss, 'the reconstruction error falls');
    assert.equal(JSON.parse(fs.readFileSync(path.join(runDir, 'normalization.json'), 'utf8')).mode, 'scale');
  });

  it('scores the held-out 0s by reconstruction error with AUROC >= 0.8, the CSV giving the same AUROC', async () => {
    const csv = path.join(dir, 'recon.csv');
    const result = await runCli(['anomaly', runDir, '--method', 'recon', '--scores-out', csv, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.deepEqual([report.method, report.anomalyClasses, report.normalClasses.length], ['recon', [0], 9]);
    assert.ok(report.auroc >= 0.8, `recon AUROC ${report.auroc}`);
    const rows = fs.readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    assert.equal(rows.length, report.normal + report.anomalous);
    assert.ok(rows.every(([, label, score, anomalous]) => score > 0 && anomalous === (label === 0 ? 1 : 0)));
    assert.equal(auroc(rows.map((r) => r[2]), rows.map((r) => r[3])), report.auroc);
  });

  it('refuses what a reconstruction run cannot do, and a class loss for one, in one line', async () => {
    const msp = await runCli(['anomaly', runDir, '--method', 'msp']);
    assert.match(msp.stderr, /^dl-lab: run \S+ trained a reconstruction model: score it by recon \(or by a layer's features: mahalanobis, knn\), not msp\n$/);
    const evaluation = await runCli(['eval', runDir]);
    assert.match(evaluation.stderr, /trained a reconstruction model: it has no classes to evaluate; score it with dl-lab anomaly --method recon/);
    const model = path.join(dir, 'ce.model.js');
    fs.writeFileSync(model, fs.readFileSync(AUTOENCODER, 'utf8').replace("task: 'reconstruction',", "task: 'reconstruction', loss: 'crossEntropy',"));
    const train = await runCli(['train', model, '--data', MNIST, '--epochs', '1', '--runs-dir', dir]);
    assert.equal(train.code, 1);
    assert.match(train.stderr, /ce\.model\.js: training\.loss is crossEntropy; a reconstruction \(task 'reconstruction'\) needs an elementwise loss: mse, l1, smoothL1, huber, bce or bceWithLogits/);
  });
});
