/**
 * Limits checked before memory is allocated, from what a file claims (an image header's size, a zip
 * entry's uncompressed size, an array's shape): a small file must not make the engine allocate gigabytes,
 * or die with "Invalid typed array length" or an out-of-memory abort. Each message names the file, what it
 * claims, and the environment variable that raises the limit.
 */
import { constants } from 'node:buffer';
import { shown } from './util';

/** Bytes a dataset may hold in memory once decoded (images as uint8, other arrays as float64/float32). */
export const DATA_BYTES_VAR = 'DL_LAB_MAX_DATA_MB';
const DEFAULT_DATA_MB = 4096;
/** Pixels of one image, by its header: a 16k x 16k photo is 268M; 100M covers any camera. */
export const IMAGE_PIXELS_VAR = 'DL_LAB_MAX_IMAGE_PIXELS';
const DEFAULT_IMAGE_PIXELS = 100_000_000;

function positiveEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export function maxDataBytes(): number {
  return positiveEnv(DATA_BYTES_VAR, DEFAULT_DATA_MB) * 1024 * 1024;
}

/** maxOutputLength for zlib: the data limit, within what one Buffer can hold. */
export function inflateLimit(): number {
  return Math.min(maxDataBytes(), constants.MAX_LENGTH);
}

export function maxImagePixels(): number {
  return positiveEnv(IMAGE_PIXELS_VAR, DEFAULT_IMAGE_PIXELS);
}

/** "1.5 GB", "320 MB", "12 KB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value >= 100 ? value.toFixed(0) : value.toPrecision(3)} ${units[unit]}`;
}

/** Throws unless `bytes` (what `file` claims: `what`) is within the data limit. */
export function checkDataBytes(file: string, bytes: number, what: string): void {
  const limit = maxDataBytes();
  if (!(bytes <= limit)) {
    throw new Error(`${shown(file)}: ${what} would take ${formatBytes(bytes)} of memory, above the limit of ${formatBytes(limit)} (set ${DATA_BYTES_VAR} to raise it)`);
  }
}

/** Why an image of this size (from its header) is refused, or undefined when it is acceptable. */
export function imageSizeProblem(width: number, height: number): string | undefined {
  const limit = maxImagePixels();
  if (width * height > limit) {
    return `the header claims ${width}x${height} pixels, above the limit of ${limit.toLocaleString('en-US')} pixels (set ${IMAGE_PIXELS_VAR} to raise it)`;
  }
  return undefined;
}
