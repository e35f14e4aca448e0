/**
 * Deep Learning: Detect Anomalies in a real VS Code: train a LeNet (ReLU) one epoch on MNIST digits 0-8
 * (training.normalClasses in the model file, as --normal-classes 0-8 does), then from the run's row in the
 * Runs view run Detect Anomalies, pick msp, and see the Anomaly view beside the editor: the AUROC among its
 * facts, the histograms of normal and anomalous scores (both groups drawn), the ROC curve, and the most and
 * least anomalous samples drawn. Screenshot: anomaly-view.png in the scenario's results folder.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ms } from '../harness/env';
import { scenario } from '../harness/scenario';
import { MNIST, oneEpochLenet, trainedRun } from './mnistRun';

const MODEL = 'examples/anomaly.model.ts';

scenario(
  'Detect Anomalies on a LeNet trained on MNIST 0-8: msp from the Runs view shows the histograms and the AUROC',
  { workspace: { copy: ['examples'], files: { [MODEL]: oneEpochLenet('normalClasses: [0, 1, 2, 3, 4, 5, 6, 7, 8]') } }, trusted: true, settings: { 'dlLab.defaultDataset': MNIST }, timeout: 8 * 60_000 },
  async ({ workbench, step, env }) => {
    // One epoch on digits 0-8 only: the 9s are the anomalies.
    const run = await trainedRun({ workbench, step }, MODEL);

    await step('Detect Anomalies from its context menu, by msp', async () => {
      await run.contextMenu('Detect Anomalies');
      await workbench.quickInput.pick('msp', ms(30_000));
    });

    const view = await step('the Anomaly view opens beside the editor', () => workbench.webview(/^Anomalies: .+ · msp$/, ms(60_000)));
    const content = view.content;

    await step('it shows the AUROC, the counts and classes, both histograms and the ROC curve', async () => {
      await content.locator('svg.histogram').waitFor({ state: 'visible', timeout: ms(180_000) });
      const facts = await content.locator('dl.facts').innerText();
      const auroc = Number(/AUROC\s+(\d\.\d{3})/.exec(facts)?.[1]);
      assert.ok(auroc > 0.6 && auroc <= 1, `AUROC in the facts: ${facts}`);
      assert.match(facts, /Normal\s+[\d,]+ samples of classes 0–8/);
      assert.match(facts, /Anomalous\s+[\d,]+ samples of class 9/);
      assert.ok((await content.locator('svg.histogram .bars.normal rect').count()) > 0, 'normal bars drawn');
      assert.ok((await content.locator('svg.histogram .bars.anomalous rect').count()) > 0, 'anomalous bars drawn');
      assert.match((await content.locator('.legend').first().innerText()).replace(/\s+/g, ' '), /normal \([\d,]+\) anomalous \([\d,]+\)/);
      assert.match((await content.locator('svg.roc').getAttribute('aria-label')) ?? '', new RegExp(`AUROC ${auroc.toFixed(3)}`));
    });

    await step('the most and least anomalous samples are drawn', async () => {
      await content.locator('figure.sample canvas.thumb').nth(15).waitFor({ state: 'visible', timeout: ms(120_000) });
      assert.equal(await content.locator('.group').first().locator('figure.sample').count(), 8);
      assert.equal(await content.locator('p.error').count(), 0);
      await workbench.screenshot(path.join(env.resultsDir, 'anomaly-view.png'));
    });
  },
);
