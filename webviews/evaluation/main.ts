/**
 * The Evaluation view (dist/webviews/evaluation.js): a run's evaluation report beside the code. The
 * confusion matrix as a heat map (counts or row-normalised; a click on a cell shows its samples), summary
 * facts, per-class bars, the reliability diagram and the most confident mistakes; split and checkpoint
 * picks and Re-run. The extension reads the saved report or asks the engine; this page only draws.
 */
import type { EvalCheckpoint, EvalSplit, EvaluatedSample } from '../../src/protocol/engineTypes';
import type { EvaluationAction, EvaluationContext, EvaluationSummary, EvaluationUpdate } from '../../src/protocol/webview';
import { button } from '../shared/button';
import { select } from '../shared/controls';
import { el } from '../shared/dom';
import { onMessages, webviewApi } from '../shared/vscode';
import { perClassBars, reliabilityDiagram } from './charts';
import type { MatrixMode } from './confusion';
import { decimal, integer, percent } from './format';
import { receivePictures, thumbnails } from './gallery';
import { confusionMatrix } from './matrix';
import './style.css';

const vscode = webviewApi<EvaluationAction>();
const app = document.getElementById('app')!;

let context: EvaluationContext | undefined;
let report: EvaluationSummary | undefined;
let gallery: { label: number; predicted: number; total: number; samples: EvaluatedSample[] } | undefined;
let mode: MatrixMode = 'counts';
let large = false;
const choice: { split: EvalSplit; checkpoint: EvalCheckpoint } = { split: 'val', checkpoint: 'best' };

const status = el('p', { class: 'status', role: 'status' });
const toolbar = el('div', { class: 'toolbar' });
const body = el('div', { class: 'report' });

function post(message: EvaluationAction): void {
  vscode.postMessage(message);
}

function setStatus(text: string, kind: 'info' | 'busy' | 'error'): void {
  status.textContent = text;
  status.className = kind === 'error' ? 'status error' : 'status';
  document.body.classList.toggle('busy', kind === 'busy');
}

function buildToolbar(): void {
  const checkpoints: [string, string][] = context?.hasBest === false ? [['last', 'last']] : [['best', 'best'], ['last', 'last']];
  toolbar.replaceChildren(
    select('Split', [['test', 'test (held out)'], ['val', 'validation carve'], ['train', 'train']], choice.split, (v) => {
      choice.split = v as EvalSplit;
      post({ type: 'show', split: choice.split, checkpoint: choice.checkpoint });
    }, 'split'),
    select('Checkpoint', checkpoints, choice.checkpoint, (v) => {
      choice.checkpoint = v as EvalCheckpoint;
      post({ type: 'show', split: choice.split, checkpoint: choice.checkpoint });
    }, 'checkpoint'),
    select('Matrix', [['counts', 'counts'], ['rows', 'row-normalised']], mode, (v) => {
      mode = v as MatrixMode;
      renderReport();
    }, 'matrix-mode'),
    select('Cells', [['fit', 'fit'], ['large', 'large']], large ? 'large' : 'fit', (v) => {
      large = v === 'large';
      renderReport();
    }, 'cell-size'),
    button('Re-run', () => post({ type: 'rerun', split: choice.split, checkpoint: choice.checkpoint }), { id: 'rerun', title: 'Evaluate again with the engine (the saved report is rewritten)' }),
  );
}

function header(): HTMLElement {
  const title = context ? `${context.runId}` : 'Evaluation';
  const sub = context ? `${context.model}${context.status ? ` · ${context.status}` : ''}` : '';
  return el('h1', {}, title, ' ', el('span', { class: 'subtitle' }, sub));
}

function facts(r: EvaluationSummary): HTMLElement {
  const rows: [string, string][] = [
    ['Samples', integer(r.count)],
    ['Loss', decimal(r.loss, 4)],
    ['Accuracy', percent(r.accuracy, 2)],
    [r.topK ? `Top-${r.topK.k}` : 'Top-k', r.topK ? percent(r.topK.accuracy, 2) : '– (5 classes or fewer)'],
    ['Macro F1', decimal(r.macroF1)],
    ['Weighted F1', decimal(r.weightedF1)],
    ['ECE (15 bins)', decimal(r.ece, 4)],
  ];
  return el('dl', { class: 'facts summary-facts' }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

function source(r: EvaluationSummary): string {
  const split = r.split === 'val' ? 'validation carve' : r.split === 'test' ? 'held-out test split' : 'training split';
  const normal = r.normalClasses ? ` · normal classes ${r.normalClasses.join(', ')}` : '';
  return `${r.checkpoint} checkpoint on the ${split} of ${r.data}${normal} · ${r.fromFile ? 'saved report' : 'evaluated now, saved'}: ${r.file}`;
}

function openSample(index: number): void {
  post({ type: 'openSample', index });
}

function renderGallery(): HTMLElement {
  if (!report) return el('section');
  const section = el('section', { class: 'gallery', id: 'gallery', 'aria-label': 'Samples of the chosen cell' });
  if (!gallery) {
    section.append(el('h2', {}, 'Samples'), el('p', { class: 'note' }, 'Click a cell of the matrix to see its samples.'));
    return section;
  }
  const g = gallery;
  const cls = report.classes;
  const what = g.label === g.predicted ? `true ${cls[g.label]}, predicted correctly` : `true ${cls[g.label]}, predicted ${cls[g.predicted]}`;
  section.append(
    el('h2', {}, `Samples: ${what}`, ' ', el('span', { class: 'meta' }, g.total > g.samples.length ? `the ${g.samples.length} most confident of ${integer(g.total)}` : `${integer(g.total)} sample${g.total === 1 ? '' : 's'}`)),
    g.samples.length ? thumbnails(g.samples, cls, openSample) : el('p', { class: 'note' }, 'No samples in this cell.'),
  );
  return section;
}

function renderReport(): void {
  if (!report) {
    app.replaceChildren(header(), toolbar, status);
    return;
  }
  const r = report;
  const matrixFocused = document.activeElement instanceof SVGSVGElement && document.activeElement.classList.contains('matrix');
  const selected = gallery ? { label: gallery.label, predicted: gallery.predicted } : undefined;
  const matrix = confusionMatrix(r, mode, large, selected, (label, predicted) => {
    gallery = { label, predicted, total: r.confusion[label][predicted], samples: [] };
    post({ type: 'cell', label, predicted });
    renderReport();
  });
  body.replaceChildren(
    el('p', { class: 'note source' }, source(r)),
    el(
      'div',
      { class: 'top' },
      el('section', { class: 'matrix-section' }, el('h2', {}, 'Confusion matrix', ' ', el('span', { class: 'meta' }, mode === 'rows' ? 'rows: true class, each row as shares in %' : 'rows: true class, columns: predicted')), el('div', { class: 'matrix-box' }, matrix)),
      el('section', { class: 'facts-section' }, el('h2', {}, 'Summary'), facts(r), el('h2', {}, 'Reliability'), reliabilityDiagram(r), el('p', { class: 'note legend' }, el('span', { class: 'key bar' }), 'accuracy ', el('span', { class: 'key tick' }), 'mean confidence ', el('span', { class: 'key diag' }), 'perfect calibration')),
    ),
    renderGallery(),
    el('section', { class: 'mistakes', 'aria-label': 'The most confident mistakes' }, el('h2', {}, 'Most confident mistakes'), r.mistakes.length ? thumbnails(r.mistakes, r.classes, openSample) : el('p', { class: 'note' }, 'No mistakes.')),
    el('section', { class: 'per-class-section' }, el('h2', {}, 'Per class'), el('p', { class: 'note legend' }, el('span', { class: 'key metric-0' }), 'precision ', el('span', { class: 'key metric-1' }), 'recall ', el('span', { class: 'key metric-2' }), 'F1'), perClassBars(r)),
  );
  if (!body.isConnected) app.replaceChildren(header(), toolbar, status, body);
  // A cell chosen with the keyboard redraws the matrix: the focus stays on it.
  if (matrixFocused) body.querySelector<SVGSVGElement>('svg.matrix')?.focus();
}

function render(update: EvaluationUpdate): void {
  switch (update.type) {
    case 'context':
      context = update.context;
      if (!context.hasBest) choice.checkpoint = 'last';
      buildToolbar();
      app.replaceChildren(header(), toolbar, status, ...(report ? [body] : []));
      return;
    case 'loading':
      setStatus(update.message, 'busy');
      return;
    case 'error':
      setStatus(update.message, 'error');
      // The picks go back to the report still shown.
      if (report && (choice.split !== report.split || choice.checkpoint !== report.checkpoint)) {
        choice.split = report.split;
        choice.checkpoint = report.checkpoint;
        buildToolbar();
      }
      return;
    case 'report': {
      const sameRun = report && report.split === update.report.split && report.checkpoint === update.report.checkpoint;
      report = update.report;
      choice.split = report.split;
      choice.checkpoint = report.checkpoint;
      if (!sameRun) gallery = undefined;
      else if (gallery) post({ type: 'cell', label: gallery.label, predicted: gallery.predicted });
      setStatus(`Accuracy ${percent(report.accuracy, 2)} on ${integer(report.count)} samples (${report.split}, ${report.checkpoint} checkpoint).`, 'info');
      buildToolbar();
      renderReport();
      return;
    }
    case 'gallery':
      gallery = { label: update.label, predicted: update.predicted, total: update.total, samples: update.samples };
      renderReport();
      return;
    case 'images':
      receivePictures(update.images, report?.classes ?? []);
      return;
  }
}

buildToolbar();
onMessages<EvaluationUpdate>(render);
post({ type: 'ready' });
