/** Plain-JS (float64) references for the layer tests: formulas written out, no TensorFlow.js. */

/** erf by its Maclaurin series (exact to double precision for |x| < 6; erf(6) = 1 - 2e-17). */
export function erf(x: number): number {
  if (Math.abs(x) >= 6) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** log(1 + e^x), without overflow. */
export const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

export const SELU_ALPHA = 1.6732632423543772848170429916717;
export const SELU_SCALE = 1.0507009873554804934193349852946;

export const ref = {
  gelu: (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  geluTanh: (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  silu: (x: number) => x * sigmoid(x),
  swish: (beta: number) => (x: number) => x * sigmoid(beta * x),
  mish: (x: number) => x * Math.tanh(softplus(x)),
  celu: (alpha: number) => (x: number) => Math.max(0, x) + Math.min(0, alpha * (Math.exp(x / alpha) - 1)),
  selu: (x: number) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * (Math.exp(x) - 1)),
  softplus: (beta: number, threshold: number) => (x: number) => (beta * x > threshold ? x : Math.log1p(Math.exp(beta * x)) / beta),
  relu6: (x: number) => Math.min(Math.max(0, x), 6),
  logSigmoid: (x: number) => Math.log(sigmoid(x)),
};

/** Central finite difference of a float64 function. */
export function derivative(f: (x: number) => number, x: number, h = 1e-6): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) {
      throw new Error(`${what}: element ${i} is ${a}, expected ${e} (tolerance ${tol})`);
    }
  }
}
