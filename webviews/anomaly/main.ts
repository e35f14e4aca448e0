/**
 * The Anomaly view (dist/webviews/anomaly.js): a run scored by one method: AUROC, AUPRC and FPR95 with the
 * counts and classes of normal and anomalous samples, the score histograms of both groups, the ROC curve,
 * and the most and least anomalous samples with their scores (and recon/fpi maps). The extension computes
 * the view (src/extension/anomaly/anomalyModel.ts) and sends the samples' images after it; loading and
 * errors show in the one status line, over the report drawn last.
 */
import type { AnomalyAction, AnomalySample, AnomalyUpdate, AnomalyView } from '../../src/protocol/webview';
import { button } from '../shared/button';
import { el } from '../shared/dom';
import { onMessages, webviewApi } from '../shared/vscode';
import { histogramChart, rocChart } from './charts';
import { classRanges, rate } from './format';
import { decodeMaps, mapLegend, thumbnail } from './samples';
import './style.css';

const vscode = webviewApi<AnomalyAction>();
const app = document.getElementById('app')!;
const status = el('p', { class: 'status', role: 'status' });
const content = el('div', { class: 'content' });

let view: AnomalyView | undefined;
let samples: AnomalySample[] = [];
/** Re-run was clicked and its report has not come yet. */
let rerunning = false;
/** The histogram's box, redrawn at its width when the panel is resized. */
const histBox = el('div', { class: 'hist-chart' });
let histWidth = 0;
new ResizeObserver(() => drawHistogram()).observe(histBox);

function drawHistogram(): void {
  const width = histBox.clientWidth;
  if (!view || !width || width === histWidth) return;
  histWidth = width;
  histBox.replaceChildren(histogramChart(view, width));
}

const METHODS: Record<AnomalyView['method'], string> = {
  msp: 'maximum softmax probability',
  mahalanobis: 'Mahalanobis distance of features',
  knn: 'distance to the k-th nearest training feature',
  recon: 'reconstruction error',
  fpi: 'foreign patch interpolation',
};

/** The status line: a message while the engine works (`busy` greys the report being replaced), an error, or nothing. */
function setStatus(kind: 'busy' | 'error' | 'done', message = ''): void {
  document.body.classList.toggle('busy', kind === 'busy');
  status.className = kind === 'error' ? 'error' : 'status';
  if (kind === 'error') status.setAttribute('role', 'alert');
  else status.setAttribute('role', 'status');
  status.textContent = message;
}

/** Class names as the images told them (the report holds class numbers). */
function classNames(): Map<number, string> {
  const names = new Map<number, string>();
  const scored = view ? [...view.most, ...view.least] : [];
  for (const s of samples) {
    const label = scored.find((x) => x.index === s.index)?.label;
    if (label !== undefined && s.className !== null) names.set(label, s.className);
  }
  // Names only when every class shown is named (else numbers, as ranges).
  return names;
}

function facts(v: AnomalyView): HTMLElement {
  const names = classNames();
  const allNamed = [...v.normalClasses, ...v.anomalyClasses].every((c) => names.has(c));
  const classes = (list: number[]) => classRanges(list, allNamed ? names : undefined);
  const plural = (n: number, list: number[]) => `${n.toLocaleString('en-US')} samples of class${list.length === 1 ? '' : 'es'} ${classes(list)}`;
  const rows: [string, string][] = [
    ['AUROC', rate(v.auroc)],
    ['AUPRC', rate(v.auprc)],
    ['FPR at 95% TPR', rate(v.fpr95)],
    ['Normal', plural(v.normal, v.normalClasses)],
    ['Anomalous', plural(v.anomalous, v.anomalyClasses)],
    ['Split', `${v.split}, ${v.checkpoint} checkpoint`],
    ...(v.layer ? [['Layer', `${v.layer}${v.k ? ` (k = ${v.k})` : ''}`] as [string, string]] : []),
    ['Report', `${v.file.split(/[\\/]/).slice(-2).join('/')} (${v.saved ? 'saved earlier' : 'scored now'})`],
  ];
  return el('dl', { class: 'facts' }, ...rows.flatMap(([k, value]) => [el('dt', {}, k), el('dd', k === 'AUROC' || k === 'AUPRC' ? { class: 'metric' } : {}, value)]));
}

function samplesSection(v: AnomalyView): HTMLElement {
  const byIndex = new Map(samples.map((s) => [s.index, s]));
  const maps = v.maps && samples.some((s) => s.map) ? decodeMaps(v, samples) : undefined;
  const grid = (title: string, list: AnomalyView['most']) =>
    el('div', { class: 'group' }, el('h3', {}, title), el('div', { class: `samples${maps ? ' with-maps' : ''}` }, ...list.map((s) => thumbnail(s, byIndex.get(s.index), maps))));
  return el(
    'section',
    {},
    el('h2', {}, 'Samples'),
    ...(maps ? [mapLegend(maps, v.method)] : []),
    grid('Most anomalous', v.most),
    grid('Least anomalous', v.least),
  );
}

function draw(): void {
  if (!view) return;
  const v = view;
  content.replaceChildren(
    facts(v),
    el('div', { class: 'charts' }, el('section', { class: 'hist' }, el('h2', {}, 'Scores'), histBox), el('section', { class: 'roc-box' }, el('h2', {}, 'ROC curve'), rocChart(v))),
    samplesSection(v),
  );
  histWidth = 0;
  drawHistogram();
}

function layout(): void {
  app.replaceChildren(
    el('h1', { id: 'title' }, 'Anomalies'),
    status,
    el('div', { class: 'actions' }, button('Re-run', () => ((rerunning = true), vscode.postMessage({ type: 'rerun' })), { id: 'rerun', title: 'Score the samples again with the engine (the saved report is replaced)' })),
    content,
  );
}

function render(update: AnomalyUpdate): void {
  switch (update.type) {
    case 'loading':
      // The report drawn stays clear while its samples load; it greys only while it is being replaced.
      setStatus(rerunning || !view ? 'busy' : 'done', update.message);
      return;
    case 'error':
      rerunning = false;
      setStatus('error', update.message);
      return;
    case 'report':
      rerunning = false;
      view = update.view;
      samples = [];
      document.getElementById('title')!.replaceChildren(`Anomalies: ${view.runId} `, el('span', { class: 'subtitle' }, `${view.method}: ${METHODS[view.method]}`));
      setStatus('done');
      draw();
      return;
    case 'samples':
      samples = update.samples;
      setStatus('done');
      draw();
      return;
  }
}

layout();
onMessages<AnomalyUpdate>(render);
vscode.postMessage({ type: 'ready' });
