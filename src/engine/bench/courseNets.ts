/**
 * The course-scale networks `dl-lab bench` measures next to LeNet-5, on 32x32x3 inputs (CIFAR-10). The
 * PyTorch reference in `pytorch.ts` builds the same layers with the same parameter counts, so the two
 * numbers compare like for like.
 */
import * as tf from '@tensorflow/tfjs';

type Sym = tf.SymbolicTensor;

/**
 * VGG-style CIFAR net: six 3x3 Conv-BatchNorm-ReLU layers of 32, 32, 64, 64, 128, 128 filters, a 2x2 max
 * pool after each pair, dense 256 + ReLU, dense softmax. The convolutions keep their bias, as a student's
 * `tf.layers.conv2d` (and PyTorch's `nn.Conv2d`) does by default: 815,018 trainable parameters.
 */
export function buildVggSmall(numClasses = 10): tf.LayersModel {
  const layers: tf.layers.Layer[] = [];
  [32, 32, 64, 64, 128, 128].forEach((filters, i) => {
    layers.push(
      tf.layers.conv2d({ ...(i === 0 ? { inputShape: [32, 32, 3] } : {}), filters, kernelSize: 3, padding: 'same' }),
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
    );
    if (i % 2 === 1) layers.push(tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  layers.push(
    tf.layers.flatten(),
    tf.layers.dense({ units: 256, activation: 'relu' }),
    tf.layers.dense({ units: numClasses, activation: 'softmax' }),
  );
  return tf.sequential({ name: 'vgg_small', layers });
}

function convBn(x: Sym, filters: number, kernelSize: number, strides: number): Sym {
  const y = tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false }).apply(x) as Sym;
  return tf.layers.batchNormalization().apply(y) as Sym;
}

/**
 * ResNet-20 for CIFAR (He et al. 2016, section 4.2): a 3x3 stem of 16 filters, three stages of three basic
 * blocks (16, 32, 64 filters; stride 2 at the start of the second and third), global average pooling,
 * dense softmax. Downsampling shortcuts are 1x1 convolutions with BatchNorm (the paper's option B; option A's
 * zero-padded identity has no TensorFlow.js layer): 272,474 trainable parameters.
 */
export function buildResNet20(numClasses = 10): tf.LayersModel {
  const input = tf.input({ shape: [32, 32, 3] });
  let x = tf.layers.reLU().apply(convBn(input, 16, 3, 1)) as Sym;
  for (const [stage, filters] of [16, 32, 64].entries()) {
    for (let block = 0; block < 3; block++) {
      const strides = stage > 0 && block === 0 ? 2 : 1;
      let y = tf.layers.reLU().apply(convBn(x, filters, 3, strides)) as Sym;
      y = convBn(y, filters, 3, 1);
      const shortcut = strides !== 1 ? convBn(x, filters, 1, strides) : x;
      x = tf.layers.reLU().apply(tf.layers.add().apply([y, shortcut]) as Sym) as Sym;
    }
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x) as Sym;
  const output = tf.layers.dense({ units: numClasses, activation: 'softmax' }).apply(x) as Sym;
  return tf.model({ name: 'resnet20', inputs: input, outputs: output });
}
