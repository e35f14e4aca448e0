/**
 * The `dl-lab` layer library: layers TensorFlow.js lacks, as factories in the style of tf.layers, for model
 * files (`import { layers as dl } from 'dl-lab'`, resolved by the engine like `@tensorflow/tfjs`).
 *
 * Importing this module registers every class with tf.serialization (class names `DlLab<Name>`), so that
 * tf.loadLayersModel rebuilds checkpoints that hold them; the engine imports it at start-up.
 */
import * as tf from '@tensorflow/tfjs';
import {
  type AxisArgs,
  Celu,
  type CeluArgs,
  Gelu,
  type GeluArgs,
  type LayerArgs,
  LogSigmoid,
  LogSoftmax,
  Mish,
  Relu6,
  Selu,
  Silu,
  type SiluArgs,
  Softmin,
  Softplus,
  type SoftplusArgs,
} from './activations';
import { BlurPool, type BlurPoolArgs } from './blurPool';
import { ChannelShuffle, type ChannelShuffleArgs } from './channelShuffle';
import { Sine, type SineArgs } from './siren';
import { SqueezeExcite, type SqueezeExciteArgs } from './squeezeExcite';

export { CLASS_PREFIX, registeredClassNames } from './base';
export { Celu, Gelu, LogSigmoid, LogSoftmax, Mish, Relu6, Selu, Silu, Softmin, Softplus } from './activations';
export type { AxisArgs, CeluArgs, GeluArgs, LayerArgs, SiluArgs, SoftplusArgs } from './activations';
export { BlurPool, binomialRow, blurFilter } from './blurPool';
export type { BlurPoolArgs } from './blurPool';
export { ChannelShuffle, shuffleOrder } from './channelShuffle';
export type { ChannelShuffleArgs } from './channelShuffle';
export { Sine, sirenBounds } from './siren';
export type { SineArgs } from './siren';
export { SqueezeExcite, squeezeUnits } from './squeezeExcite';
export type { SqueezeExciteArgs } from './squeezeExcite';

/** Factories, used like tf.layers: `dl.gelu()`, `dl.softplus({ beta: 2 })`, `dl.sine({ units: 64, isFirst: true })`. */
export const layers = {
  gelu: (args?: GeluArgs) => new Gelu(args),
  silu: (args?: SiluArgs) => new Silu(args),
  /** Swish: x sigmoid(beta x); the same layer as silu. */
  swish: (args?: SiluArgs) => new Silu(args),
  mish: (args?: LayerArgs) => new Mish(args),
  celu: (args?: CeluArgs) => new Celu(args),
  selu: (args?: LayerArgs) => new Selu(args),
  softplus: (args?: SoftplusArgs) => new Softplus(args),
  relu6: (args?: LayerArgs) => new Relu6(args),
  logSigmoid: (args?: LayerArgs) => new LogSigmoid(args),
  softmin: (args?: AxisArgs) => new Softmin(args),
  logSoftmax: (args?: AxisArgs) => new LogSoftmax(args),
  sine: (args: SineArgs) => new Sine(args),
  blurPool: (args?: BlurPoolArgs) => new BlurPool(args),
  channelShuffle: (args: ChannelShuffleArgs) => new ChannelShuffle(args),
  squeezeExcite: (args?: SqueezeExciteArgs) => new SqueezeExcite(args),
  // TensorFlow.js's own, here so that one import covers the activations.
  prelu: tf.layers.prelu,
  leakyReLU: tf.layers.leakyReLU,
  elu: tf.layers.elu,
};
