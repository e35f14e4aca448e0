/**
 * The training dashboard page (bundled by scripts/build.mjs to dist/webviews/dashboard.js): loss and
 * accuracy charts (Chart.js) of one run or several overlaid, growing as `append` messages bring new
 * points. Every message is validated (src/protocol/webview.ts) before it is used.
 *
 * Large series stay smooth: Chart.js's decimation plugin (LTTB) draws about one point per pixel, which
 * needs unparsed {x, y} data (parsing: false), sorted x (normalized) and a linear x axis. Points are kept
 * per series in arrays that only grow; changing the x axis, smoothing or log scale rebuilds them.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import {
  Chart,
  Decimation,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
  type Plugin,
  type PointStyle,
  type TooltipItem,
} from 'chart.js';
import type { TrainEventKind } from '../../src/protocol/engineTypes';
import type { DashboardAction, DashboardMarker, DashboardPoint, DashboardRun, DashboardState, DashboardUpdate, DashboardXAxis } from '../../src/protocol/webview';
import { Ema, formatClock, formatDuration, formatValue, stepsPerEpoch, xOf } from './series';
import './style.css';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Decimation);

declare function acquireVsCodeApi(): {
  postMessage(message: DashboardAction): void;
  /** What the page kept with setState before it was hidden or reloaded; undefined on its first load. */
  getState(): DashboardState | undefined;
  setState(state: DashboardState): void;
};

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;

// ---------------------------------------------------------------------------------------------------
// State

interface XY {
  x: number;
  y: number;
}
interface MarkerXY extends XY {
  marker: DashboardMarker;
}

interface RunData {
  info: DashboardRun;
  colour: number;
  points: DashboardPoint[];
  markers: DashboardMarker[];
  hidden: boolean;
  stopping: boolean;
  spe: number | undefined;
  /** Series as drawn (x by the current axis), appended to as points come. */
  series: {
    batch: XY[];
    batchSmooth: XY[];
    loss: XY[];
    valLoss: XY[];
    acc: XY[];
    valAcc: XY[];
    lossMarkers: MarkerXY[];
    accMarkers: MarkerXY[];
  };
  ema: Ema;
  /** Points already turned into series (the rest wait for their steps per epoch on the epoch axis). */
  done: number;
  markersDone: number;
}

const saved = vscode.getState();
const options = {
  xAxis: saved?.xAxis ?? ('step' as DashboardXAxis),
  logScale: saved?.logScale ?? false,
  smoothing: saved?.smoothing ?? 0.6,
  showBatches: saved?.showBatches ?? true,
};
let runs: RunData[] = [];

function saveState(): void {
  if (!runs.length) return;
  vscode.setState({ runDirs: runs.map((r) => r.info.runDir), ...options });
}

function emptySeries(): RunData['series'] {
  return { batch: [], batchSmooth: [], loss: [], valLoss: [], acc: [], valAcc: [], lossMarkers: [], accMarkers: [] };
}

function newRun(info: DashboardRun, colour: number): RunData {
  return {
    info, colour, points: [], markers: [], hidden: false, stopping: false, spe: info.batchesPerEpoch, series: emptySeries(),
    ema: new Ema(options.smoothing), done: 0, markersDone: 0,
  };
}

// ---------------------------------------------------------------------------------------------------
// Theme

interface Theme {
  fg: string;
  muted: string;
  grid: string;
  bg: string;
  palette: string[];
  highContrast: boolean;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function readTheme(): Theme {
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  const fg = cssVar('--vscode-foreground', '#cccccc');
  return {
    fg,
    muted: cssVar('--vscode-descriptionForeground', fg),
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-widget-border', 'rgba(128,128,128,0.35)')),
    bg: cssVar('--vscode-editor-background', '#1e1e1e'),
    // The theme's own chart colours (they have contrast in light, dark and high-contrast themes).
    palette: [
      cssVar('--vscode-charts-blue', '#3794ff'),
      cssVar('--vscode-charts-orange', '#d18616'),
      cssVar('--vscode-charts-green', '#89d185'),
      cssVar('--vscode-charts-purple', '#b180d7'),
      cssVar('--vscode-charts-red', '#f14c4c'),
      cssVar('--vscode-charts-yellow', '#cca700'),
      fg,
    ],
    highContrast,
  };
}

let theme = readTheme();

/** A colour at some opacity (any CSS colour: the browser converts it). */
function alpha(colour: string, a: number): string {
  const probe = document.createElement('canvas').getContext('2d')!;
  probe.fillStyle = colour;
  const c = probe.fillStyle; // #rrggbb or rgba(...)
  if (c.startsWith('#') && c.length === 7) {
    const n = parseInt(c.slice(1), 16);
    return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
  }
  const m = /rgba?\(([^)]+)\)/.exec(c);
  if (!m) return colour;
  const [r, g, b] = m[1].split(',').map((s) => s.trim());
  return `rgba(${r}, ${g}, ${b}, ${a})`;
}

const colourOf = (run: RunData) => theme.palette[run.colour % theme.palette.length];

// ---------------------------------------------------------------------------------------------------
// Markers

const MARKERS: Record<TrainEventKind, { style: PointStyle; rotation: number; label: string; glyph: string }> = {
  bestCheckpoint: { style: 'star', rotation: 0, label: 'best checkpoint', glyph: '★' },
  lrReduced: { style: 'triangle', rotation: 180, label: 'learning rate reduced', glyph: '▼' },
  earlyStop: { style: 'rectRot', rotation: 0, label: 'early stop', glyph: '◆' },
  restoredBest: { style: 'circle', rotation: 0, label: 'best weights restored', glyph: '●' },
  nonFinite: { style: 'crossRot', rotation: 0, label: 'non-finite loss', glyph: '✕' },
};

function epochPoint(run: RunData, epoch: number): DashboardPoint | undefined {
  for (let i = run.points.length - 1; i >= 0; i--) {
    const p = run.points[i];
    if (p.kind === 'epoch' && p.epoch === epoch) return p;
  }
  return undefined;
}

function markerY(run: RunData, m: DashboardMarker, chart: 'loss' | 'acc'): number | undefined {
  if (m.value !== undefined && m.metric && m.metric.includes(chart)) return m.value;
  const p = epochPoint(run, m.epoch);
  if (!p) return undefined;
  return chart === 'loss' ? p.val_loss ?? p.loss : p.val_acc ?? p.acc;
}

// ---------------------------------------------------------------------------------------------------
// Series

function runX(run: RunData) {
  return { startTime: run.info.startTime || run.points[0]?.time || 0, stepsPerEpoch: run.spe };
}

/** Turns the run's new points and markers into series points. */
function extend(run: RunData): void {
  const s = run.series;
  const where = runX(run);
  let i = run.done;
  for (; i < run.points.length; i++) {
    const p = run.points[i];
    const x = xOf(p, options.xAxis, where);
    if (x === undefined) break; // a batch before the steps per epoch are known: wait
    if (p.kind === 'batch') {
      s.batch.push({ x, y: p.loss });
      s.batchSmooth.push({ x, y: run.ema.push(p.loss) });
    } else {
      s.loss.push({ x, y: p.loss });
      if (p.val_loss !== undefined) s.valLoss.push({ x, y: p.val_loss });
      if (p.acc !== undefined) s.acc.push({ x, y: p.acc });
      if (p.val_acc !== undefined) s.valAcc.push({ x, y: p.val_acc });
    }
  }
  run.done = i;
  for (let j = run.markersDone; j < run.markers.length; j++) {
    const m = run.markers[j];
    const x = xOf({ ...m, kind: 'event' }, options.xAxis, where);
    if (x === undefined) continue;
    const yl = markerY(run, m, 'loss');
    if (yl !== undefined) s.lossMarkers.push({ x, y: yl, marker: m });
    const ya = markerY(run, m, 'acc');
    if (ya !== undefined) s.accMarkers.push({ x, y: ya, marker: m });
  }
  run.markersDone = run.markers.length;
}

/** Series from scratch (x axis, smoothing, or steps per epoch changed). */
function rebuild(run: RunData): void {
  run.series = emptySeries();
  run.ema = new Ema(options.smoothing);
  run.done = 0;
  run.markersDone = 0;
  extend(run);
}

// ---------------------------------------------------------------------------------------------------
// Charts

type LineDataset = ChartDataset<'line', XY[]>;

interface Charts {
  loss: Chart<'line', XY[]>;
  acc: Chart<'line', XY[]>;
}
let charts: Charts | undefined;

/** Each run's datasets, in a fixed order, so that their indices follow the runs. */
function datasetsFor(run: RunData, chart: 'loss' | 'acc'): LineDataset[] {
  const c = colourOf(run);
  // Chart.js hooks push() on the arrays it is given and re-walks the whole dataset on each one (quadratic
  // over a 100,000-point history): it gets copies, made once per frame, and the series grow unobserved.
  const s = Object.fromEntries(Object.entries(run.series).map(([k, v]) => [k, v.slice()])) as RunData['series'];
  const common = { parsing: false as const, normalized: true, hidden: run.hidden, spanGaps: true, borderJoinStyle: 'round' as const };
  const epochLine = (label: string, data: XY[], dashed: boolean): LineDataset => ({
    ...common, label, data, borderColor: c, backgroundColor: c, borderWidth: theme.highContrast ? 2.5 : 2,
    borderDash: dashed ? [6, 4] : undefined, pointRadius: data.length > 60 ? 0 : 2.5, pointHoverRadius: 4,
    pointStyle: dashed ? 'rect' : 'circle',
  });
  const markers = (data: MarkerXY[]): LineDataset => ({
    // Outlined in the text colour, so that a marker stands out from the curves of its own colour.
    ...common, label: `${runName(run)} events`, data, showLine: false, borderColor: theme.fg, backgroundColor: c, borderWidth: 2,
    pointRadius: 8, pointHoverRadius: 10,
    pointStyle: (ctx) => MARKERS[((ctx.raw as MarkerXY | undefined)?.marker.kind ?? 'bestCheckpoint') as TrainEventKind].style,
    pointRotation: (ctx) => MARKERS[((ctx.raw as MarkerXY | undefined)?.marker.kind ?? 'bestCheckpoint') as TrainEventKind].rotation,
  });
  const name = runName(run);
  if (chart === 'loss') {
    const batches = options.showBatches;
    return [
      // Raw batch loss, faint under its smoothed curve (hidden when smoothing is off: then it is the curve).
      { ...common, label: `${name} batch loss`, data: s.batch, borderColor: alpha(c, options.smoothing > 0 ? 0.22 : 0.7), borderWidth: 1,
        pointRadius: 0, hidden: run.hidden || !batches },
      { ...common, label: `${name} batch loss (smoothed)`, data: options.smoothing > 0 ? s.batchSmooth : [], borderColor: alpha(c, 0.85),
        borderWidth: 1.25, pointRadius: 0, hidden: run.hidden || !batches || options.smoothing === 0 },
      epochLine(`${name} loss`, s.loss, false),
      epochLine(`${name} val_loss`, s.valLoss, true),
      markers(s.lossMarkers),
    ];
  }
  return [epochLine(`${name} acc`, s.acc, false), epochLine(`${name} val_acc`, s.valAcc, true), markers(s.accMarkers)];
}

function runName(run: RunData): string {
  const model = run.info.model.replace(/\.model\.[jt]s$/, '') || 'run';
  // Run ids start with their time (20261127-224501-lenet-3f9c): that is what tells two runs of a model apart.
  const stamp = /^\d{8}-\d{6}/.exec(run.info.runId)?.[0];
  return `${model} ${stamp ?? run.info.runId}`;
}

function axisTitle(): string {
  return { step: 'Step', epoch: 'Epoch', time: 'Time since start (m:ss)' }[options.xAxis];
}

function scaleOptions(kind: 'loss' | 'acc') {
  const tick = { color: theme.fg, font: { size: 12 } };
  const grid = { color: alpha(theme.grid, theme.highContrast ? 0.45 : 0.6) };
  const border = { color: theme.muted };
  return {
    x: {
      type: 'linear' as const,
      title: { display: true, text: axisTitle(), color: theme.fg, font: { size: 12 } },
      ticks: {
        ...tick, maxTicksLimit: 10,
        callback: (v: number | string) => (options.xAxis === 'time' ? formatClock(Number(v)) : formatValue(Number(v))),
      },
      grid, border,
    },
    y: {
      type: (kind === 'loss' && options.logScale ? 'logarithmic' : 'linear') as 'linear',
      title: { display: true, text: kind === 'loss' ? (options.logScale ? 'Loss (log scale)' : 'Loss') : 'Accuracy', color: theme.fg, font: { size: 12 } },
      ticks: { ...tick, maxTicksLimit: 8, callback: (v: number | string) => formatValue(Number(v)) },
      grid, border,
      ...(kind === 'acc' ? { suggestedMin: 0, suggestedMax: 1 } : {}),
    },
  };
}

function tooltipLabel(item: TooltipItem<'line'>): string {
  const raw = item.raw as MarkerXY;
  if (raw.marker) return `${MARKERS[raw.marker.kind].glyph} ${raw.marker.message}`;
  return `${item.dataset.label}: ${formatValue(raw.y)}`;
}

function makeChart(canvas: HTMLCanvasElement, kind: 'loss' | 'acc'): Chart<'line', XY[]> {
  return new Chart<'line', XY[]>(canvas, {
    type: 'line',
    data: { datasets: runs.flatMap((r) => datasetsFor(r, kind)) },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: scaleOptions(kind),
      elements: { line: { tension: 0 } },
      plugins: {
        // LTTB keeps the shape of a long series at about one point per pixel.
        // (data-decimation="off" on <html>: the benchmark's reference, drawing every point.)
        decimation: { enabled: document.documentElement.dataset.decimation !== 'off', algorithm: 'lttb', samples: 1000, threshold: 2000 },
        tooltip: {
          backgroundColor: cssVar('--vscode-editorHoverWidget-background', theme.bg),
          titleColor: theme.fg, bodyColor: theme.fg, borderColor: theme.grid, borderWidth: 1,
          callbacks: { label: tooltipLabel, title: (items) => (items[0] ? `${axisTitle().replace(/ \(.*\)/, '')} ${options.xAxis === 'time' ? formatClock(items[0].parsed.x ?? 0) : formatValue(items[0].parsed.x ?? 0)}` : '') },
        },
      },
    },
    plugins: [backgroundPlugin],
  });
}

/** Paints the editor background under the chart, so an exported PNG is not transparent. */
const backgroundPlugin: Plugin<'line'> = {
  id: 'dlBackground',
  beforeDraw: (chart) => {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = theme.bg;
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/**
 * Points changed: the charts redraw, at most once per frame, and no more often than leaves the page idle
 * three quarters of the time (a redraw of a 100,000-point history costs tens of milliseconds on a slow
 * machine, and the page shares the CPU with the training it shows).
 */
let drawPending = false;
let nextDrawAt = 0;
function draw(): void {
  if (drawPending) return;
  drawPending = true;
  const wait = nextDrawAt - performance.now();
  if (wait > 0) setTimeout(() => requestAnimationFrame(redraw), wait);
  else requestAnimationFrame(redraw);
}

function redraw(): void {
  drawPending = false;
  if (!charts) return;
  const t0 = performance.now();
  for (const kind of ['loss', 'acc'] as const) {
    const chart = charts[kind];
    const fresh = runs.flatMap((r) => datasetsFor(r, kind));
    const current = chart.data.datasets;
    if (current.length !== fresh.length) {
      chart.data.datasets = fresh;
    } else {
      // Keep the dataset objects (Chart.js keeps its decimated copies on them); hand over the grown series.
      for (let i = 0; i < fresh.length; i++) Object.assign(current[i], fresh[i]);
    }
    chart.update('none');
  }
  const now = performance.now();
  nextDrawAt = now + 3 * (now - t0);
  document.body.dataset.points = String(runs.reduce((n, r) => n + r.points.length, 0));
  document.body.dataset.drawn = String(Date.now());
}

/** Options changed: new scales and colours. */
function restyle(): void {
  if (!charts) return;
  for (const kind of ['loss', 'acc'] as const) {
    const chart = charts[kind];
    chart.options.scales = scaleOptions(kind);
    chart.data.datasets = runs.flatMap((r) => datasetsFor(r, kind));
    chart.update('none');
  }
}

// ---------------------------------------------------------------------------------------------------
// Page

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

let headerBody: HTMLElement | undefined;
let legend: HTMLElement | undefined;
let emptyNote: HTMLElement | undefined;

function layout(): void {
  charts?.loss.destroy();
  charts?.acc.destroy();
  const lossCanvas = el('canvas', { id: 'loss-chart', role: 'img', 'aria-label': 'Loss by step' });
  const accCanvas = el('canvas', { id: 'acc-chart', role: 'img', 'aria-label': 'Accuracy by step' });
  headerBody = el('tbody');
  legend = el('div', { class: 'legend', role: 'group', 'aria-label': 'Runs (click to hide or show)' });
  emptyNote = el('p', { class: 'status', id: 'empty' }, 'Waiting for the first points…');
  app.replaceChildren(
    el('div', { class: 'table-box' }, el('table', { class: 'runs' }, el('thead', {}, el('tr', {}, ...['', 'Run', 'Status', 'Backend', 'Epoch', 'Samples/s', 'Time left'].map((h) => el('th', {}, h)))), headerBody)),
    controls(),
    legend,
    emptyNote,
    el('section', { class: 'chart' }, el('h2', {}, 'Loss'), el('div', { class: 'canvas-box' }, lossCanvas)),
    el('section', { class: 'chart' }, el('h2', {}, 'Accuracy'), el('div', { class: 'canvas-box' }, accCanvas)),
  );
  charts = { loss: makeChart(lossCanvas, 'loss'), acc: makeChart(accCanvas, 'acc') };
  renderHeader();
  renderLegend();
}

function controls(): HTMLElement {
  const axis = document.createElement('vscode-single-select');
  axis.id = 'x-axis';
  axis.setAttribute('aria-label', 'X axis');
  for (const [value, label] of [['step', 'Step'], ['epoch', 'Epoch'], ['time', 'Wall time']] as const) {
    const o = document.createElement('vscode-option');
    o.setAttribute('value', value);
    o.textContent = label;
    if (value === options.xAxis) o.setAttribute('selected', '');
    axis.append(o);
  }
  axis.addEventListener('change', () => {
    const v = (axis as unknown as { value: string }).value as DashboardXAxis;
    if (v === options.xAxis || !['step', 'epoch', 'time'].includes(v)) return;
    options.xAxis = v;
    for (const r of runs) rebuild(r);
    saveState();
    restyle();
  });

  const checkbox = (id: string, label: string, checked: boolean, onChange: (v: boolean) => void) => {
    const c = document.createElement('vscode-checkbox');
    c.id = id;
    c.setAttribute('label', label);
    if (checked) c.setAttribute('checked', '');
    c.addEventListener('change', () => onChange((c as unknown as { checked: boolean }).checked));
    return c;
  };
  const log = checkbox('log-scale', 'Log scale (loss)', options.logScale, (v) => {
    options.logScale = v;
    saveState();
    restyle();
  });
  const batches = checkbox('show-batches', 'Batches', options.showBatches, (v) => {
    options.showBatches = v;
    saveState();
    restyle();
  });

  // vscode-elements has no slider: a native range input, themed in style.css.
  const slider = el('input', { type: 'range', id: 'smoothing', min: '0', max: '0.99', step: '0.01', value: String(options.smoothing), 'aria-label': 'Smoothing of the batch loss' });
  const sliderValue = el('output', { for: 'smoothing', class: 'value' }, options.smoothing.toFixed(2));
  slider.addEventListener('input', () => {
    const v = Number(slider.value);
    if (!(v >= 0 && v < 1)) return;
    options.smoothing = v;
    sliderValue.textContent = v.toFixed(2);
    for (const r of runs) rebuild(r);
    saveState();
    restyle();
  });

  const button = (id: string, label: string, onClick: () => void) => {
    const b = document.createElement('vscode-button');
    b.id = id;
    b.setAttribute('secondary', '');
    b.textContent = label;
    b.addEventListener('click', onClick);
    return b;
  };
  return el(
    'div',
    { class: 'controls' },
    el('label', { class: 'control' }, el('span', {}, 'X axis'), axis),
    el('label', { class: 'control smoothing' }, el('span', {}, 'Smoothing'), slider, sliderValue),
    batches,
    log,
    el('span', { class: 'spacer' }),
    button('export-png', 'Export PNG', exportPng),
    button('export-csv', 'Export CSV', () => vscode.postMessage({ type: 'exportCsv' })),
  );
}

function statusText(info: DashboardRun, stopping: boolean): string {
  if (info.status === 'running' && stopping) return 'stopping…';
  return info.status;
}

function renderHeader(): void {
  if (!headerBody) return;
  headerBody.replaceChildren(
    ...runs.map((run) => {
      const i = run.info;
      const swatch = el('span', { class: 'swatch' });
      swatch.style.background = colourOf(run);
      const status = el('span', { class: `badge status-${i.status}` }, statusText(i, run.stopping));
      const name = el('td', { class: 'name', title: i.runDir }, el('strong', {}, i.model || 'run'), el('div', { class: 'muted run-id' }, i.runId));
      if (i.error) name.append(el('div', { class: 'error', role: 'alert' }, i.error));
      // Stop sits by the status, so that a narrow panel still shows it.
      const stop = el('td', { class: 'status' }, status);
      if (i.status === 'running' && i.stoppable) {
        const b = document.createElement('vscode-button');
        b.className = 'stop';
        b.textContent = run.stopping ? 'Stopping…' : 'Stop';
        if (run.stopping) b.setAttribute('disabled', '');
        b.addEventListener('click', () => {
          run.stopping = true;
          vscode.postMessage({ type: 'stop', runId: i.runId });
          renderHeader();
        });
        stop.append(b);
      }
      const epoch = i.epochs ? `${i.epoch ?? 0}/${i.epochs}` : i.epoch !== undefined ? String(i.epoch) : '–';
      const lr = i.learningRate !== undefined ? ` · lr ${formatValue(i.learningRate)}` : '';
      return el(
        'tr',
        { 'data-run': i.runId },
        el('td', {}, swatch),
        name,
        stop,
        el('td', {}, i.backend ?? '–'),
        el('td', { class: 'num' }, epoch + lr),
        el('td', { class: 'num' }, i.samplesPerSec !== undefined && i.status === 'running' ? Math.round(i.samplesPerSec).toLocaleString('en-US') : '–'),
        el('td', { class: 'num time-left' }, i.status === 'running' && i.timeLeftSec !== undefined ? formatDuration(i.timeLeftSec) : '–'),
      );
    }),
  );
  document.body.dataset.status = runs.map((r) => statusText(r.info, r.stopping)).join(',');
}

function renderLegend(): void {
  if (!legend) return;
  const items: Node[] = runs.map((run) => {
    const b = el('button', { class: 'legend-run', 'aria-pressed': String(!run.hidden), title: run.hidden ? 'Show this run' : 'Hide this run' });
    const swatch = el('span', { class: 'swatch' });
    swatch.style.background = colourOf(run);
    b.append(swatch, runName(run));
    b.addEventListener('click', () => {
      run.hidden = !run.hidden;
      renderLegend();
      restyle();
    });
    return b;
  });
  const kinds = new Set(runs.flatMap((r) => r.markers.map((m) => m.kind)));
  const key = el(
    'span',
    { class: 'key' },
    el('span', { class: 'line solid' }), 'train',
    el('span', { class: 'line dashed' }), 'validation',
    ...(options.showBatches ? [el('span', { class: 'line thin' }), 'batch'] : []),
    ...[...kinds].flatMap((k) => [el('span', { class: 'glyph' }, MARKERS[k].glyph), MARKERS[k].label]),
  );
  legend.replaceChildren(...items, key);
}

// ---------------------------------------------------------------------------------------------------
// Messages

function handle(update: DashboardUpdate): void {
  switch (update.type) {
    case 'runs':
      runs = update.runs.map((info, i) => newRun(info, i));
      saveState();
      layout();
      break;
    case 'run': {
      const run = runs.find((r) => r.info.runId === update.run.runId);
      if (!run) return;
      if (update.run.status !== 'running') run.stopping = false;
      run.info = update.run;
      if (run.spe === undefined && update.run.batchesPerEpoch) {
        run.spe = update.run.batchesPerEpoch;
        rebuild(run);
        draw();
      }
      renderHeader();
      break;
    }
    case 'append': {
      const run = runs.find((r) => r.info.runId === update.runId);
      if (!run) return;
      const hadKinds = new Set(run.markers.map((m) => m.kind)).size;
      run.points.push(...update.points);
      run.markers.push(...update.markers);
      if (run.spe === undefined) {
        run.spe = stepsPerEpoch(run.points);
        if (run.spe !== undefined) rebuild(run);
        else extend(run);
      } else extend(run);
      if (emptyNote && runs.some((r) => r.points.length)) emptyNote.hidden = true;
      if (new Set(run.markers.map((m) => m.kind)).size !== hadKinds) renderLegend();
      draw();
      break;
    }
    case 'reset': {
      const run = runs.find((r) => r.info.runId === update.runId);
      if (!run) return;
      run.points = [];
      run.markers = [];
      rebuild(run);
      draw();
      break;
    }
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  handle(event.data as DashboardUpdate);
});

// VS Code changes the body's theme class and the --vscode-* variables together.
new MutationObserver(() => {
  theme = readTheme();
  renderHeader();
  renderLegend();
  restyle();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ---------------------------------------------------------------------------------------------------
// Export

/** Both charts, with the runs named on top, as one PNG on the theme's background. */
function exportPng(): void {
  if (!charts) return;
  const a = charts.loss.canvas;
  const b = charts.acc.canvas;
  const ratio = window.devicePixelRatio || 1;
  const head = Math.round(28 * ratio);
  const out = document.createElement('canvas');
  out.width = Math.max(a.width, b.width);
  out.height = head + a.height + b.height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.font = `${Math.round(13 * ratio)}px ${cssVar('--vscode-font-family', 'sans-serif')}`;
  ctx.textBaseline = 'middle';
  let x = 8 * ratio;
  for (const run of runs.filter((r) => !r.hidden)) {
    ctx.fillStyle = colourOf(run);
    ctx.fillRect(x, head / 2 - 5 * ratio, 10 * ratio, 10 * ratio);
    x += 14 * ratio;
    ctx.fillStyle = theme.fg;
    const label = `${runName(run)} (${run.info.status})`;
    ctx.fillText(label, x, head / 2);
    x += ctx.measureText(label).width + 16 * ratio;
  }
  ctx.drawImage(a, 0, head);
  ctx.drawImage(b, 0, head + a.height);
  const png = out.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
  vscode.postMessage({ type: 'exportPng', png });
}

vscode.postMessage({ type: 'ready' });
