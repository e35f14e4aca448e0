/**
 * The most and least anomalous samples as thumbnails: the image, and for recon and fpi the per-pixel map
 * beside it in viridis (on one range for every map shown, so that brighter means more error across
 * samples; fpi's foreign fraction on [0, 1]), with each sample's index, class and score. Canvases hold the
 * images at their own resolution; CSS scales them up without smoothing.
 */
import type { AnomalySample, AnomalyView, ScoredSample } from '../../src/protocol/webview';
import { el } from '../shared/dom';
import { lutIndex, VIRIDIS } from '../inspection/colormap';
import { base64ToBytes, base64ToFloat32 } from '../inspection/tensor';
import { scoreText } from './format';

const THUMB = 84;

/** A canvas of w×h RGBA pixels, shown THUMB pixels wide. */
function pixels(w: number, h: number, label: string, fill: (rgba: Uint8ClampedArray) => void): HTMLCanvasElement {
  const canvas = el('canvas', { class: 'thumb', role: 'img', 'aria-label': label });
  canvas.width = w;
  canvas.height = h;
  const data = new ImageData(w, h);
  fill(data.data);
  canvas.getContext('2d')!.putImageData(data, 0, 0);
  canvas.style.width = `${THUMB}px`;
  canvas.style.height = `${Math.round((THUMB * h) / w)}px`;
  return canvas;
}

function imageCanvas(s: AnomalySample): HTMLCanvasElement {
  const [h, w, c] = s.image.shape;
  const bytes = base64ToBytes(s.image.data);
  return pixels(w, h, `sample ${s.index}`, (out) => {
    for (let i = 0; i < w * h; i++) {
      for (let k = 0; k < 3; k++) out[i * 4 + k] = bytes[i * c + (c >= 3 ? k : 0)];
      out[i * 4 + 3] = 255;
    }
  });
}

function mapCanvas(index: number, map: Float32Array, shape: number[], range: [number, number]): HTMLCanvasElement {
  const [h, w] = shape;
  return pixels(w, h, `sample ${index}: per-pixel map`, (out) => {
    for (let i = 0; i < w * h; i++) {
      const q = lutIndex(map[i], range[0], range[1]) * 3;
      out.set([VIRIDIS[q], VIRIDIS[q + 1], VIRIDIS[q + 2], 255], i * 4);
    }
  });
}

export interface DecodedMaps {
  values: Map<number, { map: Float32Array; shape: number[] }>;
  range: [number, number];
}

/** The samples' maps decoded, and the range they are coloured on (fpi: [0, 1]; recon: 0 to the largest value). */
export function decodeMaps(view: AnomalyView, samples: readonly AnomalySample[]): DecodedMaps {
  const values = new Map<number, { map: Float32Array; shape: number[] }>();
  let hi = 0;
  for (const s of samples) {
    if (!s.map) continue;
    const map = base64ToFloat32(s.map.data);
    for (const v of map) if (Number.isFinite(v)) hi = Math.max(hi, v);
    values.set(s.index, { map, shape: s.map.shape });
  }
  return { values, range: view.method === 'fpi' ? [0, 1] : [0, hi] };
}

/** The viridis bar under the maps, with its range. */
export function mapLegend(maps: DecodedMaps, method: AnomalyView['method']): HTMLElement {
  const bar = pixels(256, 1, '', (out) => {
    for (let i = 0; i < 256; i++) out.set([VIRIDIS[i * 3], VIRIDIS[i * 3 + 1], VIRIDIS[i * 3 + 2], 255], i * 4);
  });
  bar.removeAttribute('role');
  bar.setAttribute('aria-hidden', 'true');
  bar.style.width = '160px';
  bar.style.height = '10px';
  const what = method === 'fpi' ? 'predicted foreign fraction' : 'squared error per pixel';
  return el('div', { class: 'colorbar' }, `Maps: ${what} `, el('span', {}, scoreText(maps.range[0])), bar, el('span', {}, scoreText(maps.range[1])));
}

/** One sample: its image (and map) once they arrived, its index, class and score. */
export function thumbnail(s: ScoredSample, sample: AnomalySample | undefined, maps: DecodedMaps | undefined): HTMLElement {
  const pictures = el('div', { class: 'pictures' });
  if (sample) {
    pictures.append(imageCanvas(sample));
    const m = maps?.values.get(s.index);
    if (m) pictures.append(mapCanvas(s.index, m.map, m.shape, maps!.range));
  } else {
    pictures.append(el('div', { class: 'thumb placeholder', 'aria-hidden': 'true' }));
  }
  const cls = sample?.className ?? String(s.label);
  return el(
    'figure',
    { class: `sample ${s.anomalous ? 'is-anomalous' : 'is-normal'}` },
    pictures,
    el(
      'figcaption',
      {},
      el('div', {}, el('span', { class: 'score', title: 'score (higher = more anomalous)' }, scoreText(s.score)), ' ', el('span', { class: 'tag' }, s.anomalous ? 'anomalous' : 'normal')),
      el('div', { class: 'muted' }, `#${s.index} · label ${cls}`),
    ),
  );
}
