/** BatchNormalization at inference: (x - moving_mean) gamma / sqrt(moving_variance + epsilon) + beta. */
import { type Converter, num, optionalWeight, single, weight } from './context';
import { attr, ExportError } from './graph';

const batchNormalization: Converter = (ctx) => {
  const { g } = ctx;
  const x = single(ctx);
  const axisConfig = ctx.config.axis ?? -1;
  const axis = Array.isArray(axisConfig) && axisConfig.length === 1 ? axisConfig[0] : axisConfig;
  if (typeof axis !== 'number') throw new ExportError(`its axis is ${JSON.stringify(axisConfig)}; one axis is exported`);
  const epsilon = num(ctx, 'epsilon', 1e-3);
  const mean = weight(ctx, 'moving_mean');
  const variance = weight(ctx, 'moving_variance');
  const n = mean.data.length;
  const gamma = (ctx.config.scale !== false && optionalWeight(ctx, 'gamma')?.data) || new Float32Array(n).fill(1);
  const beta = (ctx.config.center !== false && optionalWeight(ctx, 'beta')?.data) || new Float32Array(n);
  const rank = x.shape.length;
  const logical = axis < 0 ? rank + axis : axis;
  // TensorFlow.js's BatchNorm kernels index the statistics by the flat position modulo their length, which is
  // the channel only for the last axis: on another axis the model computes something ONNX cannot express.
  if (logical !== rank - 1) throw new ExportError(`its axis is ${axis}; only the channel axis (-1) is exported`);
  // Channels on axis 1 as ONNX's BatchNormalization wants them: NHWC held as NCHW, or [N, C].
  if (rank === 2 || rank === 4) {
    const input = g.channelsFirst(x);
    const out = g.op('BatchNormalization', [input, g.floats('gamma', [n], gamma), g.floats('beta', [n], beta), g.floats('moving_mean', [n], mean.data), g.floats('moving_variance', [n], variance.data)], [attr.float('epsilon', epsilon)]);
    return { name: out, shape: x.shape, channelsFirst: rank === 4 };
  }
  // Other ranks ([N, L, C]): the same affine map, its coefficients broadcast along the last axis.
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = gamma[i] / Math.sqrt(variance.data[i] + epsilon);
    b[i] = beta[i] - mean.data[i] * a[i];
  }
  const out = g.op('Add', [g.op('Mul', [g.channelsLast(x), g.floats('scale', [n], a)]), g.floats('offset', [n], b)]);
  return { name: out, shape: x.shape, channelsFirst: false };
};

export const normalizationLayers: Record<string, Converter> = { BatchNormalization: batchNormalization };
