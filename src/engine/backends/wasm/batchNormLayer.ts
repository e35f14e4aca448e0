/**
 * tfjs-layers' BatchNormalization, in training on the wasm backend, through the fused kernels of
 * batchNorm.ts; everything else (inference, other backends, axes other than the last, a layer without
 * scale or center) goes to the layer's own code. The moving averages are updated exactly as the layer
 * does it, so checkpoints and inference are unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAINING } from './batchNorm';

interface BatchNormInternals {
  axis: number;
  epsilon: number;
  momentum: number;
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

type Call = (this: BatchNormInternals, inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }) => tf.Tensor;

let installed = false;

export function installFusedBatchNorm(): void {
  if (installed) return;
  const entry = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization as unknown as
    | [{ prototype: { call: Call } }]
    | undefined;
  if (!entry) return;
  const proto = entry[0].prototype;
  const original = proto.call;
  proto.call = function (this: BatchNormInternals, inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const lastAxis = this.axis === -1 || this.axis === x.rank - 1;
    if (kwargs?.training !== true || tf.getBackend() !== 'wasm' || x.dtype !== 'float32' || !lastAxis || !this.gamma || !this.beta) {
      return original.call(this, inputs, kwargs);
    }
    const gamma = this.gamma;
    const beta = this.beta;
    return tf.tidy(() => {
      const [y, mean, variance] = tf.engine().runKernel(
        BATCH_NORM_TRAINING,
        { x, gamma: gamma.read(), beta: beta.read() } as unknown as tf.NamedTensorMap,
        { epsilon: this.epsilon },
      ) as tf.Tensor[];
      const decay = 1 - this.momentum;
      for (const [variable, value] of [
        [this.movingMean, mean],
        [this.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const current = variable.read();
          variable.write(tf.sub(current, tf.mul(tf.sub(current, value), decay)));
        });
      }
      return y;
    });
  };
  installed = true;
}
