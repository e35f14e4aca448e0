/**
 * Model templates: ready-to-train `*.model.ts` files, each the expansion of a model snippet
 * (src/templates/sources.ts) with chosen values. Used by `dl-lab new` and by the extension's New Model from
 * Template command; imports neither TensorFlow.js nor vscode.
 *
 * The parameter counts and MACs are precomputed at each template's reference shape and checked against
 * the engine's `model/summary` by test/templates/catalogue.test.ts.
 */
import { expandSnippet } from './snippetSyntax';
import { snippetByPrefix } from './sources';
import type { TrainingTask } from '../protocol/engineTypes';

export interface TemplateInfo {
  id: string;
  title: string;
  /** One line, for the quick pick and `dl-lab new --list`. */
  description: string;
  /** The model snippet it expands, and the values of its placeholders. */
  snippet: string;
  values: Record<number, string>;
  /** The shape and classes the counts below are for (the usual data for the architecture). */
  reference: { inputShape: number[]; numClasses: number };
  /** Trainable parameters (what PyTorch's `model.parameters()` counts) at the reference shape. */
  params: number;
  /** Every weight, BatchNormalization's moving statistics included (Keras' "Total params"). */
  totalParams: number;
  /** Multiply-accumulates per sample at the reference shape (see src/engine/model/summary.ts). */
  macs: number;
  /** Where the reference parameter count comes from. */
  source: string;
  /** Smallest height and width the architecture takes. */
  minInput: number;
  /** Height and width must be multiples of this (the image models halve them twice and double them back). */
  inputMultiple?: number;
  /**
   * What the model outputs: absent, class scores (the numClasses of the data); 'reconstruction', an image of
   * the input's shape; 'fpi', one foreign fraction per pixel (the input's height and width, one channel).
   * The model file's `training.task` says the same to the trainer.
   */
  task?: ImageTask;
}

/** The training tasks whose model outputs an image rather than one score per class. */
export type ImageTask = Exclude<TrainingTask, 'classification'>;

export const TEMPLATES: TemplateInfo[] = [
  {
    id: 'lenet5',
    title: 'LeNet-5',
    description: 'Two conv + sub-sampling stages and three dense layers (LeCun et al. 1998); trains on synthetic:shapes in seconds',
    snippet: 'dl-lenet',
    values: {},
    reference: { inputShape: [28, 28, 1], numClasses: 10 },
    params: 61_706,
    totalParams: 61_706,
    macs: 416_520,
    source: 'LeCun et al. 1998, with a 28x28 input and a padded C1 (examples/lenet.model.ts)',
    minInput: 12,
  },
  {
    id: 'alexnet',
    title: 'AlexNet (224x224)',
    description: "AlexNet as torchvision's: five conv layers (64-192-384-256-256), three dense layers with dropout",
    snippet: 'dl-alexnet',
    values: {},
    reference: { inputShape: [224, 224, 3], numClasses: 1000 },
    params: 61_100_840,
    totalParams: 61_100_840,
    macs: 714_188_480,
    source: 'torchvision.models.alexnet (61,100,840)',
    minInput: 64,
  },
  {
    id: 'alexnet-small',
    title: 'AlexNet for small inputs (32x32)',
    description: "AlexNet's filters with 3x3 kernels and 1024-unit dense layers, for CIFAR-sized images",
    snippet: 'dl-alexnet-small',
    values: {},
    reference: { inputShape: [32, 32, 3], numClasses: 10 },
    params: 7_506_762,
    totalParams: 7_506_762,
    macs: 172_173_312,
    source: 'counted by hand from the layer list (no reference implementation)',
    minInput: 8,
  },
  {
    id: 'vgg11',
    title: 'VGG-11',
    description: 'VGG configuration A: eight 3x3 conv layers in five blocks, two 4096-unit dense layers (Simonyan and Zisserman 2015)',
    snippet: 'dl-vgg',
    values: { 1: 'vgg11' },
    reference: { inputShape: [224, 224, 3], numClasses: 1000 },
    params: 132_863_336,
    totalParams: 132_863_336,
    macs: 7_609_090_048,
    source: 'torchvision.models.vgg11 (132,863,336)',
    minInput: 32,
  },
  {
    id: 'vgg16',
    title: 'VGG-16',
    description: 'VGG configuration D: thirteen 3x3 conv layers in five blocks, two 4096-unit dense layers',
    snippet: 'dl-vgg',
    values: { 1: 'vgg16' },
    reference: { inputShape: [224, 224, 3], numClasses: 1000 },
    params: 138_357_544,
    totalParams: 138_357_544,
    macs: 15_470_264_320,
    source: 'torchvision.models.vgg16 (138,357,544)',
    minInput: 32,
  },
  {
    id: 'googlenet',
    title: 'GoogLeNet (Inception v1)',
    description: 'Nine Inception blocks with batch normalisation, as torchvision without the auxiliary classifiers',
    snippet: 'dl-googlenet',
    values: {},
    reference: { inputShape: [224, 224, 3], numClasses: 1000 },
    params: 6_624_904,
    totalParams: 6_639_464,
    macs: 1_498_376_192,
    source: 'torchvision.models.googlenet(aux_logits=False) (6,624,904)',
    minInput: 32,
  },
  {
    id: 'resnet18',
    title: 'ResNet-18',
    description: 'Residual network: 7x7 stem, four stages of two basic blocks, global average pooling (He et al. 2016)',
    snippet: 'dl-resnet',
    values: { 1: '2, 2, 2, 2', 2: 'resnet18' },
    reference: { inputShape: [224, 224, 3], numClasses: 1000 },
    params: 11_689_512,
    totalParams: 11_699_112,
    macs: 1_814_073_344,
    source: 'torchvision.models.resnet18 (11,689,512)',
    minInput: 32,
  },
  {
    id: 'resnet34',
    title: 'ResNet-34',
    description: 'Residual network: 7x7 stem, [3, 4, 6, 3] basic blocks, global average pooling',
    snippet: 'dl-resnet',
    values: { 1: '3, 4, 6, 3', 2: 'resnet34' },
    reference: { inputShape: [224, 224, 3], numClasses: 1000 },
    params: 21_797_672,
    totalParams: 21_814_696,
    macs: 3_663_761_408,
    source: 'torchvision.models.resnet34 (21,797,672)',
    minInput: 32,
  },
  {
    id: 'resnet50',
    title: 'ResNet-50',
    description: 'Residual network with bottleneck blocks (1x1-3x3-1x1): 7x7 stem, [3, 4, 6, 3] blocks, global average pooling',
    snippet: 'dl-resnet50',
    values: { 1: '3, 4, 6, 3', 2: 'resnet50' },
    reference: { inputShape: [224, 224, 3], numClasses: 1000 },
    params: 25_557_032,
    totalParams: 25_610_152,
    macs: 4_089_184_256,
    source: 'torchvision.models.resnet50 (25,557,032)',
    minInput: 32,
  },
  {
    id: 'densenet121',
    title: 'DenseNet-121',
    description: 'Densely connected network: four dense blocks (6, 12, 24, 16 layers, growth rate 32) with transitions (Huang et al. 2017)',
    snippet: 'dl-densenet',
    values: { 1: '6, 12, 24, 16', 2: 'densenet121' },
    reference: { inputShape: [224, 224, 3], numClasses: 1000 },
    params: 7_978_856,
    totalParams: 8_062_504,
    macs: 2_834_161_664,
    source: 'torchvision.models.densenet121 (7,978,856)',
    minInput: 32,
  },
  {
    id: 'autoencoder',
    title: 'Dense autoencoder',
    description: 'Flatten, dense 128-32-128, a sigmoid dense layer reshaped to the input: reconstructs its input, scores anomalies by the error',
    snippet: 'dl-autoencoder',
    values: {},
    reference: { inputShape: [28, 28, 1], numClasses: 10 },
    params: 209_968,
    totalParams: 209_968,
    macs: 208_896,
    source: 'counted from the layer list at 28x28x1: dense 100,480 + 4,128 + 4,224 + 101,136',
    minInput: 1,
    task: 'reconstruction',
  },
  {
    id: 'conv-autoencoder',
    title: 'Convolutional autoencoder',
    description: 'Two stride-2 convolutions, a 32-unit dense code, two stride-2 transposed convolutions, sigmoid output of the input\'s shape',
    snippet: 'dl-conv-autoencoder',
    values: {},
    reference: { inputShape: [28, 28, 1], numClasses: 10 },
    params: 111_521,
    totalParams: 111_521,
    macs: 608_384,
    source: 'counted from the layer list at 28x28x1: convs 160 + 4,640, dense 50,208 + 51,744, transposed convs 4,624 + 145',
    minInput: 4,
    inputMultiple: 4,
    task: 'reconstruction',
  },
  {
    id: 'fpi-unet',
    title: 'U-Net for Foreign Patch Interpolation',
    description: 'A small U-Net (16-32-64 filters, skip connections) giving each pixel\'s foreign fraction, one sigmoid channel (Tan et al. 2022)',
    snippet: 'dl-fpi-unet',
    values: {},
    reference: { inputShape: [28, 28, 1], numClasses: 10 },
    params: 116_753,
    totalParams: 116_753,
    macs: 18_991_616,
    source: 'counted from the layer list at 28x28x1: encoder 2,480 + 13,888 + 55,424, decoder 8,224 + 27,712 + 2,064 + 6,944, output 17',
    minInput: 4,
    inputMultiple: 4,
    task: 'fpi',
  },
];

export function findTemplate(id: string): TemplateInfo | undefined {
  return TEMPLATES.find((t) => t.id === id.toLowerCase());
}

export interface RenderOptions {
  /** The data the file is meant for; only recorded in its header (the engine passes the real shape). */
  inputShape?: number[];
  numClasses?: number;
}

/** The text of a ready-to-train model file. Throws when the input is smaller than the template takes. */
export function renderTemplate(template: TemplateInfo, options: RenderOptions = {}): string {
  const inputShape = options.inputShape ?? template.reference.inputShape;
  const numClasses = options.numClasses ?? template.reference.numClasses;
  checkInput(template, inputShape);
  const code = expandSnippet(snippetByPrefix(template.snippet).body, template.values);
  // An image model's counts do not depend on the classes (it has no class layer).
  const atReference = sameShape(inputShape, template.reference.inputShape) && (template.task !== undefined || numClasses === template.reference.numClasses);
  const counts = atReference
    ? `${formatCount(template.params)} trainable parameters, ${formatMacs(template.macs)} MACs per sample`
    : `for its parameters and MACs: npx dl-lab summary <this file> --input-shape ${inputShape.join(',')} --classes ${numClasses}`;
  const header = [
    `// Generated by Deep Learning Lab from the template "${template.id}" (${template.title}),`,
    `// for ${inputShape.join('x')} inputs and ${outputText(template, inputShape, numClasses)}: ${counts}.`,
    template.task
      ? `// The engine passes the dataset's own input shape to the default export when it trains (training.task '${template.task}').`
      : '// The engine passes the dataset\'s own input shape and classes to the default export when it trains.',
  ].join('\n');
  return `${header}\n${code}`;
}

/**
 * What the template outputs for an input: "10 classes", "28x28x1 reconstructions" (an autoencoder gives
 * back an image of the input's shape) or "28x28x1 maps of foreign fractions" (FPI: one channel per pixel).
 */
export function outputText(template: TemplateInfo, inputShape: number[], numClasses: number, times = 'x'): string {
  if (template.task === 'reconstruction') return `${inputShape.join(times)} reconstructions`;
  if (template.task === 'fpi') return `${[inputShape[0], inputShape[1], 1].join(times)} maps of foreign fractions`;
  return `${numClasses} classes`;
}

/** The reference input and what comes out: "28x28x1, 10 classes", "28x28x1, 28x28x1 reconstructions". */
export function referenceLabel(template: TemplateInfo, times = 'x'): string {
  const { inputShape, numClasses } = template.reference;
  return `${inputShape.join(times)}, ${outputText(template, inputShape, numClasses, times)}`;
}

export function checkInput(template: TemplateInfo, inputShape: number[]): void {
  if (inputShape.length !== template.reference.inputShape.length) {
    throw new Error(`${template.id} takes inputs of shape H,W,C (${template.reference.inputShape.join(',')}), got ${inputShape.join(',')}`);
  }
  const [h, w] = inputShape;
  if (h < template.minInput || w < template.minInput) {
    const smaller = template.id === 'alexnet' ? '; alexnet-small takes 32x32' : '';
    throw new Error(`${template.id} needs inputs of at least ${template.minInput}x${template.minInput}, got ${h}x${w}${smaller}`);
  }
  const m = template.inputMultiple;
  if (m && (h % m || w % m)) throw new Error(`${template.id} needs a height and width that are multiples of ${m} (e.g. 28x28, 32x32), got ${h}x${w}`);
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** 15,470,264,320 -> "15.5G". */
export function formatMacs(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

/** A short form of a parameter count: 138.4M, 61.7K. */
export function formatParams(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}
