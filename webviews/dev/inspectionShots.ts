/**
 * Screenshots of the inspection pages outside VS Code, to look at: the built pages (dist/webviews/) under
 * the same Content-Security-Policy as in VS Code, fed with real results of the engine's own code (model
 * summary, feature maps, filters, equivariance, computed here in-process with TensorFlow.js), in the Dark
 * Modern, Light Modern and High Contrast colours. The feature-maps page is also shown with a channel
 * enlarged and the value under the cursor.
 *
 *   npm run build && node --import tsx webviews/dev/inspectionShots.ts [out-dir] [run-dir] [summary-model-file]
 *
 * run-dir: a run of a model (e.g. `dl-lab train examples/lenet-relu.model.ts --data <mnist> --epochs 2`);
 * without one, examples/lenet.model.ts untrained on MNIST (or synthetic:shapes).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { equivariance, featureMaps, filters } from '../../src/engine/inspect';
import { summarizeModelFile } from '../../src/engine/model/summary';
import type { CheckpointChoice, ModelSource } from '../../src/protocol/engineTypes';
import type { InspectContext } from '../../src/protocol/webview';
import { readRunRecord } from '../../src/runs/runFolder';
import { launchChromium, newPageWithProblems, startPageServer, themeCss, THEMES } from './pageServer';

const ROOT = path.resolve(__dirname, '..', '..');
const MNIST = path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets', 'mnist');

/** VS Code's own colours for the variables the pages use (Dark Modern, Light Modern, High Contrast). */

interface Shot {
  page: 'modelSummary' | 'featureMaps' | 'filters' | 'equivariance';
  name: string;
  messages: unknown[];
  /** Waits for the page to have drawn, then optionally acts (click, hover) before the screenshot. */
  ready: string;
  act?: (page: Page) => Promise<void>;
  height?: number;
  /** A narrow panel beside the editor (default 1100). */
  width?: number;
}

async function shots(runDir: string | undefined, summaryModel: string | undefined): Promise<Shot[]> {
  const modelFile = runDir ? path.resolve(readRunRecord(runDir).modelFile) : path.join(ROOT, 'examples', 'lenet.model.ts');
  const data = runDir ? readRunRecord(runDir).data : fs.existsSync(MNIST) ? MNIST : 'synthetic:shapes';
  const source = (checkpoint: CheckpointChoice): ModelSource => (runDir ? { runDir, checkpoint } : { modelFile, data, checkpoint: 'untrained' });
  const trained: CheckpointChoice = runDir ? 'last' : 'untrained';
  const classes = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  const context: InspectContext = {
    title: path.basename(modelFile),
    modelFile,
    ...(runDir ? { run: { runDir, label: path.basename(runDir), status: 'completed', hasBest: true } } : {}),
    data,
    count: 10_000,
    classes,
    checkpoint: trained,
    following: false,
  };
  const summary = await summarizeModelFile({ modelFile, data });
  const maps = await featureMaps({ ...source(trained), sample: { kind: 'index', index: 0 } });
  const left = await filters(source('untrained'));
  const right = runDir ? await filters(source('last')) : undefined;
  const probe = await equivariance({ ...source(trained), sample: { kind: 'index', index: 0 }, shifts: [0, 1, 2, 3, 4, 5, 6, 7, 8], axis: 'x', mode: 'cyclic' });
  const list: Shot[] = [
    { page: 'modelSummary', name: 'summary', messages: [{ type: 'summary', title: path.basename(modelFile), summary }], ready: 'table.summary tbody tr' },
    { page: 'featureMaps', name: 'featuremaps', messages: [{ type: 'context', context }, { type: 'result', result: maps }], ready: '.layer canvas', height: 1300 },
    { page: 'featureMaps', name: 'featuremaps-narrow', messages: [{ type: 'context', context }, { type: 'result', result: maps }], ready: '.layer canvas', width: 560, height: 900 },
    {
      page: 'featureMaps',
      name: 'featuremaps-detail',
      messages: [{ type: 'context', context }, { type: 'result', result: maps }],
      ready: '.layer canvas',
      act: async (page) => {
        const canvas = page.locator('.layer canvas').first();
        await canvas.click({ position: { x: 70, y: 20 } });
        await page.locator('.detail > canvas').hover({ position: { x: 120, y: 100 } });
      },
    },
    { page: 'filters', name: 'filters', messages: [{ type: 'context', context }, right ? { type: 'filters', left, right } : { type: 'filters', left }], ready: '.side-view canvas', height: 1100 },
    { page: 'equivariance', name: 'equivariance', messages: [{ type: 'context', context }, { type: 'result', result: probe }], ready: '.chart-box canvas', height: 1300 },
  ];
  if (summaryModel) {
    const big = await summarizeModelFile({ modelFile: path.resolve(summaryModel) });
    list.push({ page: 'modelSummary', name: `summary-${path.basename(summaryModel).replace(/\.model\.[jt]s$/, '')}`, messages: [{ type: 'summary', title: path.basename(summaryModel), summary: big }], ready: 'table.summary tbody tr' });
  }
  return list;
}

async function main(): Promise<void> {
  const [outDir = path.join(ROOT, 'scratch', 'inspection-shots'), runDir, summaryModel] = process.argv.slice(2);
  fs.mkdirSync(outDir, { recursive: true });
  const list = await shots(runDir, summaryModel);
  const server = await startPageServer();
  const { origin, pages } = server;
  const browser = await launchChromium();
  try {
    for (const shot of list) {
      pages.set(`/${shot.name}.json`, JSON.stringify(shot.messages));
      for (const [theme, colours] of Object.entries(THEMES)) {
        pages.set(`/theme-${theme}.css`, themeCss(colours));
        // The messages are fetched by the stub (connect-src allows this origin only here), then posted as the extension would.
        pages.set(
          `/${shot.name}-${theme}.html`,
          `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src ${origin}; font-src ${origin}; connect-src ${origin}; script-src 'nonce-abc'">
<link rel="stylesheet" href="${origin}/theme-${theme}.css"><link rel="stylesheet" href="${origin}/${shot.page}.css"></head>
<body><main id="app"><p class="status">Loading…</p></main>
<script nonce="abc">window.sent = []; window.acquireVsCodeApi = () => ({ postMessage(m) { window.sent.push(m); if (m.type === 'ready') fetch('${origin}/${shot.name}.json').then((r) => r.json()).then((ms) => ms.forEach((x) => window.postMessage(x, '*'))); } });</script>
<script nonce="abc" src="${origin}/${shot.page}.js"></script></body></html>`,
        );
        const { page, problems } = await newPageWithProblems(browser, { width: shot.width ?? 1100, height: shot.height ?? 900 });
        await page.goto(`${origin}/${shot.name}-${theme}.html`);
        await page.waitForSelector(shot.ready, { timeout: 30_000 });
        await page.waitForTimeout(400);
        if (shot.act) await shot.act(page);
        await page.waitForTimeout(200);
        const file = path.join(outDir, `${shot.name}-${theme}.png`);
        await page.screenshot({ path: file, fullPage: !shot.act });
        console.log(`${file}${problems.length ? `  problems: ${problems.join(' | ')}` : ''}`);
        await page.close();
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
