/**
 * PNG and JPEG: a cheap header sniff (size and channel count without decoding), a decoder that gives
 * 8-bit grey or RGB pixels, and a bilinear resize. Pure JS (pngjs, jpeg-js), no TensorFlow.js.
 */
import * as fs from 'node:fs';
import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { checkRegularFile } from '../util';

export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

export interface ImageHeader {
  kind: 'png' | 'jpeg';
  width: number;
  height: number;
  /** 1 for grey (with or without alpha), 3 for colour (alpha is dropped). */
  channels: 1 | 3;
}

export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** height*width*channels bytes, HWC. */
  data: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Reads just enough of a file to sniff its header (JPEG metadata may push the frame header further). */
export function readImageHeader(file: string): ImageHeader {
  checkRegularFile(file);
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    let length = Math.min(size, 64 * 1024);
    let buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, 0);
    try {
      return sniffImage(buf);
    } catch (err) {
      if (length === size || !(err instanceof TruncatedHeader)) throw err;
      length = size;
      buf = Buffer.alloc(length);
      fs.readSync(fd, buf, 0, length, 0);
      return sniffImage(buf);
    }
  } finally {
    fs.closeSync(fd);
  }
}

class TruncatedHeader extends Error {}

/** Size and channels from the first bytes of a PNG or JPEG; throws a short reason otherwise. */
export function sniffImage(buf: Uint8Array): ImageHeader {
  if (buf.length >= 8 && PNG_SIGNATURE.every((b, i) => buf[i] === b)) {
    if (buf.length < 26) throw new Error('truncated PNG header');
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const type = String.fromCharCode(buf[12], buf[13], buf[14], buf[15]);
    if (type !== 'IHDR') throw new Error('PNG without an IHDR chunk');
    const width = dv.getUint32(16);
    const height = dv.getUint32(20);
    const colorType = buf[25];
    if (width === 0 || height === 0) throw new Error(`PNG of size ${width}x${height}`);
    return { kind: 'png', width, height, channels: colorType === 0 || colorType === 4 ? 1 : 3 };
  }
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) {
    let i = 2;
    while (i + 4 <= buf.length) {
      if (buf[i] !== 0xff) throw new Error(`JPEG marker expected at byte ${i}`);
      const marker = buf[i + 1];
      if (marker === 0xff) {
        i++; // fill byte
        continue;
      }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        i += 2;
        continue;
      }
      const len = (buf[i + 2] << 8) | buf[i + 3];
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) {
        if (i + 10 > buf.length) throw new TruncatedHeader('truncated JPEG header');
        const height = (buf[i + 5] << 8) | buf[i + 6];
        const width = (buf[i + 7] << 8) | buf[i + 8];
        const components = buf[i + 9];
        if (width === 0 || height === 0) throw new Error(`JPEG of size ${width}x${height}`);
        return { kind: 'jpeg', width, height, channels: components === 1 ? 1 : 3 };
      }
      if (marker === 0xda || marker === 0xd9) throw new Error('JPEG without a frame header');
      i += 2 + len;
    }
    throw new TruncatedHeader('truncated JPEG header');
  }
  throw new Error('not a PNG or JPEG file');
}

/** Decodes a PNG or JPEG to grey or RGB bytes (the file's own channel count). */
export function decodeImage(buf: Uint8Array): DecodedImage {
  const header = sniffImage(buf);
  if (header.kind === 'png') {
    let png: PNG;
    try {
      png = PNG.sync.read(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
    } catch (err) {
      throw new Error(`corrupt PNG (${shortReason(err)})`);
    }
    const { width, height } = png;
    const c = header.channels;
    const rgba = png.data;
    const data = new Uint8Array(width * height * c);
    for (let p = 0, q = 0; p < width * height; p++, q += 4) {
      if (c === 1) data[p] = rgba[q];
      else {
        data[p * 3] = rgba[q];
        data[p * 3 + 1] = rgba[q + 1];
        data[p * 3 + 2] = rgba[q + 2];
      }
    }
    return { width, height, channels: c, data };
  }
  let decoded;
  try {
    decoded = decodeJpeg(buf, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 200, maxMemoryUsageInMB: 1024 });
  } catch (err) {
    throw new Error(`corrupt JPEG (${shortReason(err)})`);
  }
  const { width, height } = decoded;
  const rgb = decoded.data;
  if (rgb.length < width * height * 3) throw new Error('corrupt JPEG (too little pixel data)');
  if (header.channels === 3) return { width, height, channels: 3, data: rgb.subarray(0, width * height * 3) };
  const data = new Uint8Array(width * height);
  for (let p = 0; p < width * height; p++) data[p] = rgb[p * 3];
  return { width, height, channels: 1, data };
}

/**
 * Writes `img` into `out` at `offset` as height x width x channels: resized (bilinear, pixel centres
 * aligned) when the size differs, grey replicated to RGB or RGB turned to luminance when channels differ.
 */
export function writeImage(img: DecodedImage, out: Uint8Array, offset: number, height: number, width: number, channels: 1 | 3): void {
  const { width: sw, height: sh, channels: sc, data } = img;
  const pixel = (y: number, x: number, ch: number): number => {
    const p = (y * sw + x) * sc;
    if (sc === channels) return data[p + ch];
    if (sc === 1) return data[p];
    return 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
  };
  if (sw === width && sh === height) {
    if (sc === channels) {
      out.set(data.subarray(0, width * height * channels), offset);
      return;
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let ch = 0; ch < channels; ch++) out[offset + (y * width + x) * channels + ch] = Math.round(pixel(y, x, ch));
      }
    }
    return;
  }
  const fy = sh / height;
  const fx = sw / width;
  for (let y = 0; y < height; y++) {
    const syf = Math.min(sh - 1, Math.max(0, (y + 0.5) * fy - 0.5));
    const y0 = Math.floor(syf);
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = syf - y0;
    for (let x = 0; x < width; x++) {
      const sxf = Math.min(sw - 1, Math.max(0, (x + 0.5) * fx - 0.5));
      const x0 = Math.floor(sxf);
      const x1 = Math.min(sw - 1, x0 + 1);
      const wx = sxf - x0;
      for (let ch = 0; ch < channels; ch++) {
        const top = pixel(y0, x0, ch) * (1 - wx) + pixel(y0, x1, ch) * wx;
        const bottom = pixel(y1, x0, ch) * (1 - wx) + pixel(y1, x1, ch) * wx;
        out[offset + (y * width + x) * channels + ch] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
}

export function shortReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].trim();
}
