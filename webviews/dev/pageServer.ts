/**
 * What the screenshot scripts (dashboardScreenshot.ts, inspectionShots.ts, screenshot.ts) and the dashboard
 * benchmark share: VS Code's Dark Modern, Light Modern and High Contrast themes (the body class and the
 * --vscode-* variables the pages read), a local server for the built pages (dist/webviews/), each page as
 * the extension writes it (src/extension/webviewHtml.ts: the same Content-Security-Policy and placeholder)
 * with a fake acquireVsCodeApi that records what the page posts and answers `ready` with the messages
 * given, and Chromium (Debian's, or CHROMIUM_PATH).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { webviewHtml } from '../../src/extension/shared/webviewHtml';
import themeColours from './themeColours.json';

const ROOT = path.resolve(__dirname, '..', '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Each variable in [dark, light, high contrast] (null where the theme leaves it unset): VS Code's own colours. */
const COLOURS: Record<string, (string | null)[]> = themeColours;

export interface Theme {
  bodyClass: string;
  colours: Record<string, string>;
}

function theme(bodyClass: string, column: number): Theme {
  const colours = Object.entries(COLOURS).filter(([, v]) => v[column] !== null).map(([k, v]) => [k, v[column] as string]);
  return { bodyClass, colours: Object.fromEntries(colours) };
}

export const THEMES: Record<string, Theme> = {
  dark: theme('vscode-dark', 0),
  light: theme('vscode-light', 1),
  'high-contrast': theme('vscode-high-contrast', 2),
};

/** A theme as the stylesheet VS Code gives a webview: its colours as --vscode-* variables. */
function themeCss(colours: Record<string, string>): string {
  const vars = Object.entries(colours).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ');
  return `html { ${vars} --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace; }`;
}

export interface PageOptions {
  /** The bundle in dist/webviews/ (dashboard, datasetPreview, modelSummary, featureMaps, ...). */
  bundle: string;
  theme: string;
  /** What the extension shows until the script has drawn (the panel's placeholder). */
  placeholder: string;
  /** Posted to the page, in order, when it says `ready`. */
  messages?: unknown[];
  /** What getState returns (a restored panel's state). */
  state?: unknown;
  /** The page shows base64 PNGs (img-src data:, as its panel allows). */
  dataImages?: boolean;
  /** The page updates continually (not aria-live, as its panel says). */
  live?: boolean;
  /** Attributes for <html>, e.g. ` data-decimation="off"`. */
  htmlAttributes?: string;
}

export interface PageServer {
  origin: string;
  /** Writes a page for these options; returns its URL. */
  page(options: PageOptions): string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = { '.css': 'text/css', '.json': 'application/json', '.js': 'text/javascript' };

/** Serves the pages it writes, then the built webview bundles by file name, on 127.0.0.1. */
export async function startPageServer(): Promise<PageServer> {
  const pages = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = pages.get(url.pathname);
    const type = CONTENT_TYPES[path.extname(url.pathname)] ?? 'text/html';
    if (body !== undefined) return void res.writeHead(200, { 'content-type': type }).end(body);
    const file = path.join(ROOT, 'dist', 'webviews', path.basename(url.pathname));
    if (!fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  let n = 0;
  return {
    origin,
    page(options) {
      const t = THEMES[options.theme];
      if (!t) throw new Error(`unknown theme ${options.theme} (one of ${Object.keys(THEMES).join(', ')})`);
      const id = ++n;
      pages.set(`/theme-${id}.css`, themeCss(t.colours));
      const stub = `window.sent = []; window.vscodeState = ${JSON.stringify(options.state ?? null)};
window.initial = ${JSON.stringify(options.messages ?? []).replace(/</g, '\\u003c')};
window.acquireVsCodeApi = () => ({
  postMessage(m) { window.sent.push(m); if (m.type === 'ready') for (const u of window.initial) window.postMessage(u, '*'); },
  getState() { return window.vscodeState; },
  setState(s) { window.vscodeState = s; },
});`;
      const html = webviewHtml({
        cspSource: origin, scriptUri: `${origin}/${options.bundle}.js`, styleUri: `${origin}/${options.bundle}.css`, nonce: 'abc',
        title: options.bundle, placeholder: options.placeholder, dataImages: options.dataImages, live: options.live,
      });
      // VS Code adds the theme (its variables and body class) to the extension's page; the stub stands in for VS Code.
      pages.set(`/page-${id}.html`, insert(html, [
        ['<html lang="en">', `<html lang="en"${options.htmlAttributes ?? ''}>`],
        ['<link rel="stylesheet"', `<link rel="stylesheet" href="${origin}/theme-${id}.css">\n<link rel="stylesheet"`],
        ['<body>', `<body class="${t.bodyClass}">`],
        ['<script nonce="abc" src=', `<script nonce="abc">${stub}</script>\n<script nonce="abc" src=`],
      ]));
      return `${origin}/page-${id}.html`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function insert(html: string, edits: [at: string, by: string][]): string {
  for (const [at, by] of edits) {
    if (!html.includes(at)) throw new Error(`webviewHtml's page has no ${at} any more: update webviews/dev/pageServer.ts`);
    html = html.replace(at, by);
  }
  return html;
}

function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** A page that records its console errors and warnings and uncaught errors, to print beside its screenshot. */
async function newPageWithProblems(browser: Browser, viewport: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
  return { page, problems };
}

export interface Shot {
  /** The file is `<name>-<theme>.png`. */
  name: string;
  page: Omit<PageOptions, 'theme'>;
  /** The page has drawn: a selector, or a function run in the page. */
  ready: string | (() => unknown);
  viewport?: { width: number; height: number };
  /** Milliseconds to let it settle after `ready` (default 400). */
  wait?: number;
  /** Acts on the page (click, hover) before a viewport-sized screenshot (full page otherwise). */
  act?: (page: Page) => Promise<void>;
  /** Default: every theme. */
  themes?: string[];
}

/** Each shot in each of its themes, saved in `outDir`; prints each file with the problems its page reported. */
export async function takeScreenshots(outDir: string, shots: Shot[]): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const server = await startPageServer();
  const browser = await launchChromium();
  try {
    for (const shot of shots) {
      for (const theme of shot.themes ?? Object.keys(THEMES)) {
        const { page, problems } = await newPageWithProblems(browser, shot.viewport ?? { width: 1100, height: 900 });
        await page.goto(server.page({ ...shot.page, theme }));
        if (typeof shot.ready === 'string') await page.waitForSelector(shot.ready, { timeout: 30_000 });
        else await page.waitForFunction(shot.ready, undefined, { timeout: 30_000 });
        await page.waitForTimeout(shot.wait ?? 400);
        if (shot.act) {
          await shot.act(page);
          await page.waitForTimeout(200);
        }
        const file = path.join(outDir, `${shot.name}-${theme}.png`);
        await page.screenshot({ path: file, fullPage: !shot.act });
        console.log(`${file}${problems.length ? `  problems: ${problems.join(' | ')}` : ''}`);
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
}
