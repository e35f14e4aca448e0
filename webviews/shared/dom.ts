/**
 * DOM helpers of every page: elements with text children (never HTML strings), SVG elements, and the VS
 * Code theme's CSS variables read from script (for canvases and charts, which CSS does not reach).
 */

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

export function svg(tag: string, attrs: Record<string, string | number> = {}, text?: string): SVGElement {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A VS Code theme variable (`--vscode-<name>`), with a fallback for pages shown outside VS Code. */
export function themeVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(`--vscode-${name}`).trim();
  return v || fallback;
}

/** The theme's chart colours (they keep their contrast in light, dark and high-contrast themes), then its text colour. */
export function chartPalette(): string[] {
  return [
    themeVar('charts-blue', '#3794ff'),
    themeVar('charts-orange', '#d18616'),
    themeVar('charts-green', '#89d185'),
    themeVar('charts-purple', '#b180d7'),
    themeVar('charts-red', '#f14c4c'),
    themeVar('charts-yellow', '#cca700'),
    themeVar('foreground', '#cccccc'),
  ];
}
