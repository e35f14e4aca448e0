/**
 * Writes a PNG contact sheet of a synthetic dataset: one row per class, the first N samples of each,
 * scaled up, so a person can check that the shapes are recognisable.
 *
 *   node --import tsx scripts/preview-shapes.ts out.png [synthetic:shapes?noise=0.1] [--seed 7] [--per-class 10] [--scale 4]
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { loadDataset } from '../src/engine/data/dataset';
import { reflectedCrc32 } from '../src/util/crc';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let out: string | undefined;
  let spec = 'synthetic:shapes?count=600';
  let seed: number | undefined;
  let perClass = 10;
  let scale = 4;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--seed') seed = Number(args[++i]);
    else if (a === '--per-class') perClass = Number(args[++i]);
    else if (a === '--scale') scale = Number(args[++i]);
    else if (out === undefined) out = a;
    else spec = a;
  }
  if (!out) {
    console.error('usage: preview-shapes.ts out.png [dataset] [--seed N] [--per-class N] [--scale N]');
    process.exit(2);
  }
  const ds = await loadDataset(spec, { seed });
  const [h, w, c] = ds.shape;
  const K = ds.classNames.length;
  const gap = 2;
  const cellW = w * scale + gap;
  const cellH = h * scale + gap;
  const width = perClass * cellW + gap;
  const height = K * cellH + gap;
  const grey = new Uint8Array(width * height).fill(128); // Mid grey gutters separate the tiles.

  const filled = new Array<number>(K).fill(0);
  for (let i = 0; i < ds.count; i++) {
    const k = ds.labels[i];
    if (filled[k] >= perClass) continue;
    const ox = gap + filled[k]++ * cellW;
    const oy = gap + k * cellH;
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const src = (i * h * w + Math.floor(y / scale) * w + Math.floor(x / scale)) * c;
        grey[(oy + y) * width + ox + x] = ds.images[src];
      }
    }
  }
  fs.writeFileSync(out, encodeGreyPng(grey, width, height));
  console.log(`${out}: ${width}x${height}, rows: ${ds.classNames.join(', ')}`);
}

/** Minimal PNG encoder for 8-bit greyscale: signature, IHDR, one zlib IDAT, IEND. */
function encodeGreyPng(pixels: Uint8Array, width: number, height: number): Buffer {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // Filter type: none.
    raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // Bit depth.
  ihdr[9] = 0; // Colour type: greyscale.
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** PNG's CRC-32. */
const crc32 = reflectedCrc32(0xedb88320);

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
