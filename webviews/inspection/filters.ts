/**
 * The filters page (dist/webviews/filters.js): the learned kernels of each convolution, two checkpoints
 * side by side. A first layer with 3 (or 1) input channels shows each filter as one RGB (or grey) tile;
 * deeper layers show a grid, one row per output filter and one column per input channel, in a diverging
 * colormap centred at 0 (blue negative, red positive). Each side has its layer's weight histogram.
 * Kernels arrive as base64 of float32 [kh, kw, in, out].
 */
import type { CheckpointChoice, FiltersResult, LayerFilters } from '../../src/protocol/engineTypes';
import type { FiltersAction, FiltersUpdate, InspectContext } from '../../src/protocol/webview';
import { select } from '../shared/controls';
import { el, themeVar } from '../shared/dom';
import { onMessages, webviewApi } from '../shared/vscode';
import { DIVERGING, divergingIndex } from './colormap';
import { lineLink, showDone, showProgress, sizedCanvas } from './dom';
import { grouped, valueText } from './format';
import { tileAt, tileLayout, tileOrigin, type TileLayout } from './layout';
import { checkpointOptions } from './sample';
import { base64ToFloat32 } from './tensor';
import './style.css';

const vscode = webviewApi<FiltersAction>();
const app = document.getElementById('app')!;
const FILTERS_PER_PAGE = 16;
const INPUTS_SHOWN = 32;
const RGB_SHOWN = 256;

let context: InspectContext | undefined;
let shown: { left: FiltersResult; right?: FiltersResult } | undefined;
let left: CheckpointChoice = 'untrained';
let right: CheckpointChoice | null = null;
/** Output filter page per layer name. */
const pages = new Map<string, number>();
const decoded = new WeakMap<LayerFilters, Float32Array>();

const status = el('p', { class: 'status', role: 'status' });
const toolbar = el('div', { class: 'toolbar' });
const body = el('div', { class: 'layers' });
const readout = el('div', { class: 'readout' }, 'Point at a kernel to read its weight.');

const post = (m: FiltersAction) => vscode.postMessage(m);
const compare = () => post({ type: 'compare', left, right });

function kernel(l: LayerFilters): Float32Array {
  let k = decoded.get(l);
  if (!k) decoded.set(l, (k = base64ToFloat32(l.kernel.data)));
  return k;
}

function buildToolbar(): void {
  if (!context) return;
  const options = checkpointOptions(context);
  toolbar.replaceChildren(
    select('Left', options, left, (v) => {
      left = v as CheckpointChoice;
      compare();
    }, 'left'),
    select('Right', [['none', 'none'], ...options], right ?? 'none', (v) => {
      right = v === 'none' ? null : (v as CheckpointChoice);
      compare();
    }, 'right'),
    el('div', { class: 'colorbar' }, el('span', {}, 'negative'), legend(), el('span', {}, 'positive (0 is white)')),
  );
}

function legend(): HTMLCanvasElement {
  const bar = el('canvas', { 'aria-hidden': 'true' });
  bar.width = 256;
  bar.height = 1;
  const img = new ImageData(256, 1);
  for (let i = 0; i < 256; i++) img.data.set([DIVERGING[i * 3], DIVERGING[i * 3 + 1], DIVERGING[i * 3 + 2], 255], i * 4);
  bar.getContext('2d')!.putImageData(img, 0, 0);
  return bar;
}

function render(update: FiltersUpdate): void {
  if (showProgress(status, update, (line) => post({ type: 'reveal', line }))) return;
  switch (update.type) {
    case 'context': {
      context = update.context;
      if (!context.run) {
        left = 'untrained';
        right = null;
      }
      buildToolbar();
      app.replaceChildren(
        el('header', {}, el('h1', {}, 'Learned filters', el('span', { class: 'subtitle' }, ` · ${context.title}`)), el('p', { class: 'note' }, context.run ? `run ${context.run.label} (${context.run.status})` : 'no run of this model yet: the untrained (initial) weights')),
        toolbar,
        status,
        body,
        readout,
      );
      if (shown) showFilters(shown);
      return;
    }
    case 'filters':
      showDone(status);
      left = update.left.checkpoint;
      right = update.right?.checkpoint ?? null;
      buildToolbar();
      showFilters(update);
      return;
  }
}

function showFilters(s: { left: FiltersResult; right?: FiltersResult }): void {
  shown = s;
  const sides = s.right ? [s.left, s.right] : [s.left];
  status.textContent = s.left.layers.length
    ? `${s.left.layers.length} convolution layer${s.left.layers.length === 1 ? '' : 's'}`
    : 'This model has no convolution layers: nothing to show.';
  body.replaceChildren(
    ...s.left.layers.map((l, i) => {
      const [kh, kw, cin, cout] = l.kernelShape;
      const section = el(
        'section',
        { class: 'layer', 'data-layer': l.layer },
        el('h3', {}, l.layer, el('span', { class: 'meta' }, `${l.type} · ${kh}×${kw} kernels, ${cin} in → ${cout} out · ${grouped(kh * kw * cin * cout)} weights`), lineLink(l.line, (line) => post({ type: 'reveal', line }))),
      );
      const rgb = cin === 3 || cin === 1;
      if (!rgb && cout > FILTERS_PER_PAGE) {
        const pageCount = Math.ceil(cout / FILTERS_PER_PAGE);
        const options: [string, string][] = Array.from({ length: pageCount }, (_, p) => [String(p), `filters ${p * FILTERS_PER_PAGE + 1}–${Math.min(cout, (p + 1) * FILTERS_PER_PAGE)}`]);
        section.append(
          select('Output filters', options, String(pages.get(l.layer) ?? 0), (v) => {
            pages.set(l.layer, Number(v));
            showFilters(s);
          }),
        );
      }
      const cols = el('div', { class: 'compare' });
      for (const side of sides) {
        const layer = side.layers.find((x) => x.layer === l.layer) ?? side.layers[i];
        if (layer) cols.append(sideView(side, layer));
      }
      section.append(cols);
      return section;
    }),
  );
}

function sideView(result: FiltersResult, l: LayerFilters): HTMLElement {
  const [kh, kw, cin, cout] = l.kernelShape;
  const k = kernel(l);
  let limit = 0;
  for (const v of k) limit = Math.max(limit, Math.abs(v));
  const at = (y: number, x: number, i: number, o: number) => k[((y * kw + x) * cin + i) * cout + o];
  const canvas = el('canvas', { class: 'grid-canvas' });
  const width = 300;
  let layout: TileLayout;
  let count: number;
  let describe: (index: number, row: number, col: number) => string;
  // One atlas at kernel resolution, scaled up tile by tile (crisp pixels).
  let atlas: ImageData;
  let origin: (index: number) => [number, number];
  if (cin === 3 || cin === 1) {
    count = Math.min(cout, RGB_SHOWN);
    layout = tileLayout(count, kh, kw, { availableWidth: width, target: 44, gap: 4 });
    atlas = new ImageData(layout.columns * kw, layout.rows * kh);
    origin = (o) => [(o % layout.columns) * kw, Math.floor(o / layout.columns) * kh];
    for (let o = 0; o < count; o++) {
      const [ox, oy] = origin(o);
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          const p = ((oy + y) * atlas.width + ox + x) * 4;
          for (let c = 0; c < 3; c++) atlas.data[p + c] = Math.round(127.5 + (127.5 * at(y, x, cin === 3 ? c : 0, o)) / (limit || 1));
          atlas.data[p + 3] = 255;
        }
      }
    }
    describe = (o, y, x) => `${l.layer} · filter ${o} · (row ${y}, col ${x}) = ${cin === 3 ? ['R', 'G', 'B'].map((n, c) => `${n} ${valueText(at(y, x, c, o))}`).join(', ') : valueText(at(y, x, 0, o))}`;
  } else {
    const page = pages.get(l.layer) ?? 0;
    const first = page * FILTERS_PER_PAGE;
    const outs = Math.min(FILTERS_PER_PAGE, cout - first);
    const ins = Math.min(cin, INPUTS_SHOWN);
    count = outs * ins;
    layout = tileLayout(count, kh, kw, { availableWidth: 10_000, target: Math.max(8, Math.min(24, Math.floor(width / ins) - 2)), gap: 2, columns: ins });
    atlas = new ImageData(ins * kw, outs * kh);
    origin = (t) => [(t % ins) * kw, Math.floor(t / ins) * kh];
    for (let t = 0; t < count; t++) {
      const [ox, oy] = origin(t);
      const o = first + Math.floor(t / ins);
      const i = t % ins;
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          const p = ((oy + y) * atlas.width + ox + x) * 4;
          const ci = divergingIndex(at(y, x, i, o), limit) * 3;
          atlas.data.set([DIVERGING[ci], DIVERGING[ci + 1], DIVERGING[ci + 2], 255], p);
        }
      }
    }
    describe = (t, y, x) => `${l.layer} · filter ${first + Math.floor(t / ins)}, input ${t % ins} · (row ${y}, col ${x}) = ${valueText(at(y, x, t % ins, first + Math.floor(t / ins)))}`;
  }
  const ctx = sizedCanvas(canvas, layout.width, layout.height);
  const tmp = document.createElement('canvas');
  tmp.width = atlas.width;
  tmp.height = atlas.height;
  tmp.getContext('2d')!.putImageData(atlas, 0, 0);
  for (let t = 0; t < count; t++) {
    const { x, y } = tileOrigin(layout, t);
    const [sx, sy] = origin(t);
    ctx.drawImage(tmp, sx, sy, kw, kh, x, y, layout.tileWidth, layout.tileHeight);
  }
  canvas.addEventListener('mousemove', (e) => {
    const hit = tileAt(layout, count, e.offsetX, e.offsetY, kh, kw);
    if (hit) readout.textContent = describe(hit.index, hit.row, hit.col);
  });
  const caption =
    cin === 3 || cin === 1
      ? `${Math.min(cout, RGB_SHOWN)} of ${cout} filters as ${cin === 3 ? 'RGB' : 'grey'} tiles (mid-grey is 0; scale ±${valueText(limit)})`
      : `rows: output filters; columns: input channels${cin > INPUTS_SHOWN ? ` (the first ${INPUTS_SHOWN} of ${cin})` : ''}; scale ±${valueText(limit)}`;
  return el(
    'div',
    { class: 'side-view' },
    el('h4', {}, checkpointTitle(result)),
    canvas,
    el('div', { class: 'kernel-axis' }, caption),
    histogram(l),
    el('div', { class: 'kernel-axis' }, `mean ${valueText(l.mean ?? 0)} · std ${valueText(l.std ?? 0)}`),
  );
}

function checkpointTitle(r: FiltersResult): string {
  return r.checkpoint === 'untrained' ? 'untrained (initial weights)' : `${r.checkpoint} checkpoint`;
}

/** The weights' histogram, bars in the theme's chart colour, the range and 0 marked below. */
function histogram(l: LayerFilters): HTMLCanvasElement {
  const { min, max, counts } = l.histogram;
  const canvas = el('canvas', { class: 'histogram-canvas', role: 'img', 'aria-label': `Weight histogram of ${l.layer}` });
  const width = 300;
  const height = 90;
  const ctx = sizedCanvas(canvas, width, height);
  ctx.imageSmoothingEnabled = true;
  const plotH = height - 18;
  const top = Math.max(1, ...counts);
  const bw = width / Math.max(1, counts.length);
  ctx.fillStyle = themeVar('charts-blue', '#3794ff');
  counts.forEach((c, i) => {
    const h = (c / top) * (plotH - 2);
    ctx.fillRect(i * bw + 0.5, plotH - h, Math.max(1, bw - 1), h);
  });
  const fg = themeVar('descriptionForeground', '#888');
  ctx.strokeStyle = fg;
  ctx.beginPath();
  ctx.moveTo(0, plotH + 0.5);
  ctx.lineTo(width, plotH + 0.5);
  ctx.stroke();
  const lo = min ?? 0;
  const hi = max ?? 0;
  ctx.fillStyle = fg;
  ctx.font = `11px ${themeVar('font-family', 'sans-serif')}`;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(valueText(lo), 0, plotH + 4);
  ctx.textAlign = 'right';
  ctx.fillText(valueText(hi), width, plotH + 4);
  if (lo < 0 && hi > 0) {
    const x = ((0 - lo) / (hi - lo)) * width;
    ctx.strokeStyle = themeVar('foreground', '#ccc');
    ctx.setLineDash([2, 2]);
    ctx.beginPath();
    ctx.moveTo(x + 0.5, 0);
    ctx.lineTo(x + 0.5, plotH);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.textAlign = 'center';
    ctx.fillText('0', x, plotH + 4);
  }
  return canvas;
}

onMessages<FiltersUpdate>(render);
post({ type: 'ready' });
