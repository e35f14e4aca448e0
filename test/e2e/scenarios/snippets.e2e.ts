/**
 * Issue 7's acceptance check: in a new, empty `.model.ts` file, typing the LeNet snippet's prefix
 * `dl-lenet` offers the snippet in the suggest widget; accepting it with Enter (its placeholders left at
 * their defaults) and saving gives a model file that Deep Learning: Train Model trains on synthetic:shapes
 * to completion.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { delay } from '../harness/codeServer';
import { ms } from '../harness/env';
import { scenario } from '../harness/scenario';
import { COMMANDS, COMPLETED, DATASET, NOT_COMPLETED } from './expectations';

const FILE = 'mine.model.ts';
const PREFIX = 'dl-lenet';
/** The snippet's `training.epochs`: the scenario trains what the snippet gives, unedited. */
const SNIPPET_EPOCHS = 5;

scenario(
  'the dl-lenet snippet in a new .model.ts file gives a model that trains',
  {
    workspace: { files: { [FILE]: '' } },
    trusted: true,
    // Snippets first in the suggest widget, so that Enter accepts it even when TypeScript offers words too.
    settings: { 'editor.snippetSuggestions': 'top' },
    timeout: 8 * 60_000,
  },
  async ({ workbench, server, step }) => {
    const page = workbench.page;
    const onDisk = path.join(server.workspaceDir, FILE);

    await step('wait for activation', () => workbench.waitForExtensionActivation());
    const editor = await step(`open the empty ${FILE}`, () => workbench.editors.open(FILE));

    await step(`type ${PREFIX}: the suggest widget offers the snippet`, async () => {
      await editor.root.locator('.view-lines').click();
      await page.keyboard.type(PREFIX, { delay: 50 });
      const widget = page.locator('.editor-group-container.active .suggest-widget');
      const snippetRow = widget
        .locator('.monaco-list-row')
        .filter({ has: page.locator('.label-name', { hasText: PREFIX }) })
        .first();
      // Quick suggestions usually open it as one types; Ctrl+Space asks for it when they do not.
      const deadline = Date.now() + ms(30_000);
      let lastAsked = Date.now();
      while (!(await snippetRow.isVisible().catch(() => false))) {
        if (Date.now() > deadline) {
          const labels = await widget.locator('.monaco-list-row .label-name').allTextContents().catch(() => []);
          throw new Error(`No suggestion labelled ${PREFIX} within 30 s; the suggest widget lists ${JSON.stringify(labels)}`);
        }
        if (Date.now() - lastAsked > ms(3_000) && !(await widget.isVisible().catch(() => false))) {
          lastAsked = Date.now();
          await page.keyboard.press('Control+Space');
        }
        await delay(200);
      }
      // Enter accepts the focused row: bring the snippet's row into focus if something else has it.
      for (let i = 0; i < 20 && !/\bfocused\b/.test((await snippetRow.getAttribute('class')) ?? ''); i++) {
        await page.keyboard.press('ArrowDown');
        await delay(100);
      }
      assert.match((await snippetRow.getAttribute('class')) ?? '', /\bfocused\b/, `the ${PREFIX} suggestion never got the focus`);
      assert.match((await snippetRow.textContent()) ?? '', /LeNet/i, 'the snippet row names LeNet');
    });

    await step('accept it with Enter, leave placeholder mode, save', async () => {
      await page.keyboard.press('Enter');
      await editor.root.locator('.view-lines', { hasText: 'tf.layers.conv2d' }).waitFor({ state: 'visible', timeout: ms(10_000) });
      // Escape closes the choice list of the first placeholder, then leaves snippet mode, whose placeholder
      // and its mirrors are one cursor each: done when one cursor is left.
      const cursors = editor.root.locator('.cursors-layer .cursor');
      for (let i = 0; i < 5 && (i < 2 || (await cursors.count()) !== 1); i++) {
        await page.keyboard.press('Escape');
        await delay(300);
      }
      assert.equal(await cursors.count(), 1, 'one cursor left after Escape: out of snippet placeholder mode');
      await page.keyboard.press('Control+S');
      const deadline = Date.now() + ms(15_000);
      while (!fs.readFileSync(onDisk, 'utf8').includes('export default')) {
        if (Date.now() > deadline) throw new Error(`${FILE} on disk is still ${JSON.stringify(fs.readFileSync(onDisk, 'utf8').slice(0, 200))} after Ctrl+S`);
        await delay(200);
      }
    });

    await step('the file on disk is the LeNet model with the placeholders at their defaults', async () => {
      const text = fs.readFileSync(onDisk, 'utf8');
      assert.match(text, /tf\.layers\.conv2d/);
      assert.match(text, /export default/);
      assert.match(text, /export const training/);
      assert.doesNotMatch(text, /dl-lenet/, 'the prefix was replaced by the snippet');
      assert.doesNotMatch(text, /\$\{|\$\d/, 'no snippet syntax left in the file');
      assert.match(text, /activation: 'tanh'/);
      assert.match(text, /tf\.layers\.averagePooling2d/);
      assert.match(text, new RegExp(`epochs: ${SNIPPET_EPOCHS},`));
    });

    await step('run Train Model', () => workbench.commandPalette.run(COMMANDS.train.title));
    await step(`pick the dataset ${DATASET}`, () => workbench.quickInput.pick(DATASET, ms(30_000)));
    await step('a progress notification follows the run', () =>
      workbench.notifications.waitFor(/^Training mine\.model\.ts/, { timeout: ms(60_000), failOn: NOT_COMPLETED }),
    );
    const done = await step('a notification says the run completed', () =>
      workbench.notifications.waitFor(COMPLETED, { timeout: ms(5 * 60_000), failOn: NOT_COMPLETED }),
    );
    assert.notEqual(done.severity, 'error');
    assert.match(done.message, new RegExp(`(?<![\\d/])${SNIPPET_EPOCHS}(/${SNIPPET_EPOCHS})? epochs\\b`), done.message);
  },
);
