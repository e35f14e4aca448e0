/**
 * The model summary page (dist/webviews/modelSummary.js): per layer its name, type, output shape,
 * parameters (trainable and not), MACs per sample and receptive field, with totals in human units, like
 * the course's LeNet vs AlexNet complexity table. A click on a row (or Enter on it) reveals the layer's
 * line in the model file.
 */
import type { LayerSummary, ModelSummary } from '../../src/protocol/engineTypes';
import type { ModelSummaryAction, ModelSummaryUpdate } from '../../src/protocol/webview';
import { button } from '../shared/button';
import { el } from '../shared/dom';
import { onMessages, webviewApi } from '../shared/vscode';
import { grouped, humanCount, humanMacs, percent, shapeText } from './format';
import './style.css';

const vscode = webviewApi<ModelSummaryAction>();
const app = document.getElementById('app')!;

function render(update: ModelSummaryUpdate): void {
  if (update.type === 'loading') {
    document.body.classList.add('busy');
    if (!app.querySelector('table')) app.replaceChildren(el('h1', {}, update.title), el('p', { class: 'status' }, 'Building the model…'));
    return;
  }
  document.body.classList.remove('busy');
  if (update.type === 'error') {
    const where = update.line ? el('a', { href: '#', class: 'line-link' }, `line ${update.line}`) : undefined;
    where?.addEventListener('click', (e) => {
      e.preventDefault();
      vscode.postMessage({ type: 'reveal', line: update.line! });
    });
    app.replaceChildren(
      el('h1', {}, update.title),
      el('p', { class: 'error', role: 'alert' }, 'The model does not build: ', update.message, ...(where ? [' (', where, ')'] : [])),
      el('div', { class: 'actions' }, button('Try Again', () => vscode.postMessage({ type: 'refresh' }))),
    );
    return;
  }
  app.replaceChildren(...summaryPage(update.title, update.summary));
}

function bar(share: number): HTMLElement {
  const b = el('span', { class: 'share', 'aria-hidden': 'true' });
  b.style.width = `${Math.max(0, Math.min(1, share)) * 100}%`;
  return b;
}

function summaryPage(title: string, s: ModelSummary): HTMLElement[] {
  const totals = el(
    'dl',
    { class: 'facts' },
    el('dt', {}, 'input'),
    el('dd', {}, `${s.inputShape.join('×')}${s.data ? ` (from ${s.data})` : ''}`),
    el('dt', {}, 'classes'),
    el('dd', {}, String(s.numClasses)),
    el('dt', {}, 'parameters'),
    el('dd', { title: `${grouped(s.totalParams)} parameters` }, `${humanCount(s.totalParams)} (${grouped(s.totalParams)}; trainable ${grouped(s.trainableParams)}, non-trainable ${grouped(s.nonTrainableParams)})`),
    el('dt', {}, 'MACs per sample'),
    el('dd', { title: `${grouped(s.totalMacs)} multiply-accumulates` }, `${humanMacs(s.totalMacs)}MACs (${grouped(s.totalMacs)})`),
  );
  const anyNonTrainable = s.layers.some((l) => l.params !== l.trainableParams);
  const anyRf = s.layers.some((l) => l.receptiveField != null);
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col' }, 'Layer'),
    el('th', { scope: 'col' }, 'Type'),
    el('th', { scope: 'col' }, 'Output shape'),
    el('th', { scope: 'col', class: 'num' }, 'Params'),
    ...(anyNonTrainable ? [el('th', { scope: 'col', class: 'num' }, 'Non-trainable')] : []),
    el('th', { scope: 'col', class: 'num' }, 'MACs'),
    ...(anyRf ? [el('th', { scope: 'col', class: 'num', title: 'Receptive field: side of the input window one output position sees (total stride in brackets)' }, 'RF (stride)')] : []),
    el('th', { scope: 'col', class: 'num' }, 'Line'),
  );
  const body = el('tbody');
  for (const l of s.layers) body.append(row(l, s, anyNonTrainable, anyRf));
  const foot = el(
    'tr',
    { class: 'total' },
    el('th', { scope: 'row', colspan: '3' }, `Total (${s.layers.length} layers)`),
    el('td', { class: 'num', title: grouped(s.totalParams) }, humanCount(s.totalParams)),
    ...(anyNonTrainable ? [el('td', { class: 'num' }, humanCount(s.nonTrainableParams))] : []),
    el('td', { class: 'num', title: grouped(s.totalMacs) }, humanMacs(s.totalMacs)),
    ...(anyRf ? [el('td')] : []),
    el('td'),
  );
  const table = el('table', { class: 'summary', 'aria-label': `Layers of ${s.name}` }, el('thead', {}, head), body, el('tfoot', {}, foot));
  return [
    el('header', {}, el('h1', {}, `${s.name}`, el('span', { class: 'subtitle' }, ` · ${title}`)), totals, el('div', { class: 'actions' }, button('Refresh', () => vscode.postMessage({ type: 'refresh' }), { secondary: true }))),
    el('p', { class: 'note' }, 'Click a row to reveal the line that created the layer. Bars: share of the model’s parameters and MACs.'),
    el('div', { class: 'table-wrap' }, table),
    el('p', { class: 'note' }, `MACs ${s.macsConvention}`),
  ];
}

function row(l: LayerSummary, s: ModelSummary, anyNonTrainable: boolean, anyRf: boolean): HTMLElement {
  const tr = el(
    'tr',
    {},
    el('td', { class: 'name' }, l.name),
    el('td', {}, l.type),
    el('td', { class: 'shape' }, shapeText(l.outputShape)),
    el('td', { class: 'num bar-cell', title: `${grouped(l.params)} parameters (${percent(l.params / Math.max(1, s.totalParams))})` }, bar(l.params / Math.max(1, s.totalParams)), el('span', {}, l.params ? humanCount(l.params) : '–')),
    ...(anyNonTrainable ? [el('td', { class: 'num' }, l.params - l.trainableParams ? humanCount(l.params - l.trainableParams) : '–')] : []),
    el('td', { class: 'num bar-cell', title: `${grouped(l.macs)} MACs (${percent(l.macs / Math.max(1, s.totalMacs))})` }, bar(l.macs / Math.max(1, s.totalMacs)), el('span', {}, l.macs ? humanMacs(l.macs) : '–')),
    ...(anyRf ? [el('td', { class: 'num' }, l.receptiveField != null ? `${l.receptiveField}${l.jump != null ? ` (${l.jump})` : ''}` : '–')] : []),
    el('td', { class: 'num' }, l.line !== null ? String(l.line) : '–'),
  );
  if (l.line !== null) {
    const line = l.line;
    tr.classList.add('clickable');
    tr.tabIndex = 0;
    tr.title = `Reveal line ${line}`;
    tr.addEventListener('click', () => vscode.postMessage({ type: 'reveal', line }));
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        vscode.postMessage({ type: 'reveal', line });
      }
    });
  }
  return tr;
}

onMessages<ModelSummaryUpdate>(render);
vscode.postMessage({ type: 'ready' });
