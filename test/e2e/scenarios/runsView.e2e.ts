/**
 * The Models and Runs views in a real VS Code: open examples/, see lenet.model.ts in the Models view with
 * its layers (built by the engine, no training), run "Deep Learning: Train Model" on it from the palette,
 * and watch its run appear in the Runs view as running (spinning icon, "epoch k/N"), then completed (pass
 * icon, "epoch N/N · best val_acc …"). Screenshots under test-results/runs-view/.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { delay } from '../harness/codeServer';
import { e2eEnv, ms } from '../harness/env';
import type { TreeItem } from '../harness/pages/treeView';
import { scenario } from '../harness/scenario';
import { COMMANDS, COMPLETED, DATASET, MODEL_FILE, NOT_COMPLETED } from './expectations';

/**
 * Enough epochs for the run to be seen training (3 epochs took 8 s on a quiet machine: done before the
 * Runs view was open), few enough for a short scenario (about 40 s at 2,500 samples/s).
 */
const EPOCHS = 15;

function modelFile(): string {
  const source = fs.readFileSync(path.join(e2eEnv().repoRoot, MODEL_FILE), 'utf8');
  const shortened = source.replace(/(\bepochs\s*:\s*)\d+/, `$1${EPOCHS}`);
  assert.notEqual(shortened, source, `${MODEL_FILE} declares no epochs to change`);
  return shortened;
}

/** Waits until the row's icon and description match; returns the description. */
async function waitForRow(item: TreeItem, icon: string, description: RegExp, timeout: number): Promise<string> {
  const deadline = Date.now() + timeout;
  let seen = '';
  let icons = '';
  for (;;) {
    seen = await item.description().catch(() => seen);
    const hasIcon = (await item.row.locator(`.codicon-${icon}`).count().catch(() => 0)) > 0;
    if (hasIcon && description.test(seen)) return seen;
    if (Date.now() > deadline) {
      icons = await item.row.evaluate((row: any) => [...row.querySelectorAll('[class*="codicon"]')].map((e: any) => e.className).join(' | ')).catch(() => '');
      throw new Error(`the run row reads "${seen}" with icon classes "${icons}", not ${icon} and ${description}`);
    }
    await delay(200);
  }
}

scenario(
  'Runs view: a run of lenet.model.ts appears as running, then completed; Models view lists its layers',
  { workspace: { copy: ['examples'], files: { [MODEL_FILE]: modelFile() } }, trusted: true, timeout: 8 * 60_000 },
  async ({ workbench, step, env }) => {
    const results = path.join(env.resultsDir, 'runs-view');
    fs.mkdirSync(results, { recursive: true });

    await step('wait for activation', () => workbench.waitForExtensionActivation());
    await step('open the model file', () => workbench.editors.open(MODEL_FILE));
    await step('open the Deep Learning container', async () => {
      const container = workbench.page.locator('.part.activitybar .action-item a[aria-label^="Deep Learning"]').first();
      await container.waitFor({ state: 'visible', timeout: ms(30_000) });
      await container.click();
    });

    const models = await step('the Models view lists the example model files', async () => {
      const view = await workbench.treeView('Models');
      await view.item('lenet.model.ts', ms(30_000));
      await view.item('lenet-relu.model.ts', ms(30_000));
      return view;
    });

    await step("lenet.model.ts expands to its layers, built by the engine", async () => {
      const lenet = await models.item('lenet.model.ts');
      const layers = await lenet.children(ms(90_000));
      assert.equal(layers.length, 8, `layers: ${JSON.stringify(layers)}`);
      assert.ok(layers.every((l) => /^(conv2d|average_pooling2d|flatten|dense)/i.test(l)), JSON.stringify(layers));
      const first = await models.item(layers[0]);
      assert.match(await first.description(), /^Conv2D · 28×28×6 · 156 params$/);
      await workbench.screenshot(path.join(results, 'models-view.png'));
      await lenet.collapse();
      // Away from where the quick pick opens: a hover there puts a tooltip over its rows.
      await workbench.page.mouse.move(1500, 900);
    });

    await step('run Train Model', () => workbench.commandPalette.run(COMMANDS.train.title));
    await step(`pick the dataset ${DATASET}`, () => workbench.quickInput.pick(DATASET, ms(30_000)));

    const runs = await step('open the Runs view', () => workbench.treeView('Runs'));
    const run = await step('the run appears under lenet.model.ts', async () => {
      await runs.item('lenet.model.ts', ms(60_000));
      return runs.item(/^\d\d:\d\d:\d\d$/, ms(90_000));
    });

    await step('it shows as running: spinning icon, epoch k/N', async () => {
      const description = await waitForRow(run, 'sync', new RegExp(`^epoch \\d+/${EPOCHS}\\b`), ms(120_000));
      assert.match(description, new RegExp(`^epoch \\d+/${EPOCHS}`));
      await workbench.screenshot(path.join(results, 'runs-view-running.png'));
    });

    await step('the run completes', () => workbench.notifications.waitFor(COMPLETED, { timeout: ms(5 * 60_000), failOn: NOT_COMPLETED }));

    await step('it shows as completed: pass icon, all epochs and the best val_acc', async () => {
      await waitForRow(run, 'pass', new RegExp(`^epoch ${EPOCHS}/${EPOCHS} · best val_acc \\d\\.\\d{3}$`), ms(30_000));
      assert.match(await run.ariaLabel(), /completed/);
      await workbench.screenshot(path.join(results, 'runs-view-completed.png'));
    });
  },
);
