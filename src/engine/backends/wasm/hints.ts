/**
 * What the kernels cannot see from their inputs: whether a result will be used at all.
 *
 * tfjs computes the gradients of a fused convolution (which tfjs-layers uses for every Conv2D layer) in
 * one custom-gradient closure, eagerly: the gradient with respect to the layer's input is computed even
 * when that input is the model's input, which needs none, and the tape then throws it away. For
 * LeNet-5 that one wasted Conv2DBackpropInput costs as much as the rest of the backward convolutions.
 * The training step knows which filters belong to layers fed directly by the model input; while it runs,
 * Conv2DBackpropInput returns zeros for those filters instead of computing them.
 */
import type * as tf from '@tensorflow/tfjs';

let skipped: readonly tf.Tensor[] = [];

/** Runs `fn` with input gradients of convolutions by `filters` skipped (see above). */
export function withInputGradientSkipped<T>(filters: readonly tf.Tensor[], fn: () => T): T {
  const previous = skipped;
  skipped = filters;
  try {
    return fn();
  } finally {
    skipped = previous;
  }
}

/** True while a training step has declared this filter's input gradient unused. */
export function isInputGradientSkipped(filterDataId: object): boolean {
  for (const f of skipped) if (!f.isDisposed && f.dataId === filterDataId) return true;
  return false;
}
