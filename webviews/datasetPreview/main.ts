/**
 * The dataset preview page (bundled by scripts/build.mjs to dist/webviews/datasetPreview.js): the summary,
 * a grid of samples per class, a histogram of the classes, and augmented versions of one sample. Every
 * message from the extension is validated (src/protocol/webview.ts) before it is shown; text goes in as
 * text (class names are folder names), images as data: URLs of base64 PNGs.
 */
import type { DataPreviewResult, PreviewImage } from '../../src/protocol/engineTypes';
import type { DatasetPreviewAction, DatasetPreviewUpdate } from '../../src/protocol/webview';
import { button } from '../shared/button';
import { el, svg } from '../shared/dom';
import { onMessages, webviewApi } from '../shared/vscode';
import './style.css';

const vscode = webviewApi<DatasetPreviewAction>();
const app = document.getElementById('app')!;
const fmt = (n: number) => n.toLocaleString('en-US');

/** A button that asks the extension for `action` (Shuffle, Train, Copy Dataset Spec, Try Again). */
function actionButton(label: string, action: DatasetPreviewAction['type'], secondary = false, id?: string): HTMLElement {
  return button(label, () => vscode.postMessage({ type: action } as DatasetPreviewAction), { secondary, id });
}

/** Small images scaled up by a whole factor (crisp pixels), to about 56 px. */
function image(img: PreviewImage, alt: string, target = 56): HTMLImageElement {
  const side = Math.max(img.width, img.height);
  const scale = side >= target ? 1 : Math.max(1, Math.round(target / side));
  const e = el('img', { src: `data:image/png;base64,${img.png}`, alt, title: `${alt} · sample #${img.index}` });
  e.width = img.width * scale;
  e.height = img.height * scale;
  return e;
}

let lastPreview: { name: string; preview: DataPreviewResult } | undefined;

function render(update: DatasetPreviewUpdate): void {
  if (update.type === 'loading') {
    document.body.classList.add('busy');
    if (!lastPreview) app.replaceChildren(el('p', { class: 'status' }, `Reading ${update.name}…`));
    const shuffle = document.getElementById('shuffle');
    if (shuffle) shuffle.setAttribute('disabled', '');
    return;
  }
  document.body.classList.remove('busy');
  if (update.type === 'error') {
    lastPreview = undefined;
    app.replaceChildren(
      el('h1', {}, update.name),
      el('p', { class: 'error', role: 'alert' }, `Cannot preview this dataset: ${update.message}`),
      el('div', { class: 'actions' }, actionButton('Try Again', 'shuffle')),
    );
    return;
  }
  lastPreview = { name: update.name, preview: update.preview };
  const p = update.preview;
  app.replaceChildren(header(update.name, update.spec, p), ...samplesSection(p), histogramSection(p), ...augmentSection(p));
}

function header(name: string, spec: string, p: DataPreviewResult): HTMLElement {
  const s = p.summary;
  const splits = Object.entries(s.splits);
  const per = (v: number[]) => v.slice(0, 8).map((x) => x.toFixed(3)).join(', ') + (v.length > 8 ? `, … (${v.length})` : '');
  const facts: [string, string][] = [
    ['format', s.format],
    ['samples', fmt(s.count) + (splits.length ? ` (${splits.map(([k, v]) => `${k} ${fmt(v)}`).join(', ')})` : '')],
    ['shape', `${s.shape.join(' × ')} · ${s.dtype}`],
    ['classes', fmt(s.classes.length)],
    ['mean', per(s.mean) + (s.dtype === 'uint8' ? ' (per channel, pixels / 255)' : '')],
    ['std', per(s.std)],
  ];
  const dl = el('dl', { class: 'facts' });
  for (const [k, v] of facts) dl.append(el('dt', {}, k), el('dd', {}, v));
  const head = el(
    'header',
    {},
    el('h1', {}, name),
    el('p', { class: 'spec' }, spec),
    dl,
    el('div', { class: 'actions' }, actionButton('Shuffle', 'shuffle', false, 'shuffle'), actionButton('Train a Model on This Dataset', 'train', true), actionButton('Copy Dataset Spec', 'copySpec', true)),
  );
  if (s.description) head.insertBefore(el('p', { class: 'description' }, s.description), dl);
  if (s.warnings.length) head.append(el('ul', { class: 'warnings' }, ...s.warnings.map((w) => el('li', {}, w))));
  return head;
}

function samplesSection(p: DataPreviewResult): HTMLElement[] {
  const title = el('h2', {}, 'Samples per class');
  if (!p.classes.length) return [title, el('p', { class: 'note' }, p.note ?? 'No samples to show.')];
  const perClass = Math.max(...p.classes.map((c) => c.samples.length));
  const caption = el('p', { class: 'note' }, `${perClass} random samples of each class (seed ${p.seed}; Shuffle for others)${p.note ? `; ${p.note}` : ''}.`);
  const grid = el('div', { class: 'grid', role: 'table', 'aria-label': 'Samples per class' });
  for (const c of p.classes) {
    const label = el('div', { class: 'class-label', role: 'rowheader' }, el('span', { class: 'class-name' }, c.name), el('span', { class: 'class-count' }, fmt(c.count)));
    const images = el('div', { class: 'samples', role: 'cell' }, ...c.samples.map((s) => image(s, c.name)));
    if (!c.samples.length) images.append(el('span', { class: 'note' }, 'no samples'));
    grid.append(el('div', { class: 'row', role: 'row' }, label, images));
  }
  return [title, caption, grid];
}

function histogramSection(p: DataPreviewResult): HTMLElement {
  const { classes, classCounts, count } = p.summary;
  const section = el('section', { class: 'histogram' }, el('h2', {}, 'Classes'));
  if (!classes.length) return section;
  const max = Math.max(1, ...classCounts);
  const longest = Math.max(...classes.map((c) => c.length));
  const labelW = Math.min(200, 16 + longest * 7.5);
  const barW = 320;
  const rowH = 22;
  const countW = 110;
  const width = labelW + barW + countW;
  const height = classes.length * rowH + 4;
  const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart' });
  chart.append(svg('title', {}, `Samples per class: ${classes.map((c, i) => `${c} ${classCounts[i]}`).join(', ')}`));
  classes.forEach((name, i) => {
    const y = i * rowH + 2;
    const w = Math.max(1, (classCounts[i] / max) * barW);
    const shown = name.length > 26 ? `${name.slice(0, 25)}…` : name;
    chart.append(
      svg('text', { x: labelW - 8, y: y + rowH / 2, class: 'label', 'text-anchor': 'end', 'dominant-baseline': 'central' }, shown),
      svg('rect', { x: labelW, y: y + 3, width: w, height: rowH - 6, rx: 2, class: 'bar' }),
      svg('text', { x: labelW + w + 6, y: y + rowH / 2, class: 'count', 'dominant-baseline': 'central' }, `${fmt(classCounts[i])} (${((100 * classCounts[i]) / Math.max(1, count)).toFixed(1)}%)`),
    );
  });
  chart.append(svg('line', { x1: labelW, y1: 0, x2: labelW, y2: height, class: 'axis' }));
  section.append(el('p', { class: 'note' }, `${fmt(count)} samples in ${fmt(classes.length)} classes, every split included.`), chart);
  return section;
}

function augmentSection(p: DataPreviewResult): HTMLElement[] {
  const a = p.augmentation;
  if (!a) return [];
  const className = p.summary.classes[a.classIndex] ?? `class ${a.classIndex}`;
  const origin =
    a.origin === 'dataset'
      ? "the dataset's own augmentation"
      : 'a default augmentation for the preview (this dataset asks for none; a model file sets its own with training.augment)';
  const original = el('figure', { class: 'original' }, image(a.original, `${className} (original)`, 72), el('figcaption', {}, 'original'));
  const versions = a.augmented.map((img, i) => el('figure', {}, image(img, `${className}, augmented ${i + 1}`, 72), el('figcaption', {}, `#${i + 1}`)));
  return [
    el('h2', {}, 'Augmentation'),
    el('p', { class: 'note' }, `One "${className}" sample and ${a.augmented.length} augmented versions: ${a.description}; ${origin}.`),
    el('div', { class: 'augmented' }, original, el('div', { class: 'separator', 'aria-hidden': 'true' }), ...versions),
  ];
}

onMessages<DatasetPreviewUpdate>(render);
vscode.postMessage({ type: 'ready' });
