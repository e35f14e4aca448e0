/**
 * Screenshots of the dataset preview outside VS Code, to look at: the built page (dist/webviews/) under the
 * same Content-Security-Policy as in VS Code, with real previews from the engine's data/preview code, in
 * the Dark Modern, Light Modern and High Contrast colours.
 *
 *   npm run build && node --import tsx webviews/dev/screenshot.ts [out-dir] [dataset ...]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { previewData } from '../../src/engine/data/preview';
import { launchChromium, newPageWithProblems, startPageServer, themeCss, THEMES } from './pageServer';

const ROOT = path.resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  const [outDir = path.join(ROOT, 'scratch', 'preview-shots'), ...given] = process.argv.slice(2);
  const datasets = given.length ? given : ['synthetic:shapes', path.join(ROOT, '..', 'shared', 'datasets', 'mnist'), path.join(ROOT, '..', 'shared', 'datasets', 'cifar10-small')];
  fs.mkdirSync(outDir, { recursive: true });
  const server = await startPageServer();
  const { origin, pages } = server;
  const browser = await launchChromium();
  try {
    for (const data of datasets) {
      const preview = await previewData({ data, perClass: 10, augmented: 8, seed: 0 });
      const name = data.startsWith('synthetic:') ? data : path.basename(data);
      for (const [theme, colours] of Object.entries(THEMES)) {
        pages.set(`/theme-${theme}.css`, themeCss(colours));
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
        const { page, problems } = await newPageWithProblems(browser, { width: 1000, height: 900 });
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
