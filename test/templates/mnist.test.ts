/**
 * The image templates through the real CLI on real data: `dl-lab new` writes each one, `dl-lab train` trains
 * it one epoch on digits 1-9 of the first 1,200 MNIST test images (a 25% validation carve keeps its 0s
 * out of training), and `dl-lab anomaly` scores the carve by the method the template is for: `recon` for
 * the autoencoders, `fpi` for the U-Net. The feature maps of such a run say there is no class prediction.
 * One epoch on a small subset proves that they train and score, not how well (test/evaluation does that).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EngineClient } from '../../src/client/engineClient';
import { predictionLine } from '../../src/cli/featureMapsPng';
import { FeatureMapsRequest } from '../../src/protocol/engineRequests';
import { parseFeatureMapsUpdate } from '../../src/protocol/webview';
import { idxFolder } from '../data/build';
import { ENGINE, readJsonl, runCli, tempDir, trainRun } from '../helpers';

const CASES = [
  { id: 'autoencoder', task: 'reconstruction', loss: 'mse', method: 'recon' },
  { id: 'conv-autoencoder', task: 'reconstruction', loss: 'mse', method: 'recon' },
  { id: 'fpi-unet', task: 'fpi', loss: 'bce', method: 'fpi' },
] as const;

describe('image templates on MNIST: dl-lab new, train one epoch, anomaly', () => {
  const dir = tempDir();
  const data = idxFolder(1200, { gzip: true });
  const runs: Record<string, string> = {};

  for (const c of CASES) {
    it(`${c.id}: trains as task '${c.task}' with ${c.loss}, and dl-lab anomaly --method ${c.method} scores the held-out 0s`, async () => {
      const file = path.join(dir, `${c.id}.model.ts`);
      const written = await runCli(['new', c.id, '--out', file]);
      assert.equal(written.code, 0, written.stderr);
      assert.match(fs.readFileSync(file, 'utf8'), /^\/\/ for 28x28x1 inputs and 28x28x1 (reconstructions|maps of foreign fractions): /m);

      const { runDir } = await trainRun(file, ['--data', data, '--epochs', '1', '--batch-size', '32', '--validation-split', '0.25', '--normal-classes', '1-9', '--backend', 'wasm'], path.join(dir, 'runs'));
      runs[c.id] = runDir;
      const record = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
      assert.deepEqual([record.config.task, record.config.loss, record.config.metrics], [c.task, c.loss, []]);
      const [epoch] = readJsonl(path.join(runDir, 'metrics.jsonl')).filter((r) => r.kind === 'epoch');
      assert.ok(Number.isFinite(epoch.loss) && Number.isFinite(epoch.val_loss) && epoch.val_acc === undefined, JSON.stringify(epoch));

      const scored = await runCli(['anomaly', runDir, '--method', c.method, '--json']);
      assert.equal(scored.code, 0, scored.stderr);
      const report = JSON.parse(scored.stdout);
      assert.deepEqual([report.method, report.anomalyClasses], [c.method, [0]]);
      // The 25% carve of 1,200 images: 300 samples, the 0s among them anomalous.
      assert.equal(report.normal + report.anomalous, 300);
      assert.ok(report.anomalous > 10 && report.normal > 200, `${report.normal} normal, ${report.anomalous} anomalous`);
      if (c.method === 'recon') {
        // Even one epoch on the 1-9 of 900 digits reconstructs the 1-9 better than the 0s (about 0.84 here).
        assert.ok(report.auroc >= 0.7, `recon AUROC ${report.auroc}`);
      } else {
        // One epoch is too little for FPI's AUROC (test/evaluation/fpi.test.ts trains longer); the foreign
        // fractions are learnt, though: below the 0.693 of an untrained sigmoid's 0.5 everywhere.
        assert.ok(report.auroc >= 0 && report.auroc <= 1, `fpi AUROC ${report.auroc}`);
        assert.ok(epoch.val_loss < 0.5, `val_loss ${epoch.val_loss}`);
      }
    });
  }

  it('dl-lab featuremaps of a reconstruction run says there is no class prediction (no "undefined")', async (t) => {
    const runDir = runs['conv-autoencoder'];
    if (!runDir) return t.skip('the conv-autoencoder run failed above');
    const printed = await runCli(['featuremaps', runDir, '--index', '3', '--out', path.join(dir, 'maps.png')]);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /^no class prediction: the model outputs an image \(reconstruction output\), the last layer's 28x28x1 map$/m);
    assert.doesNotMatch(printed.stdout, /undefined|^prediction /m);
    const json = await runCli(['featuremaps', runDir, '--out', path.join(dir, 'maps2.png'), '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).prediction, null);
  });

  it('the engine answers a reconstruction run\'s feature maps with prediction null, which the Feature Maps page accepts', async (t) => {
    const runDir = runs.autoencoder;
    if (!runDir) return t.skip('the autoencoder run failed above');
    const client = new EngineClient({ enginePath: ENGINE, maxRestarts: 0 });
    try {
      const result = await client.sendRequest(FeatureMapsRequest, { runDir, sample: { kind: 'index', index: 0 } });
      assert.equal(result.prediction, null);
      assert.deepEqual(result.layers.at(-1)!.shape, [28, 28, 1]);
      let problem = '';
      assert.ok(parseFeatureMapsUpdate({ type: 'result', result }, (why) => (problem = why)), problem);
    } finally {
      await client.dispose();
    }
  });

  it("dl-lab featuremaps of an FPI model file (untrained) builds it without a class check, and predicts no class", async () => {
    const file = path.join(dir, 'fpi-unet.model.ts');
    if (!fs.existsSync(file)) await runCli(['new', 'fpi-unet', '--out', file]);
    const result = await runCli(['featuremaps', file, '--data', data, '--out', path.join(dir, 'fpi.png'), '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.prediction, null);
    assert.deepEqual(report.layers.at(-1).shape, [28, 28, 1]);
  });

  it('the prediction line: the top classes of a classifier, what an image model outputs instead', () => {
    const classifier = { classes: ['cat', 'dog', 'fox', 'owl'], probabilities: [0.1, 0.6, 0.2, 0.1], predicted: 1 };
    assert.equal(predictionLine({ prediction: classifier, layers: [] }), 'prediction dog (dog 60.0%, fox 20.0%, cat 10.0%)');
    assert.equal(predictionLine({ prediction: null, layers: [] }), 'no class prediction: the model outputs an image (reconstruction output)');
  });
});
