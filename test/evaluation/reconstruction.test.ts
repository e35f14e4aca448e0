/**
 * Reconstruction models end to end on real data: a small convolutional autoencoder (training.task
 * 'reconstruction') trained three epochs on MNIST digits 1-9 of the MNIST test images; the 0s of the
 * validation carve are the anomalies, scored by their reconstruction error (`recon`).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { EngineClient } from '../../src/client/engineClient';
import { auroc } from '../../src/engine/evaluation/ranking';
import { decodeTensor } from '../../src/engine/inspection/encode';
import { AnomalyRequest } from '../../src/protocol/engineRequests';
import { DATASETS, ENGINE, readJsonl, ROOT, runCli, tempDir, trainRun } from '../helpers';

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

  it("gives the engine's per-pixel error maps, whose means are the samples' scores", async () => {
    const client = new EngineClient({ enginePath: ENGINE, maxRestarts: 0 });
    try {
      const scored = await client.sendRequest(AnomalyRequest, { runDir, method: 'recon' });
      const order = scored.scores.score.map((score, i) => [score, scored.scores.index[i]]).sort((a, b) => b[0] - a[0]);
      const asked = [order[0][1], order[1][1], order.at(-1)![1]]; // the two most anomalous samples, the least
      const report = await client.sendRequest(AnomalyRequest, { runDir, method: 'recon', maps: asked });
      assert.equal(report.auroc, scored.auroc);
      assert.deepEqual(report.maps!.map((m) => m.index), asked);
      for (const { index, map } of report.maps!) {
        assert.deepEqual(map.shape, [28, 28]);
        const values = Array.from(decodeTensor(map));
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const score = scored.scores.score[scored.scores.index.indexOf(index)];
        assert.ok(Math.abs(mean - score) < 1e-6 * Math.max(1, score), `sample ${index}: map mean ${mean}, score ${score}`);
      }
      await assert.rejects(client.sendRequest(AnomalyRequest, { runDir, method: 'recon', maps: [scored.scores.index.length + 1e6] }), /maps: sample \d+ is not one of the 2000 samples scored/);
    } finally {
      await client.dispose();
    }
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
