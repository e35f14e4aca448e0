/**
 * What the screenshot scripts (screenshot.ts, inspectionShots.ts) share: VS Code's theme colours as CSS
 * variables, a local server for the built pages (dist/webviews/) and the pages a script writes, and
 * Debian's Chromium.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '..', '..');

/** Dark Modern, Light Modern and High Contrast: the variables the pages read. */
export const THEMES: Record<string, Record<string, string>> = {
  dark: {
    foreground: '#cccccc', 'editor-background': '#1f1f1f', descriptionForeground: '#9d9d9d', 'widget-border': '#313131',
    'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7', 'charts-red': '#f14c4c', 'charts-yellow': '#cca700',
    'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1',
    'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c',
    'button-border': '#ffffff12', 'editorWidget-background': '#202020', focusBorder: '#0078d4', errorForeground: '#f85149',
    'editorWarning-foreground': '#cca700', 'textLink-foreground': '#4daafc', 'list-hoverBackground': '#2a2d2e', 'list-inactiveSelectionBackground': '#37373d66',
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
    'editorWarning-foreground': '#bf8803', 'textLink-foreground': '#005fb8', 'list-hoverBackground': '#f2f2f2', 'list-inactiveSelectionBackground': '#e4e6f1',
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
    focusBorder: '#f38518', errorForeground: '#f48771', 'editorWarning-foreground': '#ffd370', 'textLink-foreground': '#21a6ff', 'list-hoverBackground': '#000000',
    'dropdown-background': '#000000', 'dropdown-border': '#6fc3df', 'dropdown-foreground': '#ffffff', 'input-background': '#000000', 'input-border': '#6fc3df', 'input-foreground': '#ffffff',
    'checkbox-background': '#000000', 'checkbox-border': '#6fc3df', 'settings-checkboxBorder': '#6fc3df',
    'settings-checkboxBackground': '#000000', 'settings-checkboxForeground': '#ffffff', 'settings-dropdownBackground': '#000000',
    'settings-dropdownBorder': '#6fc3df', 'settings-dropdownForeground': '#ffffff', 'settings-dropdownListBorder': '#6fc3df',
    'settings-textInputBackground': '#000000', 'settings-textInputForeground': '#ffffff', 'list-focusOutline': '#f38518',
  },
};

/** A theme as the stylesheet VS Code gives a webview: its colours as --vscode-* variables. */
export function themeCss(colours: Record<string, string>): string {
  const vars = Object.entries(colours).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ');
  return `html { ${vars} --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace; }`;
}

const CONTENT_TYPES: Record<string, string> = { '.css': 'text/css', '.json': 'application/json', '.js': 'text/javascript' };

export interface PageServer {
  origin: string;
  /** Written by the script: path -> body (served before dist/webviews/). */
  pages: Map<string, string>;
  close(): void;
}

/** Serves `pages`, then the built webview bundles by file name, on 127.0.0.1. */
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
  return { origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`, pages, close: () => server.close() };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** A page that records its console errors and warnings and uncaught errors, to print beside its screenshot. */
export async function newPageWithProblems(browser: Browser, viewport: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
  return { page, problems };
}
