/**
 * Adam whose update of each variable is one pass over its values, on backends that keep tensors in CPU
 * memory (wasm, cpu). tfjs's AdamOptimizer runs about 13 kernels and creates about 6 scalar tensors per
 * variable per step: for LeNet-5 on wasm that is ~190 engine operations, whose fixed cost (tens of
 * microseconds each) rivals the convolutions. The state is the same (moments as variables named
 * `<variable>/m` and `<variable>/v`, accBeta1/2, iterations), so getWeights/setWeights and checkpoints
 * are unchanged; on other backends (tfjs-node, GPU) it is the stock optimizer.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32 } from './util';

interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  incrementIterations(): void;
}

const FUSED_BACKENDS = new Set(['wasm', 'cpu']);

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!FUSED_BACKENDS.has(tf.getBackend())) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamInternals;
    const list = Array.isArray(variableGradients)
      ? variableGradients.map((v) => ({ name: v.name, gradient: v.tensor }))
      : Object.keys(variableGradients).map((name) => ({ name, gradient: variableGradients[name] as tf.Tensor | null }));
    const { beta1, beta2, epsilon, learningRate } = self;
    tf.tidy(() => {
      const c1 = 1 - self.accBeta1.dataSync()[0];
      const c2 = 1 - self.accBeta2.dataSync()[0];
      list.forEach(({ name, gradient }, i) => {
        const value = tf.engine().registeredVariables[name];
        self.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        self.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i].variable;
        const v = self.accumulatedSecondMoment[i].variable;
        const n = value.size;
        if (tf.getBackend() === 'wasm') {
          // Read and write the wasm heap in place: no copies in or out.
          const backend = tf.backend() as unknown as BackendWasm;
          const outs = [m, v, value].map((t) => backend.makeOutput(t.shape.slice(), 'float32'));
          const [newM, newV, newW] = outs.map((t) => heapF32(backend, t));
          const [gs, ms, vs, ws] = [gradient, m, v, value].map((t) => heapF32(backend, t));
          adamUpdate(gs, ms, vs, ws, newM, newV, newW, n, beta1, beta2, c1, c2, learningRate, epsilon);
          const [tm, tv, tw] = outs.map((t) => tf.engine().makeTensorFromTensorInfo(t));
          m.assign(tm);
          v.assign(tv);
          value.assign(tw);
        } else {
          const newM = new Float32Array(n);
          const newV = new Float32Array(n);
          const newW = new Float32Array(n);
          const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
          adamUpdate(read(gradient), read(m), read(v), read(value), newM, newV, newW, n, beta1, beta2, c1, c2, learningRate, epsilon);
          m.assign(tf.tensor(newM, m.shape, 'float32'));
          v.assign(tf.tensor(newV, v.shape, 'float32'));
          value.assign(tf.tensor(newW, value.shape, 'float32'));
        }
      });
      self.accBeta1.assign(tf.scalar((1 - c1) * beta1));
      self.accBeta2.assign(tf.scalar((1 - c2) * beta2));
    });
    self.incrementIterations();
  }
}

/**
 * The stock optimizer's arithmetic, in the same order (rounded once instead of once per op). A
 * top-level function with typed-array parameters, so that V8 compiles one tight loop for it.
 */
function adamUpdate(
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  w: Float32Array,
  newM: Float32Array,
  newV: Float32Array,
  newW: Float32Array,
  n: number,
  beta1: number,
  beta2: number,
  c1: number,
  c2: number,
  learningRate: number,
  epsilon: number,
): void {
  const oneMinusBeta1 = 1 - beta1;
  const oneMinusBeta2 = 1 - beta2;
  for (let j = 0; j < n; j++) {
    const gj = g[j];
    const mj = m[j] * beta1 + gj * oneMinusBeta1;
    const vj = v[j] * beta2 + gj * gj * oneMinusBeta2;
    newM[j] = mj;
    newV[j] = vj;
    newW[j] = (mj / c1 / (Math.sqrt(vj / c2) + epsilon)) * -learningRate + w[j];
  }
}
