/**
 * Squeeze-and-Excitation (J. Hu, L. Shen and G. Sun, "Squeeze-and-Excitation Networks", CVPR 2018) as one
 * layer with its own weights, so it fits in tf.sequential: s = mean of x over the spatial axes (N x C),
 * e = sigmoid(relu(s W1 + b1) W2 + b2), y = x * e broadcast over the spatial axes.
 * W1 is C x C', W2 is C' x C with C' = max(1, floor(C / ratio)): 2 C C' + C' + C parameters.
 * Inputs are channels-last, of rank 3 (N, L, C) or 4 (N, H, W, C).
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerArgs } from './activations';
import { checkNumber, register, type Shape, single, singleShape } from './base';

type Config = tf.serialization.ConfigDict;
type LayerVariable = ReturnType<tf.layers.Layer['addWeight']>;

export interface SqueezeExciteArgs extends LayerArgs {
  /** Reduction ratio r; default 16 (the paper's). */
  ratio?: number;
}

export function squeezeUnits(channels: number, ratio: number): number {
  return Math.max(1, Math.floor(channels / ratio));
}

export class SqueezeExcite extends tf.layers.Layer {
  static className = 'DlLabSqueezeExcite';
  readonly ratio: number;
  private w1?: LayerVariable;
  private b1?: LayerVariable;
  private w2?: LayerVariable;
  private b2?: LayerVariable;

  constructor(args: SqueezeExciteArgs = {}) {
    super(args);
    this.ratio = checkNumber(args.ratio ?? 16, 'ratio', 'squeezeExcite', (v) => v >= 1, 'a number >= 1');
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape);
    if (shape.length !== 3 && shape.length !== 4) throw new Error(`squeezeExcite: expected a channels-last input of rank 3 or 4, got [${shape.join(', ')}]`);
    const c = shape[shape.length - 1];
    if (c == null) throw new Error('squeezeExcite: the number of channels must be known');
    const hidden = squeezeUnits(c, this.ratio);
    const glorot = () => tf.initializers.glorotUniform({});
    this.w1 = this.addWeight('squeeze_kernel', [c, hidden], 'float32', glorot());
    this.b1 = this.addWeight('squeeze_bias', [hidden], 'float32', tf.initializers.zeros());
    this.w2 = this.addWeight('excite_kernel', [hidden, c], 'float32', glorot());
    this.b2 = this.addWeight('excite_bias', [c], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs, 'squeezeExcite');
      const spatial = x.rank === 4 ? [1, 2] : [1];
      const s = tf.mean(x, spatial) as tf.Tensor2D;
      const h = tf.relu(tf.add(tf.matMul(s, this.w1!.read() as tf.Tensor2D), this.b1!.read())) as tf.Tensor2D;
      const e = tf.sigmoid(tf.add(tf.matMul(h, this.w2!.read() as tf.Tensor2D), this.b2!.read()));
      const c = x.shape[x.rank - 1];
      return tf.mul(x, tf.reshape(e, x.rank === 4 ? [-1, 1, 1, c] : [-1, 1, c]));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return singleShape(inputShape);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), ratio: this.ratio };
  }
}

register(SqueezeExcite);
