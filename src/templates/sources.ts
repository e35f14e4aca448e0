/**
 * The snippets' sources, in TypeScript with VS Code snippet syntax (`\${1:64}` here is `${1:64}` in the
 * snippet). `model` snippets are whole model files (the templates are their expansions); `block` snippets
 * are functions to paste into a model file (the tests wrap each in a small model); `training` snippets are
 * settings. `snippets/*.code-snippets` are generated from this file: `node --import tsx src/templates/writeSnippets.ts`.
 *
 * The code uses plain tf.layers and the functional API only, and no `$` or backquote of its own.
 */

export interface SnippetSource {
  /** What the user types, e.g. `dl-lenet`. */
  prefix: string;
  /** The snippet's title in the completion list. */
  name: string;
  description: string;
  kind: 'model' | 'block' | 'training';
  body: string;
}

const IMPORT = `import * as tf from '@tensorflow/tfjs';`;

/** The `training` export a model snippet ends with (the optimizer and rate vary). */
function trainingBlock(lines: string[]): string {
  return ['export const training = {', ...lines.map((l) => `  ${l},`), '};'].join('\n');
}

// ---------------------------------------------------------------------------------------------- models

const LENET = `/**
 * LeNet-5 (Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning applied to document
 * recognition", Proc. IEEE, 1998): two convolution + sub-sampling stages, then three fully connected
 * layers. The paper's 32x32 input is 28x28 here, with 'same' padding on C1 instead.
 */
${IMPORT}

${trainingBlock(["epochs: 5", "batchSize: 64", "optimizer: '${3|adam,sgd,rmsprop|}'", 'learningRate: ${4:0.002}', "loss: 'categoricalCrossentropy'", "metrics: ['accuracy']", 'validationSplit: 0.1', 'seed: 42'])}

export default function lenet({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {
  const model = tf.sequential({ name: 'lenet5' });
  // C1: 6 feature maps, 5x5 kernels.
  model.add(tf.layers.conv2d({ inputShape, filters: 6, kernelSize: 5, padding: 'same', activation: '\${1|tanh,relu,sigmoid|}' }));
  // S2: 2x2 sub-sampling.
  model.add(tf.layers.\${2|averagePooling2d,maxPooling2d|}({ poolSize: 2, strides: 2 }));
  // C3: 16 feature maps, 5x5 kernels.
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: '\${1}' }));
  // S4: 2x2 sub-sampling.
  model.add(tf.layers.\${2}({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten());
  // C5, F6 and the output layer.
  model.add(tf.layers.dense({ units: 120, activation: '\${1}' }));
  model.add(tf.layers.dense({ units: 84, activation: '\${1}' }));
  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax' }));
  return model;
}
`;

const ALEXNET = `/**
 * AlexNet (A. Krizhevsky, I. Sutskever and G. Hinton, "ImageNet classification with deep convolutional
 * neural networks", NeurIPS 2012) in torchvision's variant (torchvision.models.alexnet): 64, 192, 384, 256
 * and 256 filters (the paper has 96, 256, 384, 384, 256 on two GPUs), no local response normalisation.
 * torchvision's adaptive 6x6 average pooling is the identity at 224x224 and is left out: other input sizes
 * change the first dense layer's size. Padding is explicit, as in torchvision, so shapes match: 224 -> 55
 * -> 27 -> 13 -> 6.
 */
${IMPORT}

// AlexNet's own settings: SGD with momentum 0.9, learning rate 0.01, batch 128, dropout 0.5, and
// augmentation by random crops and horizontal flips (plus PCA colour noise, here brightness).
${trainingBlock(["epochs: 90", "batchSize: 128", "optimizer: 'sgd'", 'learningRate: ${2:0.01}', 'momentum: 0.9', "loss: 'categoricalCrossentropy'", "metrics: ['accuracy']", 'validationSplit: 0.1', 'seed: 42', 'augment: { flipHorizontal: true, crop: 16, brightness: 0.1 }'])}

export default function alexnet({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {
  const model = tf.sequential({ name: 'alexnet' });
  model.add(tf.layers.zeroPadding2d({ inputShape, padding: 2 }));
  model.add(tf.layers.conv2d({ filters: 64, kernelSize: 11, strides: 4, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }));
  model.add(tf.layers.conv2d({ filters: 192, kernelSize: 5, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }));
  model.add(tf.layers.conv2d({ filters: 384, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.conv2d({ filters: 256, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.conv2d({ filters: 256, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dropout({ rate: \${1:0.5} }));
  model.add(tf.layers.dense({ units: 4096, activation: 'relu' }));
  model.add(tf.layers.dropout({ rate: \${1} }));
  model.add(tf.layers.dense({ units: 4096, activation: 'relu' }));
  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax' }));
  return model;
}
`;

const ALEXNET_SMALL = `/**
 * AlexNet for small inputs (32x32, CIFAR-sized): torchvision's AlexNet filters (64, 192, 384, 256, 256)
 * with 3x3 kernels, stride 1 and 2x2 max pooling after the 1st, 2nd and 5th convolutions, so that a
 * 32x32 image leaves the features as 4x4x256, and dense layers of \${1:1024} units.
 */
${IMPORT}

${trainingBlock(["epochs: 30", "batchSize: 128", "optimizer: 'sgd'", 'learningRate: 0.01', 'momentum: 0.9', "loss: 'categoricalCrossentropy'", "metrics: ['accuracy']", 'validationSplit: 0.1', 'seed: 42', 'augment: { flipHorizontal: true, crop: 4 }'])}

export default function alexnetSmall({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {
  const model = tf.sequential({ name: 'alexnet_small' });
  model.add(tf.layers.conv2d({ inputShape, filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.conv2d({ filters: 192, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.conv2d({ filters: 384, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.conv2d({ filters: 256, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.conv2d({ filters: 256, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dropout({ rate: \${2:0.5} }));
  model.add(tf.layers.dense({ units: \${1}, activation: 'relu' }));
  model.add(tf.layers.dropout({ rate: \${2} }));
  model.add(tf.layers.dense({ units: \${1}, activation: 'relu' }));
  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax' }));
  return model;
}
`;

const VGG = `/**
 * VGG (K. Simonyan and A. Zisserman, "Very deep convolutional networks for large-scale image
 * recognition", ICLR 2015), as torchvision.models.vgg11/13/16/19 (without batch normalisation): 3x3
 * convolutions, 2x2 max pooling ('M'), then 4096-4096 dense layers with dropout. torchvision's adaptive
 * 7x7 average pooling is the identity at 224x224 and is left out. Needs inputs of at least 32x32.
 */
${IMPORT}

${trainingBlock(["epochs: 74", "batchSize: 64", "optimizer: 'sgd'", 'learningRate: 0.01', 'momentum: 0.9', "loss: 'categoricalCrossentropy'", "metrics: ['accuracy']", 'validationSplit: 0.1', 'seed: 42', 'augment: { flipHorizontal: true, crop: 16 }'])}

const CONFIGS: Record<string, (number | 'M')[]> = {
  vgg11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  vgg19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

export default function vgg({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {
  const name = '\${1|vgg16,vgg11,vgg13,vgg19|}';
  const model = tf.sequential({ name });
  model.add(tf.layers.inputLayer({ inputShape }));
  for (const v of CONFIGS[name]) {
    if (v === 'M') model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    else model.add(tf.layers.conv2d({ filters: v, kernelSize: 3, padding: 'same', activation: 'relu' }));
  }
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: \${2:4096}, activation: 'relu' }));
  model.add(tf.layers.dropout({ rate: 0.5 }));
  model.add(tf.layers.dense({ units: \${2}, activation: 'relu' }));
  model.add(tf.layers.dropout({ rate: 0.5 }));
  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax' }));
  return model;
}
`;

const CONV_BN = `/** Convolution without bias, batch normalisation, optional ReLU. Strided convolutions pad explicitly, as PyTorch does. */
function convBn(x: tf.SymbolicTensor, filters: number, kernelSize: number, strides = 1, relu = true): tf.SymbolicTensor {
  if (strides > 1 && kernelSize > 1) x = tf.layers.zeroPadding2d({ padding: (kernelSize - 1) / 2 }).apply(x) as tf.SymbolicTensor;
  const padding = strides > 1 ? 'valid' : 'same';
  x = tf.layers.conv2d({ filters, kernelSize, strides, padding, useBias: false }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
  return relu ? (tf.layers.reLU().apply(x) as tf.SymbolicTensor) : x;
}`;

/** The ResNet stem (torchvision's): 7x7 stride-2 convolution, batch normalisation, ReLU, 3x3 stride-2 max pooling. */
const RESNET_STEM = `  let x = tf.layers.zeroPadding2d({ padding: 3 }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 64, kernelSize: 7, strides: 2, useBias: false }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  x = tf.layers.zeroPadding2d({ padding: 1 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }).apply(x) as tf.SymbolicTensor;`;

const BASIC_BLOCK = `/**
 * ResNet basic block (K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for image recognition",
 * CVPR 2016): two 3x3 convolutions with batch normalisation, plus the input; a 1x1 projection (with
 * batch normalisation) on the shortcut when the stride or the channels change.
 */
function basicBlock(x: tf.SymbolicTensor, filters: number, strides = 1): tf.SymbolicTensor {
  const inChannels = x.shape[x.shape.length - 1];
  let y = convBn(x, filters, 3, strides);
  y = convBn(y, filters, 3, 1, false);
  const shortcut = strides !== 1 || inChannels !== filters ? convBn(x, filters, 1, strides, false) : x;
  return tf.layers.reLU().apply(tf.layers.add().apply([y, shortcut])) as tf.SymbolicTensor;
}`;

const BOTTLENECK_BLOCK = `/**
 * ResNet bottleneck block (He et al. 2016), as torchvision's (the stride on the 3x3 convolution,
 * "ResNet v1.5"): 1x1 down to 'width' channels, 3x3, 1x1 up to 4 x width; a 1x1 projection on the
 * shortcut when the stride or the channels change.
 */
function bottleneckBlock(x: tf.SymbolicTensor, width: number, strides = 1): tf.SymbolicTensor {
  const inChannels = x.shape[x.shape.length - 1];
  const outChannels = width * 4;
  let y = convBn(x, width, 1);
  y = convBn(y, width, 3, strides);
  y = convBn(y, outChannels, 1, 1, false);
  const shortcut = strides !== 1 || inChannels !== outChannels ? convBn(x, outChannels, 1, strides, false) : x;
  return tf.layers.reLU().apply(tf.layers.add().apply([y, shortcut])) as tf.SymbolicTensor;
}`;

const RESNET = `/**
 * ResNet-18 and ResNet-34 (K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for image
 * recognition", CVPR 2016), as torchvision.models.resnet18/34: a 7x7 stride-2 stem and 3x3 max pooling
 * (224 -> 112 -> 56), four stages of basic blocks (64, 128, 256, 512 filters), global average pooling.
 */
${IMPORT}

${trainingBlock(["epochs: 90", "batchSize: 64", "optimizer: 'sgd'", 'learningRate: 0.1', 'momentum: 0.9', "loss: 'categoricalCrossentropy'", "metrics: ['accuracy']", 'validationSplit: 0.1', 'seed: 42', 'augment: { flipHorizontal: true, crop: 16 }'])}

${CONV_BN}

${BASIC_BLOCK}

/** Basic blocks per stage: [2, 2, 2, 2] is ResNet-18, [3, 4, 6, 3] ResNet-34. */
const BLOCKS = [\${1|2\\, 2\\, 2\\, 2,3\\, 4\\, 6\\, 3|}];

export default function resnet({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {
  const input = tf.input({ shape: inputShape });
${RESNET_STEM}
  BLOCKS.forEach((blocks, stage) => {
    const filters = 64 * 2 ** stage;
    for (let b = 0; b < blocks; b++) x = basicBlock(x, filters, b === 0 && stage > 0 ? 2 : 1);
  });
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: numClasses, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: '\${2:resnet}' });
}
`;

const INCEPTION_BLOCK = `/**
 * Inception block (C. Szegedy et al., "Going deeper with convolutions", CVPR 2015): 1x1, 1x1 -> 3x3,
 * 1x1 -> "5x5" and 3x3 max pooling -> 1x1 branches, concatenated. Each convolution is followed by batch
 * normalisation and ReLU, as in torchvision's GoogLeNet, whose "5x5" branch has a 3x3 kernel (set
 * 'k5' to 5 for the paper's).
 */
function inception(x: tf.SymbolicTensor, c1: number, c3r: number, c3: number, c5r: number, c5: number, pool: number, k5 = \${1|3,5|}): tf.SymbolicTensor {
  const branch = (input: tf.SymbolicTensor, filters: number, kernelSize: number): tf.SymbolicTensor => {
    let y = tf.layers.conv2d({ filters, kernelSize, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization({ epsilon: 0.001 }).apply(y) as tf.SymbolicTensor;
    return tf.layers.reLU().apply(y) as tf.SymbolicTensor;
  };
  const b1 = branch(x, c1, 1);
  const b2 = branch(branch(x, c3r, 1), c3, 3);
  const b3 = branch(branch(x, c5r, 1), c5, k5);
  const pooled = tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  const b4 = branch(pooled, pool, 1);
  return tf.layers.concatenate().apply([b1, b2, b3, b4]) as tf.SymbolicTensor;
}`;

const GOOGLENET = `/**
 * GoogLeNet (C. Szegedy et al., "Going deeper with convolutions", CVPR 2015) as
 * torchvision.models.googlenet without the auxiliary classifiers: convolutions with batch normalisation,
 * nine Inception blocks, global average pooling, dropout 0.2. 'same' max pooling matches torchvision's
 * ceil mode at 224x224: 224 -> 112 -> 56 -> 28 -> 14 -> 7.
 */
${IMPORT}

${trainingBlock(["epochs: 60", "batchSize: 64", "optimizer: 'sgd'", 'learningRate: 0.01', 'momentum: 0.9', "loss: 'categoricalCrossentropy'", "metrics: ['accuracy']", 'validationSplit: 0.1', 'seed: 42', 'augment: { flipHorizontal: true, crop: 16 }'])}

${INCEPTION_BLOCK.replace('k5 = ${1|3,5|}', 'k5 = 3')}

function convBnRelu(x: tf.SymbolicTensor, filters: number, kernelSize: number, strides = 1): tf.SymbolicTensor {
  x = tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ epsilon: 0.001 }).apply(x) as tf.SymbolicTensor;
  return tf.layers.reLU().apply(x) as tf.SymbolicTensor;
}

const maxPool = (x: tf.SymbolicTensor, poolSize = 3): tf.SymbolicTensor =>
  tf.layers.maxPooling2d({ poolSize, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;

export default function googlenet({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {
  const input = tf.input({ shape: inputShape });
  let x = maxPool(convBnRelu(input, 64, 7, 2));
  x = maxPool(convBnRelu(convBnRelu(x, 64, 1), 192, 3));
  x = inception(x, 64, 96, 128, 16, 32, 32); // 3a
  x = inception(x, 128, 128, 192, 32, 96, 64); // 3b
  x = maxPool(x);
  x = inception(x, 192, 96, 208, 16, 48, 64); // 4a
  x = inception(x, 160, 112, 224, 24, 64, 64); // 4b
  x = inception(x, 128, 128, 256, 24, 64, 64); // 4c
  x = inception(x, 112, 144, 288, 32, 64, 64); // 4d
  x = inception(x, 256, 160, 320, 32, 128, 128); // 4e
  x = maxPool(x, 2);
  x = inception(x, 256, 160, 320, 32, 128, 128); // 5a
  x = inception(x, 384, 192, 384, 48, 128, 128); // 5b
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: \${1:0.2} }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: numClasses, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'googlenet' });
}
`;

// ---------------------------------------------------------------------------------------------- blocks

const VGG_BLOCK = `/** VGG block (Simonyan and Zisserman 2015): 'convs' 3x3 convolutions with ReLU, then 2x2 max pooling. */
function vggBlock(x: tf.SymbolicTensor, convs = \${1:2}, filters = \${2:64}): tf.SymbolicTensor {
  for (let i = 0; i < convs; i++) {
    x = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  }
  return tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }).apply(x) as tf.SymbolicTensor;
}`;

const NIN_BLOCK = `/**
 * NiN block (M. Lin, Q. Chen and S. Yan, "Network in network", ICLR 2014): a convolution, then two 1x1
 * convolutions (a small MLP at every position), each with ReLU.
 */
function ninBlock(x: tf.SymbolicTensor, filters = \${1:96}, kernelSize = \${2:11}, strides = \${3:4}, padding = '\${4|valid,same|}'): tf.SymbolicTensor {
  x = tf.layers.conv2d({ filters, kernelSize, strides, padding: padding as 'valid' | 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters, kernelSize: 1, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  return tf.layers.conv2d({ filters, kernelSize: 1, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
}`;

const BN_PLACEMENT = `/**
 * Batch normalisation placement (S. Ioffe and C. Szegedy, ICML 2015): between the convolution and the
 * nonlinearity, with the convolution's bias dropped (batch normalisation's beta replaces it).
 * Pre-activation order (He et al., "Identity mappings in deep residual networks", ECCV 2016):
 * batch normalisation -> ReLU -> convolution.
 */
function convBnRelu(x: tf.SymbolicTensor, filters = \${1:64}, kernelSize = \${2:3}, order = '\${3|conv-bn-relu,bn-relu-conv|}'): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({ filters, kernelSize, padding: 'same', useBias: order !== 'conv-bn-relu' });
  const bn = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
  const relu = tf.layers.reLU();
  const steps = order === 'conv-bn-relu' ? [conv, bn, relu] : [bn, relu, conv];
  for (const layer of steps) x = layer.apply(x) as tf.SymbolicTensor;
  return x;
}`;

/** The dense block and transition code, with the given default-argument texts (placeholders in the block snippet). */
function DENSE_BLOCK_CODE(layers: string, growth: string, compression: string): string {
  return `/**
 * DenseNet dense block and transition layer (G. Huang, Z. Liu, L. van der Maaten and K. Weinberger,
 * "Densely connected convolutional networks", CVPR 2017), as torchvision's DenseNet-BC: each layer is
 * BN-ReLU-1x1 conv (bnSize x growthRate) -BN-ReLU-3x3 conv (growthRate), and its output is concatenated
 * to its input. The transition halves the channels (compression 0.5) and the resolution.
 */
function denseBlock(x: tf.SymbolicTensor, ${layers}, ${growth}, bnSize = 4): tf.SymbolicTensor {
  for (let i = 0; i < layers; i++) {
    let y = tf.layers.batchNormalization({ epsilon: 1e-5 }).apply(x) as tf.SymbolicTensor;
    y = tf.layers.reLU().apply(y) as tf.SymbolicTensor;
    y = tf.layers.conv2d({ filters: bnSize * growthRate, kernelSize: 1, useBias: false }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization({ epsilon: 1e-5 }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.reLU().apply(y) as tf.SymbolicTensor;
    y = tf.layers.conv2d({ filters: growthRate, kernelSize: 3, padding: 'same', useBias: false }).apply(y) as tf.SymbolicTensor;
    x = tf.layers.concatenate().apply([x, y]) as tf.SymbolicTensor;
  }
  return x;
}

function transition(x: tf.SymbolicTensor, ${compression}): tf.SymbolicTensor {
  const channels = x.shape[x.shape.length - 1] as number;
  x = tf.layers.batchNormalization({ epsilon: 1e-5 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: Math.floor(channels * compression), kernelSize: 1, useBias: false }).apply(x) as tf.SymbolicTensor;
  return tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }).apply(x) as tf.SymbolicTensor;
}`;
}

const DENSE_BLOCK = DENSE_BLOCK_CODE('layers = \${1:6}', 'growthRate = \${2:32}', 'compression = \${3:0.5}');

const SE_BLOCK = `/**
 * Squeeze-and-Excitation block (J. Hu, L. Shen and G. Sun, "Squeeze-and-excitation networks", CVPR 2018):
 * global average pooling, a bottleneck of two dense layers (reduction 'ratio'), and the input's
 * channels scaled by the resulting sigmoid gates.
 */
function squeezeExcite(x: tf.SymbolicTensor, ratio = \${1:16}): tf.SymbolicTensor {
  const channels = x.shape[x.shape.length - 1] as number;
  let s = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  s = tf.layers.dense({ units: Math.max(1, Math.floor(channels / ratio)), activation: 'relu' }).apply(s) as tf.SymbolicTensor;
  s = tf.layers.dense({ units: channels, activation: 'sigmoid' }).apply(s) as tf.SymbolicTensor;
  s = tf.layers.reshape({ targetShape: [1, 1, channels] }).apply(s) as tf.SymbolicTensor;
  return tf.layers.multiply().apply([x, s]) as tf.SymbolicTensor;
}`;

const SHUFFLE_UNIT = `/**
 * ShuffleNet unit (X. Zhang, X. Zhou, M. Lin and J. Sun, "ShuffleNet: an extremely efficient
 * convolutional neural network for mobile devices", CVPR 2018): grouped 1x1 convolution, channel
 * shuffle, 3x3 depthwise convolution, grouped 1x1 convolution; added to the input (stride 1) or
 * concatenated with its 3x3 average pooling (stride 2). TensorFlow.js has no grouped convolution, so it
 * is a small custom layer here, as is the shuffle.
 */
class GroupedConv2D extends tf.layers.Layer {
  static className = 'GroupedConv2D';
  filters: number;
  groups: number;
  kernel!: tf.LayerVariable;
  constructor(config: any) {
    super(config);
    this.filters = config.filters;
    this.groups = config.groups;
  }
  override build(inputShape: tf.Shape | tf.Shape[]) {
    const channels = (inputShape as number[])[3];
    if (channels % this.groups || this.filters % this.groups) {
      throw new Error('GroupedConv2D: ' + channels + ' input and ' + this.filters + ' output channels must divide into ' + this.groups + ' groups');
    }
    this.kernel = this.addWeight('kernel', [this.groups, channels / this.groups, this.filters / this.groups], 'float32', tf.initializers.heNormal({}));
    this.built = true;
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]) {
    const s = inputShape as number[];
    return [s[0], s[1], s[2], this.filters];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]) {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const kernel = this.kernel.read();
      const parts = tf.split(x, this.groups, 3).map((part, g) => {
        const k = kernel.slice([g, 0, 0], [1, -1, -1]).reshape([1, 1, kernel.shape[1] as number, kernel.shape[2] as number]) as tf.Tensor4D;
        return tf.conv2d(part as tf.Tensor4D, k, 1, 'same');
      });
      return tf.concat(parts, 3);
    });
  }
  override getConfig() {
    return { ...super.getConfig(), filters: this.filters, groups: this.groups };
  }
}
tf.serialization.registerClass(GroupedConv2D);

/** Reorders channels from (groups, channels per group) to (channels per group, groups). */
class ChannelShuffle extends tf.layers.Layer {
  static className = 'ChannelShuffle';
  groups: number;
  constructor(config: any) {
    super(config);
    this.groups = config.groups;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]) {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [n, h, w, c] = x.shape;
      return x.reshape([n, h, w, this.groups, c / this.groups]).transpose([0, 1, 2, 4, 3]).reshape([n, h, w, c]);
    });
  }
  override getConfig() {
    return { ...super.getConfig(), groups: this.groups };
  }
}
tf.serialization.registerClass(ChannelShuffle);

/**
 * 'filters': output channels; with stride 2 the output is the pooled input concatenated with
 * filters - input channels new ones (the paper doubles the channels). The paper's widths per group count
 * g = 1, 2, 3, 4, 8: 144, 200, 240, 272, 384 (the bottleneck, filters / 4, must divide into g groups).
 */
function shuffleUnit(x: tf.SymbolicTensor, filters = \${1:240}, strides = \${2|1,2|}, groups = \${3|3,1,2,4|}): tf.SymbolicTensor {
  const inChannels = x.shape[x.shape.length - 1] as number;
  const out = strides === 2 ? filters - inChannels : filters;
  if (out <= 0) throw new Error('shuffleUnit: with stride 2, filters (' + filters + ') must exceed the input channels (' + inChannels + ')');
  const bottleneck = Math.floor(filters / 4);
  const bn = (t: tf.SymbolicTensor): tf.SymbolicTensor => tf.layers.batchNormalization({ epsilon: 1e-5 }).apply(t) as tf.SymbolicTensor;
  let y = bn(new GroupedConv2D({ filters: bottleneck, groups }).apply(x) as tf.SymbolicTensor);
  y = tf.layers.reLU().apply(y) as tf.SymbolicTensor;
  y = new ChannelShuffle({ groups }).apply(y) as tf.SymbolicTensor;
  y = bn(tf.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false }).apply(y) as tf.SymbolicTensor);
  y = bn(new GroupedConv2D({ filters: out, groups }).apply(y) as tf.SymbolicTensor);
  if (strides === 2) {
    const pooled = tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
    return tf.layers.reLU().apply(tf.layers.concatenate().apply([pooled, y])) as tf.SymbolicTensor;
  }
  return tf.layers.reLU().apply(tf.layers.add().apply([x, y])) as tf.SymbolicTensor;
}`;

const SEPARABLE = `/**
 * Depthwise-separable convolution (A. Howard et al., "MobileNets", 2017): a 3x3 depthwise convolution and
 * a 1x1 pointwise convolution, each followed by batch normalisation and ReLU; about 1/filters + 1/9 of a
 * full 3x3 convolution's multiply-accumulates.
 */
function separableConv(x: tf.SymbolicTensor, filters = \${1:128}, strides = \${2|1,2|}): tf.SymbolicTensor {
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ epsilon: 1e-5 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters, kernelSize: 1, useBias: false }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ epsilon: 1e-5 }).apply(x) as tf.SymbolicTensor;
  return tf.layers.reLU().apply(x) as tf.SymbolicTensor;
}`;

const FACTORISED = `/**
 * Factorised convolution (C. Szegedy et al., "Rethinking the Inception architecture", CVPR 2016): a 1xn
 * convolution then an nx1 one, the receptive field of an nxn convolution for 2n instead of n^2 weights
 * per channel pair.
 */
function factorisedConv(x: tf.SymbolicTensor, filters = \${1:64}, n = \${2:7}): tf.SymbolicTensor {
  x = tf.layers.conv2d({ filters, kernelSize: [1, n], padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  return tf.layers.conv2d({ filters, kernelSize: [n, 1], padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
}`;

const BLUR_POOL = `/**
 * Anti-aliased downsampling (R. Zhang, "Making convolutional networks shift-invariant again", ICML 2019):
 * blur with a fixed binomial filter, then subsample, instead of subsampling directly. With
 * 'maxFirst', max pooling with stride 1 comes first ("MaxBlurPool"). The filter is a non-trainable
 * depthwise convolution; edges are zero-padded (the paper reflects them).
 */
function blurPool(x: tf.SymbolicTensor, strides = 2, filterSize = \${1|3,5,2,4|}, maxFirst = \${2|true,false|}): tf.SymbolicTensor {
  if (maxFirst) x = tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  const channels = x.shape[x.shape.length - 1] as number;
  const binomial = [[1], [1, 1], [1, 2, 1], [1, 3, 3, 1], [1, 4, 6, 4, 1]][filterSize - 1];
  const taps: number[] = [];
  for (const a of binomial) for (const b of binomial) taps.push(a * b);
  const total = taps.reduce((s, t) => s + t, 0);
  const blur = tf.layers.depthwiseConv2d({ kernelSize: filterSize, strides, padding: 'same', useBias: false, trainable: false });
  const y = blur.apply(x) as tf.SymbolicTensor;
  const kernel: number[] = [];
  for (const t of taps) for (let c = 0; c < channels; c++) kernel.push(t / total);
  blur.setWeights([tf.tensor4d(kernel, [filterSize, filterSize, channels, 1])]);
  return y;
}`;

const TRAINING_ALL = `/** Training defaults; the Train command and 'dl-lab train' options override them. */
export const training = {
  epochs: \${1:10},
  batchSize: \${2:64},
  optimizer: '\${3|adam,sgd,rmsprop|}',
  learningRate: \${4:0.001},
  // SGD and RMSprop only.
  momentum: \${5:0.9},
  // L2 weight decay added to every gradient, as PyTorch's weight_decay (0: none).
  weightDecay: 0,
  // softmaxCrossEntropy takes logits: then the last layer has no softmax.
  loss: '\${6|categoricalCrossentropy,sparseCategoricalCrossentropy,softmaxCrossEntropy,meanSquaredError|}',
  metrics: ['accuracy'],
  // Used when the data has no validation split of its own.
  validationSplit: \${7:0.1},
  // Same seed, same weights, shuffling, dropout and augmentation (same metrics on the cpu backend).
  seed: \${8:42},
  // Training batches only; delete what you do not want.
  augment: {
    flipHorizontal: \${9|true,false|},
    flipVertical: false,
    rotation: \${10:10},
    scale: 0.1,
    shear: 0,
    translate: 0.1,
    crop: 4,
    brightness: 0.1,
    contrast: 0.1,
    noise: 0.02,
  },
  // After each epoch; each one true (its defaults), false, or its options. Monitors: loss, acc, val_loss, val_acc.
  callbacks: {
    // On by default: checkpoints/best is the epoch with the best monitored value (val_loss, else loss).
    modelCheckpoint: { monitor: 'val_loss', mode: 'min' },
    // Stop when val_loss has not improved for \${11:5} epochs, and put back the best epoch's weights.
    earlyStopping: { monitor: 'val_loss', patience: \${11:5}, minDelta: 0, restoreBestWeights: true },
    // Divide the learning rate by 10 when val_loss stalls for 2 epochs (not below minLr).
    reduceLROnPlateau: { monitor: 'val_loss', factor: 0.1, patience: 2, cooldown: 0, minLr: 1e-6 },
    // On by default: a NaN or infinite loss fails the run (false: train on, as Keras does).
    terminateOnNaN: true,
  },
};`;

const ALEXNET_TRAINING = `// AlexNet's training settings (Krizhevsky et al. 2012): SGD, momentum 0.9, learning rate 0.01 (divided
// by 10 when validation error stalls), batch 128, about 90 epochs, dropout 0.5 in the first two dense
// layers; augmentation by random 224x224 crops of 256x256 images with horizontal flips, and PCA colour
// noise (here: brightness and contrast), weight decay 0.0005.
export const training = {
  epochs: \${1:90},
  batchSize: 128,
  optimizer: 'sgd',
  learningRate: 0.01,
  momentum: 0.9,
  weightDecay: 0.0005,
  loss: 'categoricalCrossentropy',
  metrics: ['accuracy'],
  validationSplit: 0.1,
  seed: 42,
  augment: { flipHorizontal: true, crop: \${2:16}, brightness: 0.1, contrast: 0.1 },
};
// In the model, after flatten and after the first dense layer:
//   model.add(tf.layers.dropout({ rate: 0.5 }));`;

// ------------------------------------------------------------------ models built from the blocks above

const RESNET_BOTTLENECK = `/**
 * ResNet-50, -101 and -152 (K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for image
 * recognition", CVPR 2016), as torchvision.models.resnet50/101/152: the ResNet-18 stem, four stages of
 * bottleneck blocks (widths 64, 128, 256, 512; outputs 4x wider), global average pooling.
 */
${IMPORT}

${trainingBlock(["epochs: 90", "batchSize: 32", "optimizer: 'sgd'", 'learningRate: 0.1', 'momentum: 0.9', "loss: 'categoricalCrossentropy'", "metrics: ['accuracy']", 'validationSplit: 0.1', 'seed: 42', 'augment: { flipHorizontal: true, crop: 16 }'])}

${CONV_BN}

${BOTTLENECK_BLOCK}

/** Bottleneck blocks per stage: [3, 4, 6, 3] is ResNet-50, [3, 4, 23, 3] ResNet-101, [3, 8, 36, 3] ResNet-152. */
const BLOCKS = [\${1|3\\, 4\\, 6\\, 3,3\\, 4\\, 23\\, 3,3\\, 8\\, 36\\, 3|}];

export default function resnet({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {
  const input = tf.input({ shape: inputShape });
${RESNET_STEM}
  BLOCKS.forEach((blocks, stage) => {
    const width = 64 * 2 ** stage;
    for (let b = 0; b < blocks; b++) x = bottleneckBlock(x, width, b === 0 && stage > 0 ? 2 : 1);
  });
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: numClasses, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: '\${2:resnet50}' });
}
`;

const DENSENET = `/**
 * DenseNet-121, -169 and -201 (G. Huang, Z. Liu, L. van der Maaten and K. Weinberger, "Densely connected
 * convolutional networks", CVPR 2017), as torchvision.models.densenet121/169/201 (DenseNet-BC): a 7x7
 * stride-2 stem and 3x3 max pooling, four dense blocks (growth rate 32, bottleneck 4 x 32) with
 * transitions that halve channels and resolution, a final batch normalisation, global average pooling.
 */
${IMPORT}

${trainingBlock(["epochs: 90", "batchSize: 32", "optimizer: 'sgd'", 'learningRate: 0.1', 'momentum: 0.9', "loss: 'categoricalCrossentropy'", "metrics: ['accuracy']", 'validationSplit: 0.1', 'seed: 42', 'augment: { flipHorizontal: true, crop: 16 }'])}

${DENSE_BLOCK_CODE('layers = 6', 'growthRate = 32', 'compression = 0.5')}

/** Layers per dense block: [6, 12, 24, 16] is DenseNet-121, [6, 12, 32, 32] DenseNet-169, [6, 12, 48, 32] DenseNet-201. */
const BLOCKS = [\${1|6\\, 12\\, 24\\, 16,6\\, 12\\, 32\\, 32,6\\, 12\\, 48\\, 32|}];

export default function densenet({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {
  const input = tf.input({ shape: inputShape });
  let x = tf.layers.zeroPadding2d({ padding: 3 }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 64, kernelSize: 7, strides: 2, useBias: false }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ epsilon: 1e-5 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  x = tf.layers.zeroPadding2d({ padding: 1 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }).apply(x) as tf.SymbolicTensor;
  BLOCKS.forEach((layers, i) => {
    x = denseBlock(x, layers, 32);
    if (i < BLOCKS.length - 1) x = transition(x, 0.5);
  });
  x = tf.layers.batchNormalization({ epsilon: 1e-5 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: numClasses, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: '\${2:densenet121}' });
}
`;

// ------------------------------------------- models that output images: reconstruction and foreign patches

/** The input's height and width halved twice must be whole: what the image models below check first. */
const QUARTER_SIZE = `  const [height, width] = inputShape;
  if (height % 4 || width % 4) throw new Error('height and width must be multiples of 4 (halved twice and doubled back), got ' + height + 'x' + width);`;

const AUTOENCODER = `/**
 * Dense autoencoder: the flattened image through a narrow code and back, a sigmoid output reshaped to the
 * input's shape. Trained to give back its input (training.task 'reconstruction', pixels scaled to [0, 1]),
 * it reconstructs what resembles its training data and little else, so that its reconstruction error
 * scores anomalies: npx dl-lab anomaly <run> --method recon.
 */
${IMPORT}

${trainingBlock(["task: 'reconstruction'", 'epochs: 10', 'batchSize: 128', "optimizer: 'adam'", 'learningRate: 0.001', "loss: '\${3|mse,bce|}'", 'validationSplit: 0.1', 'seed: 42'])}

export default function autoencoder({ inputShape }: { inputShape: number[]; numClasses: number }) {
  const pixels = inputShape.reduce((a, b) => a * b, 1);
  const model = tf.sequential({ name: 'autoencoder' });
  model.add(tf.layers.flatten({ inputShape }));
  model.add(tf.layers.dense({ units: \${2:128}, activation: 'relu' }));
  // The code: all the image can pass through.
  model.add(tf.layers.dense({ units: \${1:32}, activation: 'relu' }));
  model.add(tf.layers.dense({ units: \${2}, activation: 'relu' }));
  model.add(tf.layers.dense({ units: pixels, activation: 'sigmoid' }));
  model.add(tf.layers.reshape({ targetShape: inputShape }));
  return model;
}
`;

const CONV_AUTOENCODER = `/**
 * Convolutional autoencoder: two stride-2 convolutions (H x W -> H/4 x W/4), a dense code, two stride-2
 * transposed convolutions back to the input's shape, a sigmoid output (training.task 'reconstruction',
 * pixels scaled to [0, 1]). The dense code is the bottleneck: without it the feature maps would hold more
 * values than the image, and the network would learn to copy anything, anomalies included. Takes heights
 * and widths that are multiples of 4 (28x28x1 MNIST, 32x32x3 CIFAR-10).
 */
${IMPORT}

${trainingBlock(["task: 'reconstruction'", 'epochs: 10', 'batchSize: 64', "optimizer: 'adam'", 'learningRate: 0.002', "loss: '\${3|mse,bce|}'", 'validationSplit: 0.1', 'seed: 42'])}

export default function convAutoencoder({ inputShape }: { inputShape: number[]; numClasses: number }) {
${QUARTER_SIZE}
  const filters = \${2:16};
  const model = tf.sequential({ name: 'conv_autoencoder' });
  model.add(tf.layers.conv2d({ inputShape, filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.conv2d({ filters: 2 * filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: \${1:32}, activation: 'relu' }));
  model.add(tf.layers.dense({ units: (height / 4) * (width / 4) * 2 * filters, activation: 'relu' }));
  model.add(tf.layers.reshape({ targetShape: [height / 4, width / 4, 2 * filters] }));
  model.add(tf.layers.conv2dTranspose({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.conv2dTranspose({ filters: inputShape[2], kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }));
  return model;
}
`;

const FPI_UNET = `/**
 * A small U-Net (O. Ronneberger, P. Fischer and T. Brox, MICCAI 2015) for Foreign Patch Interpolation
 * (J. Tan, B. Hou, J. Batten, H. Qiu and B. Kainz, MELBA 2022; training.task 'fpi'): two 3x3 convolutions
 * per level, 2x2 max pooling down (H -> H/2 -> H/4), transposed convolutions up, each encoder level's maps
 * concatenated to the decoder's (the skip connections keep the detail a patch's edges need), and one
 * sigmoid channel at the input's height and width: each pixel's predicted foreign fraction. Anomalies score
 * by the mean of the top quarter of it: npx dl-lab anomaly <run> --method fpi. Heights and widths are
 * multiples of 4.
 */
${IMPORT}

${trainingBlock(["task: 'fpi'", 'epochs: 10', 'batchSize: 64', "optimizer: 'adam'", 'learningRate: 0.001', "loss: 'bce'", 'validationSplit: 0.1', 'seed: 42'])}

function convPair(x: tf.SymbolicTensor, filters: number): tf.SymbolicTensor {
  for (let i = 0; i < 2; i++) x = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  return x;
}

/** Doubles the resolution, then joins the encoder's maps of that resolution. */
function upJoin(x: tf.SymbolicTensor, skip: tf.SymbolicTensor, filters: number): tf.SymbolicTensor {
  x = tf.layers.conv2dTranspose({ filters, kernelSize: 2, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  return convPair(tf.layers.concatenate().apply([skip, x]) as tf.SymbolicTensor, filters);
}

export default function fpiUnet({ inputShape }: { inputShape: number[]; numClasses: number }) {
${QUARTER_SIZE}
  const base = \${1:16};
  const pool = (x: tf.SymbolicTensor): tf.SymbolicTensor => tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }).apply(x) as tf.SymbolicTensor;
  const input = tf.input({ shape: inputShape });
  const e1 = convPair(input, base);
  const e2 = convPair(pool(e1), 2 * base);
  const bottom = convPair(pool(e2), 4 * base);
  const d1 = upJoin(upJoin(bottom, e2, 2 * base), e1, base);
  const output = tf.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }).apply(d1) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'fpi_unet' });
}
`;

export const SNIPPETS: SnippetSource[] = [
  { prefix: 'dl-lenet', name: 'LeNet-5 model file', description: 'LeNet-5 (LeCun et al. 1998): conv-pool-conv-pool, three dense layers; 61,706 parameters at 28x28x1, 10 classes', kind: 'model', body: LENET },
  { prefix: 'dl-alexnet', name: 'AlexNet model file (224x224)', description: "AlexNet as torchvision's (64/192/384/256/256 filters), 224x224 input; 61,100,840 parameters at 1000 classes", kind: 'model', body: ALEXNET },
  { prefix: 'dl-alexnet-small', name: 'AlexNet model file (small inputs)', description: 'AlexNet filters with 3x3 kernels for 32x32 inputs (CIFAR)', kind: 'model', body: ALEXNET_SMALL },
  { prefix: 'dl-vgg', name: 'VGG-11/13/16/19 model file', description: 'VGG as torchvision (no batch norm); VGG-16 has 138,357,544 parameters at 224x224x3, 1000 classes', kind: 'model', body: VGG },
  { prefix: 'dl-resnet', name: 'ResNet-18/34 model file', description: 'ResNet-18/34 as torchvision; ResNet-18 has 11,689,512 trainable parameters at 224x224x3, 1000 classes', kind: 'model', body: RESNET },
  { prefix: 'dl-resnet50', name: 'ResNet-50/101/152 model file', description: 'ResNet with bottleneck blocks as torchvision; ResNet-50 has 25,557,032 trainable parameters at 224x224x3, 1000 classes', kind: 'model', body: RESNET_BOTTLENECK },
  { prefix: 'dl-densenet', name: 'DenseNet-121/169/201 model file', description: 'DenseNet-BC as torchvision; DenseNet-121 has 7,978,856 trainable parameters at 224x224x3, 1000 classes', kind: 'model', body: DENSENET },
  { prefix: 'dl-googlenet', name: 'GoogLeNet model file', description: 'GoogLeNet (Inception v1) as torchvision without auxiliary classifiers; 6,624,904 trainable parameters at 1000 classes', kind: 'model', body: GOOGLENET },
  { prefix: 'dl-autoencoder', name: 'Dense autoencoder model file', description: "Flatten, a dense code, dense back and a sigmoid reshaped to the input (training.task 'reconstruction')", kind: 'model', body: AUTOENCODER },
  { prefix: 'dl-conv-autoencoder', name: 'Convolutional autoencoder model file', description: "Stride-2 convolutions down, a dense code, transposed convolutions up, sigmoid output (training.task 'reconstruction')", kind: 'model', body: CONV_AUTOENCODER },
  { prefix: 'dl-fpi-unet', name: 'Foreign Patch Interpolation U-Net model file', description: "A small U-Net with skip connections, one sigmoid channel per pixel (training.task 'fpi')", kind: 'model', body: FPI_UNET },
  { prefix: 'dl-vgg-block', name: 'VGG block', description: 'n 3x3 convolutions with ReLU, then 2x2 max pooling', kind: 'block', body: VGG_BLOCK },
  { prefix: 'dl-nin-block', name: 'NiN block', description: 'Network in Network: a convolution and two 1x1 convolutions', kind: 'block', body: NIN_BLOCK },
  { prefix: 'dl-inception-block', name: 'Inception block (GoogLeNet v1)', description: 'Four branches (1x1, 3x3, 5x5, pool) concatenated', kind: 'block', body: INCEPTION_BLOCK },
  { prefix: 'dl-conv-bn-relu', name: 'Batch normalisation placement', description: 'conv -> batch norm -> ReLU (no conv bias), or pre-activation batch norm -> ReLU -> conv', kind: 'block', body: BN_PLACEMENT },
  { prefix: 'dl-resnet-block', name: 'ResNet basic block', description: 'Two 3x3 conv + batch norm, identity or 1x1 projection shortcut', kind: 'block', body: `${CONV_BN}\n\n${BASIC_BLOCK}` },
  { prefix: 'dl-resnet-bottleneck', name: 'ResNet bottleneck block', description: '1x1 -> 3x3 -> 1x1 (x4) with batch norm, projection shortcut', kind: 'block', body: `${CONV_BN}\n\n${BOTTLENECK_BLOCK}` },
  { prefix: 'dl-dense-block', name: 'DenseNet dense block and transition layer', description: 'BN-ReLU-conv layers whose outputs are concatenated; 1x1 conv + 2x2 average pooling transition', kind: 'block', body: DENSE_BLOCK },
  { prefix: 'dl-se-block', name: 'Squeeze-and-Excitation block', description: 'Channel attention: global pooling, bottleneck dense layers, sigmoid gates', kind: 'block', body: SE_BLOCK },
  { prefix: 'dl-shufflenet-unit', name: 'ShuffleNet unit', description: 'Grouped 1x1 convolutions, channel shuffle, depthwise 3x3', kind: 'block', body: SHUFFLE_UNIT },
  { prefix: 'dl-separable-conv', name: 'Depthwise-separable convolution', description: 'Depthwise 3x3 + pointwise 1x1, each with batch norm and ReLU (MobileNet)', kind: 'block', body: SEPARABLE },
  { prefix: 'dl-factorised-conv', name: 'Factorised convolution (1xn then nx1)', description: 'An nxn receptive field from a 1xn and an nx1 convolution (Inception v3)', kind: 'block', body: FACTORISED },
  { prefix: 'dl-blur-pool', name: 'Anti-aliased downsampling (BlurPool)', description: 'Blur with a fixed binomial filter, then subsample (Zhang 2019)', kind: 'block', body: BLUR_POOL },
  { prefix: 'dl-alexnet-training', name: "AlexNet's dropout and augmentation settings", description: 'SGD momentum 0.9, lr 0.01, batch 128, dropout 0.5, crops and flips', kind: 'training', body: ALEXNET_TRAINING },
  { prefix: 'dl-training', name: 'training block (every option)', description: 'export const training with every setting the engine reads, augmentation and callbacks included', kind: 'training', body: TRAINING_ALL },
];

export function snippetByPrefix(prefix: string): SnippetSource {
  const found = SNIPPETS.find((s) => s.prefix === prefix);
  if (!found) throw new Error(`no snippet "${prefix}"`);
  return found;
}
