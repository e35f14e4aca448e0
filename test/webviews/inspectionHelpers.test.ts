/**
 * The pure helpers of the inspection pages (webviews/inspection/), without a DOM: the viridis and diverging
 * lookup tables, base64 decoding and dequantisation of feature maps, per-channel and per-layer ranges,
 * numbers in human units, and where grid tiles go (and which tile and pixel lie under the cursor).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIVERGING, divergingIndex, lutIndex, luminance, VIRIDIS } from '../../webviews/inspection/colormap';
import { humanCount, humanMacs, percent, shapeText, valueText } from '../../webviews/inspection/format';
import { tileAt, tileLayout, tileOrigin, tileScale } from '../../webviews/inspection/layout';
import { checkpointOptions, contextCheckpoint, sampleChoice, validCheckpoint } from '../../webviews/inspection/sample';
import { base64ToBytes, base64ToFloat32, channelRanges, dequantise, dequantiseMap, mapGeometry } from '../../webviews/inspection/tensor';

const rgb = (lut: Uint8Array, i: number) => [lut[i * 3], lut[i * 3 + 1], lut[i * 3 + 2]];

describe('colormaps', () => {
  it('viridis: 256 entries from dark purple to yellow, luminance rising all the way (perceptually ordered)', () => {
    assert.equal(VIRIDIS.length, 256 * 3);
    assert.deepEqual(rgb(VIRIDIS, 0), [0x44, 0x01, 0x54]);
    assert.deepEqual(rgb(VIRIDIS, 255), [0xfd, 0xe7, 0x25]);
    // matplotlib's viridis(0.5) is #21918c; the table is within a few units of it.
    const mid = rgb(VIRIDIS, 128);
    [0x21, 0x91, 0x8c].forEach((v, c) => assert.ok(Math.abs(mid[c] - v) <= 4, `viridis(0.5) channel ${c}: ${mid[c]} vs ${v}`));
    // Rising; 8-bit rounding may dip a step by less than 0.001, never more, and every 4 steps it rises.
    for (let i = 1; i < 256; i++) assert.ok(luminance(VIRIDIS, i) > luminance(VIRIDIS, i - 1) - 0.001, `luminance falls at ${i}`);
    for (let i = 4; i < 256; i++) assert.ok(luminance(VIRIDIS, i) > luminance(VIRIDIS, i - 4), `luminance flat at ${i}`);
  });

  it('diverging: blue for negative, near-white at 0, red for positive, symmetric in lightness', () => {
    const [r0, , b0] = rgb(DIVERGING, 0);
    const [r1, , b1] = rgb(DIVERGING, 255);
    assert.ok(b0 > r0 && r1 > b1);
    assert.ok(rgb(DIVERGING, divergingIndex(0, 1)).every((v) => v > 230), 'white-ish at 0');
    assert.ok(Math.abs(luminance(DIVERGING, 30) - luminance(DIVERGING, 225)) < 0.08);
    assert.equal(divergingIndex(-2, 1), 0);
    assert.equal(divergingIndex(2, 1), 255);
    assert.equal(divergingIndex(0.3, 0), 128, 'all-zero kernels sit in the middle');
  });

  it('lutIndex clamps, and a flat range maps to the middle', () => {
    assert.equal(lutIndex(-1, 0, 1), 0);
    assert.equal(lutIndex(0.5, 0, 1), 128);
    assert.equal(lutIndex(9, 0, 1), 255);
    assert.equal(lutIndex(3, 3, 3), 128);
  });
});

describe('tensors from base64', () => {
  it('uint8 and little-endian float32 decode exactly', () => {
    assert.deepEqual([...base64ToBytes(Buffer.from([0, 7, 255]).toString('base64'))], [0, 7, 255]);
    const floats = new Float32Array([0, -1.5, 3.25, 1e-7]);
    assert.deepEqual([...base64ToFloat32(Buffer.from(floats.buffer).toString('base64'))], [...floats]);
    assert.throws(() => base64ToFloat32(Buffer.from([1, 2, 3]).toString('base64')), /multiple of 4/);
  });

  it('dequantise: value = min + (max - min) * q / 255, per channel of an HWC map', () => {
    assert.equal(dequantise(0, -1, 3), -1);
    assert.equal(dequantise(255, -1, 3), 3);
    assert.ok(Math.abs(dequantise(51, 0, 5) - 1) < 1e-12);
    // 1×2 pixels, 2 channels: channel 0 on [0, 1], channel 1 on [-10, 10].
    const v = dequantiseMap(new Uint8Array([0, 0, 255, 255]), 2, [0, -10], [1, 10]);
    assert.deepEqual([...v], [0, -10, 1, 10]);
    // One range for the whole map.
    assert.deepEqual([...dequantiseMap(new Uint8Array([0, 255]), 2, [2], [4])], [2, 4]);
  });

  it('channel ranges: own per channel, or the layer min and max over channels', () => {
    assert.deepEqual(channelRanges([0, -2], [1, 5], 2, 'channel'), [[0, 1], [-2, 5]]);
    assert.deepEqual(channelRanges([0, -2], [1, 5], 2, 'layer'), [[-2, 5], [-2, 5]]);
  });

  it('geometry: [H, W, C] maps and [N] vectors', () => {
    assert.deepEqual(mapGeometry([14, 14, 6]), { height: 14, width: 14, channels: 6, vector: false });
    assert.deepEqual(mapGeometry([120]), { height: 1, width: 1, channels: 120, vector: true });
  });
});

describe('numbers for people', () => {
  it('parameters and MACs in human units, as in the LeNet vs AlexNet table', () => {
    assert.equal(humanCount(999), '999');
    assert.equal(humanCount(61_706), '61.7 k');
    assert.equal(humanCount(1_200_000), '1.2 M');
    assert.equal(humanCount(60_965_224), '61 M');
    assert.equal(humanCount(138_357_544), '138 M');
    assert.equal(humanCount(15_470_264_320), '15.5 G');
    assert.equal(humanMacs(420_000_000), '0.42 G');
    assert.equal(humanMacs(714_188_480), '0.71 G');
    assert.equal(humanMacs(416_520), '417 k');
  });

  it('shapes without the batch dimension, values and percentages', () => {
    assert.equal(shapeText([null, 14, 14, 6]), '14×14×6');
    assert.equal(shapeText([[null, 4], [null, 2]]), '4, 2');
    assert.equal(valueText(0.123456), '0.1235');
    assert.equal(valueText(0), '0');
    assert.equal(valueText(2.5e-5), '2.50e-5');
    assert.equal(percent(0.4213), '42.1%');
  });
});

describe('tile layout', () => {
  it('small maps scale up by whole pixels, large ones shrink to the target', () => {
    assert.equal(tileScale(14, 14, 56), 4);
    assert.equal(tileScale(5, 5, 56), 11);
    assert.equal(tileScale(224, 224, 56), 0.25);
  });

  it('as many columns as fit the width, rows for the rest; the grid size counts the gaps', () => {
    const l = tileLayout(16, 10, 10, { availableWidth: 200, target: 40, gap: 4 });
    assert.equal(l.tileWidth, 40);
    assert.equal(l.columns, 4); // 4 × 40 + 3 × 4 = 172 ≤ 200 < 5 × 40 + 4 × 4
    assert.equal(l.rows, 4);
    assert.equal(l.width, 172);
    assert.equal(l.height, 172);
    assert.deepEqual(tileOrigin(l, 5), { x: 44, y: 44 });
    assert.equal(tileLayout(3, 10, 10, { availableWidth: 1000, target: 40 }).columns, 3, 'no more columns than tiles');
    assert.equal(tileLayout(6, 5, 5, { availableWidth: 10, target: 20, columns: 3 }).columns, 3, 'fixed columns');
  });

  it('the tile and map pixel under the cursor; nothing over a gap or past the last tile', () => {
    const l = tileLayout(5, 10, 10, { availableWidth: 200, target: 40, gap: 4 });
    assert.deepEqual(tileAt(l, 5, 0, 0, 10, 10), { index: 0, row: 0, col: 0 });
    assert.deepEqual(tileAt(l, 5, 44 + 39, 0 + 20, 10, 10), { index: 1, row: 5, col: 9 });
    assert.equal(tileAt(l, 5, 41, 5, 10, 10), undefined, 'gap');
    assert.deepEqual(tileAt(l, 5, 5, 50, 10, 10), { index: 4, row: 1, col: 1 });
    assert.equal(tileAt(l, 5, 50, 50, 10, 10), undefined, 'past the last tile');
  });
});

describe('sample and checkpoint choices', () => {
  const base = { title: 'lenet.model.ts', modelFile: '/m', data: 'synthetic:shapes', classes: ['a'], checkpoint: 'untrained' as const };
  it('without a run only untrained; with one last, best (when saved), untrained', () => {
    assert.deepEqual(checkpointOptions({ run: undefined }).map(([v]) => v), ['untrained']);
    const run = { runDir: '/r', label: 'r', status: 'completed', hasBest: true };
    assert.deepEqual(checkpointOptions({ run }).map(([v]) => v), ['last', 'best', 'untrained']);
    assert.deepEqual(checkpointOptions({ run: { ...run, hasBest: false } }).map(([v]) => v), ['last', 'untrained']);
    assert.equal(validCheckpoint(base, 'best'), 'untrained');
  });
  it("a new context: its own checkpoint the first time, then the user's while it offers it", () => {
    const run = { runDir: '/r', label: 'r', status: 'completed', hasBest: true };
    const withRun = { ...base, run, checkpoint: 'last' as const };
    assert.equal(contextCheckpoint(undefined, withRun, 'best'), 'last', 'first context');
    assert.equal(contextCheckpoint(withRun, withRun, 'best'), 'best', 'kept');
    assert.equal(contextCheckpoint(withRun, { ...withRun, run: { ...run, hasBest: false } }, 'best'), 'last', 'best is gone');
  });
  it('the page asks by index, class or random seed', () => {
    const s = { mode: 'class' as const, index: 3, classIndex: 2, seed: 9, checkpoint: 'last' as const };
    assert.deepEqual(sampleChoice(s), { kind: 'class', classIndex: 2 });
    assert.deepEqual(sampleChoice({ ...s, mode: 'index' }), { kind: 'index', index: 3 });
    assert.deepEqual(sampleChoice({ ...s, mode: 'random' }), { kind: 'random', seed: 9 });
  });
});
