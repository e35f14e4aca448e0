/**
 * Deep Learning: Show Feature Maps on examples/lenet.model.ts, as a user does it: open the model file, run
 * the command from the palette, and in the view beside the editor choose an MNIST sample by its index; the
 * view draws the input and a grid of per-channel maps per layer (canvas pixels checked in the webview's
 * own frame), and the prediction. The model has no run yet, so the untrained weights are shown; MNIST is
 * the workspace's default dataset (dlLab.defaultDataset). Screenshot: test-results/<scenario>/feature-maps.png.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { slug } from '../harness/codeServer';
import { DATASETS, ms } from '../harness/env';
import { scenario } from '../harness/scenario';
import { MODEL_FILE } from './expectations';

/** What the checks read of a canvas (the tests' tsconfig has no DOM library: the code runs in the page). */
type Canvas2D = {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
};

const MNIST = path.join(DATASETS, 'mnist');
const NAME = 'Show Feature Maps draws the layers of lenet.model.ts for an MNIST sample';
const INDEX = 3;

scenario(
  NAME,
  { workspace: { copy: ['examples'] }, trusted: true, settings: { 'dlLab.defaultDataset': MNIST }, timeout: 5 * 60_000 },
  async ({ workbench, env, step }) => {
    await step('wait for activation', () => workbench.waitForExtensionActivation());
    await step('open the model file', () => workbench.editors.open(MODEL_FILE));
    await step('run Show Feature Maps', () => workbench.commandPalette.run('Deep Learning: Show Feature Maps'));
    const view = await step('the view opens beside the editor', () => workbench.webview(/^Feature Maps: lenet\.model\.ts$/, ms(60_000)));
    const content = view.content;

    await step('the first maps arrive (sample #0, untrained weights)', async () => {
      await content.locator('.layer canvas').first().waitFor({ state: 'visible', timeout: ms(120_000) });
      assert.match(await content.locator('header').innerText(), /no run of this model yet/);
    });

    await step(`choose MNIST sample #${INDEX} by its index`, async () => {
      const field = content.locator('#sample-index input');
      await field.fill(String(INDEX));
      await field.press('Enter');
      const status = content.locator('p.status');
      const deadline = Date.now() + ms(60_000);
      while (!new RegExp(`sample #${INDEX} \\(\\d\\)`).test((await status.textContent()) ?? '')) {
        if (Date.now() > deadline) throw new Error(`the view says "${await status.textContent()}"`);
        await new Promise((r) => setTimeout(r, 200));
      }
    });

    await step('a grid per layer with drawn pixels, the input and the prediction', async () => {
      const layers = await content.locator('section.layer h3').allInnerTexts();
      assert.ok(layers.some((t) => /Conv2D · 28×28×6 · 6 channels/.test(t)), JSON.stringify(layers));
      // Pixels of the first conv layer's grid: many distinct viridis colours, not an empty canvas.
      const drawn = await content.locator('section.layer canvas').first().evaluate((element: unknown) => {
        const canvas = element as Canvas2D;
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        const colours = new Set<number>();
        let painted = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3] === 0) continue;
          painted++;
          colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        }
        return { painted, colours: colours.size, width: canvas.width, height: canvas.height };
      });
      assert.ok(drawn.painted > drawn.width * drawn.height * 0.5, JSON.stringify(drawn));
      assert.ok(drawn.colours > 20, JSON.stringify(drawn));
      const input = await content.locator('canvas.input-image').evaluate((element: unknown) => {
        const canvas = element as Canvas2D;
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        let bright = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] > 128) bright++;
        return bright;
      });
      assert.ok(input > 0, 'the digit is drawn');
      assert.equal(await content.locator('.probs .track').count(), 10);
      assert.match(await content.locator('.sample-caption').innerText(), new RegExp(`sample #${INDEX} · label \\d`));
    });

    await step('screenshot', async () => {
      const dir = path.join(env.resultsDir, slug(NAME));
      fs.mkdirSync(dir, { recursive: true });
      await workbench.screenshot(path.join(dir, 'feature-maps.png'));
    });

    await step("hovering the first conv layer's line shows a strip of its maps for that sample", async () => {
      // The model file is still open beside the view, as the user left it.
      const editor = await workbench.editors.showing(MODEL_FILE);
      const text = await editor.hover('conv2d', /Open feature maps/, ms(60_000));
      assert.match(text, new RegExp(`sample #${INDEX}`));
      const images = await editor.hoverImages();
      const strip = images.find((i) => i.src.startsWith('data:image/png;base64,'));
      assert.ok(strip && strip.width > 0 && strip.height > 0, `a decoded PNG strip in the hover: ${JSON.stringify(images.map((i) => ({ ...i, src: i.src.slice(0, 40) })))}`);
      await workbench.screenshot(path.join(env.resultsDir, slug(NAME), 'hover.png'));
    });
  },
);
