/**
 * `synthetic:shapes`: 28x28 grey images of six kinds of shape, drawn procedurally from a seed so that the
 * demo and the tests need no data file. Each sample has a random size, aspect, rotation, position, edge
 * softness, fore- and background level, a background gradient, faint clutter and Gaussian pixel noise, so
 * that a small CNN has something to learn (LeNet-5 reaches ~90%+ in a few epochs, not 100% in one).
 *
 * Shapes are drawn from signed distance functions: coverage = clamp(0.5 - d / softness) is an analytic
 * anti-aliasing that costs one distance per pixel, far cheaper than supersampling.
 */
import { Random } from './random';

export const SHAPE_CLASSES = ['disk', 'ring', 'square', 'triangle', 'cross', 'star'] as const;
export type ShapeClass = (typeof SHAPE_CLASSES)[number];

export interface ShapesOptions {
  count: number;
  /** Standard deviation of the pixel noise, as a fraction of full scale (0..1). */
  noise: number;
  /** Most faint distractor marks (dots, short strokes) per image; each image gets 0..clutter. */
  clutter: number;
  seed: number;
}

export const SHAPES_DEFAULTS: Omit<ShapesOptions, 'seed'> = { count: 6000, noise: 0.08, clutter: 2 };

export interface ShapesData {
  shape: [number, number, number];
  classNames: string[];
  count: number;
  images: Uint8Array;
  labels: Uint8Array;
}

const H = 28;
const W = 28;
const PIXELS = H * W;
/** Largest distance from a shape's centre to the end of its soft edge, in pixels; keeps it in the frame. */
const MAX_EXTENT = 12.5;
/** Blank pixels kept between the extent and the image border. */
const MARGIN = 1;

export function generateShapes(options: ShapesOptions): ShapesData {
  const { count, noise, clutter, seed } = options;
  const rng = new Random(seed);
  const K = SHAPE_CLASSES.length;

  // Balanced classes: sample i is class i % K, then the order is shuffled.
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = i % K;
  rng.shuffle(labels);

  const images = new Uint8Array(count * PIXELS);
  // A clamped view of the same bytes rounds and clamps on store, much faster than doing it by hand.
  const clamped = new Uint8ClampedArray(images.buffer, images.byteOffset, images.length);
  const canvas = new Float32Array(PIXELS);
  const poly = new Float64Array(2 * 12); // Room for the largest polygon (the cross, 12 vertices).
  for (let i = 0; i < count; i++) {
    drawSample(rng, labels[i], noise, clutter, canvas, poly);
    clamped.set(canvas, i * PIXELS);
  }
  return { shape: [H, W, 1], classNames: [...SHAPE_CLASSES], count, images, labels };
}

function drawSample(
  rng: Random,
  cls: number,
  noise: number,
  clutter: number,
  canvas: Float32Array,
  poly: Float64Array,
): void {
  // Background: a dark level plus a gentle linear gradient in a random direction.
  const bg = rng.uniform(0, 50);
  const grad = rng.uniform(0, 25);
  const gAngle = rng.uniform(0, 2 * Math.PI);
  const gx = (grad * Math.cos(gAngle)) / W;
  const gy = (grad * Math.sin(gAngle)) / H;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) canvas[y * W + x] = bg + gx * (x - W / 2) + gy * (y - H / 2);
  }
  // Ink bright enough to stand out from any background.
  const ink = rng.uniform(Math.max(bg + 110, 150), 255);

  // Clutter goes under the shape: faint dots and short strokes anywhere inside the frame.
  const marks = rng.int(clutter + 1);
  for (let m = 0; m < marks; m++) {
    const level = bg + rng.uniform(0.2, 0.45) * (ink - bg);
    const ax = rng.uniform(3, W - 3);
    const ay = rng.uniform(3, H - 3);
    if (rng.next() < 0.5) {
      const r = rng.uniform(0.6, 1.3);
      paintEllipse(canvas, level, 1, ax, ay, 1, 0, 1, 1, 0, r);
    } else {
      const len = rng.uniform(2, 5);
      const a = rng.uniform(0, Math.PI);
      poly[0] = ax;
      poly[1] = ay;
      poly[2] = clampTo(ax + len * Math.cos(a), 2, W - 2);
      poly[3] = clampTo(ay + len * Math.sin(a), 2, H - 2);
      // A two-vertex polygon is a segment; the offset gives it a width.
      paintPolygon(canvas, level, 1, poly, 2, rng.uniform(0.35, 0.6));
    }
  }

  // Pose. Every class is built so that its outline lies within `size` of its centre (before the aspect
  // stretch), so one bound keeps any shape inside the frame.
  let size = rng.uniform(5, 11);
  const stretch = Math.exp(rng.uniform(-0.15, 0.15));
  const sx = stretch;
  const sy = 1 / stretch;
  const maxScale = Math.max(sx, sy);
  const softness = rng.uniform(1, 1.8); // 1 = crisp anti-aliased edge; more is a slightly blurred one.
  const edge = 0.5 * softness; // Coverage reaches 0 at this distance outside the outline.
  if (size * maxScale + edge > MAX_EXTENT) size = (MAX_EXTENT - edge) / maxScale;
  const extent = size * maxScale + edge;
  const cx = rng.uniform(extent + MARGIN, W - extent - MARGIN);
  const cy = rng.uniform(extent + MARGIN, H - extent - MARGIN);
  const theta = rng.uniform(0, 2 * Math.PI);
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);

  const name = SHAPE_CLASSES[cls];
  if (name === 'disk') {
    paintEllipse(canvas, ink, softness, cx, cy, cos, sin, sx, sy, 0, size);
  } else if (name === 'ring') {
    // Stroke thin enough to leave a clear hole even in a small ring.
    const stroke = rng.uniform(1.4, Math.max(1.6, 0.32 * size));
    paintEllipse(canvas, ink, softness, cx, cy, cos, sin, sx, sy, size - stroke / 2, stroke / 2);
  } else {
    // Polygons: build the vertices in the shape's frame, then map them to the image; the distance to a
    // transformed polygon is exact, so no correction is needed.
    let n = 0;
    const put = (u: number, v: number): void => {
      poly[2 * n] = u;
      poly[2 * n + 1] = v;
      n++;
    };
    if (name === 'square') {
      const a = size / Math.SQRT2;
      put(-a, -a);
      put(a, -a);
      put(a, a);
      put(-a, a);
    } else if (name === 'triangle') {
      for (let k = 0; k < 3; k++) {
        const a = -Math.PI / 2 + (k * 2 * Math.PI) / 3;
        put(size * Math.cos(a), size * Math.sin(a));
      }
    } else if (name === 'cross') {
      const h = rng.uniform(0.9, Math.max(1, 0.24 * size)); // Half the bar width.
      const l = Math.sqrt(size * size - h * h); // Corners of the bar ends lie on the size circle.
      const pts = [-h, -l, h, -l, h, -h, l, -h, l, h, h, h, h, l, -h, l, -h, h, -l, h, -l, -h, -h, -h];
      for (let k = 0; k < pts.length; k += 2) put(pts[k], pts[k + 1]);
    } else {
      const inner = size * rng.uniform(0.4, 0.5);
      for (let k = 0; k < 10; k++) {
        const a = -Math.PI / 2 + (k * Math.PI) / 5;
        const r = k % 2 === 0 ? size : inner;
        put(r * Math.cos(a), r * Math.sin(a));
      }
    }
    for (let k = 0; k < n; k++) {
      const u = poly[2 * k] * sx;
      const v = poly[2 * k + 1] * sy;
      poly[2 * k] = cx + cos * u - sin * v;
      poly[2 * k + 1] = cy + sin * u + cos * v;
    }
    paintPolygon(canvas, ink, softness, poly, n, 0);
  }

  if (noise > 0) {
    // Gaussian-ish noise at one PRNG draw per pixel: the sum of a uint32's four bytes (Irwin-Hall, n = 4)
    // has mean 510 and standard deviation sqrt(4 * (256^2 - 1) / 12) = 147.8. Box-Muller costs a third
    // of the generation time for no visible difference.
    const scale = (noise * 255) / 147.8;
    for (let p = 0; p < PIXELS; p++) {
      const u = rng.uint32();
      canvas[p] += scale * ((u & 0xff) + ((u >>> 8) & 0xff) + ((u >>> 16) & 0xff) + (u >>> 24) - 510);
    }
  }
}

/** Blends `level` into pixel p with the coverage given by its signed distance d (negative inside). */
function blend(canvas: Float32Array, p: number, d: number, level: number, softness: number): void {
  const c = 0.5 - d / softness;
  if (c <= 0) return;
  canvas[p] += (c >= 1 ? 1 : c) * (level - canvas[p]);
}

/**
 * Paints the band |r - mid| <= half of an ellipse centred at (cx, cy), rotated by (cos, sin) and
 * stretched by (sx, sy): mid = 0 gives a disk of radius half, mid > 0 a ring. The distance is taken in
 * the shape's own frame and scaled back by the mean stretch: exact for a circle, close enough for the
 * mild ellipses drawn here. (One loop per primitive rather than a distance callback keeps V8's calls
 * monomorphic; it halves the generation time.)
 */
function paintEllipse(
  canvas: Float32Array,
  level: number,
  softness: number,
  cx: number,
  cy: number,
  cos: number,
  sin: number,
  sx: number,
  sy: number,
  mid: number,
  half: number,
): void {
  const reach = (mid + half) * Math.max(sx, sy) + softness;
  const meanScale = (sx + sy) / 2;
  const [xa, ya, xb, yb] = box(cx - reach, cy - reach, cx + reach, cy + reach);
  for (let y = ya; y <= yb; y++) {
    const dy = y + 0.5 - cy;
    for (let x = xa; x <= xb; x++) {
      const dx = x + 0.5 - cx;
      const u = (cos * dx + sin * dy) / sx;
      const v = (-sin * dx + cos * dy) / sy;
      const d = (Math.abs(Math.sqrt(u * u + v * v) - mid) - half) * meanScale;
      blend(canvas, y * W + x, d, level, softness);
    }
  }
}

/**
 * Paints a closed polygon of n image-space vertices, grown by `offset` (so a 2-vertex one is a stroke).
 * Pixels beyond the vertices' circumcircle or well inside the inscribed circle (both about the vertex
 * mean, the centre of every polygon drawn here) skip the exact distance: that halves the cost.
 */
function paintPolygon(canvas: Float32Array, level: number, softness: number, v: Float64Array, n: number, offset: number): void {
  let mx = 0;
  let my = 0;
  for (let k = 0; k < n; k++) {
    mx += v[2 * k] / n;
    my += v[2 * k + 1] / n;
  }
  let outer = 0;
  for (let k = 0; k < n; k++) outer = Math.max(outer, Math.hypot(v[2 * k] - mx, v[2 * k + 1] - my));
  const edge = 0.5 * softness; // Coverage is 0 beyond this distance outside the outline, 1 inside.
  const far = outer + offset + edge;
  const inner = Math.max(0, offset - polygonDistance(mx, my, v, n) - edge);
  const far2 = far * far;
  const inner2 = inner * inner;
  const [xa, ya, xb, yb] = box(mx - far, my - far, mx + far, my + far);
  for (let y = ya; y <= yb; y++) {
    const dy = y + 0.5 - my;
    for (let x = xa; x <= xb; x++) {
      const dx = x + 0.5 - mx;
      const r2 = dx * dx + dy * dy;
      if (r2 >= far2) continue;
      if (r2 < inner2) canvas[y * W + x] = level;
      else blend(canvas, y * W + x, polygonDistance(x + 0.5, y + 0.5, v, n) - offset, level, softness);
    }
  }
}

/** Pixel index range [xa..xb] x [ya..yb] whose centres may lie in the given box, clipped to the image. */
function box(x0: number, y0: number, x1: number, y1: number): [number, number, number, number] {
  return [
    Math.max(0, Math.floor(x0 - 0.5)),
    Math.max(0, Math.floor(y0 - 0.5)),
    Math.min(W - 1, Math.ceil(x1 - 0.5)),
    Math.min(H - 1, Math.ceil(y1 - 0.5)),
  ];
}

/** Signed distance from (px, py) to a closed polygon of n vertices, negative inside (I. Quilez). */
function polygonDistance(px: number, py: number, v: Float64Array, n: number): number {
  let best = Infinity;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = v[2 * i];
    const yi = v[2 * i + 1];
    const ex = v[2 * j] - xi;
    const ey = v[2 * j + 1] - yi;
    const wx = px - xi;
    const wy = py - yi;
    let t = (wx * ex + wy * ey) / (ex * ex + ey * ey);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    const bx = wx - ex * t;
    const by = wy - ey * t;
    const d = bx * bx + by * by;
    if (d < best) best = d;
    // Even-odd crossing test for the sign.
    const c1 = py >= yi;
    const c2 = py < v[2 * j + 1];
    const c3 = ex * wy > ey * wx;
    if ((c1 && c2 && c3) || (!c1 && !c2 && !c3)) inside = !inside;
  }
  const d = Math.sqrt(best);
  return inside ? -d : d;
}

function clampTo(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
