/**
 * The feature maps page (dist/webviews/featureMaps.js): the input, every layer's output as a grid of
 * per-channel images in viridis (per-channel or per-layer scaling), a click enlarges a channel, the value
 * under the cursor, and the prediction with class probabilities. Maps arrive as base64 of uint8, each
 * channel quantised to its own [min, max]; they are decoded here and drawn on canvases with ImageData
 * (one canvas per layer, no element per pixel).
 */
import type { FeatureMapsResult, LayerFeatureMap, Prediction } from '../../src/protocol/engineTypes';
import type { FeatureMapsAction, FeatureMapsUpdate, InspectContext } from '../../src/protocol/webview';
import { button } from '../shared/button';
import { checkbox, select } from '../shared/controls';
import { el } from '../shared/dom';
import { onMessages, webviewApi } from '../shared/vscode';
import { lutIndex, VIRIDIS } from './colormap';
import { lineLink, showDone, showProgress, sizedCanvas } from './dom';
import { percent, shapeText, valueText } from './format';
import { tileAt, tileLayout, tileOrigin, tileScale, type TileLayout } from './layout';
import { contextCheckpoint, sampleChoice, validCheckpoint, type SampleState } from './sample';
import { sampleControls } from './sampleControls';
import { base64ToBytes, channelRanges, dequantiseMap, mapGeometry } from './tensor';
import './style.css';

const vscode = webviewApi<FeatureMapsAction>();
const app = document.getElementById('app')!;
/** Channels drawn per layer until the user asks for all (a 512-channel layer is a long page). */
const CHANNELS_SHOWN = 64;

interface DecodedLayer {
  map: LayerFeatureMap;
  height: number;
  width: number;
  channels: number;
  vector: boolean;
  values: Float32Array;
  showAll: boolean;
  layout?: TileLayout;
  shown: number;
  canvas: HTMLCanvasElement;
}

let context: InspectContext | undefined;
let result: FeatureMapsResult | undefined;
let layers: DecodedLayer[] = [];
let scaling: 'channel' | 'layer' = 'channel';
let detail: { layer: number; channel: number } | undefined;
const sample: SampleState = { mode: 'index', index: 0, classIndex: 0, seed: 1, checkpoint: 'untrained' };

const status = el('p', { class: 'status', role: 'status' });
const readout = el('div', { class: 'readout', 'aria-live': 'off' }, 'Point at a map to read its value; click a channel to enlarge it.');
const detailBox = el('div', { class: 'detail-slot' });
const side = el('aside', { class: 'side' });
const mapsBox = el('div', { class: 'maps' });
const toolbar = el('div', { class: 'toolbar' });

function post(message: FeatureMapsAction): void {
  vscode.postMessage(message);
}

function request(): void {
  post({ type: 'request', sample: sampleChoice(sample), checkpoint: sample.checkpoint });
}

function buildToolbar(): void {
  if (!context) return;
  const ctx = context;
  toolbar.replaceChildren(
    ...sampleControls(ctx, sample, (rebuild) => {
      if (rebuild) buildToolbar();
      request();
    }),
    button('Random', () => {
      sample.mode = 'random';
      sample.seed = 1 + Math.floor(Math.random() * 1_000_000);
      buildToolbar();
      request();
    }, { secondary: true, id: 'random', title: 'Another random sample' }),
    button('Image File…', () => post({ type: 'pickImage', checkpoint: sample.checkpoint }), { secondary: true, id: 'image-file' }),
    button('Dataset…', () => post({ type: 'pickData' }), { secondary: true, id: 'dataset', title: 'Take samples from another dataset' }),
    select('Scaling', [['channel', 'per channel'], ['layer', 'per layer']], scaling, (v) => {
      scaling = v as 'channel' | 'layer';
      drawAll();
    }, 'scaling'),
    checkbox('Follow run', ctx.following ?? false, (on) => post({ type: 'follow', on }), 'follow'),
  );
}

function header(): HTMLElement {
  const ctx = context!;
  const run = ctx.run
    ? `run ${ctx.run.label} (${ctx.run.status})`
    : 'no run of this model yet: untrained weights (train it, then come back)';
  return el('header', {}, el('h1', {}, 'Feature maps', el('span', { class: 'subtitle' }, ` · ${ctx.title}`)), el('p', { class: 'note' }, `${run} · data ${ctx.data}`));
}

function layoutPage(): void {
  if (!context) return;
  app.replaceChildren(header(), toolbar, status, el('div', { class: 'layout' }, side, el('section', { class: 'main', 'aria-label': 'Feature maps per layer' }, detailBox, mapsBox)), readout);
}

function render(update: FeatureMapsUpdate): void {
  if (showProgress(status, update, (line) => post({ type: 'reveal', line }))) return;
  switch (update.type) {
    case 'context': {
      sample.checkpoint = contextCheckpoint(context, update.context, sample.checkpoint);
      context = update.context;
      if (context.count !== undefined && sample.index >= context.count) sample.index = 0;
      buildToolbar();
      layoutPage();
      if (result) showResult(result);
      return;
    }
    case 'result':
      showDone(status);
      showResult(update.result);
      return;
  }
}

function showResult(r: FeatureMapsResult): void {
  result = r;
  if (r.checkpoint !== sample.checkpoint && context) sample.checkpoint = validCheckpoint(context, r.checkpoint);
  const s = r.sample;
  // A sample the extension chose (the Evaluation view's gallery): the index field shows it.
  if (s.index !== null && sample.mode === 'index' && s.index !== sample.index) {
    sample.index = s.index;
    buildToolbar();
  }
  const what = s.file ? s.file.split(/[\\/]/).pop()! : `sample #${s.index}`;
  status.textContent = `${what}${s.className ? ` (${s.className})` : ''} · checkpoint ${r.checkpoint} · ${r.layers.length} layers in ${Math.round(r.ms)} ms`;
  layers = r.layers.map((map) => {
    const g = mapGeometry(map.shape);
    const q = base64ToBytes(map.data.data);
    const min = map.min.map((v) => v ?? 0);
    const max = map.max.map((v) => v ?? 0);
    return { map, ...g, values: dequantiseMap(q, g.channels, min, max), showAll: false, shown: 0, canvas: el('canvas', { class: 'grid-canvas' }) };
  });
  if (detail && detail.layer >= layers.length) detail = undefined;
  renderSide(r);
  mapsBox.replaceChildren(
    ...layers.map((d, i) => {
      const m = d.map;
      const more = d.channels > CHANNELS_SHOWN && !d.vector
        ? (() => {
            const a = el('a', { href: '#', class: 'more' }, `show all ${d.channels} channels`);
            a.addEventListener('click', (e) => {
              e.preventDefault();
              d.showAll = true;
              a.remove();
              drawLayer(d);
            });
            return a;
          })()
        : undefined;
      const section = el(
        'section',
        { class: 'layer', 'data-layer': m.layer },
        el('h3', {}, m.layer, el('span', { class: 'meta' }, `${m.type} · ${shapeText(m.shape)}${d.vector ? ' (vector)' : ` · ${d.channels} channel${d.channels === 1 ? '' : 's'}`}`), lineLink(m.line, (line) => post({ type: 'reveal', line }))),
        d.canvas,
        ...(more ? [more] : []),
      );
      wireCanvas(d, i);
      return section;
    }),
  );
  drawAll();
}

function renderSide(r: FeatureMapsResult): void {
  const img = r.sample.image;
  const [h, w, c] = img.shape;
  const canvas = el('canvas', { class: 'input-image', 'aria-label': 'The input sample' });
  const bytes = base64ToBytes(img.data);
  const data = new ImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const o = i * 4;
    if (c === 1) data.data[o] = data.data[o + 1] = data.data[o + 2] = bytes[i];
    else for (let k = 0; k < 3; k++) data.data[o + k] = bytes[i * c + k];
    data.data[o + 3] = 255;
  }
  const scale = tileScale(h, w, 168);
  const ctx = sizedCanvas(canvas, w * scale, h * scale);
  const tmp = document.createElement('canvas');
  tmp.width = w;
  tmp.height = h;
  tmp.getContext('2d')!.putImageData(data, 0, 0);
  ctx.drawImage(tmp, 0, 0, w * scale, h * scale);
  const s = r.sample;
  const caption = s.file
    ? `image file ${s.file.split(/[\\/]/).pop()}`
    : `sample #${s.index}${s.className !== null ? ` · label ${s.className}` : ''}`;
  side.replaceChildren(
    el('div', { class: 'side-block' }, el('h2', {}, 'Input'), canvas, el('div', { class: 'sample-caption' }, `${caption} · ${w}×${h}×${c}`)),
    // A reconstruction or FPI run outputs an image (its last layer's maps), not classes.
    el('div', { class: 'side-block' }, el('h2', {}, 'Prediction'), r.prediction ? predictionList(r.prediction, s.label) : el('p', { class: 'note' }, 'No class prediction: reconstruction output (the last layer\'s maps)')),
  );
}

function predictionList(p: Prediction, label: number | null): HTMLElement {
  let order = p.classes.map((_, i) => i);
  const many = order.length > 12;
  if (many) order = order.sort((a, b) => (p.probabilities[b] ?? 0) - (p.probabilities[a] ?? 0)).slice(0, 10);
  const list = el('div', { class: 'probs', role: 'list', 'aria-label': 'Class probabilities' });
  for (const i of order) {
    const prob = p.probabilities[i] ?? 0;
    const fill = el('div', { class: `fill${i === p.predicted ? ' predicted-bar' : ''}` });
    fill.style.width = `${Math.max(0, Math.min(1, prob)) * 100}%`;
    const cls = el('span', { class: `cls${i === p.predicted ? ' predicted' : ''}${i === label ? ' truth' : ''}`, title: p.classes[i] }, p.classes[i]);
    list.append(cls, el('div', { class: 'track', role: 'listitem', 'aria-label': `${p.classes[i]} ${percent(prob)}` }, fill), el('span', { class: i === p.predicted ? 'predicted' : '' }, percent(prob)));
  }
  const verdict = label === null ? '' : label === p.predicted ? ' (correct)' : ` (label: ${p.classes[label] ?? label})`;
  return el('div', {}, el('p', { class: 'note' }, `predicted ${p.classes[p.predicted] ?? p.predicted}${verdict}${many ? '; the 10 most likely of ' + p.classes.length : ''}`), list);
}

/** Colours one map pixel: the value's place on the channel's (or the layer's) range, through viridis. */
function paint(d: DecodedLayer, ranges: [number, number][], channel: number, out: Uint8ClampedArray, at: number, pixel: number): void {
  const v = d.values[pixel * d.channels + channel];
  const [lo, hi] = ranges[channel];
  const k = lutIndex(v, lo, hi) * 3;
  out[at] = VIRIDIS[k];
  out[at + 1] = VIRIDIS[k + 1];
  out[at + 2] = VIRIDIS[k + 2];
  out[at + 3] = 255;
}

function rangesOf(d: DecodedLayer): [number, number][] {
  const min = d.map.min.map((v) => v ?? 0);
  const max = d.map.max.map((v) => v ?? 0);
  return channelRanges(min, max, d.channels, d.vector ? 'layer' : scaling);
}

function availableWidth(): number {
  return Math.max(200, mapsBox.clientWidth || app.clientWidth - 260);
}

function drawLayer(d: DecodedLayer): void {
  const shown = d.vector || d.showAll ? d.channels : Math.min(d.channels, CHANNELS_SHOWN);
  const h = d.height;
  const w = d.width;
  const layout = d.vector
    ? tileLayout(shown, 1, 1, { availableWidth: availableWidth(), target: 12, gap: 1 })
    : tileLayout(shown, h, w, { availableWidth: availableWidth(), target: 56, gap: 4 });
  d.layout = layout;
  d.shown = shown;
  // Every channel at its own resolution in one atlas (one putImageData), then scaled up tile by tile.
  const atlas = document.createElement('canvas');
  atlas.width = layout.columns * w;
  atlas.height = layout.rows * h;
  const image = new ImageData(atlas.width, atlas.height);
  const ranges = rangesOf(d);
  for (let c = 0; c < shown; c++) {
    const ax = (c % layout.columns) * w;
    const ay = Math.floor(c / layout.columns) * h;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) paint(d, ranges, c, image.data, ((ay + y) * atlas.width + ax + x) * 4, y * w + x);
  }
  atlas.getContext('2d')!.putImageData(image, 0, 0);
  const ctx = sizedCanvas(d.canvas, layout.width, layout.height);
  for (let c = 0; c < shown; c++) {
    const { x, y } = tileOrigin(layout, c);
    ctx.drawImage(atlas, (c % layout.columns) * w, Math.floor(c / layout.columns) * h, w, h, x, y, layout.tileWidth, layout.tileHeight);
  }
  d.canvas.setAttribute('role', 'img');
  d.canvas.setAttribute('aria-label', `${d.map.layer}: ${shown} of ${d.channels} channels`);
}

function drawAll(): void {
  drawnWidth = availableWidth();
  for (const d of layers) drawLayer(d);
  drawDetail();
}

function valueAt(d: DecodedLayer, channel: number, row: number, col: number): number {
  return d.values[(row * d.width + col) * d.channels + channel];
}

function describe(d: DecodedLayer, channel: number, row: number, col: number): string {
  const where = d.vector ? `unit ${channel}` : `channel ${channel} · (row ${row}, col ${col})`;
  return `${d.map.layer} · ${where} = ${valueText(valueAt(d, channel, row, col))}`;
}

function wireCanvas(d: DecodedLayer, index: number): void {
  const hit = (e: MouseEvent) => (d.layout ? tileAt(d.layout, d.shown, e.offsetX, e.offsetY, d.height, d.width) : undefined);
  d.canvas.addEventListener('mousemove', (e) => {
    const t = hit(e);
    if (t) readout.textContent = describe(d, t.index, t.row, t.col);
  });
  d.canvas.addEventListener('click', (e) => {
    const t = hit(e);
    if (!t || d.vector) return;
    detail = { layer: index, channel: t.index };
    drawDetail();
    detailBox.scrollIntoView({ block: 'nearest' });
  });
}

function colorbar(lo: number, hi: number): HTMLElement {
  const bar = el('canvas', { 'aria-hidden': 'true' });
  bar.width = 256;
  bar.height = 1;
  const img = new ImageData(256, 1);
  for (let i = 0; i < 256; i++) {
    img.data.set([VIRIDIS[i * 3], VIRIDIS[i * 3 + 1], VIRIDIS[i * 3 + 2], 255], i * 4);
  }
  bar.getContext('2d')!.putImageData(img, 0, 0);
  return el('div', { class: 'colorbar' }, el('span', {}, valueText(lo)), bar, el('span', {}, valueText(hi)));
}

function drawDetail(): void {
  const d = detail && layers[detail.layer];
  if (!detail || !d) {
    detailBox.replaceChildren();
    return;
  }
  const channel = Math.min(detail.channel, d.channels - 1);
  const scale = Math.max(1, Math.floor(240 / Math.max(d.height, d.width)));
  const canvas = el('canvas', { 'aria-label': `${d.map.layer} channel ${channel}, enlarged` });
  const ctx = sizedCanvas(canvas, d.width * scale, d.height * scale);
  const ranges = rangesOf(d);
  const img = new ImageData(d.width, d.height);
  for (let p = 0; p < d.width * d.height; p++) paint(d, ranges, channel, img.data, p * 4, p);
  const tmp = document.createElement('canvas');
  tmp.width = d.width;
  tmp.height = d.height;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.drawImage(tmp, 0, 0, d.width * scale, d.height * scale);
  canvas.addEventListener('mousemove', (e) => {
    const col = Math.min(d.width - 1, Math.floor(e.offsetX / scale));
    const row = Math.min(d.height - 1, Math.floor(e.offsetY / scale));
    readout.textContent = describe(d, channel, row, col);
  });
  const [lo, hi] = ranges[channel];
  const own = [d.map.min[channel] ?? d.map.min[0] ?? 0, d.map.max[channel] ?? d.map.max[0] ?? 0];
  detailBox.replaceChildren(
    el(
      'div',
      { class: 'detail', role: 'region', 'aria-label': 'Enlarged channel' },
      canvas,
      el(
        'div',
        { class: 'detail-info' },
        el('strong', {}, `${d.map.layer} · channel ${channel} of ${d.channels}`),
        el('span', {}, `${d.map.type} · ${d.height}×${d.width}`),
        el('span', {}, `values from ${valueText(own[0])} to ${valueText(own[1])}`),
        el('span', { class: 'muted' }, `coloured on ${scaling === 'layer' ? "the layer's" : "the channel's"} range:`),
        colorbar(lo, hi),
        el('div', { class: 'actions' }, lineLink(d.map.line, (line) => post({ type: 'reveal', line })), button('Close', () => {
          detail = undefined;
          drawDetail();
        }, { secondary: true })),
      ),
    ),
  );
}

// Redraw when the panel's width changes (the grids wrap to it); height changes are our own drawing.
let resizeTimer: number | undefined;
let drawnWidth = 0;
new ResizeObserver(() => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    const width = availableWidth();
    if (layers.length && width !== drawnWidth) drawAll();
  }, 100);
}).observe(document.body);

onMessages<FeatureMapsUpdate>(render);
post({ type: 'ready' });
