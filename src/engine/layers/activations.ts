/**
 * Activation layers TensorFlow.js lacks (or has only as an op): each is written with differentiable tf
 * ops, so gradients come from autodiff on every backend (the wasm backend included), and each serialises
 * its parameters through getConfig.
 *
 * Formulas (x is the input, elementwise unless an axis is named):
 *   Gelu        0.5 x (1 + erf(x / sqrt 2));  approximate 'tanh': 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
 *   Silu        x sigmoid(beta x)  (Swish; SiLU is beta = 1)
 *   Mish        x tanh(softplus(x))
 *   Celu        max(0, x) + min(0, alpha (exp(x / alpha) - 1))
 *   Selu        scale (max(0, x) + min(0, alpha (exp(x) - 1))), scale 1.0507..., alpha 1.6732...
 *   Softplus    log(1 + exp(beta x)) / beta, and x where beta x > threshold (as PyTorch's Softplus)
 *   Relu6       min(max(0, x), 6)
 *   LogSigmoid  log(sigmoid(x)) = -softplus(-x)
 *   Softmin     softmax(-x) along axis
 *   LogSoftmax  x - max - log(sum(exp(x - max))) along axis
 */
import * as tf from '@tensorflow/tfjs';
import { checkNumber, normaliseAxis, register, type Shape, single, singleShape } from './base';

export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Config = tf.serialization.ConfigDict;

/** A layer that maps each element (or each slice along an axis) to the same shape. */
abstract class ShapePreserving extends tf.layers.Layer {
  protected abstract fn(x: tf.Tensor): tf.Tensor;
  protected ownConfig(): Config {
    return {};
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => this.fn(single(inputs, this.getClassName())));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return singleShape(inputShape);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), ...this.ownConfig() };
  }
}

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export interface GeluArgs extends LayerArgs {
  /** 'none' (default): the exact erf form; 'tanh': Hendrycks and Gimpel's tanh approximation. */
  approximate?: 'none' | 'tanh';
}

export class Gelu extends ShapePreserving {
  static className = 'DlLabGelu';
  readonly approximate: 'none' | 'tanh';
  constructor(args: GeluArgs = {}) {
    super(args);
    this.approximate = args.approximate ?? 'none';
    if (this.approximate !== 'none' && this.approximate !== 'tanh') {
      throw new Error(`gelu: approximate is ${JSON.stringify(args.approximate)}; expected 'none' or 'tanh'`);
    }
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    const inner =
      this.approximate === 'tanh'
        ? tf.tanh(tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))
        : tf.erf(tf.mul(x, SQRT1_2));
    return tf.mul(tf.mul(0.5, x), tf.add(1, inner));
  }
  protected override ownConfig(): Config {
    return { approximate: this.approximate };
  }
}

export interface SiluArgs extends LayerArgs {
  /** Swish's beta; 1 (the default) is SiLU. */
  beta?: number;
}

export class Silu extends ShapePreserving {
  static className = 'DlLabSilu';
  readonly beta: number;
  constructor(args: SiluArgs = {}) {
    super(args);
    this.beta = checkNumber(args.beta ?? 1, 'beta', 'silu', () => true, 'a finite number');
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, tf.sigmoid(this.beta === 1 ? x : tf.mul(this.beta, x)));
  }
  protected override ownConfig(): Config {
    return { beta: this.beta };
  }
}

export class Mish extends ShapePreserving {
  static className = 'DlLabMish';
  constructor(args: LayerArgs = {}) {
    super(args);
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, tf.tanh(tf.softplus(x)));
  }
}

export interface CeluArgs extends LayerArgs {
  alpha?: number;
}

export class Celu extends ShapePreserving {
  static className = 'DlLabCelu';
  readonly alpha: number;
  constructor(args: CeluArgs = {}) {
    super(args);
    this.alpha = checkNumber(args.alpha ?? 1, 'alpha', 'celu', (v) => v !== 0, 'a non-zero number');
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    // exp(min(x, 0) / alpha) keeps the unused branch finite for large x (a NaN there would poison the gradient).
    const negative = tf.mul(this.alpha, tf.sub(tf.exp(tf.div(tf.minimum(x, 0), this.alpha)), 1));
    return tf.add(tf.relu(x), tf.minimum(0, negative));
  }
  protected override ownConfig(): Config {
    return { alpha: this.alpha };
  }
}

export class Selu extends ShapePreserving {
  static className = 'DlLabSelu';
  static readonly alpha = 1.6732632423543772848170429916717;
  static readonly scale = 1.0507009873554804934193349852946;
  constructor(args: LayerArgs = {}) {
    super(args);
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return tf.selu(x);
  }
}

export interface SoftplusArgs extends LayerArgs {
  beta?: number;
  /** Above beta * x > threshold the layer is the identity (numerical stability, as PyTorch). Default 20. */
  threshold?: number;
}

export class Softplus extends ShapePreserving {
  static className = 'DlLabSoftplus';
  readonly beta: number;
  readonly threshold: number;
  constructor(args: SoftplusArgs = {}) {
    super(args);
    this.beta = checkNumber(args.beta ?? 1, 'beta', 'softplus', (v) => v > 0, 'a positive number');
    this.threshold = checkNumber(args.threshold ?? 20, 'threshold', 'softplus', () => true, 'a finite number');
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    const bx = tf.mul(this.beta, x);
    // softplus of the clamped value: the branch the mask discards stays small, so its gradient stays finite.
    const soft = tf.div(tf.softplus(tf.minimum(bx, this.threshold)), this.beta);
    // A 0/1 mask from tf.step (which has a gradient, zero) rather than tf.where on tf.greater (which has none).
    const linear = tf.step(tf.sub(bx, this.threshold));
    return tf.add(tf.mul(linear, x), tf.mul(tf.sub(1, linear), soft));
  }
  protected override ownConfig(): Config {
    return { beta: this.beta, threshold: this.threshold };
  }
}

export class Relu6 extends ShapePreserving {
  static className = 'DlLabRelu6';
  constructor(args: LayerArgs = {}) {
    super(args);
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return tf.relu6(x);
  }
}

export class LogSigmoid extends ShapePreserving {
  static className = 'DlLabLogSigmoid';
  constructor(args: LayerArgs = {}) {
    super(args);
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return tf.neg(tf.softplus(tf.neg(x)));
  }
}

export interface AxisArgs extends LayerArgs {
  /** The axis the (log-)softmax normalises over; default -1 (the last). */
  axis?: number;
}

/** log(sum(exp(x))) along `axis`, kept, shifted by the max so that exp never overflows. */
function logSumExp(x: tf.Tensor, axis: number): { shifted: tf.Tensor; lse: tf.Tensor } {
  const shifted = tf.sub(x, tf.max(x, axis, true));
  return { shifted, lse: tf.log(tf.sum(tf.exp(shifted), axis, true)) };
}

export class LogSoftmax extends ShapePreserving {
  static className = 'DlLabLogSoftmax';
  readonly axis: number;
  constructor(args: AxisArgs = {}) {
    super(args);
    this.axis = checkNumber(args.axis ?? -1, 'axis', 'logSoftmax', Number.isInteger, 'an integer');
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    const { shifted, lse } = logSumExp(x, normaliseAxis(this.axis, x.rank, 'logSoftmax'));
    return tf.sub(shifted, lse);
  }
  protected override ownConfig(): Config {
    return { axis: this.axis };
  }
}

export class Softmin extends ShapePreserving {
  static className = 'DlLabSoftmin';
  readonly axis: number;
  constructor(args: AxisArgs = {}) {
    super(args);
    this.axis = checkNumber(args.axis ?? -1, 'axis', 'softmin', Number.isInteger, 'an integer');
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    const { shifted, lse } = logSumExp(tf.neg(x), normaliseAxis(this.axis, x.rank, 'softmin'));
    return tf.exp(tf.sub(shifted, lse));
  }
  protected override ownConfig(): Config {
    return { axis: this.axis };
  }
}

for (const cls of [Gelu, Silu, Mish, Celu, Selu, Softplus, Relu6, LogSigmoid, LogSoftmax, Softmin]) register(cls);
