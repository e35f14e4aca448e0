/**
 * A limit on the parameters a model file's builder may create, checked as each weight is added and before
 * its memory is allocated: a model of a billion parameters would otherwise take 4 GB per copy (weights,
 * then gradients and optimizer state) and end the engine with an allocation failure.
 */
import * as tf from '@tensorflow/tfjs';

export const PARAMS_VAR = 'DL_LAB_MAX_PARAMS';
/** VGG-16 has 138M; 400M leaves room for any model this engine can train in reasonable time. */
const DEFAULT_MAX_PARAMS = 400_000_000;

export function maxParams(): number {
  const value = Number(process.env[PARAMS_VAR]);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_MAX_PARAMS;
}

type AddWeight = (this: tf.layers.Layer, name: string, shape: number[], ...rest: unknown[]) => unknown;
let budget: { count: number; limit: number } | undefined;

// Wrapped once: outside withParamLimit (checkpoint loading, the engine's own models) nothing is counted.
const layerPrototype = tf.layers.Layer.prototype as unknown as { addWeight: AddWeight };
const addWeight = layerPrototype.addWeight;
layerPrototype.addWeight = function (this: tf.layers.Layer, name: string, shape: number[], ...rest: unknown[]) {
  if (budget) {
    const size = shape.reduce((a, b) => a * b, 1);
    budget.count += size;
    if (budget.count > budget.limit) {
      throw new Error(
        `the model reaches ${budget.count.toLocaleString('en-US')} parameters at layer ${this.name} (${name} of shape [${shape.join(', ')}]), ` +
          `above the limit of ${budget.limit.toLocaleString('en-US')} (set ${PARAMS_VAR} to raise it)`,
      );
    }
  }
  return addWeight.call(this, name, shape, ...rest);
};

/** Runs `build` with the parameter limit on the weights it creates. */
export function withParamLimit<T>(build: () => T): T {
  const outer = budget;
  budget = { count: 0, limit: maxParams() };
  try {
    return build();
  } finally {
    budget = outer;
  }
}
