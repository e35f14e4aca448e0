/**
 * On-the-fly augmentation of training batches (never of validation or inference): flips, scaling,
 * rotation, shear (together: an affine warp with bilinear sampling), crop-and-pad translation,
 * brightness, contrast and Gaussian noise. Every draw comes from a seeded stream per batch, so a run is
 * reproducible. Configured by the model file's `training.augment` or a descriptor's `augment`:
 *
 *   augment: { flipHorizontal: true, rotation: 10, scale: 0.1, crop: 4, brightness: 0.1, noise: 0.02 }
 */
import { excerpt } from '../../util/text';

export interface AugmentConfig {
  /** Probability of a horizontal flip (true: 0.5). */
  flipHorizontal: number;
  flipVertical: number;
  /** Largest rotation, degrees either way. */
  rotation: number;
  /** Zoom factor range, e.g. [0.9, 1.1] (a number s means [1-s, 1+s]). */
  scale: [number, number];
  /** Largest shear, degrees either way. */
  shear: number;
  /** Largest shift, fraction of the width/height either way. */
  translate: number;
  /** Crop and pad: pad by this many pixels, crop back at a random offset (a shift of up to that many pixels). */
  crop: number;
  /** Largest brightness change, fraction of full scale either way. */
  brightness: number;
  /** Contrast factor range [1-c, 1+c] around the image's mean. */
  contrast: number;
  /** Standard deviation of added Gaussian noise, fraction of full scale. */
  noise: number;
}

const DEFAULTS: AugmentConfig = {
  flipHorizontal: 0, flipVertical: 0, rotation: 0, scale: [1, 1], shear: 0, translate: 0, crop: 0, brightness: 0, contrast: 0, noise: 0,
};
const GEOMETRIC: (keyof AugmentConfig)[] = ['flipHorizontal', 'flipVertical', 'rotation', 'scale', 'shear', 'translate', 'crop'];
const ALIASES: Record<string, keyof AugmentConfig> = {
  horizontalFlip: 'flipHorizontal', hflip: 'flipHorizontal', verticalFlip: 'flipVertical', vflip: 'flipVertical',
  rotate: 'rotation', zoom: 'scale', translation: 'translate', shift: 'translate', gaussianNoise: 'noise',
};

/**
 * Checks an `augment` object; `where` names its origin for messages ("examples/x.model.ts: training.augment").
 * Returns undefined when nothing is asked for.
 */
export function parseAugment(raw: unknown, where: string, shape: readonly number[]): AugmentConfig | undefined {
  if (raw === undefined || raw === null || raw === false) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where} must be an object, e.g. { flipHorizontal: true, rotation: 10 }`);
  const config: AugmentConfig = { ...DEFAULTS, scale: [1, 1] };
  const known = Object.keys(DEFAULTS).join(', ');
  const num = (key: string, v: unknown, max: number): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) throw new Error(`${where}.${key} is ${excerpt(JSON.stringify(v) ?? String(v))}; expected a number from 0 to ${max}`);
    return v;
  };
  for (const [given, v] of Object.entries(raw as Record<string, unknown>)) {
    const key = (ALIASES[given] ?? given) as keyof AugmentConfig;
    if (!(key in DEFAULTS)) throw new Error(`${where}.${given}: unknown augmentation (known: ${known})`);
    switch (key) {
      case 'flipHorizontal':
      case 'flipVertical':
        config[key] = v === true ? 0.5 : v === false ? 0 : num(given, v, 1);
        break;
      case 'scale':
        if (Array.isArray(v) && v.length === 2 && v.every((s) => typeof s === 'number' && s > 0 && s <= 10) && v[0] <= v[1]) config.scale = [v[0], v[1]];
        else {
          const s = num(given, v, 0.9);
          config.scale = [1 - s, 1 + s];
        }
        break;
      case 'rotation':
        config.rotation = num(given, v, 180);
        break;
      case 'shear':
        config.shear = num(given, v, 60);
        break;
      case 'translate':
        config.translate = num(given, v, 1);
        break;
      case 'crop':
        config.crop = num(given, v, 1024);
        if (!Number.isInteger(config.crop)) throw new Error(`${where}.${given} is ${v}; expected a whole number of pixels`);
        break;
      case 'brightness':
        config.brightness = num(given, v, 1);
        break;
      case 'contrast':
        config.contrast = num(given, v, 1);
        break;
      case 'noise':
        config.noise = num(given, v, 1);
        break;
    }
  }
  if (shape.length !== 3) {
    const geometric = GEOMETRIC.filter((k) => JSON.stringify(config[k]) !== JSON.stringify(DEFAULTS[k]));
    if (geometric.length) throw new Error(`${where}.${geometric[0]} needs images (height x width x channels); these samples have shape [${shape.join(', ')}]`);
  }
  const any = (Object.keys(DEFAULTS) as (keyof AugmentConfig)[]).some((k) => JSON.stringify(config[k]) !== JSON.stringify(DEFAULTS[k]));
  return any ? config : undefined;
}

export function describeAugment(config: AugmentConfig): string {
  return (Object.keys(DEFAULTS) as (keyof AugmentConfig)[])
    .filter((k) => JSON.stringify(config[k]) !== JSON.stringify(DEFAULTS[k]))
    .map((k) => `${k} ${Array.isArray(config[k]) ? (config[k] as number[]).join('-') : config[k]}`)
    .join(', ');
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * Writes one augmented sample into `out` (raw units: 0-255 for bytes), reading `src` at `offset`.
 * `shape` is [H, W, C] (or [F] for tabular data: photometric changes only). `full` is the full-scale value.
 */
export function augmentSample(
  src: ArrayLike<number>,
  offset: number,
  shape: readonly number[],
  config: AugmentConfig,
  random: () => number,
  out: Float32Array,
  outOffset: number,
  full: number,
): void {
  const size = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 3) {
    const [H, W, C] = shape;
    const flipX = random() < config.flipHorizontal ? -1 : 1;
    const flipY = random() < config.flipVertical ? -1 : 1;
    const angle = ((random() * 2 - 1) * config.rotation * Math.PI) / 180;
    const shear = Math.tan(((random() * 2 - 1) * config.shear * Math.PI) / 180);
    const zoom = config.scale[0] + random() * (config.scale[1] - config.scale[0]);
    let tx = (random() * 2 - 1) * config.translate * W;
    let ty = (random() * 2 - 1) * config.translate * H;
    if (config.crop) {
      tx += Math.floor(random() * (2 * config.crop + 1)) - config.crop;
      ty += Math.floor(random() * (2 * config.crop + 1)) - config.crop;
    }
    const cx = (W - 1) / 2;
    const cy = (H - 1) / 2;
    // Inverse map: output (x, y) -> source, undoing translate, rotation, shear, zoom and flips in turn.
    const cos = Math.cos(-angle);
    const sin = Math.sin(-angle);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const u0 = x - cx - tx;
        const v0 = y - cy - ty;
        let u = cos * u0 - sin * v0;
        const v = (sin * u0 + cos * v0) / zoom;
        u = (u - shear * (v * zoom)) / zoom;
        const sx = flipX * u + cx;
        const sy = flipY * v + cy;
        const o = outOffset + (y * W + x) * C;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        for (let c = 0; c < C; c++) {
          let acc = 0;
          if (y0 >= 0 && y0 < H) {
            if (x0 >= 0 && x0 < W) acc += (1 - fx) * (1 - fy) * src[offset + (y0 * W + x0) * C + c];
            if (x0 + 1 >= 0 && x0 + 1 < W && fx > 0) acc += fx * (1 - fy) * src[offset + (y0 * W + x0 + 1) * C + c];
          }
          if (y0 + 1 >= 0 && y0 + 1 < H && fy > 0) {
            if (x0 >= 0 && x0 < W) acc += (1 - fx) * fy * src[offset + ((y0 + 1) * W + x0) * C + c];
            if (x0 + 1 >= 0 && x0 + 1 < W && fx > 0) acc += fx * fy * src[offset + ((y0 + 1) * W + x0 + 1) * C + c];
          }
          out[o + c] = acc;
        }
      }
    }
  } else {
    for (let j = 0; j < size; j++) out[outOffset + j] = src[offset + j];
  }
  const photometric = config.brightness || config.contrast || config.noise;
  if (!photometric) return;
  const delta = (random() * 2 - 1) * config.brightness * full;
  const factor = 1 + (random() * 2 - 1) * config.contrast;
  let mean = 0;
  if (config.contrast) {
    for (let j = 0; j < size; j++) mean += out[outOffset + j];
    mean /= size;
  }
  const sigma = config.noise * full;
  const clamp = shape.length === 3;
  for (let j = 0; j < size; j++) {
    let v = (out[outOffset + j] - mean) * factor + mean + delta;
    if (sigma) v += sigma * gaussian(random);
    out[outOffset + j] = clamp ? Math.min(full, Math.max(0, v)) : v;
  }
}
