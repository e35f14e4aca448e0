/**
 * The `dl-lab` library's layers that are not activations (src/engine/layers): BlurPool, ChannelShuffle,
 * SqueezeExcite; and the dl-shufflenet-unit snippet's ChannelShuffle, which computes the same shuffle.
 */
import { blurFilter } from '../layers/blurPool';
import { type Converter, num, single, weight } from './context';
import { attr, ExportError, type Value } from './graph';

/** Zero or reflection padding of floor((k-1)/2) before and ceil((k-1)/2) after, then a per-channel binomial blur with stride. */
const blurPool: Converter = (ctx) => {
  const { g } = ctx;
  const x = single(ctx);
  if (x.shape.length !== 4) throw new ExportError(`expected an NHWC input of rank 4, got rank ${x.shape.length}`);
  const k = num(ctx, 'filterSize', 3);
  const s = num(ctx, 'strides', 2);
  const c = x.shape[3] as number;
  const [before, after] = [Math.floor((k - 1) / 2), Math.ceil((k - 1) / 2)];
  let input = g.channelsFirst(x);
  if (before + after > 0) {
    const mode = ctx.config.padding === 'zero' ? 'constant' : 'reflect';
    input = g.op('Pad', [input, g.int64s('pads', [0, 0, before, before, 0, 0, after, after])], [attr.string('mode', mode)]);
  }
  const filter = blurFilter(k).flat();
  const kernel = new Float32Array(c * k * k);
  for (let ch = 0; ch < c; ch++) kernel.set(filter, ch * k * k);
  const out = g.op('Conv', [input, g.floats('filter', [c, 1, k, k], kernel)], [attr.ints('kernel_shape', [k, k]), attr.ints('strides', [s, s]), attr.int('group', c)]);
  return { name: out, shape: ctx.outputShape, channelsFirst: true };
};

/** Channel i g + j of the output is channel j n + i of the input (n = C / g): reshape, swap, reshape. */
const channelShuffle: Converter = (ctx) => {
  const { g } = ctx;
  const x = single(ctx);
  const groups = num(ctx, 'groups');
  const c = x.shape[x.shape.length - 1];
  if (c == null || c % groups !== 0) throw new ExportError(`${c} channels do not split into ${groups} groups`);
  const rank = x.shape.length;
  const dims = x.shape.slice(1).map((d) => {
    if (d == null) throw new ExportError('its input has an unknown size; export needs a fixed input shape');
    return d;
  });
  let grouped: number[];
  let perm: number[];
  if (x.channelsFirst) {
    // [N, C, H, W] -> [N, g, n, H, W] -> [N, n, g, H, W].
    grouped = [0, groups, c / groups, dims[0], dims[1]];
    perm = [0, 2, 1, 3, 4];
  } else {
    grouped = [0, ...dims.slice(0, -1), groups, c / groups];
    perm = [...Array(rank - 1).keys(), rank, rank - 1];
  }
  const physical = x.channelsFirst ? [0, c, dims[0], dims[1]] : [0, ...dims];
  const split = g.op('Reshape', [x.name, g.int64s('grouped', grouped)]);
  const swapped = g.op('Transpose', [split], [attr.ints('perm', perm)]);
  return { name: g.op('Reshape', [swapped, g.int64s('shape', physical)]), shape: x.shape, channelsFirst: x.channelsFirst };
};

/** x * sigmoid(relu(mean(x) W1 + b1) W2 + b2), the gates broadcast over the spatial axes. */
const squeezeExcite: Converter = (ctx) => {
  const { g } = ctx;
  const input = single(ctx);
  const rank = input.shape.length;
  if (rank !== 3 && rank !== 4) throw new ExportError(`expected a channels-last input of rank 3 or 4, got rank ${rank}`);
  const x: Value = rank === 4 ? { ...input, name: g.channelsFirst(input), channelsFirst: true } : { ...input, name: g.channelsLast(input), channelsFirst: false };
  const spatial = rank === 4 ? [2, 3] : [1];
  const dense = (from: string, kernel: string, bias: string) => {
    const w = weight(ctx, kernel);
    const b = weight(ctx, bias);
    return g.op('Gemm', [from, g.floats(kernel, w.shape, w.data), g.floats(bias, b.shape, b.data)]);
  };
  const squeezed = g.op('ReduceMean', [x.name], [attr.ints('axes', spatial), attr.int('keepdims', 0)]);
  const hidden = g.op('Relu', [dense(squeezed, 'squeeze_kernel', 'squeeze_bias')]);
  const gates = g.op('Sigmoid', [dense(hidden, 'excite_kernel', 'excite_bias')]);
  const broadcast = g.op('Unsqueeze', [gates, g.int64s('axes', spatial)]);
  return { ...x, name: g.op('Mul', [x.name, broadcast]) };
};

export const libraryLayers: Record<string, Converter> = {
  DlLabBlurPool: blurPool,
  DlLabChannelShuffle: channelShuffle,
  DlLabSqueezeExcite: squeezeExcite,
  ChannelShuffle: channelShuffle,
};
