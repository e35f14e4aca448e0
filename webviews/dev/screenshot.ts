/**
 * Screenshots of the dataset preview outside VS Code, to look at: the built page (dist/webviews/) under the
 * same Content-Security-Policy as in VS Code, with real previews from the engine's data/preview code, in
 * the Dark Modern, Light Modern and High Contrast colours.
 *
 *   npm run build && node --import tsx webviews/dev/screenshot.ts [out-dir] [dataset ...]
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { previewData } from '../../src/engine/data/preview';

const ROOT = path.resolve(__dirname, '..', '..');
const THEMES: Record<string, Record<string, string>> = {
  dark: {
    foreground: '#cccccc', 'editor-background': '#1f1f1f', descriptionForeground: '#9d9d9d', 'widget-border': '#313131',
    'charts-blue': '#3794ff', 'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1',
    'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c',
    'button-border': '#ffffff12', 'editorWidget-background': '#202020', focusBorder: '#0078d4', errorForeground: '#f85149',
    'editorWarning-foreground': '#cca700',
  },
  light: {
    foreground: '#3b3b3b', 'editor-background': '#ffffff', descriptionForeground: '#3b3b3b', 'widget-border': '#e5e5e5',
    'charts-blue': '#1a85ff', 'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8',
    'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc',
    'button-border': '#0000001a', 'editorWidget-background': '#f8f8f8', focusBorder: '#005fb8', errorForeground: '#f85149',
    'editorWarning-foreground': '#bf8803',
  },
  'high-contrast': {
    foreground: '#ffffff', 'editor-background': '#000000', descriptionForeground: '#ffffff', contrastBorder: '#6fc3df',
    'charts-blue': '#3794ff', 'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df',
    'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff', 'editorWidget-background': '#0c141f',
    focusBorder: '#f38518', errorForeground: '#f48771', 'editorWarning-foreground': '#ffd370',
  },
};

async function main(): Promise<void> {
  const [outDir = path.join(ROOT, 'scratch', 'preview-shots'), ...given] = process.argv.slice(2);
  const datasets = given.length ? given : ['synthetic:shapes', path.join(ROOT, '..', 'shared', 'datasets', 'mnist'), path.join(ROOT, '..', 'shared', 'datasets', 'cifar10-small')];
  fs.mkdirSync(outDir, { recursive: true });
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
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  try {
    for (const data of datasets) {
      const preview = await previewData({ data, perClass: 10, augmented: 8, seed: 0 });
      const name = data.startsWith('synthetic:') ? data : path.basename(data);
      for (const [theme, colours] of Object.entries(THEMES)) {
        pages.set(`/theme-${theme}.css`, `html { ${Object.entries(colours).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ')} --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace; }`);
        const message = JSON.stringify({ type: 'preview', name, spec: data, preview });
        pages.set(
          `/${theme}.html`,
          `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src ${origin}; font-src ${origin}; script-src 'nonce-abc'">
<link rel="stylesheet" href="${origin}/theme-${theme}.css"><link rel="stylesheet" href="${origin}/datasetPreview.css"></head>
<body><main id="app"><p class="status">Reading the dataset…</p></main>
<script nonce="abc">window.sent = []; window.acquireVsCodeApi = () => ({ postMessage(m) { window.sent.push(m); if (m.type === 'ready') setTimeout(() => window.postMessage(${message.replace(/</g, '\\u003c')}, '*'), 0); } });</script>
<script nonce="abc" src="${origin}/datasetPreview.js"></script></body></html>`,
        );
        const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
        const problems: string[] = [];
        page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(m.text()));
        page.on('pageerror', (e) => problems.push(String(e)));
        await page.goto(`${origin}/${theme}.html`);
        await page.waitForSelector('.histogram svg', { timeout: 20_000 });
        await page.waitForTimeout(300);
        const file = path.join(outDir, `${name.replace(/[^\w.-]+/g, '_')}-${theme}.png`);
        await page.screenshot({ path: file, fullPage: true });
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
