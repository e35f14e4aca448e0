/**
 * The built dashboard page (dist/webviews/dashboard.js) in headless Chromium, outside VS Code: served
 * under the same Content-Security-Policy, with VS Code's theme variables and body class for a theme, and
 * a fake acquireVsCodeApi that records what the page posts and answers `ready` with the messages given.
 * Used by the dashboard screenshots (dashboardScreenshot.ts) and the dashboard benchmark.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { mulberry32 as random } from '../../src/engine/util/random';
import type { DashboardPoint, DashboardRun, DashboardState, DashboardUpdate } from '../../src/protocol/webview';

const ROOT = path.resolve(__dirname, '..', '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const THEMES: Record<string, { bodyClass: string; colours: Record<string, string> }> = {
  dark: {
    bodyClass: 'vscode-dark',
    colours: {
      foreground: '#cccccc', 'editor-background': '#1f1f1f', descriptionForeground: '#9d9d9d', 'widget-border': '#313131',
      'editorWidget-border': '#454545', 'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-green': '#89d185',
      'charts-purple': '#b180d7', 'charts-red': '#f14c4c', 'charts-yellow': '#cca700', 'button-background': '#0078d4',
      'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1', 'button-secondaryBackground': '#313131',
      'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c', 'button-border': '#ffffff12',
      'editorWidget-background': '#202020', focusBorder: '#0078d4', errorForeground: '#f85149', 'badge-background': '#616161',
      'badge-foreground': '#f8f8f8', 'dropdown-background': '#313131', 'dropdown-foreground': '#cccccc', 'dropdown-border': '#3c3c3c',
      'checkbox-background': '#313131', 'checkbox-border': '#3c3c3c', 'checkbox-foreground': '#cccccc', 'editorHoverWidget-background': '#202020', 'settings-dropdownBackground': '#313131',
      'settings-dropdownForeground': '#cccccc', 'settings-dropdownBorder': '#3c3c3c', 'settings-checkboxBackground': '#313131', 'settings-checkboxBorder': '#3c3c3c',
      'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff', 'list-hoverBackground': '#2a2d2e',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    colours: {
      foreground: '#3b3b3b', 'editor-background': '#ffffff', descriptionForeground: '#3b3b3b', 'widget-border': '#e5e5e5',
      'editorWidget-border': '#c8c8c8', 'charts-blue': '#1a85ff', 'charts-orange': '#d18616', 'charts-green': '#388a34',
      'charts-purple': '#652d90', 'charts-red': '#e51400', 'charts-yellow': '#bf8803', 'button-background': '#005fb8',
      'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8', 'button-secondaryBackground': '#e5e5e5',
      'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc', 'button-border': '#0000001a',
      'editorWidget-background': '#f8f8f8', focusBorder: '#005fb8', errorForeground: '#f85149', 'badge-background': '#cccccc',
      'badge-foreground': '#3b3b3b', 'dropdown-background': '#ffffff', 'dropdown-foreground': '#3b3b3b', 'dropdown-border': '#cecece',
      'checkbox-background': '#f8f8f8', 'checkbox-border': '#cecece', 'checkbox-foreground': '#3b3b3b', 'editorHoverWidget-background': '#f8f8f8', 'settings-dropdownBackground': '#ffffff',
      'settings-dropdownForeground': '#3b3b3b', 'settings-dropdownBorder': '#cecece', 'settings-checkboxBackground': '#f8f8f8', 'settings-checkboxBorder': '#cecece',
      'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000', 'list-hoverBackground': '#f2f2f2',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    colours: {
      foreground: '#ffffff', 'editor-background': '#000000', descriptionForeground: '#ffffff', contrastBorder: '#6fc3df',
      'editorWidget-border': '#6fc3df', 'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-green': '#89d185',
      'charts-purple': '#b180d7', 'charts-red': '#f14c4c', 'charts-yellow': '#ffd370', 'button-background': '#000000',
      'button-foreground': '#ffffff', 'button-border': '#6fc3df', 'button-secondaryBackground': '#000000',
      'button-secondaryForeground': '#ffffff', 'editorWidget-background': '#0c141f', focusBorder: '#f38518', errorForeground: '#f48771',
      'badge-background': '#000000', 'badge-foreground': '#ffffff', 'dropdown-background': '#000000', 'dropdown-foreground': '#ffffff',
      'dropdown-border': '#6fc3df', 'checkbox-background': '#000000', 'checkbox-border': '#6fc3df', 'checkbox-foreground': '#ffffff',
      'editorHoverWidget-background': '#0c0c0c', 'settings-dropdownBackground': '#000000', 'settings-dropdownForeground': '#ffffff',
      'settings-dropdownBorder': '#6fc3df', 'settings-checkboxBackground': '#000000', 'settings-checkboxBorder': '#6fc3df', 'list-activeSelectionBackground': '#000000',
      'list-activeSelectionForeground': '#ffffff', 'list-focusOutline': '#f38518',
    },
  },
};

export interface Harness {
  origin: string;
  /** Opens the dashboard page; `initial` is posted in order when the page says ready. */
  open(browser: Browser, options: { theme?: string; state?: DashboardState; initial?: DashboardUpdate[]; decimation?: boolean; viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const pages = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = pages.get(url.pathname);
    if (body !== undefined) {
      res.writeHead(200, { 'content-type': url.pathname.endsWith('.css') ? 'text/css' : 'text/html' }).end(body);
      return;
    }
    const file = path.join(ROOT, 'dist', 'webviews', path.basename(url.pathname));
    if (!fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  let n = 0;
  return {
    origin,
    async open(browser, { theme = 'dark', state, initial = [], decimation = true, viewport = { width: 1100, height: 900 } }) {
      const t = THEMES[theme];
      if (!t) throw new Error(`unknown theme ${theme}`);
      const id = ++n;
      pages.set(
        `/theme-${id}.css`,
        `html { ${Object.entries(t.colours).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ')} --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace; }`,
      );
      const script = `window.sent = []; window.vscodeState = ${JSON.stringify(state ?? null)};
window.initial = ${JSON.stringify(initial).replace(/</g, '\\u003c')};
window.acquireVsCodeApi = () => ({
  postMessage(m) { window.sent.push(m); if (m.type === 'ready') for (const u of window.initial) window.postMessage(u, '*'); },
  getState() { return window.vscodeState; },
  setState(s) { window.vscodeState = s; },
});`;
      pages.set(
        `/page-${id}.html`,
        `<!DOCTYPE html><html lang="en"${decimation ? '' : ' data-decimation="off"'}><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${origin}; font-src ${origin}; script-src 'nonce-abc'">
<link rel="stylesheet" href="${origin}/theme-${id}.css"><link rel="stylesheet" href="${origin}/dashboard.css"></head>
<body class="${t.bodyClass}"><main id="app"><p class="status">Reading the run…</p></main>
<script nonce="abc">${script}</script>
<script nonce="abc" src="${origin}/dashboard.js"></script></body></html>`,
      );
      const page = await browser.newPage({ viewport });
      await page.goto(`${origin}/page-${id}.html`);
      return page;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}


/**
 * A plausible training history: batch losses every few steps (noisy, decaying), epoch lines with
 * validation, starting at `start` (ms). `rate` scales how fast it learns.
 */
export function syntheticHistory(options: { epochs: number; stepsPerEpoch: number; every?: number; start: number; rate: number; seed: number; msPerStep?: number }): DashboardPoint[] {
  const { epochs, stepsPerEpoch, every = 5, start, rate, seed, msPerStep = 40 } = options;
  const rnd = random(seed);
  const points: DashboardPoint[] = [];
  const lossAt = (step: number) => 0.08 + 2.2 * Math.exp((-rate * step) / stepsPerEpoch);
  for (let e = 1; e <= epochs; e++) {
    for (let s = (e - 1) * stepsPerEpoch + every; s <= e * stepsPerEpoch; s += every) {
      const noise = 1 + 0.35 * (rnd() - 0.5) * 2;
      points.push({ kind: 'batch', epoch: e, step: s, time: start + s * msPerStep, loss: lossAt(s) * noise });
    }
    const step = e * stepsPerEpoch;
    const loss = lossAt(step) * 1.05;
    const valLoss = loss * (1.05 + 0.02 * e) + 0.02 * rnd();
    const acc = Math.min(0.995, 1 - loss / 2.4);
    points.push({ kind: 'epoch', epoch: e, step, time: start + step * msPerStep + 300, loss, acc, val_loss: valLoss, val_acc: Math.max(0, acc - 0.02 - 0.004 * e * rnd()) });
  }
  return points;
}

export function run(over: Partial<DashboardRun> & Pick<DashboardRun, 'runId'>): DashboardRun {
  return {
    runDir: `/work/runs/${over.runId}`, model: 'lenet.model.ts', data: 'synthetic:shapes', status: 'completed', backend: 'wasm',
    startTime: Date.UTC(2026, 10, 27, 22, 45), stoppable: false, ...over,
  };
}
