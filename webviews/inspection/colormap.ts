/**
 * Colormaps as 256-entry lookup tables (Uint8Array of 256 × RGB), built once from anchor colours:
 *  - viridis (perceptually uniform, readable in grey and by most colour-blind readers) for activations;
 *  - a blue–white–red diverging map (ColorBrewer RdBu) centred at 0 for weights.
 * Pure functions, no DOM: unit-tested in test/webviews/inspectHelpers.test.ts.
 */

/** viridis at 16 evenly spaced points from 0 to 1 (matplotlib's viridis sampled at k/15). */
const VIRIDIS_ANCHORS = [
  '#440154', '#481a6c', '#472f7d', '#414487', '#39568c', '#31688e', '#2a788e', '#23888e',
  '#1f988b', '#22a884', '#35b779', '#54c568', '#7ad151', '#a5db36', '#d2e21b', '#fde725',
];

/** ColorBrewer RdBu (11 classes), from most negative (dark blue) through white to most positive (dark red). */
const DIVERGING_ANCHORS = [
  '#053061', '#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fddbc7', '#f4a582', '#d6604d', '#b2182b', '#67001f',
];

function hex(c: string): [number, number, number] {
  return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
}

/** 256 RGB entries, linearly interpolated between evenly spaced anchors. */
export function buildLut(anchors: string[]): Uint8Array {
  const rgb = anchors.map(hex);
  const lut = new Uint8Array(256 * 3);
  const segments = rgb.length - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * segments;
    const k = Math.min(segments - 1, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(rgb[k][c] + (rgb[k + 1][c] - rgb[k][c]) * f);
  }
  return lut;
}

export const VIRIDIS = buildLut(VIRIDIS_ANCHORS);
export const DIVERGING = buildLut(DIVERGING_ANCHORS);

/** CSS colour of a LUT entry, for legends. */
export function lutCss(lut: Uint8Array, index: number): string {
  const i = Math.max(0, Math.min(255, Math.round(index))) * 3;
  return `rgb(${lut[i]}, ${lut[i + 1]}, ${lut[i + 2]})`;
}

/** Index 0..255 of `value` on [lo, hi]; a flat range (hi <= lo) maps to the middle. */
export function lutIndex(value: number, lo: number, hi: number): number {
  if (!(hi > lo)) return 128;
  const t = (value - lo) / (hi - lo);
  return t <= 0 ? 0 : t >= 1 ? 255 : Math.round(t * 255);
}

/** Index for a diverging map centred at 0: ±limit at the ends. */
export function divergingIndex(value: number, limit: number): number {
  if (!(limit > 0)) return 128;
  return lutIndex(value, -limit, limit);
}

/** Relative luminance (0..1) of a LUT entry: viridis must rise monotonically. */
export function luminance(lut: Uint8Array, index: number): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const i = index * 3;
  return 0.2126 * lin(lut[i]) + 0.7152 * lin(lut[i + 1]) + 0.0722 * lin(lut[i + 2]);
}
