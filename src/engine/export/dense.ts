/** Dense layers (and the library's SIREN sine layer, a dense layer followed by sin(w0 .)). */
import { applyActivation } from './activations';
import { type Converter, type LayerContext, num, optionalWeight, single, weight } from './context';
import type { Value } from './graph';

/** x W + b over the last axis, in the TensorFlow.js layout (a Dense on NHWC acts on the channels). */
function affine(ctx: LayerContext): Value {
  const { g } = ctx;
  const x = single(ctx);
  const k = weight(ctx, 'kernel');
  const b = ctx.config.useBias === false ? undefined : optionalWeight(ctx, 'bias');
  const kernel = g.floats('kernel', k.shape, k.data);
  const input = g.channelsLast(x);
  let out: string;
  if (x.shape.length === 2) {
    out = g.op('Gemm', [input, kernel, ...(b ? [g.floats('bias', b.shape, b.data)] : [])]);
  } else {
    out = g.op('MatMul', [input, kernel]);
    if (b) out = g.op('Add', [out, g.floats('bias', b.shape, b.data)]);
  }
  return { name: out, shape: ctx.outputShape, channelsFirst: false };
}

export const denseLayers: Record<string, Converter> = {
  Dense: (ctx) => applyActivation(ctx.g, affine(ctx), ctx.config.activation),
  DlLabSine: (ctx) => {
    const z = affine(ctx);
    return { ...z, name: ctx.g.op('Sin', [ctx.g.op('Mul', [z.name, ctx.g.scalar('w0', num(ctx, 'w0', 30))])]) };
  },
};
