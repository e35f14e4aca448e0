/** Max, average and global pooling (2-D, NHWC). TensorFlow's SAME average leaves the padding out of the count. */
import { checkChannelsLast, type Converter, pair, single } from './context';
import { attr, ExportError, staticDims } from './graph';
import { paddingOf, pads2d } from './padding';

function pool(op: 'MaxPool' | 'AveragePool'): Converter {
  return (ctx) => {
    checkChannelsLast(ctx);
    const x = single(ctx);
    if (x.shape.length !== 4) throw new ExportError(`expected an NHWC input of rank 4, got rank ${x.shape.length}`);
    const kernel = pair(ctx, 'poolSize', 2);
    const strides = ctx.config.strides == null ? kernel : pair(ctx, 'strides');
    const pads = pads2d(paddingOf(ctx.config.padding ?? 'valid'), staticDims(x.shape, 'the input'), kernel, strides);
    const out = ctx.g.op(op, [ctx.g.channelsFirst(x)], [
      attr.ints('kernel_shape', kernel),
      attr.ints('strides', strides),
      attr.ints('pads', pads),
      ...(op === 'AveragePool' ? [attr.int('count_include_pad', 0)] : []),
    ]);
    return { name: out, shape: ctx.outputShape, channelsFirst: true };
  };
}

function globalPool(op: 'GlobalAveragePool' | 'GlobalMaxPool'): Converter {
  return (ctx) => {
    checkChannelsLast(ctx);
    const x = single(ctx);
    if (x.shape.length !== 4) throw new ExportError(`expected an NHWC input of rank 4, got rank ${x.shape.length}`);
    const pooled = ctx.g.op(op, [ctx.g.channelsFirst(x)]);
    const keep = ctx.outputShape.length === 4;
    if (keep) return { name: pooled, shape: ctx.outputShape, channelsFirst: true };
    return { name: ctx.g.op('Flatten', [pooled], [attr.int('axis', 1)]), shape: ctx.outputShape, channelsFirst: false };
  };
}

export const poolingLayers: Record<string, Converter> = {
  MaxPooling2D: pool('MaxPool'),
  AveragePooling2D: pool('AveragePool'),
  GlobalAveragePooling2D: globalPool('GlobalAveragePool'),
  GlobalMaxPooling2D: globalPool('GlobalMaxPool'),
};
