/**
 * LeNet-5, as in Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning applied to
 * document recognition", Proc. IEEE, 1998: two convolution + sub-sampling stages with tanh, then three
 * fully connected layers. The paper's 32x32 input is 28x28 here, with 'same' padding on C1 instead.
 *
 * Train it with `Deep Learning: Train Model`, or `npx dl-lab train examples/lenet.model.ts`.
 */
import * as tf from '@tensorflow/tfjs';

export const training = {
  epochs: 5,
  batchSize: 64,
  optimizer: 'adam',
  learningRate: 0.002,
  loss: 'categoricalCrossentropy',
  metrics: ['accuracy'],
  validationSplit: 0.1,
  seed: 42,
};

export default function lenet({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {
  const model = tf.sequential({ name: 'lenet5' });
  // C1: 6 feature maps, 5x5 kernels.
  model.add(tf.layers.conv2d({ inputShape, filters: 6, kernelSize: 5, padding: 'same', activation: 'tanh' }));
  // S2: 2x2 sub-sampling (average pooling).
  model.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }));
  // C3: 16 feature maps, 5x5 kernels.
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'tanh' }));
  // S4: 2x2 sub-sampling.
  model.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten());
  // C5, F6 and the output layer.
  model.add(tf.layers.dense({ units: 120, activation: 'tanh' }));
  model.add(tf.layers.dense({ units: 84, activation: 'tanh' }));
  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax' }));
  return model;
}
