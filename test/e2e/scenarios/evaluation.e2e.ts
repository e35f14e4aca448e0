/**
 * Deep Learning: Evaluate Run in a real VS Code: train a LeNet (ReLU) one epoch on MNIST, then from the
 * run's row in the Runs view run Evaluate Run, and see the Evaluation view beside the editor: the 10×10
 * confusion matrix whose cells add up to the samples counted in its facts, the reliability diagram and the
 * per-class bars; a click on a mistake's cell shows that cell's samples as drawn thumbnails; a click on a
 * thumbnail opens the sample in Feature Maps. Screenshots: evaluation-view.png and
 * evaluation-feature-maps.png in the scenario's results folder.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ms } from '../harness/env';
import { scenario } from '../harness/scenario';
import { MNIST, oneEpochLenet, trainedRun } from './mnistRun';

const MODEL = 'examples/evaluated.model.ts';

scenario(
  'Evaluate Run on a LeNet trained on MNIST: from the Runs view, the confusion matrix, a cell’s gallery, a sample in Feature Maps',
  { workspace: { copy: ['examples'], files: { [MODEL]: oneEpochLenet() } }, trusted: true, settings: { 'dlLab.defaultDataset': MNIST }, timeout: 8 * 60_000 },
  async ({ workbench, step, env }) => {
    const run = await trainedRun({ workbench, step }, MODEL);

    await step('Evaluate Run from its context menu', () => run.contextMenu('Evaluate Run'));

    const view = await step('the Evaluation view opens beside the editor', () => workbench.webview(/^Evaluation: \d{8}-\d{6}-evaluated-/, ms(60_000)));
    const content = view.content;

    await step('the confusion matrix: 10×10 cells adding up to the samples evaluated, with its facts and charts', async () => {
      await content.locator('svg.matrix').waitFor({ state: 'visible', timeout: ms(180_000) });
      assert.equal(await content.locator('svg.matrix g.cell').count(), 100);
      const total = await content.locator('svg.matrix g.cell').evaluateAll((cells: unknown[]) =>
        cells.reduce((sum: number, c) => sum + Number(/: ([\d,]+) \(/.exec((c as { textContent: string }).textContent)?.[1].replace(/,/g, '') ?? NaN), 0),
      );
      const facts = await content.locator('dl.summary-facts').innerText();
      const samples = Number(/Samples\s+([\d,]+)/.exec(facts)?.[1].replace(/,/g, ''));
      assert.equal(total, samples, `the cells add up to the count: ${facts}`);
      assert.equal(samples, 1000, 'the validation carve: the model file’s 10% of MNIST’s 10,000');
      const accuracy = Number(/Accuracy\s+([\d.]+)%/.exec(facts)?.[1]);
      assert.ok(accuracy > 80, `accuracy after an epoch: ${facts}`);
      assert.ok((await content.locator('svg.reliability rect.bin').count()) > 0, 'reliability bins drawn');
      assert.equal(await content.locator('table.per-class tbody tr').count(), 10);
      assert.equal(await content.locator('p.status.error').count(), 0);
    });

    const cell = await step('a click on the largest mistake’s cell shows its samples, drawn', async () => {
      const cells = content.locator('svg.matrix g.cell.filled');
      const worst = await cells.evaluateAll((gs: unknown[]) => {
        let best = { i: -1, count: -1, row: -1, col: -1 };
        gs.forEach((g, i) => {
          const e = g as { getAttribute(n: string): string; textContent: string };
          const row = Number(e.getAttribute('data-row'));
          const col = Number(e.getAttribute('data-col'));
          const count = Number(/: ([\d,]+) \(/.exec(e.textContent)?.[1].replace(/,/g, ''));
          if (row !== col && count > best.count) best = { i, count, row, col };
        });
        return best;
      });
      assert.ok(worst.i >= 0, 'the model makes a mistake');
      await cells.nth(worst.i).click();
      await content.locator('#gallery figure.thumb canvas.drawn').first().waitFor({ state: 'visible', timeout: ms(120_000) });
      const heading = await content.locator('#gallery h2').innerText();
      assert.match(heading, new RegExp(`^Samples: true ${worst.row}, predicted ${worst.col}`));
      assert.equal(await content.locator('#gallery figure.thumb').count(), Math.min(48, worst.count));
      const captions = await content.locator('#gallery figure.thumb .pred').allInnerTexts();
      assert.ok(captions.every((c) => c.startsWith(`pred ${worst.col} · `)), JSON.stringify(captions));
      await workbench.screenshot(path.join(env.resultsDir, 'evaluation-view.png'));
      return worst;
    });

    await step('a click on a thumbnail opens that sample in Feature Maps', async () => {
      const first = content.locator('#gallery figure.thumb').first();
      const index = Number(await first.getAttribute('data-index'));
      await first.click();
      const maps = await workbench.webview(/^Feature Maps: evaluated\.model\.ts$/, ms(60_000));
      await maps.content.locator('.layer canvas').first().waitFor({ state: 'visible', timeout: ms(120_000) });
      await maps.content.locator('.sample-caption').filter({ hasText: `sample #${index} · label ${cell.row}` }).waitFor({ timeout: ms(60_000) });
      // The checkpoint evaluated (the run kept a best one), so the probabilities are the gallery's.
      assert.match((await maps.content.locator('p.status').textContent()) ?? '', new RegExp(`^sample #${index} \\(${cell.row}\\) · checkpoint best · `));
      await workbench.screenshot(path.join(env.resultsDir, 'evaluation-feature-maps.png'));
    });
  },
);
