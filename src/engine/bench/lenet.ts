/**
 * LeNet-5 (LeCun et al. 1998) for 28x28x1 inputs: the network `dl-lab bench` measures. The PyTorch
 * reference in `pytorch.ts` builds the same layers, so the two numbers compare like for like.
 * `examples/lenet.model.ts` is the user-facing copy of the same architecture.
 */
import * as tf from '@tensorflow/tfjs';

export function buildLeNet5(numClasses = 10): tf.LayersModel {
  return tf.sequential({
    name: 'lenet5',
    layers: [
      // C1: 6 feature maps 5x5; padding 'same' keeps 28x28, as the paper's 32x32 input with a 2-pixel border.
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'tanh' }),
      // S2: 2x2 sub-sampling.
      tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }),
      // C3: 16 feature maps 5x5 -> 10x10.
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'tanh' }),
      // S4 -> 5x5x16.
      tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      // C5 (a full connection on a 5x5 input), F6, and the output layer.
      tf.layers.dense({ units: 120, activation: 'tanh' }),
      tf.layers.dense({ units: 84, activation: 'tanh' }),
      tf.layers.dense({ units: numClasses, activation: 'softmax' }),
    ],
  });
}
