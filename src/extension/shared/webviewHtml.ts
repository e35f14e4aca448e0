/**
 * The page every webview of the extension starts from: a strict Content-Security-Policy (nothing by
 * default, the page's one script by nonce, its stylesheet and fonts from the bundle folder, images only
 * as data: URLs when the page draws them), the bundled stylesheet and script, and a placeholder until the
 * first message arrives.
 */
import { randomBytes } from 'node:crypto';

/** A fresh nonce for each page load: 128 random bits. */
export function nonce(): string {
  return randomBytes(16).toString('hex');
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface WebviewPage {
  /** webview.cspSource */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
  title: string;
  /** Shown until the script has drawn the page, e.g. "Reading the dataset…". */
  placeholder: string;
  /** Allow `data:` images (pages that show PNGs sent as base64). */
  dataImages?: boolean;
  /** Announce changes of the page to screen readers (default true; off for pages that update continually). */
  live?: boolean;
}

export function webviewHtml(page: WebviewPage): string {
  const { cspSource, scriptUri, styleUri, nonce: n, title, placeholder } = page;
  const csp = [
    `default-src 'none'`,
    ...(page.dataImages ? [`img-src data:`] : []),
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${n}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(styleUri)}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main id="app"${page.live === false ? '' : ' aria-live="polite"'}><p class="status">${escapeHtml(placeholder)}</p></main>
<script nonce="${n}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>`;
}
