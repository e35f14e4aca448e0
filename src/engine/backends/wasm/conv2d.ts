/**
 * Conv2DBackpropFilter (missing from tfjs-backend-wasm) and Conv2DBackpropInput (present, but a naive
 * C++ loop about 9x slower than the forward convolution), both rewritten as forward convolutions run by
 * the backend's XNNPACK Conv2D, which is the fastest primitive the wasm binary exposes.
 *
 * Layouts: x [B,H,W,CI], filter [KH,KW,CI,CO], dy [B,OH,OW,CO]; NHWC only (the wasm Conv2D is NHWC only,
 * so no NCHW gradient can reach these kernels).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  alloc,
  asWasm,
  backpropConvInfo,
  convGeometry,
  callWasm,
  explicitPad,
  free,
  heapF32,
  type TensorInfo,
  view,
} from './util';
import { isInputGradientSkipped } from './hints';


/**
 * dW[kh,kw,ci,co] = sum over b,oh,ow of x[b, oh*sH+kh-pt, ow*sW+kw-pl, ci] * dy[b,oh,ow,co].
 *
 * That is itself a convolution if the batch is read as the channel axis: input xT = x as [CI,H,W,B],
 * filter dyT = dy as [OH,OW,B,CO], dilation = the forward stride, stride 1. Its output [CI,KH',KW',CO]
 * (KH' >= KH when the forward pass left rows unused) is cropped and reordered to [KH,KW,CI,CO].
 */
export function conv2DBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: unknown;
  attrs: tf.Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const backend = asWasm(args.backend);
  const { x, dy } = args.inputs;
  const info = backpropConvInfo('Conv2DBackpropFilter', [x, dy], x.shape, args.attrs.filterShape, args.attrs);
  return filterGradByConv(backend, x, dy, info);
}

export function filterGradByConv(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { B, H, W, CI, C: CO, OH, OW, KH, KW, sH, sW, pt, pl } = convGeometry(info);
  const dW = alloc(backend, [KH, KW, CI, CO]);
  if (OH === 0 || OW === 0 || B === 0) {
    heapF32(backend, dW).fill(0);
    return dW;
  }
  // Rows/columns the trick convolution must see: the last tap of the last output, in x coordinates.
  const pb = Math.max(0, KH - 1 + (OH - 1) * sH - pt - (H - 1));
  const pr = Math.max(0, KW - 1 + (OW - 1) * sW - pl - (W - 1));
  const xT = callWasm(backend, 'Transpose', { x }, { perm: [3, 1, 2, 0] });
  const dyT = callWasm(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const out = callWasm(
    backend,
    'Conv2D',
    { x: xT, filter: dyT },
    { strides: [1, 1], dilations: [sH, sW], pad: explicitPad(pt, pb, pl, pr), dataFormat: 'NHWC' },
  );
  free(backend, xT, dyT);
  const [, KH2, KW2] = out.shape; // [CI, KH', KW', CO]
  const src = heapF32(backend, out);
  const dst = heapF32(backend, dW);
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      for (let ci = 0; ci < CI; ci++) {
        const s = ((ci * KH2 + kh) * KW2 + kw) * CO;
        const d = ((kh * KW + kw) * CI + ci) * CO;
        for (let co = 0; co < CO; co++) dst[d + co] = src[s + co];
      }
    }
  }
  free(backend, out);
  return dW;
}

/**
 * dx[b,ih,iw,ci] = sum over kh,kw,co with oh = (ih+pt-kh)/sH integral of dy[b,oh,ow,co] * W[kh,kw,ci,co].
 *
 * Stride 1: a forward convolution of dy with the filter rotated 180 degrees and its channel axes swapped,
 * padded by (K-1-p). Larger strides (or paddings wider than the filter): dy x W^T by XNNPACK matmul into
 * columns, then a col2im scatter-add in JS.
 */
export function conv2DBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: unknown;
  attrs: tf.Conv2DBackpropInputAttrs;
}): TensorInfo {
  const backend = asWasm(args.backend);
  const { dy, filter } = args.inputs;
  const info = backpropConvInfo('Conv2DBackpropInput', [dy, filter], args.attrs.inputShape, filter.shape, args.attrs);
  if (isInputGradientSkipped(filter.dataId)) {
    const dx = alloc(backend, args.attrs.inputShape.slice());
    heapF32(backend, dx).fill(0);
    return dx;
  }
  return inputGrad(backend, dy, filter, info);
}

export function inputGrad(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { H, W, OH, OW, KH, KW, sH, sW, pt, pl } = convGeometry(info);
  const top = KH - 1 - pt;
  const left = KW - 1 - pl;
  const bottom = H - OH + pt;
  const right = W - OW + pl;
  // Even where this convolution wastes work (zero padding, fewer than 8 output channels for XNNPACK's
  // tiles), it beats the matmul + JS col2im route by 2-3x on every shape measured.
  if (
    sH === 1 &&
    sW === 1 &&
    top >= 0 &&
    left >= 0 &&
    bottom >= 0 &&
    right >= 0 &&
    OH > 0 &&
    OW > 0
  ) {
    const rotated = rotateFilter(backend, filter, info);
    const dx = callWasm(
      backend,
      'Conv2D',
      { x: dy, filter: rotated },
      { strides: [1, 1], dilations: [1, 1], pad: explicitPad(top, bottom, left, right), dataFormat: 'NHWC' },
    );
    free(backend, rotated);
    return dx;
  }
  return inputGradByCol2Im(backend, dy, filter, info);
}

/** W[KH,KW,CI,CO] -> W'[kh,kw,co,ci] = W[KH-1-kh, KW-1-kw, ci, co]. */
function rotateFilter(backend: BackendWasm, filter: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { KH, KW, CI, C: CO } = convGeometry(info);
  const out = alloc(backend, [KH, KW, CO, CI]);
  const src = heapF32(backend, filter);
  const dst = heapF32(backend, out);
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const s0 = ((KH - 1 - kh) * KW + (KW - 1 - kw)) * CI * CO;
      const d0 = (kh * KW + kw) * CO * CI;
      for (let ci = 0; ci < CI; ci++) {
        for (let co = 0; co < CO; co++) dst[d0 + co * CI + ci] = src[s0 + ci * CO + co];
      }
    }
  }
  return out;
}

/** Elements of the column buffer per chunk of the batch: bounds the temporary memory (64 MiB). */
const MAX_COLUMN_ELEMENTS = 16 * 1024 * 1024;

export function inputGradByCol2Im(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { B, H, W, CI, C: CO, OH, OW, KH, KW, sH, sW, pt, pl } = convGeometry(info);
  const K = KH * KW * CI;
  // W as [K, CO] -> W^T [CO, K], so that the matmul runs without a transpose flag (XNNPACK's fast path).
  const wT = callWasm(backend, 'Transpose', { x: view(filter, [K, CO]) }, { perm: [1, 0] });
  const dx = alloc(backend, [B, H, W, CI]);
  heapF32(backend, dx).fill(0);
  const perImage = OH * OW;
  const chunk = Math.max(1, Math.min(B, Math.floor(MAX_COLUMN_ELEMENTS / Math.max(1, perImage * K))));
  for (let b0 = 0; b0 < B && perImage > 0 && K > 0; b0 += chunk) {
    const nb = Math.min(chunk, B - b0);
    const rows = nb * perImage;
    // Rows of dy for images b0..b0+nb: copy them out unless they are the whole tensor.
    let dyRows: TensorInfo;
    if (nb === B) {
      dyRows = view(dy, [1, rows, CO]);
    } else {
      dyRows = alloc(backend, [1, rows, CO]);
      heapF32(backend, dyRows).set(heapF32(backend, dy).subarray(b0 * perImage * CO, (b0 + nb) * perImage * CO));
    }
    const cols = callWasm(
      backend,
      'BatchMatMul',
      { a: dyRows, b: view(wT, [1, CO, K]) },
      { transposeA: false, transposeB: false },
    );
    if (nb !== B) free(backend, dyRows);
    const c = heapF32(backend, cols);
    const d = heapF32(backend, dx);
    // col2im: for each tap (kh, kw) and output row, the output columns that land inside the input form
    // one run [owMin, owMax), so the bounds are checked per run rather than per element.
    for (let b = b0; b < b0 + nb; b++) {
      const cImage = (b - b0) * perImage * K;
      for (let kh = 0; kh < KH; kh++) {
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sH - pt + kh;
          if (ih < 0 || ih >= H) continue;
          const dRow = (b * H + ih) * W;
          const cRow = cImage + oh * OW * K;
          for (let kw = 0; kw < KW; kw++) {
            const owMin = Math.max(0, Math.ceil((pl - kw) / sW));
            const owMax = Math.min(OW, Math.floor((W - 1 + pl - kw) / sW) + 1);
            const tap = (kh * KW + kw) * CI;
            for (let ow = owMin; ow < owMax; ow++) {
              const dOff = (dRow + ow * sW - pl + kw) * CI;
              const cOff = cRow + ow * K + tap;
              for (let ci = 0; ci < CI; ci++) d[dOff + ci] += c[cOff + ci];
            }
          }
        }
      }
    }
    free(backend, cols);
  }
  free(backend, wT);
  return dx;
}
