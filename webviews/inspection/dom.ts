/**
 * DOM helpers of the inspection pages: the number field (only these pages load the text field), line
 * links into the model file, canvases at the device pixel ratio, and the status line while the engine works.
 * Elements, buttons, selects and checkboxes are every page's (webviews/shared/).
 */
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { el } from '../shared/dom';

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
function showBusy(status: HTMLElement, message: string): void {
  document.body.classList.add('busy');
  status.className = 'status';
  status.removeAttribute('role');
  status.textContent = message;
}

/** An error in the status line, announced, with a link to the model file's line when it has one. */
function showError(status: HTMLElement, message: string, line: number | undefined, reveal: (line: number) => void): void {
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

/**
 * The status line's share of a page's updates: `loading` greys the results, `error` shows the message
 * (with its model line). Returns false for the page's other updates, which the page shows itself.
 */
export function showProgress<U extends { type: string }>(status: HTMLElement, update: U, reveal: (line: number) => void): update is Extract<U, { type: 'loading' | 'error' }> {
  const u = update as unknown as { type: string; message: string; line?: number };
  if (u.type === 'loading') showBusy(status, u.message);
  else if (u.type === 'error') showError(status, u.message, u.line, reveal);
  else return false;
  return true;
}
