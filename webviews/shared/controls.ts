/**
 * The @vscode-elements form controls the pages share, wired to callbacks: a labelled single-select and a
 * checkbox (the inspection pages' number field is theirs: only they load the text field).
 */
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { el } from './dom';

export interface SelectElement extends HTMLElement {
  value: string;
}

/** A labelled single-select; `onChange` gets the chosen value. */
export function select(label: string, options: readonly (readonly [value: string, text: string])[], value: string, onChange: (value: string) => void, id?: string): HTMLElement {
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

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void, id?: string): HTMLElement {
  const c = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  if (id) c.id = id;
  c.setAttribute('label', label);
  if (checked) c.setAttribute('checked', '');
  c.addEventListener('change', () => onChange(c.checked));
  return c;
}
