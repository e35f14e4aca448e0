/**
 * Convolutions: Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose, and the snippets' GroupedConv2D
 * (dl-shufflenet-unit: a 1x1 convolution per group, kernel [groups, in/groups, out/groups]). ONNX's Conv
 * takes NCHW and OIHW weights; TensorFlow.js keeps HWIO (a transposed convolution's "I" being its output).
 */
import { applyActivation } from './activations';
import { checkChannelsLast, type Converter, type LayerContext, optionalWeight, pair, single, weight, type Weight } from './context';
import { attr, ExportError, staticDims, type Value } from './graph';
import { paddingOf, pads2d, samePads } from './padding';

/** [kh, kw, i, o] (row-major) -> [o, i, kh, kw]. */
export function hwioToOihw(data: Float32Array, [kh, kw, i, o]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < i; c++) for (let f = 0; f < o; f++) out[((f * i + c) * kh + y) * kw + x] = data[((y * kw + x) * i + c) * o + f];
  return out;
}

interface ConvSpec {
  /** OIHW. */
  kernel: { dims: number[]; data: Float32Array };
  bias?: Weight;
  strides: [number, number];
  dilations: [number, number];
  group: number;
  pads: number[];
}

function conv(ctx: LayerContext, x: Value, spec: ConvSpec, outShape = ctx.outputShape, what = 'kernel'): Value {
  const { g } = ctx;
  const inputs = [g.channelsFirst(x), g.floats(what, spec.kernel.dims, spec.kernel.data)];
  if (spec.bias) inputs.push(g.floats('bias', spec.bias.shape, spec.bias.data));
  const out = g.op('Conv', inputs, [
    attr.ints('kernel_shape', spec.kernel.dims.slice(2)),
    attr.ints('strides', spec.strides),
    attr.ints('dilations', spec.dilations),
    attr.int('group', spec.group),
    attr.ints('pads', spec.pads),
  ]);
  return { name: out, shape: outShape, channelsFirst: true };
}

function spatial(ctx: LayerContext, x: Value): [number, number] {
  if (x.shape.length !== 4) throw new ExportError(`expected an NHWC input of rank 4, got shape [${x.shape.map((d) => d ?? '?').join(', ')}]`);
  const [h, w] = staticDims(x.shape, 'the input');
  return [h, w];
}

function windowOf(ctx: LayerContext, x: Value, kernel: [number, number]) {
  checkChannelsLast(ctx);
  const strides = pair(ctx, 'strides', 1);
  const dilations = pair(ctx, 'dilationRate', 1);
  const pads = pads2d(paddingOf(ctx.config.padding ?? 'valid'), spatial(ctx, x), kernel, strides, dilations);
  return { strides, dilations, pads };
}

const bias = (ctx: LayerContext) => (ctx.config.useBias === false ? undefined : optionalWeight(ctx, 'bias'));

const conv2d: Converter = (ctx) => {
  const x = single(ctx);
  const k = weight(ctx, 'kernel');
  const [kh, kw, perGroup, filters] = k.shape;
  const channels = x.shape[3] as number;
  // Keras 3's groups (TensorFlow.js has none yet): the kernel holds in/groups input channels.
  const group = channels / perGroup;
  if (!Number.isInteger(group)) throw new ExportError(`its kernel takes ${perGroup} input channels, which does not divide the input's ${channels}`);
  const spec = { kernel: { dims: [filters, perGroup, kh, kw], data: hwioToOihw(k.data, k.shape) }, bias: bias(ctx), group, ...windowOf(ctx, x, [kh, kw]) };
  return applyActivation(ctx.g, conv(ctx, x, spec), ctx.config.activation);
};

/** A depthwise kernel [kh, kw, C, m] as ONNX's grouped OIHW [C m, 1, kh, kw] (output channel c m + k, as TensorFlow's). */
function depthwiseKernel(k: Weight) {
  const [kh, kw, c, m] = k.shape;
  return { dims: [c * m, 1, kh, kw], data: hwioToOihw(k.data, [kh, kw, 1, c * m]), channels: c };
}

const depthwiseConv2d: Converter = (ctx) => {
  const x = single(ctx);
  const k = depthwiseKernel(weight(ctx, 'depthwise_kernel'));
  const spec = { kernel: k, bias: bias(ctx), group: k.channels, ...windowOf(ctx, x, [k.dims[2], k.dims[3]]) };
  return applyActivation(ctx.g, conv(ctx, x, spec), ctx.config.activation);
};

const separableConv2d: Converter = (ctx) => {
  const x = single(ctx);
  const k = depthwiseKernel(weight(ctx, 'depthwise_kernel'));
  const p = weight(ctx, 'pointwise_kernel');
  const window = windowOf(ctx, x, [k.dims[2], k.dims[3]]);
  const depthShape = [...ctx.outputShape.slice(0, 3), k.dims[0]];
  const depthwise = conv(ctx, x, { kernel: k, group: k.channels, ...window }, depthShape, 'depthwise_kernel');
  const pointwise = { dims: [p.shape[3], p.shape[2], 1, 1], data: hwioToOihw(p.data, p.shape) };
  const out = conv(ctx, depthwise, { kernel: pointwise, bias: bias(ctx), group: 1, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] }, ctx.outputShape, 'pointwise_kernel');
  return applyActivation(ctx.g, out, ctx.config.activation);
};

/**
 * TensorFlow.js's transposed convolution is the gradient of a convolution from its output size O (valid:
 * in s + max(k - s, 0); same: in s) with that padding; ONNX's ConvTranspose gives s (in - 1) + k - pads
 * + output_padding, so the pads are the forward convolution's and output_padding makes up the rest.
 */
const conv2dTranspose: Converter = (ctx) => {
  checkChannelsLast(ctx);
  const x = single(ctx);
  const k = weight(ctx, 'kernel');
  const [kh, kw, filters, channels] = k.shape;
  const strides = pair(ctx, 'strides', 1);
  const dilations = pair(ctx, 'dilationRate', 1);
  if (dilations.some((d) => d !== 1)) throw new ExportError(`its dilationRate is ${JSON.stringify(ctx.config.dilationRate)}; only 1 is exported for a transposed convolution`);
  const padding = paddingOf(ctx.config.padding ?? 'valid');
  const input = spatial(ctx, x);
  const output = staticDims(ctx.outputShape, 'the output');
  const pads = [0, 0, 0, 0];
  const outputPadding = [0, 0];
  for (const axis of [0, 1]) {
    const kernel = axis === 0 ? kh : kw;
    const [before, after] = padding === 'same' ? samePads(output[axis], kernel, strides[axis]) : [0, 0];
    pads[axis] = before;
    pads[axis + 2] = after;
    outputPadding[axis] = output[axis] - (strides[axis] * (input[axis] - 1) + kernel - before - after);
    if (outputPadding[axis] < 0 || outputPadding[axis] >= strides[axis]) throw new ExportError(`its output size ${output[axis]} cannot be reached by ONNX's ConvTranspose`);
  }
  const { g } = ctx;
  const inputs = [g.channelsFirst(x), g.floats('kernel', [channels, filters, kh, kw], hwioToOihw(k.data, k.shape))];
  const b = bias(ctx);
  if (b) inputs.push(g.floats('bias', b.shape, b.data));
  const out = g.op('ConvTranspose', inputs, [
    attr.ints('kernel_shape', [kh, kw]),
    attr.ints('strides', strides),
    attr.ints('pads', pads),
    attr.ints('output_padding', outputPadding),
  ]);
  return applyActivation(g, { name: out, shape: ctx.outputShape, channelsFirst: true }, ctx.config.activation);
};

/** The dl-shufflenet-unit snippet's GroupedConv2D: 1x1, stride 1, no bias; kernel [groups, in/groups, out/groups]. */
const groupedConv2d: Converter = (ctx) => {
  const x = single(ctx);
  const k = weight(ctx, 'kernel');
  if (k.shape.length !== 3) throw new ExportError(`expected the dl-shufflenet-unit snippet's kernel [groups, in/groups, out/groups], got [${k.shape.join(', ')}]`);
  const [groups, perGroup, outPerGroup] = k.shape;
  // [g, i, o] -> [g o, i, 1, 1]: output channel g o' + o reads group g's inputs.
  const data = new Float32Array(k.data.length);
  for (let gi = 0; gi < groups; gi++)
    for (let i = 0; i < perGroup; i++) for (let o = 0; o < outPerGroup; o++) data[(gi * outPerGroup + o) * perGroup + i] = k.data[(gi * perGroup + i) * outPerGroup + o];
  spatial(ctx, x);
  return conv(ctx, x, { kernel: { dims: [groups * outPerGroup, perGroup, 1, 1], data }, group: groups, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] });
};

export const convolutionLayers: Record<string, Converter> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  Conv2DTranspose: conv2dTranspose,
  GroupedConv2D: groupedConv2d,
};
