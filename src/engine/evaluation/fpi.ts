/**
 * Foreign Patch Interpolation (Tan, Hou, Batten, Qiu and Kainz, MELBA 2022), the self-supervised task of
 * `training.task: 'fpi'`: in each training image x1 a square patch is replaced by (1 - a)·x1 + a·x2, x2
 * another image of the batch, a ~ U(0.05, 0.95); the model learns the per-pixel foreign fraction (a inside
 * the patch, 0 elsewhere). Its prediction on a real image then says how foreign each pixel looks: the
 * `fpi` anomaly score is the mean of its top quartile of pixels. Plain TypeScript on float32 HWC arrays.
 */

export interface ForeignPatch {
  /** Centre row and column (pixels). */
  cy: number;
  cx: number;
  /** Half the side, in pixels: the patch covers rows cy - half .. cy + half - 1 (and columns alike), clipped. */
  half: number;
  /** The foreign fraction a. */
  alpha: number;
}

export const FPI_ALPHA = [0.05, 0.95] as const;
/** Half-width as a share of the image's side. */
export const FPI_HALF_WIDTH = [0.05, 0.2] as const;
/** The centre is drawn from the central part: this share of each side, centred. */
export const FPI_CENTRE_SPAN = 0.5;

/** A patch for an h x w image: centre in the central half of each side, half-width 5-20% of the shorter side. */
export function drawPatch(h: number, w: number, random: () => number): ForeignPatch {
  const side = Math.min(h, w);
  const half = Math.max(1, Math.round(side * (FPI_HALF_WIDTH[0] + random() * (FPI_HALF_WIDTH[1] - FPI_HALF_WIDTH[0]))));
  const centre = (n: number) => Math.floor(n * (0.5 - FPI_CENTRE_SPAN / 2) + random() * n * FPI_CENTRE_SPAN);
  const cy = centre(h);
  const cx = centre(w);
  const alpha = FPI_ALPHA[0] + random() * (FPI_ALPHA[1] - FPI_ALPHA[0]);
  return { cy, cx, half, alpha };
}

/**
 * Writes into `out` (h*w*c) the image x1 with the patch interpolated towards x2, and into `target` (h*w)
 * the foreign fraction of each pixel. `out` may be x1 itself.
 */
export function applyPatch(x1: ArrayLike<number>, x2: ArrayLike<number>, shape: readonly number[], patch: ForeignPatch, out: Float32Array, target: Float32Array): void {
  const [h, w, c] = [shape[0], shape[1], shape[2] ?? 1];
  const { cy, cx, half, alpha } = patch;
  target.fill(0);
  for (let i = 0; i < h * w * c; i++) out[i] = x1[i];
  for (let y = Math.max(0, cy - half); y < Math.min(h, cy + half); y++) {
    for (let x = Math.max(0, cx - half); x < Math.min(w, cx + half); x++) {
      target[y * w + x] = alpha;
      for (let k = 0; k < c; k++) {
        const i = (y * w + x) * c + k;
        out[i] = (1 - alpha) * x1[i] + alpha * x2[i];
      }
    }
  }
}

/**
 * FPI on a batch of n images (n*h*w*c, normalised): each image gets a patch from another one of the batch
 * (the next, cyclically, after a random offset); returns the targets (n*h*w). A batch of one image takes
 * its foreign patch from itself, flipped, so there is still something foreign to find.
 */
export function foreignPatchBatch(x: Float32Array, n: number, shape: readonly number[], random: () => number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const pixels = shape[0] * shape[1];
  const source = x.slice();
  const targets = new Float32Array(n * pixels);
  for (let i = 0; i < n; i++) {
    const j = n > 1 ? (i + 1 + Math.floor(random() * (n - 1))) % n : i;
    const x1 = source.subarray(i * size, (i + 1) * size);
    const x2 = j !== i ? source.subarray(j * size, (j + 1) * size) : x1.slice().reverse();
    applyPatch(x1, x2, shape, drawPatch(shape[0], shape[1], random), x.subarray(i * size, (i + 1) * size), targets.subarray(i * pixels, (i + 1) * pixels));
  }
  return targets;
}
