/**
 * One optimisation step, shared by the trainer and the benchmark so that `dl-lab bench` measures exactly
 * what a real run does.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerName, TrainingConfig } from '../../protocol/engineTypes';
import { FusedAdamOptimizer } from '../backends/wasm/adam';
import { withInputGradientSkipped } from '../backends/wasm/hints';
import { embeddingCorrect, isEmbeddingLoss, LOSS_NAMES as LOSS_NAME_LIST, type LossSpec, resolveLoss } from './losses';

export function makeOptimizer(
  config: Pick<TrainingConfig, 'optimizer' | 'learningRate' | 'momentum'>,
): tf.Optimizer {
  const name: OptimizerName = config.optimizer;
  switch (name) {
    case 'adam':
      // tf.train.adam's optimizer, with each variable's update done in one pass on wasm and cpu.
      return new FusedAdamOptimizer(config.learningRate, 0.9, 0.999);
    case 'sgd':
      return config.momentum > 0
        ? tf.train.momentum(config.learningRate, config.momentum)
        : tf.train.sgd(config.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(config.learningRate, 0.9, config.momentum);
    default:
      throw new Error(`unknown optimizer "${String(name)}" (expected adam, sgd or rmsprop)`);
  }
}

/**
 * Changes the rate an optimizer uses from its next step on (ReduceLROnPlateau). Adam (ours, fused, and
 * tfjs's), RMSprop read their `learningRate` field at every step; SGD and momentum keep a scalar tensor made
 * from it, which only `setLearningRate` refreshes.
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(learningRate);
  else o.learningRate = learningRate;
}

export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

export type LossFn = ((labels: tf.Tensor, predictions: tf.Tensor) => tf.Scalar) & {
  /** Correct predictions in a batch, when not the arg-max's (embedding losses: the nearest neighbour's). */
  correct?: (labels: tf.Tensor, predictions: tf.Tensor) => tf.Scalar;
  /** The model outputs embeddings of any width, not one value per class. */
  embedding?: boolean;
};

/** Names `training.loss` takes (with their aliases); the losses themselves are in ./losses. */
export const LOSS_NAMES = LOSS_NAME_LIST;

/**
 * The loss for `training.loss`: a name, or `{ name, reduction, classWeights, ... }` (see ./losses).
 * Classification labels arrive one-hot; the model's last layer is expected to apply softmax unless the loss
 * says it takes logits.
 */
export function lossFunction(spec: string | LossSpec): LossFn {
  const fn: LossFn = resolveLoss(spec);
  if (isEmbeddingLoss(spec)) Object.assign(fn, { correct: embeddingCorrect, embedding: true });
  return fn;
}

/**
 * Runs forward and backward passes on one batch and applies the optimizer. Returns the batch loss and what
 * `count` makes of the predictions (by default the number of correct ones; the trainer's counts per metric,
 * see ./metrics; with `count` null, nothing), as tensors so the caller decides when to read them (a read
 * forces a sync, which costs time on accelerators).
 */
export function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  loss: LossFn,
  x: tf.Tensor,
  y: tf.Tensor,
  /** The model's trainable variables: without it the optimizer would touch every variable in the process. */
  varList: tf.Variable[] = trainableVariables(model),
  /** L2 weight decay added to each gradient (PyTorch's `weight_decay`); 0: none. */
  weightDecay = 0,
  count: ((labels: tf.Tensor, predictions: tf.Tensor) => tf.Tensor) | null = loss.correct ?? countCorrect,
): { loss: tf.Scalar; correct: tf.Tensor | undefined } {
  let correct: tf.Tensor | undefined;
  if (weightDecay > 0) {
    // Through the gradients rather than a penalty in the loss, so that the reported loss stays the data loss.
    const lossValue = withInputGradientSkipped(inputConvFilters(model), () => {
      const { value, grads } = optimizer.computeGradients(() => {
        const predictions = model.apply(x, { training: true }) as tf.Tensor;
        if (count) correct = tf.keep(count(y, predictions));
        return loss(y, predictions);
      }, varList);
      const decayed: tf.NamedTensorMap = {};
      for (const v of varList) {
        const g = grads[v.name];
        if (g) decayed[v.name] = tf.tidy(() => tf.add(g, tf.mul(v, weightDecay)));
      }
      optimizer.applyGradients(decayed);
      tf.dispose([...Object.values(grads), ...Object.values(decayed)]);
      return value;
    });
    return { loss: lossValue, correct };
  }
  const lossValue = withInputGradientSkipped(
    inputConvFilters(model),
    () =>
      optimizer.minimize(
        () => {
          const predictions = model.apply(x, { training: true }) as tf.Tensor;
          if (count) correct = tf.keep(count(y, predictions));
          return loss(y, predictions);
        },
        true,
        varList,
      ) as tf.Scalar,
  );
  return { loss: lossValue, correct };
}

interface LayerInternals {
  inboundNodes?: { inboundLayers: tf.layers.Layer[] }[];
  kernel?: { read(): tf.Tensor };
}

const inputConvCache = new WeakMap<tf.LayersModel, tf.Tensor[]>();

/**
 * Filters of the Conv2D layers applied once, directly to a model input. Nothing needs the gradient with
 * respect to their input (training differentiates with respect to weights only), yet tfjs's fused
 * convolution computes it eagerly; the wasm backend skips it for these (see backends/wasm/hints.ts).
 */
function inputConvFilters(model: tf.LayersModel): tf.Tensor[] {
  let filters = inputConvCache.get(model);
  if (!filters) {
    filters = [];
    for (const layer of model.layers) {
      const internals = layer as unknown as LayerInternals;
      const nodes = internals.inboundNodes ?? [];
      const fedByInput =
        nodes.length === 1 && nodes[0].inboundLayers.every((l) => l.getClassName() === 'InputLayer');
      if (layer.getClassName() === 'Conv2D' && fedByInput && internals.kernel) {
        filters.push(internals.kernel.read());
      }
    }
    inputConvCache.set(model, filters);
  }
  return filters;
}

/** Number of rows whose arg-max matches the one-hot label's. */
export function countCorrect(labels: tf.Tensor, predictions: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.equal(tf.argMax(labels, -1), tf.argMax(predictions, -1)).sum() as tf.Scalar);
}

/** The tf.Variables behind a model's trainable weights, in the model's weight order. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}
