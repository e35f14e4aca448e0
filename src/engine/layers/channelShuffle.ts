/**
 * ShuffleNet's channel shuffle (X. Zhang, X. Zhou, M. Lin and J. Sun, "ShuffleNet", CVPR 2018): with g
 * groups of n = C/g channels, output channel i*g + j is input channel j*n + i (reshape to [..., g, n],
 * transpose the last two axes, reshape back). Works on the last axis of inputs of rank 2 to 4.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerArgs } from './activations';
import { checkNumber, register, type Shape, single, singleShape } from './base';

type Config = tf.serialization.ConfigDict;

export interface ChannelShuffleArgs extends LayerArgs {
  groups: number;
}

/** The input channel that lands at each output channel. */
export function shuffleOrder(channels: number, groups: number): number[] {
  const n = channels / groups;
  const order: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < groups; j++) order.push(j * n + i);
  return order;
}

export class ChannelShuffle extends tf.layers.Layer {
  static className = 'DlLabChannelShuffle';
  readonly groups: number;

  constructor(args: ChannelShuffleArgs) {
    super(args);
    this.groups = checkNumber(args?.groups, 'groups', 'channelShuffle', (v) => Number.isInteger(v) && v > 0, 'a positive integer');
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape);
    const c = shape[shape.length - 1];
    if (shape.length < 2 || shape.length > 4) throw new Error(`channelShuffle: expected an input of rank 2 to 4, got [${shape.join(', ')}]`);
    if (c == null || c % this.groups !== 0) throw new Error(`channelShuffle: ${c} channels do not split into ${this.groups} groups`);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs, 'channelShuffle');
      const c = x.shape[x.rank - 1];
      const lead = x.shape.slice(0, -1);
      const grouped = tf.reshape(x, [...lead, this.groups, c / this.groups]);
      const perm = grouped.shape.map((_, i) => i);
      [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
      return tf.reshape(tf.transpose(grouped, perm), x.shape);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return singleShape(inputShape);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), groups: this.groups };
  }
}

register(ChannelShuffle);
