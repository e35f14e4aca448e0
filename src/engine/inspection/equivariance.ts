/**
 * `inspect/equivariance` (the lesson on shift equivariance and invariance): shift the sample by v pixels and
 * measure, per layer, how far its output is from the shifted output of the unshifted sample:
 *
 *   error(v) = ‖f(S_v x) − S′ f(x)‖ / ‖f(x)‖,   S′ = shift by round(v / jump) output positions,
 *
 * `jump` being the layer's total stride (see receptiveFields). `exact` says whether v / jump was whole: a
 * layer after a stride-2 pooling cannot follow an odd shift exactly, whatever it does. Outputs that are not
 * spatial (after Flatten, Dense, global pooling) are compared unshifted: the invariance error.
 *
 * Modes: 'cyclic' rolls the image (pixels leaving one side enter at the other) and compares whole maps
 * rolled the same way; a network of stride-1 convolutions whose padding matches the image border then
 * commutes with the shift exactly. 'zero' moves the raw image (before normalisation) and fills with zeros
 * (black); the maps are then compared only where both exist: positions whose source f(x)[p − S′] falls
 * outside the map (moved out, or came in from the border) are left out of both norms. What the zero-filled
 * band does to the positions that remain (within their receptive field) still counts: that is the border
 * effect a user should see.
 */
import * as tf from '@tensorflow/tfjs';
import { SHIFT_AXES, SHIFT_MODES, type EquivarianceParams, type EquivarianceResult, type LayerEquivariance, type Prediction, type ShiftMode } from '../../protocol/engineTypes';
import { describeSample, InspectError, inputTensor, openModel, pickSample, prediction, probe, selectLayers } from './source';

const DEFAULT_SHIFTS = [0, 1, 2, 3, 4, 5, 6, 7, 8];

/** Where position i of an axis of length n comes from under a shift by d: wrapped, or -1 when shifted in from outside (zero mode). */
function sourceCoord(i: number, d: number, n: number, mode: ShiftMode): number {
  const from = i - d;
  if (mode === 'cyclic') return ((from % n) + n) % n;
  return from < 0 || from >= n ? -1 : from;
}

/**
 * Calls `visit(o, s)` for each position o of an [h, w, c] map and the position s it holds under a shift by
 * (dy, dx) (offsets of the first channel); positions shifted in from outside (zero mode) are skipped.
 */
function forEachShifted(h: number, w: number, c: number, dy: number, dx: number, mode: ShiftMode, visit: (o: number, s: number) => void): void {
  for (let y = 0; y < h; y++) {
    const sy = sourceCoord(y, dy, h, mode);
    if (sy < 0) continue;
    for (let x = 0; x < w; x++) {
      const sx = sourceCoord(x, dx, w, mode);
      if (sx >= 0) visit((y * w + x) * c, (sy * w + sx) * c);
    }
  }
}

/** Moves an HWC image by (dy, dx): out[y][x] = in[y − dy][x − dx], wrapping (cyclic) or zero-filled. */
export function shiftImage<T extends Uint8Array | Float32Array>(raw: T, shape: readonly number[], dy: number, dx: number, mode: ShiftMode): T {
  const [h, w, c] = shape.length === 3 ? shape : [shape[0], shape[1], 1];
  const out = new (raw.constructor as new (n: number) => T)(raw.length);
  forEachShifted(h, w, c, dy, dx, mode, (o, s) => {
    for (let k = 0; k < c; k++) out[o + k] = raw[s + k];
  });
  return out;
}

/** ‖a − S b‖ / ‖S b‖ over [h, w, c] maps (see the module comment for the region compared). */
export function shiftedError(a: Float32Array, b: Float32Array, h: number, w: number, c: number, dy: number, dx: number, mode: ShiftMode): number {
  let diff = 0;
  let norm = 0;
  let normA = 0;
  forEachShifted(h, w, c, dy, dx, mode, (o, s) => {
    for (let k = 0; k < c; k++) {
      const d = a[o + k] - b[s + k];
      diff += d * d;
      norm += b[s + k] * b[s + k];
      normA += a[o + k] * a[o + k];
    }
  });
  // An all-zero f(x) (a dead ReLU layer): relative to f(Sx) instead, and 0 when both are zero.
  const denominator = norm > 0 ? norm : normA;
  return denominator > 0 ? Math.sqrt(diff / denominator) : 0;
}

/** ‖a − b‖ / ‖b‖ for outputs that are not spatial: the unshifted case of shiftedError. */
function relativeError(a: Float32Array, b: Float32Array): number {
  return shiftedError(a, b, 1, a.length, 1, 0, 0, 'cyclic');
}

export async function equivariance(params: EquivarianceParams): Promise<EquivarianceResult> {
  const shifts = params.shifts ?? DEFAULT_SHIFTS;
  const axis = params.axis ?? 'x';
  const mode = params.mode ?? 'cyclic';
  if (!(SHIFT_AXES as readonly string[]).includes(axis)) throw new InspectError(`axis must be x, y or both, got ${JSON.stringify(axis)}`);
  if (!(SHIFT_MODES as readonly string[]).includes(mode)) throw new InspectError(`mode must be cyclic or zero, got ${JSON.stringify(mode)}`);
  if (!Array.isArray(shifts) || !shifts.length || shifts.length > 64 || shifts.some((v) => !Number.isInteger(v))) {
    throw new InspectError(`shifts must be 1 to 64 whole numbers of pixels, got ${JSON.stringify(shifts)}`);
  }
  const inspect = await openModel(params, { needData: params.sample?.kind !== 'image' });
  const shape = inspect.inputShape;
  if (shape.length !== 3) throw new InspectError(`shifting needs image inputs (H, W, C), but the model takes [${shape.join(', ')}]`);
  const limit = axis === 'y' ? shape[0] : axis === 'x' ? shape[1] : Math.min(shape[0], shape[1]);
  const bad = shifts.find((v) => Math.abs(v) >= limit);
  if (bad !== undefined) throw new InspectError(`shift ${bad} is too large: the input is ${shape[0]}x${shape[1]}, so shifts along ${axis} must be below ${limit} in size`);
  const sample = pickSample(inspect, params.sample);
  const along = (v: number): [number, number] => [axis === 'x' ? 0 : v, axis === 'y' ? 0 : v];

  // The unshifted sample first, then one per shift: one batch, one forward pass.
  const size = sample.raw.length;
  const batch = new (sample.raw.constructor as new (n: number) => Uint8Array | Float32Array)(size * (shifts.length + 1));
  batch.set(sample.raw, 0);
  shifts.forEach((v, i) => batch.set(shiftImage(sample.raw, shape, ...along(v), mode), size * (i + 1)));

  const layers = selectLayers(inspect);
  const { model, predictionIndex } = probe(inspect, layers);
  const outputs = tf.tidy(() => {
    const out = model.predict(inputTensor(inspect, batch, shifts.length + 1));
    return Array.isArray(out) ? out : [out];
  });
  try {
    const values = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
    const result: LayerEquivariance[] = layers.map((layer, li) => {
      const dims = outputs[li].shape.slice(1);
      const per = dims.reduce((a, b) => a * b, 1);
      const all = values[li];
      const base = all.subarray(0, per);
      const field = inspect.fields.get(layer) ?? null;
      const spatial = dims.length === 3 && field !== null;
      const errors: number[] = [];
      const exact: boolean[] = [];
      shifts.forEach((v, i) => {
        const shifted = all.subarray(per * (i + 1), per * (i + 2));
        if (!spatial) {
          errors.push(relativeError(shifted, base));
          exact.push(true);
          return;
        }
        const s = v / field.jump;
        const r = Math.round(s);
        exact.push(Math.abs(s - r) < 1e-9);
        const [dy, dx] = along(r);
        errors.push(shiftedError(shifted, base, dims[0], dims[1], dims[2], dy, dx, mode));
      });
      return { layer: inspect.nameOf(layer), type: layer.getClassName(), line: inspect.lineOf(layer), jump: spatial ? field.jump : null, errors, exact };
    });
    const out = values[predictionIndex];
    const classes = out.length / (shifts.length + 1);
    const base = prediction(inspect, out.subarray(0, classes));
    const predictions: Prediction[] = shifts.map((_, i) => prediction(inspect, out.subarray(classes * (i + 1), classes * (i + 2))));
    const probabilityChange = predictions.map((p) => 0.5 * p.probabilities.reduce((s, q, k) => s + Math.abs(q - base.probabilities[k]), 0));
    return {
      modelFile: inspect.modelFile,
      ...(inspect.runDir ? { runDir: inspect.runDir } : {}),
      checkpoint: inspect.checkpoint,
      sample: describeSample(inspect, sample),
      shifts: [...shifts],
      axis,
      mode,
      layers: result,
      predictions,
      probabilityChange,
    };
  } finally {
    tf.dispose(outputs);
  }
}
