/**
 * SIREN's sine layer (V. Sitzmann, J. Martel, A. Bergman, D. Lindell and G. Wetzstein, "Implicit Neural
 * Representations with Periodic Activation Functions", NeurIPS 2020): y = sin(w0 (x W + b)).
 *
 * Initialisation, from the paper (section 3.2 and its reference code), n being the number of inputs:
 *   first layer  W ~ U(-1/n, 1/n)
 *   other layers W ~ U(-sqrt(6/n)/w0, sqrt(6/n)/w0)
 *   bias         b ~ U(-1/sqrt(n), 1/sqrt(n))   (the reference code keeps PyTorch's nn.Linear default)
 * with w0 = 30 by default. The draws come from TensorFlow.js's random ops, hence from the engine's seed.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerArgs } from './activations';
import { checkNumber, register, type Shape, single, singleShape } from './base';

type Config = tf.serialization.ConfigDict;
type LayerVariable = ReturnType<tf.layers.Layer['addWeight']>;

export interface SineArgs extends LayerArgs {
  units: number;
  /** The frequency factor w0; default 30. */
  w0?: number;
  /** The first layer of the network draws its weights from U(-1/n, 1/n). Default false. */
  isFirst?: boolean;
  /** Default true. */
  useBias?: boolean;
}

/** Weight bounds of a sine layer with `n` inputs. */
export function sirenBounds(n: number, w0: number, isFirst: boolean): { kernel: number; bias: number } {
  return { kernel: isFirst ? 1 / n : Math.sqrt(6 / n) / w0, bias: 1 / Math.sqrt(n) };
}

export class Sine extends tf.layers.Layer {
  static className = 'DlLabSine';
  readonly units: number;
  readonly w0: number;
  readonly isFirst: boolean;
  readonly useBias: boolean;
  private kernel?: LayerVariable;
  private bias?: LayerVariable;

  constructor(args: SineArgs) {
    super(args);
    this.units = checkNumber(args?.units, 'units', 'sine', (v) => Number.isInteger(v) && v > 0, 'a positive integer');
    this.w0 = checkNumber(args.w0 ?? 30, 'w0', 'sine', (v) => v > 0, 'a positive number');
    this.isFirst = args.isFirst ?? false;
    this.useBias = args.useBias ?? true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape);
    const n = shape[shape.length - 1];
    if (n == null) throw new Error('sine: the last dimension of the input must be known');
    const bounds = sirenBounds(n, this.w0, this.isFirst);
    this.kernel = this.addWeight('kernel', [n, this.units], 'float32', tf.initializers.randomUniform({ minval: -bounds.kernel, maxval: bounds.kernel }));
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.randomUniform({ minval: -bounds.bias, maxval: bounds.bias }));
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs, 'sine');
      const n = x.shape[x.rank - 1];
      const flat = x.rank === 2 ? x : tf.reshape(x, [-1, n]);
      let z: tf.Tensor = tf.matMul(flat as tf.Tensor2D, this.kernel!.read() as tf.Tensor2D);
      if (this.bias) z = tf.add(z, this.bias.read());
      const y = tf.sin(tf.mul(this.w0, z));
      return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), this.units]);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(inputShape);
    return [...shape.slice(0, -1), this.units];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), units: this.units, w0: this.w0, isFirst: this.isFirst, useBias: this.useBias };
  }
}

register(Sine);
