/**
 * The training dashboard in a real VS Code: Train Model on examples/lenet.model.ts from the command
 * palette opens the dashboard beside the editor (the model file keeps the focus), and its loss chart draws
 * the run's points within seconds (pixels of the run's colour on the canvas); a second run, stopped with
 * the dashboard's Stop button, ends as stopped (the header says so, and so does its run.json).
 * Screenshots under test-results/<scenario>/.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { delay } from '../harness/codeServer';
import { e2eEnv, ms } from '../harness/env';
import { scenario } from '../harness/scenario';
import { COMMANDS, COMPLETED, DATASET, MODEL_FILE, NOT_COMPLETED } from './expectations';

// page.evaluate() bodies run in the browser; this project's types are Node's (no DOM lib), so the few
// browser globals they use are declared here, for this module only.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare function requestAnimationFrame(callback: (time: number) => void): number;
declare function getComputedStyle(element: unknown): { backgroundColor: string };

const NAME = 'the dashboard opens beside lenet.model.ts, draws the run, and stops a second run';
/** Two epochs for the first run; the second has more, so that Stop finds it training. */
const EPOCHS = 2;

function modelFile(epochs: number): string {
  const source = fs.readFileSync(path.join(e2eEnv().repoRoot, MODEL_FILE), 'utf8');
  const shortened = source.replace(/(\bepochs\s*:\s*)\d+/, `$1${epochs}`);
  assert.notEqual(shortened, source, `${MODEL_FILE} declares no epochs to change`);
  return shortened;
}

/** Pixels of the loss chart within reach of the first run's colour (its swatch in the header). */
async function runColouredPixels(content: FrameLocator): Promise<{ pixels: number; points: number }> {
  return content.locator('body').evaluate(() => {
    const canvas = document.querySelector('#loss-chart');
    const swatch = document.querySelector('table.runs .swatch');
    if (!canvas || !swatch) return { pixels: 0, points: 0 };
    const probe = document.createElement('canvas').getContext('2d')!;
    probe.fillStyle = getComputedStyle(swatch).backgroundColor;
    probe.fillRect(0, 0, 1, 1);
    const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let pixels = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 60) pixels++;
    }
    return { pixels, points: Number(document.body.dataset.points ?? 0) };
  });
}

scenario(
  NAME,
  {
    workspace: { copy: ['examples'], files: { [MODEL_FILE]: modelFile(EPOCHS) } },
    trusted: true,
    timeout: 9 * 60_000,
  },
  async ({ workbench, server, step, env }) => {
    const results = path.join(env.resultsDir, 'dashboard');
    fs.mkdirSync(results, { recursive: true });
    const page = workbench.page;

    await step('wait for activation', () => workbench.waitForExtensionActivation());
    await step('open the model file', () => workbench.editors.open(MODEL_FILE));
    await step('run Train Model', () => workbench.commandPalette.run(COMMANDS.train.title));
    await step(`pick the dataset ${DATASET}`, () => workbench.quickInput.pick(DATASET, ms(30_000)));

    await step('the dashboard opens beside the editor, which keeps the focus', async () => {
      const tab = page.locator('.tabs-container .tab', { hasText: /Dashboard: lenet/ }).first();
      await tab.waitFor({ state: 'visible', timeout: ms(90_000) });
      const groups = await page.locator('.editor-group-container').count();
      assert.ok(groups >= 2, `the dashboard opened in its own group beside the editor (${groups} group(s))`);
      const active = (await page.locator('.editor-group-container.active .tab.active').first().textContent()) ?? '';
      assert.match(active, /lenet\.model\.ts/, `the model file keeps the focus; active tab: ${active}`);
    });

    const dashboard = await step('find the dashboard webview', () => workbench.webview(/^Dashboard: lenet/, ms(30_000)));

    await step('the loss chart draws the run within seconds', async () => {
      const deadline = Date.now() + ms(60_000);
      let seen = { pixels: 0, points: 0 };
      while (!(seen.points > 0 && seen.pixels > 200)) {
        if (Date.now() > deadline) throw new Error(`the chart has ${seen.points} points and ${seen.pixels} pixels of the run's colour`);
        await delay(250);
        seen = await runColouredPixels(dashboard.content).catch(() => seen);
      }
      await workbench.screenshot(path.join(results, 'dashboard-training.png'));
    });

    await step('the first run completes, and the dashboard says so', async () => {
      await workbench.notifications.waitFor(COMPLETED, { timeout: ms(5 * 60_000), failOn: NOT_COMPLETED });
      await dashboard.content.locator('table.runs .badge', { hasText: 'completed' }).waitFor({ timeout: ms(30_000) });
      const final = await runColouredPixels(dashboard.content);
      assert.ok(final.points >= EPOCHS, `points drawn: ${final.points}`);
      await workbench.screenshot(path.join(results, 'dashboard-completed.png'));
    });

    // The second run: more epochs, so that it is still training when Stop is pressed.
    fs.writeFileSync(path.join(server.workspaceDir, MODEL_FILE), modelFile(20));
    await step('start a second run', async () => {
      // Back to the model file's own group (finding the webview made the dashboard's group active).
      await page.locator('.editor-group-container').first().locator('.tab', { hasText: 'lenet.model.ts' }).first().click();
      await workbench.commandPalette.run(COMMANDS.train.title);
      await workbench.quickInput.pick(DATASET, ms(30_000));
    });

    const again = await step('the dashboard follows the second run', () => workbench.webview(/^Dashboard: lenet/, ms(30_000)));
    const stop = again.content.locator('table.runs vscode-button.stop');
    const runId = await step('the dashboard shows the second run training, with Stop', async () => {
      await stop.waitFor({ state: 'visible', timeout: ms(90_000) });
      return (await again.content.locator('table.runs tr[data-run]').first().getAttribute('data-run')) ?? '';
    });
    assert.ok(runId, 'the header names the run');

    await step('press Stop in the dashboard', () => stop.click());

    await step('the run ends as stopped: in the header and in run.json', async () => {
      await again.content.locator('table.runs .badge', { hasText: /^stopped$/ }).waitFor({ timeout: ms(90_000) });
      const record = JSON.parse(fs.readFileSync(path.join(server.workspaceDir, 'runs', runId, 'run.json'), 'utf8'));
      assert.equal(record.status, 'stopped');
      await workbench.screenshot(path.join(results, 'dashboard-stopped.png'));
    });
  },
);
