/**
 * Issue 6's editor check: open examples/lenet.model.ts; the end of each layer line shows its output shape
 * and parameters (inlay hints, from the engine, for synthetic:shapes: 28×28×1, 6 classes); the CodeLens
 * "Train | Summary | Feature Maps | Filters" sits above the default export; a shape error typed and saved
 * shows in the Problems panel with TensorFlow.js's message, and goes when the line is put back.
 * Screenshots: test-results/<scenario>/inlay-hints.png and problems.png.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { delay, slug } from '../harness/codeServer';
import { e2eEnv, ms } from '../harness/env';
import { ProblemsPanel } from '../harness/pages/problems';
import { scenario } from '../harness/scenario';
import { MODEL_FILE } from './expectations';

const NAME = 'inlay hints, CodeLens and a build-error diagnostic in lenet.model.ts';
const source = fs.readFileSync(path.join(e2eEnv().repoRoot, MODEL_FILE), 'utf8').split('\n');
/** 1-based line of the first line that contains `needle`. */
const lineOf = (needle: string, from = 0) => {
  const index = source.findIndex((l, i) => i >= from && l.includes(needle));
  assert.ok(index >= 0, `${needle} in ${MODEL_FILE}`);
  return index + 1;
};
const firstPool = lineOf('averagePooling2d');
/** What each layer line shows, for synthetic:shapes (the default dataset). */
const EXPECTED: { line: number; text: string }[] = [
  { line: lineOf('tf.layers.conv2d({ inputShape'), text: '→ 28×28×6 · 156 params' },
  { line: firstPool, text: '→ 14×14×6 · 0 params' },
  { line: lineOf('tf.layers.conv2d({ filters: 16'), text: '→ 10×10×16 · 2,416 params' },
  { line: lineOf('averagePooling2d', firstPool), text: '→ 5×5×16 · 0 params' },
  { line: lineOf('tf.layers.flatten()'), text: '→ 400 · 0 params' },
  { line: lineOf('units: 120'), text: '→ 120 · 48,120 params' },
  { line: lineOf('units: 84'), text: '→ 84 · 10,164 params' },
  { line: lineOf('units: numClasses'), text: '→ 6 · 510 params' },
];
const BROKEN_LINE = lineOf('tf.layers.conv2d({ filters: 16');
/** A 20×20 kernel on a 14×14 input (15×15 still builds, to 0×0): TensorFlow.js refuses to build it. */
const BROKEN = "model.add(tf.layers.conv2d({ filters: 16, kernelSize: 20, activation: 'tanh' }));";
const SHAPE_ERROR = /Negative dimension size caused by adding layer conv2d_Conv2D\d+/;

scenario(
  NAME,
  {
    workspace: { copy: ['examples'] },
    trusted: true,
    // Typed lines go in as typed: no closing brackets or quotes added.
    settings: { 'editor.autoClosingBrackets': 'never', 'editor.autoClosingQuotes': 'never', 'editor.autoSurround': 'never' },
    timeout: 5 * 60_000,
  },
  async ({ workbench, server, env, step }) => {
    const page = workbench.page;
    const resultDir = path.join(env.resultsDir, slug(NAME));
    fs.mkdirSync(resultDir, { recursive: true });
    const onDisk = path.join(server.workspaceDir, MODEL_FILE);

    await step('wait for activation', () => workbench.waitForExtensionActivation());
    const editor = await step(`open ${MODEL_FILE}`, () => workbench.editors.open(MODEL_FILE));
    await step('scroll the layer lines into view', () => editor.goToLine(EXPECTED[EXPECTED.length - 1].line));

    await step('every layer line shows its output shape and parameters', async () => {
      // The first hint waits for the engine to start and build the model.
      await editor.waitForInlayHint(EXPECTED[0].text, ms(120_000));
      const deadline = Date.now() + ms(20_000);
      for (;;) {
        const hints = await editor.inlayHints();
        const missing = EXPECTED.filter((e) => !hints.some((h) => h.line === e.line && h.text.includes(e.text)));
        if (!missing.length) break;
        if (Date.now() > deadline) {
          throw new Error(`missing hints ${JSON.stringify(missing)}; shown: ${JSON.stringify(hints.map((h) => `${h.line}: ${h.text}`))}`);
        }
        await delay(300);
      }
    });

    await step('the CodeLens above the default export offers Train, Summary, Feature Maps, Filters', async () => {
      const deadline = Date.now() + ms(20_000);
      let lenses: string[] = [];
      while (!lenses.some((l) => /Train.*Summary.*Feature Maps.*Filters/.test(l))) {
        if (Date.now() > deadline) throw new Error(`CodeLens rows shown: ${JSON.stringify(lenses)}`);
        await delay(300);
        lenses = await editor.codeLenses();
      }
      await workbench.screenshot(path.join(resultDir, 'inlay-hints.png'));
    });

    const problems = new ProblemsPanel(page, workbench.commandPalette);
    const replaceLine = async (line: number, text: string) => {
      await editor.goToLine(line);
      await page.keyboard.press('End');
      await page.keyboard.press('Home'); // the first non-blank character
      await page.keyboard.press('Shift+End');
      // Inserted, not typed key by key: a suggestion that opens while typing would take '.' as its commit
      // character (tf.layers became tf.LayersModel once, on a loaded machine).
      await page.keyboard.insertText(text);
      await page.keyboard.press('Control+S');
      const deadline = Date.now() + ms(15_000);
      while (fs.readFileSync(onDisk, 'utf8').split('\n')[line - 1]?.trim() !== text) {
        if (Date.now() > deadline) throw new Error(`line ${line} on disk is ${JSON.stringify(fs.readFileSync(onDisk, 'utf8').split('\n')[line - 1])} after Ctrl+S`);
        await delay(200);
      }
    };

    await step(`a 20×20 kernel on line ${BROKEN_LINE}, saved: the Problems panel shows TensorFlow.js's error`, async () => {
      await replaceLine(BROKEN_LINE, BROKEN);
      await problems.show();
      const rows = await problems.waitFor(SHAPE_ERROR, { timeout: ms(30_000) });
      const row = rows.find((r) => SHAPE_ERROR.test(r))!;
      assert.match(row, /Deep Learning Lab/, 'the source is named');
      assert.match(row, new RegExp(`\\[Ln ${BROKEN_LINE}, Col \\d+\\]`), `on line ${BROKEN_LINE}: ${row}`);
      assert.ok((await editor.errorSquiggles()) > 0, 'a squiggle under the line');
      await workbench.screenshot(path.join(resultDir, 'problems.png'));
    });

    await step('the line put back and saved: the problem goes and the hints come back', async () => {
      await replaceLine(BROKEN_LINE, source[BROKEN_LINE - 1].trim());
      await problems.waitFor(SHAPE_ERROR, { absent: true, timeout: ms(30_000) });
      await editor.waitForInlayHint(EXPECTED[2].text, ms(30_000));
    });
  },
);
