/**
 * Activations: TensorFlow.js's (as a layer's `activation` option and as the Activation, ReLU, LeakyReLU,
 * ELU, PReLU, Softmax and ThresholdedReLU layers) and the `dl-lab` library's, each with the formula its
 * implementation computes (src/engine/layers/activations.ts; tfjs-layers' activations.js).
 */
import { type Converter, type LayerContext, num, same, single, weight } from './context';
import { attr, ExportError, type GraphBuilder, NHWC_TO_NCHW, physicalAxis, type Value } from './graph';

/** f(x) on a tensor's name; `axis` is the physical axis a (log-)softmax normalises over. */
type Fn = (g: GraphBuilder, x: string, axis: number) => string;

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

const mul = (g: GraphBuilder, a: string, b: string) => g.op('Mul', [a, b]);
const scaled = (g: GraphBuilder, x: string, k: number) => mul(g, x, g.scalar('k', k));

/** 0.5 x (1 + erf(x / sqrt 2)). */
const geluErf: Fn = (g, x) => {
  const erf = g.op('Erf', [scaled(g, x, Math.SQRT1_2)]);
  return mul(g, scaled(g, x, 0.5), g.op('Add', [erf, g.scalar('one', 1)]));
};

/** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
const geluTanh: Fn = (g, x) => {
  const cube = g.op('Pow', [x, g.scalar('three', 3)]);
  const inner = scaled(g, g.op('Add', [x, scaled(g, cube, 0.044715)]), Math.sqrt(2 / Math.PI));
  return mul(g, scaled(g, x, 0.5), g.op('Add', [g.op('Tanh', [inner]), g.scalar('one', 1)]));
};

const swish = (beta: number): Fn => (g, x) => mul(g, x, g.op('Sigmoid', [beta === 1 ? x : scaled(g, x, beta)]));
const mish: Fn = (g, x) => mul(g, x, g.op('Tanh', [g.op('Softplus', [x])]));
const clip = (g: GraphBuilder, x: string, min: number, max?: number) => g.op('Clip', [x, g.scalar('min', min), ...(max === undefined ? [] : [g.scalar('max', max)])]);
const selu: Fn = (g, x) => g.op('Selu', [x], [attr.float('alpha', SELU_ALPHA), attr.float('gamma', SELU_SCALE)]);

/** TensorFlow.js's activation names (a layer's `activation`, the Activation layer), as getConfig writes them. */
const KERAS: Record<string, Fn> = {
  linear: (_g, x) => x,
  relu: (g, x) => g.op('Relu', [x]),
  relu6: (g, x) => clip(g, x, 0, 6),
  sigmoid: (g, x) => g.op('Sigmoid', [x]),
  tanh: (g, x) => g.op('Tanh', [x]),
  softplus: (g, x) => g.op('Softplus', [x]),
  softsign: (g, x) => g.op('Softsign', [x]),
  elu: (g, x) => g.op('Elu', [x], [attr.float('alpha', 1)]),
  selu,
  hardSigmoid: (g, x) => g.op('HardSigmoid', [x], [attr.float('alpha', 0.2), attr.float('beta', 0.5)]),
  softmax: (g, x, axis) => g.op('Softmax', [x], [attr.int('axis', axis)]),
  logSoftmax: (g, x, axis) => g.op('LogSoftmax', [x], [attr.int('axis', axis)]),
  swish: swish(1),
  mish,
  gelu: geluErf,
  gelu_new: geluTanh,
};

/** Applies a Keras activation name to a value (a no-op for linear). */
export function applyActivation(g: GraphBuilder, v: Value, name: unknown): Value {
  const key = typeof name === 'string' ? name : 'linear';
  const fn = KERAS[key] ?? KERAS[key.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase())];
  if (!fn) throw new ExportError(`its activation ${JSON.stringify(name)} has no ONNX conversion (known: ${Object.keys(KERAS).join(', ')})`);
  if (key === 'linear') return v;
  return same(v, fn(g, v.name, physicalAxis(v, -1)));
}

/** A layer that applies `fn` elementwise (or along its `axis` config). */
function elementwise(fn: (ctx: LayerContext) => Fn): Converter {
  return (ctx) => {
    const x = single(ctx);
    const axis = physicalAxis(x, typeof ctx.config.axis === 'number' ? ctx.config.axis : -1);
    return same(x, fn(ctx)(ctx.g, x.name, axis));
  };
}

/** PReLU: alpha has the input's shape without the batch, 1 along `sharedAxes`; ONNX's slope broadcasts the same way. */
const prelu: Converter = (ctx) => {
  const x = single(ctx);
  const alpha = weight(ctx, 'alpha');
  let dims = alpha.shape;
  let data = alpha.data;
  if (x.channelsFirst) {
    // [H, W, C] -> [C, H, W], as the input is held.
    const [h, w, c] = dims;
    const out = new Float32Array(data.length);
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) out[(k * h + i) * w + j] = data[(i * w + j) * c + k];
    dims = NHWC_TO_NCHW.slice(1).map((a) => alpha.shape[a - 1]);
    data = out;
  }
  return same(x, ctx.g.op('PRelu', [x.name, ctx.g.floats('alpha', dims, data)]));
};

export const activationLayers: Record<string, Converter> = {
  Activation: (ctx) => applyActivation(ctx.g, single(ctx), ctx.config.activation),
  ReLU: elementwise((ctx) => (g, x) => (ctx.config.maxValue == null ? g.op('Relu', [x]) : clip(g, x, 0, num(ctx, 'maxValue')))),
  LeakyReLU: elementwise((ctx) => (g, x) => g.op('LeakyRelu', [x], [attr.float('alpha', num(ctx, 'alpha', 0.3))])),
  ELU: elementwise((ctx) => (g, x) => g.op('Elu', [x], [attr.float('alpha', num(ctx, 'alpha', 1))])),
  ThresholdedReLU: elementwise((ctx) => (g, x) => g.op('ThresholdedRelu', [x], [attr.float('alpha', num(ctx, 'theta', 1))])),
  Softmax: elementwise(() => KERAS.softmax),
  PReLU: prelu,
  // The dl-lab library (src/engine/layers/activations.ts).
  DlLabGelu: elementwise((ctx) => (ctx.config.approximate === 'tanh' ? geluTanh : geluErf)),
  DlLabSilu: elementwise((ctx) => swish(num(ctx, 'beta', 1))),
  DlLabMish: elementwise(() => mish),
  DlLabCelu: elementwise((ctx) => (g, x) => g.op('Celu', [x], [attr.float('alpha', num(ctx, 'alpha', 1))])),
  DlLabSelu: elementwise(() => selu),
  DlLabRelu6: elementwise(() => KERAS.relu6),
  DlLabLogSigmoid: elementwise(() => (g, x) => g.op('Neg', [g.op('Softplus', [g.op('Neg', [x])])])),
  DlLabSoftmin: elementwise(() => (g, x, axis) => g.op('Softmax', [g.op('Neg', [x])], [attr.int('axis', axis)])),
  DlLabLogSoftmax: elementwise(() => KERAS.logSoftmax),
  // log(1 + exp(beta x)) / beta, and x where beta x > threshold.
  DlLabSoftplus: elementwise((ctx) => (g, x) => {
    const beta = num(ctx, 'beta', 1);
    const threshold = num(ctx, 'threshold', 20);
    const bx = scaled(g, x, beta);
    const soft = scaled(g, g.op('Softplus', [g.op('Min', [bx, g.scalar('threshold', threshold)])]), 1 / beta);
    return g.op('Where', [g.op('Greater', [bx, g.scalar('threshold', threshold)]), x, soft]);
  }),
};
