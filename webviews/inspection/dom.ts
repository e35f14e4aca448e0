/**
 * Small DOM helpers shared by the inspection pages: elements with text children (never HTML strings),
 * and the @vscode-elements controls they use, wired to callbacks.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

export function button(label: string, onClick: () => void, options: { secondary?: boolean; id?: string; title?: string } = {}): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  if (options.secondary) b.setAttribute('secondary', '');
  if (options.id) b.id = options.id;
  if (options.title) b.title = options.title;
  b.addEventListener('click', onClick);
  return b;
}

export interface SelectElement extends HTMLElement {
  value: string;
}

/** A labelled single-select; `onChange` gets the chosen value. */
export function select(label: string, options: [value: string, text: string][], value: string, onChange: (value: string) => void, id?: string): HTMLElement {
  const s = document.createElement('vscode-single-select') as unknown as SelectElement;
  if (id) s.id = id;
  s.setAttribute('aria-label', label);
  for (const [v, text] of options) {
    const o = document.createElement('vscode-option');
    o.setAttribute('value', v);
    if (v === value) o.setAttribute('selected', '');
    o.textContent = text;
    s.append(o);
  }
  s.addEventListener('change', () => onChange(s.value));
  return el('label', { class: 'control' }, el('span', { class: 'control-label' }, label), s);
}

export interface TextFieldElement extends HTMLElement {
  value: string;
}

export function numberField(label: string, value: number, min: number, max: number, onChange: (value: number) => void, id?: string): HTMLElement {
  const t = document.createElement('vscode-textfield') as unknown as TextFieldElement;
  if (id) t.id = id;
  t.setAttribute('type', 'number');
  t.setAttribute('min', String(min));
  t.setAttribute('max', String(max));
  t.setAttribute('aria-label', label);
  t.setAttribute('value', String(value));
  t.classList.add('number');
  const read = () => {
    const v = Math.round(Number(t.value));
    if (Number.isFinite(v)) onChange(Math.max(min, Math.min(max, v)));
  };
  t.addEventListener('change', read);
  t.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter') read();
  });
  return el('label', { class: 'control' }, el('span', { class: 'control-label' }, label), t);
}

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void, id?: string): HTMLElement {
  const c = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  if (id) c.id = id;
  c.setAttribute('label', label);
  if (checked) c.setAttribute('checked', '');
  c.addEventListener('change', () => onChange(c.checked));
  return c;
}

/** A "line N" link that asks the extension to reveal the model file's line. */
export function lineLink(line: number | null, reveal: (line: number) => void): HTMLElement {
  if (line === null) return el('span', { class: 'muted', title: 'The line that created this layer is not known (another file, or built outside the model file).' }, '—');
  const a = el('a', { href: '#', class: 'line-link', title: `Reveal line ${line} in the model file` }, `line ${line}`);
  a.addEventListener('click', (e) => {
    e.preventDefault();
    reveal(line);
  });
  return a;
}

/** A VS Code theme colour (a CSS variable), with a fallback for pages shown outside VS Code. */
export function themeColour(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(`--vscode-${name}`).trim();
  return v || fallback;
}

/** A canvas sized in CSS pixels, backed at the device pixel ratio; returns its 2D context scaled to CSS pixels. */
export function sizedCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const ratio = Math.max(1, Math.round(window.devicePixelRatio || 1));
  canvas.width = Math.max(1, Math.round(width * ratio));
  canvas.height = Math.max(1, Math.round(height * ratio));
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.imageSmoothingEnabled = false;
  return ctx;
}

/** The status line while the engine works (the page greys its results meanwhile: body.busy). */
export function showBusy(status: HTMLElement, message: string): void {
  document.body.classList.add('busy');
  status.className = 'status';
  status.removeAttribute('role');
  status.textContent = message;
}

/** An error in the status line, announced, with a link to the model file's line when it has one. */
export function showError(status: HTMLElement, message: string, line: number | undefined, reveal: (line: number) => void): void {
  document.body.classList.remove('busy');
  status.className = 'error';
  status.setAttribute('role', 'alert');
  status.replaceChildren(message, ...(line ? [' (', lineLink(line, reveal), ')'] : []));
}

/** Results arrived: the status line back to normal. */
export function showDone(status: HTMLElement): void {
  document.body.classList.remove('busy');
  status.className = 'status';
  status.removeAttribute('role');
}
