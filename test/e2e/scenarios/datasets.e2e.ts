/**
 * The Datasets view and Preview Dataset, as a user meets them: open the "Deep Learning" container's
 * Datasets view, see synthetic:shapes described by the engine ("6,000 × 28×28×1 · 6 classes") and the
 * workspace's own dataset (a copy of the CIFAR test folder), expand it to its classes with counts, and open
 * the preview from the context menu: a webview beside the editor that names the classes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATASETS, ms } from '../harness/env';
import { scenario } from '../harness/scenario';

const CIFAR = path.join(DATASETS, 'cifar10-small');

/**
 * Three JPEGs of each of three CIFAR classes, as workspace files. The harness hands the contents to
 * fs.writeFileSync, which writes a Buffer as is (its type says string only).
 */
function smallImageFolder(): Record<string, string> {
  const files: Record<string, Buffer> = {};
  for (const c of ['cat', 'dog', 'ship']) {
    for (const f of fs.readdirSync(path.join(CIFAR, c)).sort().slice(0, 3)) files[`data/pets/${c}/${f}`] = fs.readFileSync(path.join(CIFAR, c, f));
  }
  return files as unknown as Record<string, string>;
}

scenario(
  'Datasets view: synthetic:shapes and a workspace image folder, described, expanded and previewed',
  { workspace: { copy: ['examples'], files: smallImageFolder() }, trusted: true, timeout: 4 * 60_000 },
  async ({ workbench, step }) => {
    const view = await step('open the Datasets view', async () => {
      // Through the activity bar, as a user does (the harness's fallback, 'View: Open View...', is not in this build's palette).
      const container = workbench.page.locator('.part.activitybar .action-item a[aria-label^="Deep Learning"]').first();
      await container.waitFor({ state: 'visible', timeout: ms(30_000) });
      await container.click();
      return workbench.treeView('Datasets');
    });

    await step('synthetic:shapes is described by the engine', async () => {
      const shapes = await view.item('synthetic:shapes', ms(30_000));
      const deadline = Date.now() + ms(60_000);
      let description = '';
      while ((description = await shapes.description()) !== '6,000 × 28×28×1 · 6 classes') {
        if (Date.now() > deadline) throw new Error(`synthetic:shapes reads "${description}"`);
        await new Promise((r) => setTimeout(r, 250));
      }
    });

    await step('the workspace image folder: three classes with their counts', async () => {
      const pets = await view.item(/^data[\\/]pets$/, ms(30_000));
      const children = await pets.children(ms(30_000));
      assert.deepEqual(children, ['cat', 'dog', 'ship']);
      const deadline = Date.now() + ms(30_000);
      while ((await pets.description()) !== '9 × 32×32×3 · 3 classes') {
        if (Date.now() > deadline) throw new Error(`data/pets reads "${await pets.description()}"`);
        await new Promise((r) => setTimeout(r, 250));
      }
    });

    await step('Preview Dataset from the context menu opens the preview with the class names', async () => {
      const shapes = await view.item('synthetic:shapes');
      await shapes.contextMenu(/^Preview Dataset$/);
      const preview = await workbench.webview(/^Preview: synthetic:shapes$/, ms(60_000));
      const grid = preview.content.locator('.grid .class-name');
      await grid.first().waitFor({ state: 'visible', timeout: ms(60_000) });
      assert.deepEqual((await grid.allTextContents()).map((t) => t.trim()), ['disk', 'ring', 'square', 'triangle', 'cross', 'star']);
      assert.equal(await preview.content.locator('.samples img').count(), 60);
      assert.equal(await preview.content.locator('.histogram svg rect.bar').count(), 6);
      assert.match(await preview.text(), /Augmentation/);
    });
  },
);
