/**
 * `dl-lab featuremaps`: draws a FeatureMapsResult as one PNG. From the top: the input (grey or RGB), then
 * one block per layer: a spatial output [H, W, C] as C tiles (16 to a row) in the viridis colormap, each
 * channel scaled to its own range; a vector [N] as a strip of cells, 128 to a row. No text is drawn: the
 * command prints the layout (and --json gives every block's position).
 */
import * as fs from 'node:fs';
import { PNG } from 'pngjs';
import type { FeatureMapsResult, LayerFeatureMap } from '../protocol/engineTypes';
import { decodeTensor } from '../engine/inspection/encode';
import { VIRIDIS } from '../engine/inspection/viridis';

/** Margin around and between blocks. */
export const PAD = 8;
/** Between tiles of one block. */
export const GAP = 2;
/** Small maps are enlarged (by a whole factor) to about this side. */
export const MIN_TILE = 28;
export const MAX_COLS = 16;
export const CELL_W = 6;
export const CELL_H = 12;
export const CELLS_PER_ROW = 128;
const BACKGROUND = [30, 30, 30];

export interface Block {
  /** 'input' or the layer's name. */
  name: string;
  shape: number[];
  x: number;
  y: number;
  width: number;
  height: number;
  /** Tiles (channels) per row and rows; a vector: cells per row and rows. */
  cols: number;
  rows: number;
  /** Pixels per map pixel (spatial blocks). */
  scale: number;
  kind: 'image' | 'maps' | 'vector';
}

export interface Layout {
  width: number;
  height: number;
  blocks: Block[];
}

/** [H, W, C] for maps and images; [1, T, C] for a sequence; null for a vector. */
function asMaps(shape: number[]): [number, number, number] | null {
  if (shape.length === 3) return [shape[0], shape[1], shape[2]];
  if (shape.length === 2) return [1, shape[0], shape[1]];
  return null;
}

export function layoutFeatureMaps(inputShape: number[], layers: Pick<LayerFeatureMap, 'layer' | 'shape'>[]): Layout {
  const blocks: Block[] = [];
  let y = PAD;
  const add = (block: Omit<Block, 'x' | 'y'>) => {
    blocks.push({ ...block, x: PAD, y });
    y += block.height + PAD;
  };
  const [ih, iw] = inputShape;
  const inputScale = Math.max(1, Math.floor((MIN_TILE * 2) / Math.max(ih, iw)));
  add({ name: 'input', shape: inputShape, width: iw * inputScale, height: ih * inputScale, cols: 1, rows: 1, scale: inputScale, kind: 'image' });
  for (const layer of layers) {
    const maps = asMaps(layer.shape);
    if (maps) {
      const [h, w, c] = maps;
      const scale = Math.max(1, Math.floor(MIN_TILE / Math.max(h, w)));
      const cols = Math.min(c, MAX_COLS);
      const rows = Math.ceil(c / cols);
      add({ name: layer.layer, shape: layer.shape, width: cols * w * scale + (cols - 1) * GAP, height: rows * h * scale + (rows - 1) * GAP, cols, rows, scale, kind: 'maps' });
    } else {
      const n = layer.shape.reduce((a, b) => a * b, 1);
      const cols = Math.min(n, CELLS_PER_ROW);
      const rows = Math.ceil(n / cols);
      add({ name: layer.layer, shape: layer.shape, width: cols * CELL_W, height: rows * CELL_H, cols, rows, scale: 1, kind: 'vector' });
    }
  }
  const width = 2 * PAD + Math.max(...blocks.map((b) => b.width));
  return { width, height: y, blocks };
}

/** The uint8 of a layer's map (re-quantised per channel when the result carries float32). */
function quantised(map: LayerFeatureMap): Uint8Array {
  const values = decodeTensor(map.data);
  if (values instanceof Uint8Array) return values;
  const channels = map.min.length;
  const out = new Uint8Array(values.length);
  for (let i = 0, c = 0; i < values.length; i++) {
    const range = map.max[c] - map.min[c];
    out[i] = range > 0 ? Math.round(((values[i] - map.min[c]) / range) * 255) : 0;
    if (++c === channels) c = 0;
  }
  return out;
}

export function renderFeatureMaps(result: FeatureMapsResult): { png: Buffer; layout: Layout } {
  const image = result.sample.image;
  const layout = layoutFeatureMaps(image.shape, result.layers);
  const png = new PNG({ width: layout.width, height: layout.height });
  for (let p = 0; p < layout.width * layout.height; p++) {
    png.data[4 * p] = BACKGROUND[0];
    png.data[4 * p + 1] = BACKGROUND[1];
    png.data[4 * p + 2] = BACKGROUND[2];
    png.data[4 * p + 3] = 255;
  }
  const put = (x: number, y: number, r: number, g: number, b: number) => {
    const o = 4 * (y * layout.width + x);
    png.data[o] = r;
    png.data[o + 1] = g;
    png.data[o + 2] = b;
  };
  const fill = (x0: number, y0: number, w: number, h: number, q: number) => {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) put(x, y, VIRIDIS[3 * q], VIRIDIS[3 * q + 1], VIRIDIS[3 * q + 2]);
  };
  const [input, ...blocks] = layout.blocks;
  // The input as the model sees it before normalisation: grey or RGB (other channel counts: the first).
  const pixels = decodeTensor(image) as Uint8Array;
  const [ih, iw, ic = 1] = image.shape;
  for (let y = 0; y < ih * input.scale; y++) {
    for (let x = 0; x < iw * input.scale; x++) {
      const o = (Math.floor(y / input.scale) * iw + Math.floor(x / input.scale)) * ic;
      if (ic === 3) put(input.x + x, input.y + y, pixels[o], pixels[o + 1], pixels[o + 2]);
      else put(input.x + x, input.y + y, pixels[o], pixels[o], pixels[o]);
    }
  }
  blocks.forEach((block, i) => {
    const map = result.layers[i];
    const q = quantised(map);
    if (block.kind === 'vector') {
      for (let k = 0; k < q.length; k++) fill(block.x + (k % block.cols) * CELL_W, block.y + Math.floor(k / block.cols) * CELL_H, CELL_W - 1, CELL_H - 1, q[k]);
      return;
    }
    const [h, w, c] = asMaps(map.shape)!;
    const s = block.scale;
    for (let ch = 0; ch < c; ch++) {
      const tx = block.x + (ch % block.cols) * (w * s + GAP);
      const ty = block.y + Math.floor(ch / block.cols) * (h * s + GAP);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) fill(tx + x * s, ty + y * s, s, s, q[(y * w + x) * c + ch]);
    }
  });
  return { png: PNG.sync.write(png), layout };
}

export function writeFeatureMapsPng(result: FeatureMapsResult, file: string): Layout {
  const { png, layout } = renderFeatureMaps(result);
  fs.writeFileSync(file, png);
  return layout;
}

/**
 * The command's prediction line: the predicted class and the three most probable ones, or, for a model
 * that outputs an image (a reconstruction or FPI run), what its output is instead.
 */
export function predictionLine(result: Pick<FeatureMapsResult, 'prediction' | 'layers'>): string {
  const p = result.prediction;
  if (!p) {
    const last = result.layers.at(-1);
    return `no class prediction: the model outputs an image (reconstruction output)${last ? `, the last layer's ${last.shape.join('x')} map` : ''}`;
  }
  const top = p.probabilities.map((q, i) => [q, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 3);
  return `prediction ${p.classes[p.predicted]} (${top.map(([q, i]) => `${p.classes[i]} ${(q * 100).toFixed(1)}%`).join(', ')})`;
}
