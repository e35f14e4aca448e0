/**
 * A small picture of one layer's feature maps for the layer-line hover: the first channels as tiles in the
 * viridis colormap, encoded as a PNG data: URI. Decodes the engine's EncodedTensor itself (base64 bytes),
 * and encodes with pngjs (pure JavaScript): nothing here loads TensorFlow.js. Pure (no `vscode`); loaded on
 * the first hover, not at activation.
 */
import { PNG } from 'pngjs';
import type { EncodedTensor, LayerFeatureMap } from '../../protocol/engineTypes';

/** matplotlib's viridis at 0, 1/8, ..., 1 (perceptually uniform, readable in light and dark themes). */
const VIRIDIS_ANCHORS: [number, number, number][] = [
  [68, 1, 84], [72, 40, 120], [62, 73, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [110, 206, 88], [253, 231, 37],
];

/** 256 RGB entries, index = the uint8 value. */
export const VIRIDIS: Uint8Array = (() => {
  const lut = new Uint8Array(256 * 3);
  const segments = VIRIDIS_ANCHORS.length - 1;
  for (let q = 0; q < 256; q++) {
    const t = (q / 255) * segments;
    const i = Math.min(Math.floor(t), segments - 1);
    const f = t - i;
    for (let k = 0; k < 3; k++) lut[q * 3 + k] = Math.round(VIRIDIS_ANCHORS[i][k] * (1 - f) + VIRIDIS_ANCHORS[i + 1][k] * f);
  }
  return lut;
})();

/**
 * The tensor's values as uint8: uint8 as is; float32 scaled from its own [min, max] to [0, 255] (the engine
 * sends feature maps as uint8 already scaled per channel).
 */
export function decodeToUint8(tensor: EncodedTensor): Uint8Array {
  const bytes = Buffer.from(tensor.data, 'base64');
  const count = tensor.shape.reduce((a, b) => a * b, 1);
  if (tensor.dtype === 'uint8') {
    if (bytes.length !== count) throw new Error(`a uint8 tensor of shape [${tensor.shape.join(', ')}] needs ${count} bytes, got ${bytes.length}`);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  if (bytes.length !== count * 4) throw new Error(`a float32 tensor of shape [${tensor.shape.join(', ')}] needs ${count * 4} bytes, got ${bytes.length}`);
  const floats = new Float32Array(count);
  for (let i = 0; i < count; i++) floats[i] = bytes.readFloatLE(i * 4);
  let min = Infinity;
  let max = -Infinity;
  for (const v of floats) if (Number.isFinite(v)) (min = Math.min(min, v)), (max = Math.max(max, v));
  const span = max > min ? max - min : 1;
  return Uint8Array.from(floats, (v) => (Number.isFinite(v) ? Math.round(((v - (min === Infinity ? 0 : min)) / span) * 255) : 0));
}

export interface StripOptions {
  /** Channels shown, the first ones (default 16). */
  maxChannels?: number;
  /** Tiles per row (default 8). */
  perRow?: number;
  /** Target tile side in pixels; maps are magnified by a whole factor towards it (default 48). */
  tileSize?: number;
  /** Cells of a vector output drawn at most (default 128). */
  maxVector?: number;
}

export interface FeatureMapStrip {
  png: Buffer;
  width: number;
  height: number;
  /** Channels drawn, and the layer's channels. */
  shown: number;
  channels: number;
}

const GAP = 2;

/**
 * Draws a layer's maps: [H, W, C] as up to `maxChannels` H×W tiles (row-major, channel last, as the engine
 * sends them), [L, C] as L×1 tiles, a vector [N] as one row of cells. Transparent gaps between tiles.
 */
export function drawFeatureMapStrip(map: Pick<LayerFeatureMap, 'shape' | 'data'>, options: StripOptions = {}): FeatureMapStrip {
  const values = decodeToUint8(map.data);
  const shape = map.shape;
  if (shape.length === 1) return drawVector(values, shape[0], options);
  if (shape.length !== 2 && shape.length !== 3) throw new Error(`cannot draw feature maps of shape [${shape.join(', ')}]`);
  const [h, w, c] = shape.length === 3 ? shape : [1, shape[0], shape[1]];
  const shown = Math.min(c, options.maxChannels ?? 16);
  const perRow = Math.min(shown, options.perRow ?? 8);
  const rows = Math.ceil(shown / perRow);
  const target = options.tileSize ?? 48;
  const scale = Math.max(1, Math.round(target / Math.max(h, w)));
  const th = h * scale;
  const tw = w * scale;
  const width = perRow * tw + (perRow - 1) * GAP;
  const height = rows * th + (rows - 1) * GAP;
  const png = new PNG({ width, height });
  png.data.fill(0);
  for (let ch = 0; ch < shown; ch++) {
    const x0 = (ch % perRow) * (tw + GAP);
    const y0 = Math.floor(ch / perRow) * (th + GAP);
    for (let y = 0; y < th; y++) {
      const sy = Math.floor(y / scale);
      for (let x = 0; x < tw; x++) {
        const q = values[(sy * w + Math.floor(x / scale)) * c + ch];
        const o = ((y0 + y) * width + x0 + x) * 4;
        png.data[o] = VIRIDIS[q * 3];
        png.data[o + 1] = VIRIDIS[q * 3 + 1];
        png.data[o + 2] = VIRIDIS[q * 3 + 2];
        png.data[o + 3] = 255;
      }
    }
  }
  return { png: PNG.sync.write(png), width, height, shown, channels: c };
}

function drawVector(values: Uint8Array, n: number, options: StripOptions): FeatureMapStrip {
  const shown = Math.min(n, options.maxVector ?? 128);
  const cell = Math.max(2, Math.min(16, Math.floor(384 / shown)));
  const width = shown * cell;
  const height = 16;
  const png = new PNG({ width, height });
  for (let i = 0; i < shown; i++) {
    const q = values[i];
    for (let y = 0; y < height; y++) {
      for (let x = i * cell; x < (i + 1) * cell; x++) {
        const o = (y * width + x) * 4;
        png.data[o] = VIRIDIS[q * 3];
        png.data[o + 1] = VIRIDIS[q * 3 + 1];
        png.data[o + 2] = VIRIDIS[q * 3 + 2];
        png.data[o + 3] = 255;
      }
    }
  }
  return { png: PNG.sync.write(png), width, height, shown, channels: n };
}

export function pngDataUri(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}
