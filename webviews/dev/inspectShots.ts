/**
 * Screenshots of the inspection pages outside VS Code, to look at: the built pages (dist/webviews/) under
 * the same Content-Security-Policy as in VS Code, fed with real results of the engine's own code (model
 * summary, feature maps, filters, equivariance, computed here in-process with TensorFlow.js), in the Dark
 * Modern, Light Modern and High Contrast colours. The feature-maps page is also shown with a channel
 * enlarged and the value under the cursor.
 *
 *   npm run build && node --import tsx webviews/dev/inspectShots.ts [out-dir] [run-dir] [summary-model-file]
 *
 * run-dir: a run of a model (e.g. `dl-lab train examples/lenet-relu.model.ts --data <mnist> --epochs 2`);
 * without one, examples/lenet.model.ts untrained on MNIST (or synthetic:shapes).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { equivariance, featureMaps, filters } from '../../src/engine/inspect';
import { summarizeModelFile } from '../../src/engine/model/summary';
import type { CheckpointChoice, ModelSource } from '../../src/protocol/engine';
import type { InspectContext } from '../../src/protocol/webview';
import { readRunRecord } from '../../src/runs/runFolder';

const ROOT = path.resolve(__dirname, '..', '..');
const MNIST = path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets', 'mnist');

/** VS Code's own colours for the variables the pages use (Dark Modern, Light Modern, High Contrast). */
export const THEMES: Record<string, Record<string, string>> = {
  dark: {
    foreground: '#cccccc', 'editor-background': '#1f1f1f', descriptionForeground: '#9d9d9d', 'widget-border': '#313131',
    'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7', 'charts-red': '#f14c4c', 'charts-yellow': '#cca700',
    'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1',
    'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c',
    'button-border': '#ffffff12', 'editorWidget-background': '#202020', focusBorder: '#0078d4', errorForeground: '#f85149',
    'textLink-foreground': '#4daafc', 'list-hoverBackground': '#2a2d2e', 'list-inactiveSelectionBackground': '#37373d66',
    'dropdown-background': '#313131', 'dropdown-border': '#3c3c3c', 'dropdown-foreground': '#cccccc', 'input-background': '#313131', 'input-border': '#3c3c3c', 'input-foreground': '#cccccc',
    'checkbox-background': '#313131', 'checkbox-border': '#3c3c3c', 'settings-checkboxBorder': '#3c3c3c',
    'settings-checkboxBackground': '#313131', 'settings-checkboxForeground': '#cccccc', 'settings-dropdownBackground': '#313131',
    'settings-dropdownBorder': '#3c3c3c', 'settings-dropdownForeground': '#cccccc', 'settings-dropdownListBorder': '#454545',
    'settings-textInputBackground': '#313131', 'settings-textInputForeground': '#cccccc', 'list-activeSelectionBackground': '#04395e',
    'list-activeSelectionForeground': '#ffffff',
  },
  light: {
    foreground: '#3b3b3b', 'editor-background': '#ffffff', descriptionForeground: '#3b3b3b', 'widget-border': '#e5e5e5',
    'charts-blue': '#1a85ff', 'charts-orange': '#d18616', 'charts-green': '#388a34', 'charts-purple': '#652d90', 'charts-red': '#e51400', 'charts-yellow': '#bf8803',
    'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8',
    'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc',
    'button-border': '#0000001a', 'editorWidget-background': '#f8f8f8', focusBorder: '#005fb8', errorForeground: '#f85149',
    'textLink-foreground': '#005fb8', 'list-hoverBackground': '#f2f2f2', 'list-inactiveSelectionBackground': '#e4e6f1',
    'dropdown-background': '#ffffff', 'dropdown-border': '#cecece', 'dropdown-foreground': '#3b3b3b', 'input-background': '#ffffff', 'input-border': '#cecece', 'input-foreground': '#3b3b3b',
    'checkbox-background': '#f8f8f8', 'checkbox-border': '#cecece', 'settings-checkboxBorder': '#cecece',
    'settings-checkboxBackground': '#f8f8f8', 'settings-checkboxForeground': '#3b3b3b', 'settings-dropdownBackground': '#ffffff',
    'settings-dropdownBorder': '#cecece', 'settings-dropdownForeground': '#3b3b3b', 'settings-dropdownListBorder': '#c8c8c8',
    'settings-textInputBackground': '#ffffff', 'settings-textInputForeground': '#3b3b3b', 'list-activeSelectionBackground': '#e8e8e8',
    'list-activeSelectionForeground': '#000000',
  },
  'high-contrast': {
    foreground: '#ffffff', 'editor-background': '#000000', descriptionForeground: '#ffffff', contrastBorder: '#6fc3df',
    'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7', 'charts-red': '#f14c4c', 'charts-yellow': '#ffd370',
    'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df',
    'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff', 'editorWidget-background': '#0c141f',
    focusBorder: '#f38518', errorForeground: '#f48771', 'textLink-foreground': '#21a6ff', 'list-hoverBackground': '#000000',
    'dropdown-background': '#000000', 'dropdown-border': '#6fc3df', 'dropdown-foreground': '#ffffff', 'input-background': '#000000', 'input-border': '#6fc3df', 'input-foreground': '#ffffff',
    'checkbox-background': '#000000', 'checkbox-border': '#6fc3df', 'settings-checkboxBorder': '#6fc3df',
    'settings-checkboxBackground': '#000000', 'settings-checkboxForeground': '#ffffff', 'settings-dropdownBackground': '#000000',
    'settings-dropdownBorder': '#6fc3df', 'settings-dropdownForeground': '#ffffff', 'settings-dropdownListBorder': '#6fc3df',
    'settings-textInputBackground': '#000000', 'settings-textInputForeground': '#ffffff', 'list-focusOutline': '#f38518',
  },
};

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
  const [outDir = path.join(ROOT, 'scratch', 'inspect-shots'), runDir, summaryModel] = process.argv.slice(2);
  fs.mkdirSync(outDir, { recursive: true });
  const list = await shots(runDir, summaryModel);
  const pages = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = pages.get(url.pathname);
    if (body !== undefined) {
      res.writeHead(200, { 'content-type': url.pathname.endsWith('.css') ? 'text/css' : url.pathname.endsWith('.json') ? 'application/json' : 'text/html' }).end(body);
      return;
    }
    const file = path.join(ROOT, 'dist', 'webviews', path.basename(url.pathname));
    if (!fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  try {
    for (const shot of list) {
      pages.set(`/${shot.name}.json`, JSON.stringify(shot.messages));
      for (const [theme, colours] of Object.entries(THEMES)) {
        pages.set(`/theme-${theme}.css`, `html { ${Object.entries(colours).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ')} --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace; }`);
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
        const page = await browser.newPage({ viewport: { width: shot.width ?? 1100, height: shot.height ?? 900 } });
        const problems: string[] = [];
        page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(m.text()));
        page.on('pageerror', (e) => problems.push(String(e)));
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
