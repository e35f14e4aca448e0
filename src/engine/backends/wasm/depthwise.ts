/**
 * DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput, both missing from
 * tfjs-backend-wasm. Depthwise convolutions do little arithmetic per byte, so straight loops over the
 * wasm heap (channels innermost, contiguous in NHWC) are close to memory-bound already.
 *
 * Layouts: x [B,H,W,CI], filter [KH,KW,CI,M], dy [B,OH,OW,CI*M] with output channel ci*M+m.
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, asWasm, backpropConvInfo, convGeometry, heapF32, type TensorInfo } from './util';


export function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: unknown;
  attrs: tf.DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const backend = asWasm(args.backend);
  const { x, dy } = args.inputs;
  const { B, H, W, CI, C, OH, OW, KH, KW, sH, sW, dH, dWd, M, pt, pl } = convGeometry(
    backpropConvInfo('DepthwiseConv2dNativeBackpropFilter', [x, dy], x.shape, args.attrs.filterShape, args.attrs, true),
  );
  const dWt = alloc(backend, [KH, KW, CI, M]);
  const xs = heapF32(backend, x);
  const dys = heapF32(backend, dy);
  // Each filter tap sums B*OH*OW products: accumulate in doubles, as the cpu backend does.
  const out = new Float64Array(KH * KW * C);
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const o0 = (kh * KW + kw) * C; // [kh,kw,ci,m] flattens to (kh*KW+kw)*CI*M + ci*M + m
      for (let b = 0; b < B; b++) {
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sH - pt + kh * dH;
          if (ih < 0 || ih >= H) continue;
          for (let ow = 0; ow < OW; ow++) {
            const iw = ow * sW - pl + kw * dWd;
            if (iw < 0 || iw >= W) continue;
            const xOff = ((b * H + ih) * W + iw) * CI;
            const dyOff = ((b * OH + oh) * OW + ow) * C;
            if (M === 1) {
              for (let c = 0; c < C; c++) out[o0 + c] += xs[xOff + c] * dys[dyOff + c];
            } else {
              for (let ci = 0; ci < CI; ci++) {
                const xv = xs[xOff + ci];
                const base = ci * M;
                for (let m = 0; m < M; m++) out[o0 + base + m] += xv * dys[dyOff + base + m];
              }
            }
          }
        }
      }
    }
  }
  heapF32(backend, dWt).set(out);
  return dWt;
}

export function depthwiseConv2dNativeBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: unknown;
  attrs: tf.DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const backend = asWasm(args.backend);
  const { dy, filter } = args.inputs;
  const { B, H, W, CI, C, OH, OW, KH, KW, sH, sW, dH, dWd, M, pt, pl } = convGeometry(
    backpropConvInfo('DepthwiseConv2dNativeBackpropInput', [dy, filter], args.attrs.inputShape, filter.shape, args.attrs, true),
  );
  const dx = alloc(backend, [B, H, W, CI]);
  const ws = heapF32(backend, filter);
  const dys = heapF32(backend, dy);
  const out = heapF32(backend, dx);
  out.fill(0);
  // Scatter each dy pixel into the input pixels its window covered.
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * sH - pt + kh * dH;
        if (ih < 0 || ih >= H) continue;
        for (let ow = 0; ow < OW; ow++) {
          const dyOff = ((b * OH + oh) * OW + ow) * C;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sW - pl + kw * dWd;
            if (iw < 0 || iw >= W) continue;
            const xOff = ((b * H + ih) * W + iw) * CI;
            const wOff = (kh * KW + kw) * C;
            if (M === 1) {
              for (let c = 0; c < C; c++) out[xOff + c] += dys[dyOff + c] * ws[wOff + c];
            } else {
              for (let ci = 0; ci < CI; ci++) {
                let sum = 0;
                const base = ci * M;
                for (let m = 0; m < M; m++) sum += dys[dyOff + base + m] * ws[wOff + base + m];
                out[xOff + ci] += sum;
              }
            }
          }
        }
      }
    }
  }
  return dx;
}
