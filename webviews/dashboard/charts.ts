/**
 * The loss and accuracy charts (Chart.js): each run's datasets (batch loss faint under its smoothed
 * curve, epoch lines solid for training and dashed for validation, callback markers), the scales, and
 * redraws paced so that the page stays mostly idle while a run trains.
 *
 * Large series stay smooth: Chart.js's decimation plugin (LTTB) draws about one point per pixel, which
 * needs unparsed {x, y} data (parsing: false), sorted x (normalized) and a linear x axis.
 */
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
  type TooltipItem,
} from 'chart.js';
import type { TrainEventKind } from '../../src/protocol/engineTypes';
import { themeVar } from '../shared/dom';
import { formatClock, formatValue } from './series';
import { options, runName, runs, type MarkerXY, type RunData, type XY } from './state';
import { alpha, colourOf, MARKERS, theme } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Decimation);

type LineDataset = ChartDataset<'line', XY[]>;
type ChartKind = 'loss' | 'acc';

let charts: Record<ChartKind, Chart<'line', XY[]>> | undefined;

/** Before the page is laid out again: the charts let go of their canvases. */
export function destroyCharts(): void {
  charts?.loss.destroy();
  charts?.acc.destroy();
  charts = undefined;
}

export function createCharts(lossCanvas: HTMLCanvasElement, accCanvas: HTMLCanvasElement): void {
  charts = { loss: makeChart(lossCanvas, 'loss'), acc: makeChart(accCanvas, 'acc') };
}

/** The charts' canvases, loss first (for Export PNG); undefined before the first layout. */
export function chartCanvases(): [HTMLCanvasElement, HTMLCanvasElement] | undefined {
  return charts && [charts.loss.canvas, charts.acc.canvas];
}

/** Each run's datasets, in a fixed order, so that their indices follow the runs. */
function datasetsFor(run: RunData, chart: ChartKind): LineDataset[] {
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

function axisTitle(): string {
  return { step: 'Step', epoch: 'Epoch', time: 'Time since start (m:ss)' }[options.xAxis];
}

function scaleOptions(kind: ChartKind) {
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

function makeChart(canvas: HTMLCanvasElement, kind: ChartKind): Chart<'line', XY[]> {
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
          backgroundColor: themeVar('editorHoverWidget-background', theme.bg),
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
export function draw(): void {
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

/** Options or the theme changed: new scales and colours. */
export function restyle(): void {
  if (!charts) return;
  for (const kind of ['loss', 'acc'] as const) {
    const chart = charts[kind];
    chart.options.scales = scaleOptions(kind);
    chart.data.datasets = runs.flatMap((r) => datasetsFor(r, kind));
    chart.update('none');
  }
}
