/**
 * The shift-equivariance probe (dist/webviews/equivariance.js): shift the sample by 0..v pixels (cyclic or
 * zero-filled) and chart, per layer, the equivariance error ‖f(Sx) − S′f(x)‖ / ‖f(x)‖ (S′ the shift
 * divided by the layer's total stride) and the change in the class probabilities. Convolutions alone
 * follow a shift; max-pooling and striding break it between multiples of the stride; blurring before
 * subsampling (BlurPool) reduces the damage.
 */
import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import type { EquivarianceResult, ShiftAxis, ShiftMode } from '../../src/protocol/engineTypes';
import type { EquivarianceAction, EquivarianceUpdate, InspectContext } from '../../src/protocol/webview';
import { MAX_PROBE_SHIFT } from '../../src/protocol/engineTypes';
import { button } from '../shared/button';
import { select } from '../shared/controls';
import { chartPalette, el, themeVar } from '../shared/dom';
import { onMessages, webviewApi } from '../shared/vscode';
import { lineLink, numberField, showDone, showProgress } from './dom';
import { percent, valueText } from './format';
import { contextCheckpoint, sampleChoice, type SampleState } from './sample';
import { sampleControls } from './sampleControls';
import { base64ToBytes } from './tensor';
import './style.css';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

const vscode = webviewApi<EquivarianceAction>();
const app = document.getElementById('app')!;

let context: InspectContext | undefined;
let result: EquivarianceResult | undefined;
const sample: SampleState = { mode: 'index', index: 0, classIndex: 0, seed: 1, checkpoint: 'untrained' };
const probe = { maxShift: 8, axis: 'x' as ShiftAxis, mode: 'cyclic' as ShiftMode };
const charts: Chart[] = [];

const status = el('p', { class: 'status', role: 'status' });
const toolbar = el('div', { class: 'toolbar' });
const results = el('div', { class: 'results' });

const post = (m: EquivarianceAction) => vscode.postMessage(m);
const run = () => post({ type: 'probe', sample: sampleChoice(sample), checkpoint: sample.checkpoint, ...probe });

function buildToolbar(): void {
  if (!context) return;
  toolbar.replaceChildren(
    ...sampleControls(context, sample, (rebuild) => {
      if (rebuild) buildToolbar();
    }),
    numberField(`Shifts up to (1–${MAX_PROBE_SHIFT} px)`, probe.maxShift, 1, MAX_PROBE_SHIFT, (v) => (probe.maxShift = v), 'max-shift'),
    select('Axis', [['x', 'x (right)'], ['y', 'y (down)'], ['both', 'both (diagonal)']], probe.axis, (v) => (probe.axis = v as typeof probe.axis), 'axis'),
    select('Mode', [['cyclic', 'cyclic (wrap around)'], ['zero', 'zero-filled']], probe.mode, (v) => (probe.mode = v as typeof probe.mode), 'mode'),
    button('Probe', run, { id: 'probe' }),
    button('Dataset…', () => post({ type: 'pickData' }), { secondary: true }),
  );
}

function explain(): HTMLElement {
  return el(
    'details',
    { class: 'explain', open: '' },
    el('summary', {}, 'What is measured'),
    el(
      'p',
      {},
      'The sample x is shifted by v pixels (S). A layer f is shift-equivariant when shifting its input shifts its output: f(Sx) = S′f(x), where S′ moves the output by v / (the layer’s total stride) positions. The chart shows the relative error ',
      el('code', {}, '‖f(Sx) − S′f(x)‖ / ‖f(x)‖'),
      ' per layer and shift; 0 means equivariant. For outputs without positions (dense layers), S′ is the identity, so the error measures invariance.',
    ),
    el(
      'p',
      {},
      'Convolutions (with cyclic shifts) are equivariant. Max-pooling and strided layers keep only one position in stride: shifts that are not multiples of the total stride (hollow points) change what survives, so the error jumps between those multiples — the network is neither equivariant nor invariant to small shifts. Blurring before subsampling (anti-aliased pooling, BlurPool) reduces that damage. Zero-filled shifts also lose the pixels shifted out, which adds error at the borders.',
    ),
  );
}

function render(update: EquivarianceUpdate): void {
  if (showProgress(status, update, (line) => post({ type: 'reveal', line }))) return;
  switch (update.type) {
    case 'context': {
      sample.checkpoint = contextCheckpoint(context, update.context, sample.checkpoint);
      context = update.context;
      buildToolbar();
      app.replaceChildren(
        el('header', {}, el('h1', {}, 'Shift equivariance', el('span', { class: 'subtitle' }, ` · ${context.title}`)), el('p', { class: 'note' }, `${context.run ? `run ${context.run.label} (${context.run.status})` : 'no run of this model yet: untrained weights'} · data ${context.data}`)),
        toolbar,
        explain(),
        status,
        results,
      );
      if (result) showResult(result);
      return;
    }
    case 'result':
      showDone(status);
      showResult(update.result);
      return;
  }
}

function chartOptions(title: string, yTitle: string, yMax?: number) {
  const fg = themeVar('foreground', '#ccc');
  const grid = themeVar('widget-border', 'rgba(128,128,128,0.3)');
  const font = { family: themeVar('font-family', 'sans-serif'), size: 12 };
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    color: fg,
    font,
    plugins: {
      legend: { position: 'bottom' as const, labels: { color: fg, boxWidth: 14, font } },
      title: { display: false, text: title },
      tooltip: { mode: 'index' as const, intersect: false },
    },
    scales: {
      x: { type: 'linear' as const, title: { display: true, text: 'shift (input pixels)', color: fg, font }, ticks: { color: fg, stepSize: 1, font }, grid: { color: grid } },
      y: { type: 'linear' as const, min: 0, ...(yMax !== undefined ? { max: yMax } : {}), title: { display: true, text: yTitle, color: fg, font }, ticks: { color: fg, font }, grid: { color: grid } },
    },
  };
}

function showResult(r: EquivarianceResult): void {
  result = r;
  for (const c of charts.splice(0)) c.destroy();
  const s = r.sample;
  status.textContent = `${s.file ? s.file.split(/[\\/]/).pop() : `sample #${s.index}`}${s.className ? ` (${s.className})` : ''} · checkpoint ${r.checkpoint} · shifts ${r.shifts[0]}–${r.shifts[r.shifts.length - 1]} px along ${r.axis}, ${r.mode}`;
  // Distinct line colours from the theme's chart palette, then dashes to tell more layers apart.
  const colours = chartPalette();
  const errorCanvas = el('canvas', { role: 'img', 'aria-label': 'Equivariance error per layer against the shift' });
  const probCanvas = el('canvas', { role: 'img', 'aria-label': 'Change of the class probabilities against the shift' });
  const predictions = r.predictions.map((p) => p.classes[p.predicted] ?? String(p.predicted));
  const table = el(
    'table',
    { class: 'summary' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Layer'), el('th', {}, 'Type'), el('th', { class: 'num' }, 'Stride'), el('th', { class: 'num' }, 'Mean error'), el('th', { class: 'num' }, 'Max error'), el('th', {}, 'Line'))),
    el(
      'tbody',
      {},
      ...r.layers.map((l) => {
        const errs = l.errors.map((e) => e ?? NaN).filter(Number.isFinite);
        const mean = errs.reduce((a, b) => a + b, 0) / Math.max(1, errs.length);
        return el('tr', {}, el('td', { class: 'name' }, l.layer), el('td', {}, l.type), el('td', { class: 'num' }, l.jump === null ? '–' : String(l.jump)), el('td', { class: 'num' }, valueText(mean)), el('td', { class: 'num' }, valueText(Math.max(0, ...errs))), el('td', {}, lineLink(l.line, (line) => post({ type: 'reveal', line }))));
      }),
    ),
  );
  results.replaceChildren(
    el(
      'div',
      { class: 'charts' },
      el('section', {}, el('h2', {}, 'Equivariance error per layer'), el('div', { class: 'chart-box' }, errorCanvas)),
      el('section', {}, el('h2', {}, 'Change in class probabilities'), el('div', { class: 'chart-box' }, probCanvas), el('p', { class: 'note' }, `Half the L1 distance between the shifted and the unshifted probabilities (0: same, 1: disjoint). Predicted: ${predictions.map((p, i) => `${r.shifts[i]}→${p}`).join(', ')}.`)),
    ),
    el('h2', {}, 'Per layer'),
    el('div', { class: 'table-wrap' }, table),
    el('p', { class: 'note' }, 'Hollow points: shifts that are not a whole number of the layer’s output positions (shift / stride rounded).'),
  );
  inputThumb(r);
  charts.push(
    new Chart(errorCanvas, {
      type: 'line',
      data: {
        datasets: r.layers.map((l, i) => ({
          label: `${l.layer}${l.jump && l.jump > 1 ? ` (stride ${l.jump})` : ''}`,
          data: r.shifts.map((x, k) => ({ x, y: l.errors[k] ?? NaN })),
          borderColor: colours[i % colours.length],
          backgroundColor: colours[i % colours.length],
          borderDash: i >= colours.length ? [6, 3] : [],
          pointRadius: 3,
          pointStyle: 'circle',
          // Hollow where shift / stride is not whole: S′ had to round.
          pointBackgroundColor: l.exact.map((e) => (e ? colours[i % colours.length] : 'transparent')),
          borderWidth: 2,
        })),
      },
      options: chartOptions('Equivariance error', '‖f(Sx) − S′f(x)‖ / ‖f(x)‖'),
    }),
    new Chart(probCanvas, {
      type: 'line',
      data: {
        datasets: [
          {
            label: 'probability change',
            data: r.shifts.map((x, k) => ({ x, y: r.probabilityChange[k] ?? NaN })),
            borderColor: colours[1],
            backgroundColor: colours[1],
            pointRadius: 3,
            borderWidth: 2,
          },
          {
            label: `p(${r.predictions[0]?.classes[r.predictions[0].predicted] ?? 'class'}) of the unshifted prediction`,
            data: r.shifts.map((x, k) => ({ x, y: r.predictions[k]?.probabilities[r.predictions[0]?.predicted ?? 0] ?? NaN })),
            borderColor: colours[0],
            backgroundColor: colours[0],
            borderDash: [5, 3],
            pointRadius: 2,
            borderWidth: 2,
          },
        ],
      },
      options: chartOptions('Probability change', 'change / probability', 1),
    }),
  );
}

function inputThumb(r: EquivarianceResult): void {
  const [h, w, c] = r.sample.image.shape;
  const bytes = base64ToBytes(r.sample.image.data);
  const canvas = el('canvas', { class: 'input-image', 'aria-label': 'The unshifted sample' });
  canvas.width = w;
  canvas.height = h;
  const img = new ImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    for (let k = 0; k < 3; k++) img.data[i * 4 + k] = bytes[i * c + (c === 1 ? 0 : k)];
    img.data[i * 4 + 3] = 255;
  }
  canvas.getContext('2d')!.putImageData(img, 0, 0);
  const scale = Math.max(1, Math.floor(84 / Math.max(h, w)));
  canvas.style.width = `${w * scale}px`;
  canvas.style.height = `${h * scale}px`;
  const first = r.predictions[0];
  results.prepend(el('div', { class: 'actions' }, canvas, el('span', { class: 'note' }, `unshifted: predicted ${first ? `${first.classes[first.predicted]} (${percent(first.probabilities[first.predicted] ?? 0)})` : '–'}`)));
}

onMessages<EquivarianceUpdate>(render);
post({ type: 'ready' });
