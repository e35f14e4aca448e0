/**
 * Layers that move values without computing: Flatten (in TensorFlow.js's NHWC order, so the Dense after it
 * reads its weights as trained), Reshape, ZeroPadding2D, Cropping2D, UpSampling2D, and the layers that are
 * the identity at inference (Dropout and the noise layers).
 */
import { checkChannelsLast, type Converter, type LayerContext, pair, single } from './context';
import { attr, ExportError, staticDims, type Value } from './graph';

const identity: Converter = (ctx) => single(ctx);

/** [[top, bottom], [left, right]] from 1, [1, 2] or [[1, 1], [2, 2]]. */
function sides(ctx: LayerContext, key: string): [[number, number], [number, number]] {
  const v = ctx.config[key];
  const both = (p: unknown): [number, number] => {
    if (typeof p === 'number') return [p, p];
    if (Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'number')) return [p[0], p[1]];
    throw new ExportError(`its ${key} is ${JSON.stringify(v)}; expected [[top, bottom], [left, right]]`);
  };
  if (Array.isArray(v) && v.length === 2) return [both(v[0]), both(v[1])];
  const [a] = both(v);
  return [[a, a], [a, a]];
}

function rank4(x: Value): void {
  if (x.shape.length !== 4) throw new ExportError(`expected an NHWC input of rank 4, got rank ${x.shape.length}`);
}

export const reshapingLayers: Record<string, Converter> = {
  Flatten: (ctx) => {
    const x = single(ctx);
    return { name: ctx.g.op('Flatten', [ctx.g.channelsLast(x)], [attr.int('axis', 1)]), shape: ctx.outputShape, channelsFirst: false };
  },
  Reshape: (ctx) => {
    const x = single(ctx);
    const target = staticDims(ctx.outputShape, 'the output');
    // 0 keeps the input's batch size.
    const out = ctx.g.op('Reshape', [ctx.g.channelsLast(x), ctx.g.int64s('shape', [0, ...target])]);
    return { name: out, shape: ctx.outputShape, channelsFirst: false };
  },
  ZeroPadding2D: (ctx) => {
    checkChannelsLast(ctx);
    const x = single(ctx);
    rank4(x);
    const [[top, bottom], [left, right]] = sides(ctx, 'padding');
    const out = ctx.g.op('Pad', [ctx.g.channelsFirst(x), ctx.g.int64s('pads', [0, 0, top, left, 0, 0, bottom, right])], [attr.string('mode', 'constant')]);
    return { name: out, shape: ctx.outputShape, channelsFirst: true };
  },
  Cropping2D: (ctx) => {
    checkChannelsLast(ctx);
    const x = single(ctx);
    rank4(x);
    const [h, w] = staticDims(x.shape, 'the input');
    const [[top, bottom], [left, right]] = sides(ctx, 'cropping');
    const g = ctx.g;
    const out = g.op('Slice', [g.channelsFirst(x), g.int64s('starts', [top, left]), g.int64s('ends', [h - bottom, w - right]), g.int64s('axes', [2, 3])]);
    return { name: out, shape: ctx.outputShape, channelsFirst: true };
  },
  // tf.image's resizes without aligned corners or half-pixel centres: ONNX's asymmetric coordinates.
  UpSampling2D: (ctx) => {
    checkChannelsLast(ctx);
    const x = single(ctx);
    rank4(x);
    const [sh, sw] = pair(ctx, 'size', 2);
    const nearest = (ctx.config.interpolation ?? 'nearest') === 'nearest';
    const g = ctx.g;
    const out = g.op('Resize', [g.channelsFirst(x), '', g.floats('scales', [4], [1, 1, sh, sw])], [
      attr.string('mode', nearest ? 'nearest' : 'linear'),
      attr.string('coordinate_transformation_mode', 'asymmetric'),
      ...(nearest ? [attr.string('nearest_mode', 'floor')] : []),
    ]);
    return { name: out, shape: ctx.outputShape, channelsFirst: true };
  },
  Dropout: identity,
  SpatialDropout1D: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
};
