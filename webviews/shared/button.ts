/** A @vscode-elements button wired to a callback (its own module: a page with buttons only loads no other control). */
import '@vscode-elements/elements/dist/vscode-button/index.js';

export function button(label: string, onClick: () => void, options: { secondary?: boolean; id?: string; title?: string } = {}): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  if (options.secondary) b.setAttribute('secondary', '');
  if (options.id) b.id = options.id;
  if (options.title) b.title = options.title;
  b.addEventListener('click', onClick);
  return b;
}
