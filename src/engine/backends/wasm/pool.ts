/**
 * MaxPoolGrad and AvgPoolGrad for wasm. The backend's own versions loop over every input pixel and, for
 * each, over every window that may cover it (about 40x the forward pool); these scatter each output
 * gradient into its window instead, channels innermost, reading and writing the wasm heap directly.
 * Semantics follow the cpu backend exactly: AvgPoolGrad divides by the full window size even where the
 * window hangs over the padding; MaxPoolGrad routes to the first maximum of the window.
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, asWasm, assertFloat32, heapF32, type TensorInfo } from './util';

type Shape4 = [number, number, number, number];

export function avgPoolGrad(args: {
  inputs: { dy: TensorInfo; input: TensorInfo };
  backend: unknown;
  attrs: tf.AvgPoolGradAttrs;
}): TensorInfo {
  const backend = asWasm(args.backend);
  const { dy, input } = args.inputs;
  const { filterSize, strides, pad } = args.attrs;
  assertFloat32('AvgPoolGrad', dy);
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad);
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sH, strideWidth: sW } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const scale = 1 / (KH * KW);
  const dx = alloc(backend, [B, H, W, C]);
  const g = heapF32(backend, dy);
  const out = heapF32(backend, dx);
  if (sH === KH && sW === KW && pt === 0 && pl === 0 && OH * KH === H && OW * KW === W) {
    // Windows tile the input exactly (LeNet's 2x2/2 pooling): every dx pixel gets one dy value. Build
    // the first input row of each window row, then copy it (memmove) to the window's other rows.
    const rowLen = W * C;
    for (let b = 0; b < B; b++) {
      for (let oh = 0; oh < OH; oh++) {
        const row = (b * H + oh * KH) * rowLen;
        let o = row;
        for (let ow = 0; ow < OW; ow++) {
          const s = ((b * OH + oh) * OW + ow) * C;
          for (let kw = 0; kw < KW; kw++) {
            for (let c = 0; c < C; c++) out[o++] = g[s + c] * scale;
          }
        }
        for (let kh = 1; kh < KH; kh++) out.copyWithin(row + kh * rowLen, row, row + rowLen);
      }
    }
    return dx;
  }
  out.fill(0);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - pt;
      const khMin = Math.max(0, -h0);
      const khMax = Math.min(KH, H - h0);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sW - pl;
        const kwMin = Math.max(0, -w0);
        const kwMax = Math.min(KW, W - w0);
        const s = ((b * OH + oh) * OW + ow) * C;
        for (let kh = khMin; kh < khMax; kh++) {
          for (let kw = kwMin; kw < kwMax; kw++) {
            const o = ((b * H + h0 + kh) * W + w0 + kw) * C;
            for (let c = 0; c < C; c++) out[o + c] += g[s + c] * scale;
          }
        }
      }
    }
  }
  return dx;
}

export function maxPoolGrad(args: {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: unknown;
  attrs: tf.MaxPoolGradAttrs;
}): TensorInfo {
  const backend = asWasm(args.backend);
  const { dy, input } = args.inputs;
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs;
  assertFloat32('MaxPoolGrad', dy, input);
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sH, strideWidth: sW } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const dx = alloc(backend, [B, H, W, C]);
  const xs = heapF32(backend, input);
  const g = heapF32(backend, dy);
  const out = heapF32(backend, dx);
  if (KH === 2 && KW === 2 && sH === 2 && sW === 2 && pt === 0 && pl === 0 && OH * 2 === H && OW * 2 === W) {
    maxPoolGrad2x2(xs, g, out, B, OH, OW, C);
    return dx;
  }
  out.fill(0);
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - pt;
      const khMin = Math.max(0, -h0);
      const khMax = Math.min(KH, H - h0);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sW - pl;
        const kwMin = Math.max(0, -w0);
        const kwMax = Math.min(KW, W - w0);
        best.fill(-Infinity);
        where.fill(-1);
        // Row-major over the window, strict '>' so that the first maximum wins, as on the cpu backend.
        for (let kh = khMin; kh < khMax; kh++) {
          for (let kw = kwMin; kw < kwMax; kw++) {
            const o = ((b * H + h0 + kh) * W + w0 + kw) * C;
            for (let c = 0; c < C; c++) {
              const v = xs[o + c];
              if (v > best[c]) {
                best[c] = v;
                where[c] = o + c;
              }
            }
          }
        }
        const s = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) if (where[c] >= 0) out[where[c]] += g[s + c];
      }
    }
  }
  return dx;
}

/**
 * The 2x2/2 pooling of VGG-style nets, windows tiling the input: each dx pixel is written once (the
 * window's first maximum gets dy, the three others 0), with no zero fill and no per-window arrays; the
 * same rule as above (strict '>' in row-major order, NaN never wins).
 */
function maxPoolGrad2x2(xs: Float32Array, g: Float32Array, out: Float32Array, B: number, OH: number, OW: number, C: number): void {
  const W = OW * 2;
  const rowStep = W * C;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const i00 = ((b * OH * 2 + oh * 2) * W + ow * 2) * C;
        const i01 = i00 + C;
        const i10 = i00 + rowStep;
        const i11 = i10 + C;
        const s = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let k = -1;
          const v0 = xs[i00 + c];
          const v1 = xs[i01 + c];
          const v2 = xs[i10 + c];
          const v3 = xs[i11 + c];
          if (v0 > best) (best = v0), (k = 0);
          if (v1 > best) (best = v1), (k = 1);
          if (v2 > best) (best = v2), (k = 2);
          if (v3 > best) k = 3;
          const d = g[s + c];
          out[i00 + c] = k === 0 ? d : 0;
          out[i01 + c] = k === 1 ? d : 0;
          out[i10 + c] = k === 2 ? d : 0;
          out[i11 + c] = k === 3 ? d : 0;
        }
      }
    }
  }
}
