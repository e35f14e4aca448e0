/**
 * Losses: by name for the trainer (`training.loss`, a name or `{ name, reduction, ... }`), and as functions
 * for custom training code (`import { losses } from 'dl-lab'`): the pair and triplet losses both as PyTorch
 * defines them (explicit pairs and triplets) and by name, with pairs and triplets made from the classes
 * within a batch.
 *
 * Definitions follow PyTorch's (torch.nn.*Loss), so that its documentation describes them:
 * elementwise losses (mse, l1, smoothL1, huber, bce, bceWithLogits, klDiv) are reduced over every element;
 * class losses (nll, crossEntropy, crossEntropyFromLogits) are one value per sample; pair and triplet losses
 * one value per pair or triplet. Reductions: 'mean' (default) averages those values, 'sum' adds them,
 * 'batchmean' adds them and divides by the batch size (KLDivLoss's 'batchmean', the true mean KL per sample).
 * With classWeights, a class loss's 'mean' divides by the summed weights of the samples' classes
 * (sum_i w[y_i]), as PyTorch's NLLLoss and CrossEntropyLoss do.
 *
 * Labels for class losses are one-hot (or class probabilities) along the last axis, as the data pipeline
 * gives them.
 */
import * as tf from '@tensorflow/tfjs';

export type { LossReduction as Reduction, LossSpec } from '../../protocol/engineTypes';
import { LOSS_REDUCTIONS as REDUCTIONS, type LossReduction as Reduction, type LossSpec } from '../../protocol/engineTypes';

export interface LossOptions {
  reduction?: Reduction;
  classWeights?: number[];
  delta?: number;
  beta?: number;
  labelSmoothing?: number;
}

export type LossFn = (labels: tf.Tensor, predictions: tf.Tensor) => tf.Scalar;

/** Probabilities are clipped to [EPSILON, 1 - EPSILON] before a log, as Keras does. */
export const EPSILON = 1e-7;

function reduce(values: tf.Tensor, reduction: Reduction = 'mean', weightSum?: tf.Tensor): tf.Scalar {
  switch (reduction) {
    case 'sum':
      return tf.sum(values);
    case 'batchmean':
      return tf.div(tf.sum(values), values.rank === 0 ? 1 : values.shape[0]);
    case 'mean':
      return weightSum ? tf.div(tf.sum(values), weightSum) : tf.mean(values);
    default:
      throw new Error(`unknown reduction "${String(reduction)}" (expected ${REDUCTIONS.join(', ')})`);
  }
}

function classWeightTensor(weights: number[] | undefined, labels: tf.Tensor, loss: string): tf.Tensor | undefined {
  if (!weights) return undefined;
  const classes = labels.shape[labels.rank - 1];
  if (weights.length !== classes) throw new Error(`${loss}: classWeights has ${weights.length} values, but the labels have ${classes} classes`);
  return tf.tensor1d(weights);
}

function sameShape(labels: tf.Tensor, predictions: tf.Tensor, loss: string): void {
  if (labels.shape.join() !== predictions.shape.join()) {
    throw new Error(`${loss}: labels [${labels.shape.join(', ')}] and predictions [${predictions.shape.join(', ')}] differ in shape`);
  }
}

// ---- elementwise ----

/** (y - p)^2 */
export function mse(labels: tf.Tensor, predictions: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    sameShape(labels, predictions, 'mse');
    return reduce(tf.squaredDifference(labels, predictions), options.reduction);
  });
}

/** |y - p| */
export function l1(labels: tf.Tensor, predictions: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    sameShape(labels, predictions, 'l1');
    return reduce(tf.abs(tf.sub(labels, predictions)), options.reduction);
  });
}

/** Quadratic below `limit`, linear above: q(d) = 0.5 min(|d|, limit)^2 + limit (|d| - min(|d|, limit)). */
function huberTerms(labels: tf.Tensor, predictions: tf.Tensor, limit: number): tf.Tensor {
  const d = tf.abs(tf.sub(labels, predictions));
  const quadratic = tf.minimum(d, limit);
  return tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(limit, tf.sub(d, quadratic)));
}

/** Huber (PyTorch HuberLoss): 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta). */
export function huber(labels: tf.Tensor, predictions: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  const delta = positive(options.delta ?? 1, 'huber', 'delta');
  return tf.tidy(() => {
    sameShape(labels, predictions, 'huber');
    return reduce(huberTerms(labels, predictions, delta), options.reduction);
  });
}

/** Smooth L1 (PyTorch SmoothL1Loss): 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta; huber / beta. */
export function smoothL1(labels: tf.Tensor, predictions: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  const beta = positive(options.beta ?? 1, 'smoothL1', 'beta');
  return tf.tidy(() => {
    sameShape(labels, predictions, 'smoothL1');
    return reduce(tf.div(huberTerms(labels, predictions, beta), beta), options.reduction);
  });
}

/** Binary cross-entropy on probabilities: -(y log p + (1 - y) log(1 - p)), p clipped to [1e-7, 1 - 1e-7]. */
export function bce(labels: tf.Tensor, predictions: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    sameShape(labels, predictions, 'bce');
    const p = tf.clipByValue(predictions, EPSILON, 1 - EPSILON);
    let terms = tf.neg(tf.add(tf.mul(labels, tf.log(p)), tf.mul(tf.sub(1, labels), tf.log(tf.sub(1, p)))));
    const w = classWeightTensor(options.classWeights, labels, 'bce');
    if (w) terms = tf.mul(terms, w);
    return reduce(terms, options.reduction);
  });
}

/** Binary cross-entropy on logits z, stable for any z: max(z, 0) - z y + log(1 + exp(-|z|)). */
export function bceWithLogits(labels: tf.Tensor, logits: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    sameShape(labels, logits, 'bceWithLogits');
    let terms = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    const w = classWeightTensor(options.classWeights, labels, 'bceWithLogits');
    if (w) terms = tf.mul(terms, w);
    return reduce(terms, options.reduction);
  });
}

/**
 * Kullback-Leibler divergence as PyTorch's KLDivLoss: predictions are log-probabilities q, labels are
 * probabilities y; elementwise y (log y - q), 0 where y = 0. 'batchmean' gives the KL divergence per sample.
 */
export function klDiv(labels: tf.Tensor, logProbabilities: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    sameShape(labels, logProbabilities, 'klDiv');
    const positiveY = tf.greater(labels, 0);
    const logY = tf.log(tf.where(positiveY, labels, tf.onesLike(labels)));
    const terms = tf.where(positiveY, tf.mul(labels, tf.sub(logY, logProbabilities)), tf.zerosLike(labels));
    return reduce(terms, options.reduction);
  });
}

// ---- per sample, over classes on the last axis ----

/** -sum_c w_c y_c logp_c per sample, with the weighted mean of PyTorch. */
function classLoss(labels: tf.Tensor, logProbabilities: tf.Tensor, options: LossOptions, loss: string): tf.Scalar {
  sameShape(labels, logProbabilities, loss);
  let y = labels;
  const smoothing = options.labelSmoothing ?? 0;
  if (smoothing !== 0) {
    if (!(smoothing >= 0 && smoothing < 1)) throw new Error(`${loss}: labelSmoothing is ${smoothing}; expected a number in [0, 1)`);
    const classes = labels.shape[labels.rank - 1];
    y = tf.add(tf.mul(1 - smoothing, labels), smoothing / classes);
  }
  const w = classWeightTensor(options.classWeights, labels, loss);
  const weighted = w ? tf.mul(y, w) : y;
  const perSample = tf.neg(tf.sum(tf.mul(weighted, logProbabilities), -1));
  const weightSum = w && (options.reduction ?? 'mean') === 'mean' ? tf.sum(tf.mul(labels, w)) : undefined;
  return reduce(perSample, options.reduction, weightSum);
}

/** Negative log-likelihood (PyTorch NLLLoss): predictions are log-probabilities. */
export function nll(labels: tf.Tensor, logProbabilities: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  return tf.tidy(() => classLoss(labels, logProbabilities, options, 'nll'));
}

/** Cross-entropy on probabilities (a softmax output): nll of log(clip(p, 1e-7, 1 - 1e-7)). */
export function crossEntropy(labels: tf.Tensor, probabilities: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  return tf.tidy(() => classLoss(labels, tf.log(tf.clipByValue(probabilities, EPSILON, 1 - EPSILON)), options, 'crossEntropy'));
}

/** Cross-entropy on logits (PyTorch CrossEntropyLoss): nll of logSoftmax(z), computed stably. */
export function crossEntropyFromLogits(labels: tf.Tensor, logits: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  return tf.tidy(() => classLoss(labels, tf.logSoftmax(logits), options, 'crossEntropyFromLogits'));
}

// ---- pairs and triplets, as PyTorch's (explicit pairs and triplets, for custom code) ----

export interface MarginOptions {
  margin?: number;
  reduction?: Reduction;
}

/** Margin ranking (PyTorch MarginRankingLoss): max(0, -y (x1 - x2) + margin), y = 1 or -1. */
export function marginRanking(x1: tf.Tensor, x2: tf.Tensor, y: tf.Tensor, options: MarginOptions = {}): tf.Scalar {
  const margin = options.margin ?? 0;
  return tf.tidy(() => reduce(tf.relu(tf.add(tf.neg(tf.mul(y, tf.sub(x1, x2))), margin)), options.reduction));
}

export interface TripletOptions extends MarginOptions {
  /** The norm of the distance; default 2. */
  p?: number;
  /** Added to the difference before the norm, as PyTorch's pairwise_distance; default 1e-6. */
  eps?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance (Balntas et al. 2016's distance swap). */
  swap?: boolean;
}

/** ||x1 - x2 + eps||_p along the last axis. */
export function pairwiseDistance(x1: tf.Tensor, x2: tf.Tensor, p = 2, eps = 1e-6): tf.Tensor {
  return tf.tidy(() => {
    const d = tf.abs(tf.add(tf.sub(x1, x2), eps));
    if (p === 2) return tf.sqrt(tf.sum(tf.square(d), -1));
    if (p === 1) return tf.sum(d, -1);
    return tf.pow(tf.sum(tf.pow(d, p), -1), 1 / p);
  });
}

/** Triplet margin (PyTorch TripletMarginLoss): max(d(a, p) - d(a, n) + margin, 0), margin default 1. */
export function tripletMargin(anchor: tf.Tensor, positive: tf.Tensor, negative: tf.Tensor, options: TripletOptions = {}): tf.Scalar {
  const margin = options.margin ?? 1;
  const p = options.p ?? 2;
  const eps = options.eps ?? 1e-6;
  return tf.tidy(() => {
    const dPos = pairwiseDistance(anchor, positive, p, eps);
    let dNeg = pairwiseDistance(anchor, negative, p, eps);
    if (options.swap) dNeg = tf.minimum(dNeg, pairwiseDistance(positive, negative, p, eps));
    return reduce(tf.relu(tf.add(tf.sub(dPos, dNeg), margin)), options.reduction);
  });
}

/**
 * Cosine embedding (PyTorch CosineEmbeddingLoss): 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin)
 * where y = -1; cos = x1.x2 / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12)) along the last axis.
 */
export function cosineEmbedding(x1: tf.Tensor, x2: tf.Tensor, y: tf.Tensor, options: MarginOptions = {}): tf.Scalar {
  const margin = options.margin ?? 0;
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(x1, x2), -1);
    const norms = tf.sqrt(tf.mul(tf.add(tf.sum(tf.square(x1), -1), 1e-12), tf.add(tf.sum(tf.square(x2), -1), 1e-12)));
    const cos = tf.div(dot, norms);
    const similar = tf.equal(y, 1);
    const terms = tf.where(similar, tf.sub(1, cos), tf.relu(tf.sub(cos, margin)));
    return reduce(terms, options.reduction);
  });
}

// ---- pairs and triplets from class labels (the trainer's by-name versions) ----
//
// The trainer's data is (sample, one-hot class). By name, these losses make their pairs and triplets from
// the classes within the batch, the usual way to train with them on labelled data:
// - marginRanking: every (true-class score, other-class score) pair should rank the true class first
//   (y = 1): max(0, -(s_true - s_other) + margin), one value per sample and other class;
// - tripletMargin: triplets mined in the batch as A. Hermans, L. Beyer and B. Leibe do ("In defense of the
//   triplet loss for person re-identification", 2017): 'all' (default) every (anchor, positive, negative)
//   of the batch, averaged over those that violate the margin; 'hard' each anchor with its farthest
//   positive and nearest negative (collapses easily when training from scratch); anchors without a
//   positive or a negative are left out;
// - cosineEmbedding: every pair of distinct samples in the batch, y = 1 for the same class, -1 otherwise.
// Their outputs are embeddings (any width) for the last two: accuracy is then the in-batch nearest
// neighbour's (see `embeddingCorrect`).

function classIndices(labels: tf.Tensor): tf.Tensor1D {
  return tf.argMax(labels, -1) as tf.Tensor1D;
}

/** 1 where samples i and j share a class, 0 elsewhere ([N, N]). */
function sameClassMatrix(labels: tf.Tensor): tf.Tensor2D {
  const c = classIndices(labels);
  return tf.cast(tf.equal(tf.expandDims(c, 1), tf.expandDims(c, 0)), 'float32') as tf.Tensor2D;
}

/**
 * Distances between every pair of rows ([N, N]); p = 2 through the Gram matrix, with eps added under the
 * root so that the gradient stays finite at distance 0 (the diagonal, and identical embeddings).
 */
function distanceMatrix(x: tf.Tensor, p = 2, eps = 1e-6): tf.Tensor2D {
  if (p === 2) {
    const sq = tf.sum(tf.square(x), -1);
    const gram = tf.matMul(x as tf.Tensor2D, tf.transpose(x as tf.Tensor2D));
    const d2 = tf.sub(tf.add(tf.expandDims(sq, 1), tf.expandDims(sq, 0)), tf.mul(gram, 2));
    return tf.sqrt(tf.add(tf.relu(d2), eps)) as tf.Tensor2D;
  }
  const diff = tf.add(tf.abs(tf.sub(tf.expandDims(x, 1), tf.expandDims(x, 0))), eps);
  return (p === 1 ? tf.sum(diff, -1) : tf.pow(tf.sum(tf.pow(diff, p), -1), 1 / p)) as tf.Tensor2D;
}

export function marginRankingFromClasses(labels: tf.Tensor, scores: tf.Tensor, options: MarginOptions = {}): tf.Scalar {
  const margin = options.margin ?? 0;
  return tf.tidy(() => {
    sameShape(labels, scores, 'marginRanking');
    const trueScore = tf.sum(tf.mul(labels, scores), -1, true);
    const others = tf.sub(1, labels);
    const terms = tf.mul(tf.relu(tf.add(tf.neg(tf.sub(trueScore, scores)), margin)), others);
    const count = tf.sum(others);
    switch (options.reduction ?? 'mean') {
      case 'mean':
        return tf.div(tf.sum(terms), tf.maximum(count, 1)) as tf.Scalar;
      default:
        return reduce(tf.sum(terms, -1), options.reduction);
    }
  });
}

export function tripletMarginFromClasses(labels: tf.Tensor, embeddings: tf.Tensor, options: TripletOptions & { mining?: 'all' | 'hard' } = {}): tf.Scalar {
  const margin = options.margin ?? 1;
  return tf.tidy(() => {
    if (embeddings.rank !== 2) throw new Error(`tripletMargin: expected embeddings of shape [batch, dims], got [${embeddings.shape.join(', ')}]`);
    const n = embeddings.shape[0];
    const d = distanceMatrix(embeddings, options.p ?? 2, options.eps ?? 1e-6);
    const same = sameClassMatrix(labels);
    const positives = tf.sub(same, tf.eye(n));
    const negatives = tf.sub(1, same);
    if ((options.mining ?? 'all') === 'all') {
      // Every valid (anchor, positive, negative); 'mean' averages over the triplets that still violate the
      // margin (Hermans et al.'s "batch all, non-zero"), so that easy triplets do not dilute the signal.
      const terms = tf.relu(tf.add(tf.sub(tf.expandDims(d, 2), tf.expandDims(d, 1)), margin));
      const valid = tf.mul(tf.expandDims(positives, 2), tf.expandDims(negatives, 1));
      const violating = tf.mul(terms, valid);
      switch (options.reduction ?? 'mean') {
        case 'mean':
          return tf.div(tf.sum(violating), tf.maximum(tf.sum(tf.mul(tf.sign(terms), valid)), 1)) as tf.Scalar;
        case 'sum':
          return tf.sum(violating) as tf.Scalar;
        default:
          return tf.div(tf.sum(violating), n) as tf.Scalar;
      }
    }
    // Farthest positive; nearest negative (non-negatives pushed out of the minimum by a large offset).
    const dPos = tf.max(tf.mul(d, positives), -1);
    const big = tf.add(tf.max(d), 1);
    const dNeg = tf.min(tf.add(d, tf.mul(tf.sub(1, negatives), big)), -1);
    const valid = tf.mul(tf.cast(tf.greater(tf.sum(positives, -1), 0), 'float32'), tf.cast(tf.greater(tf.sum(negatives, -1), 0), 'float32'));
    const terms = tf.mul(tf.relu(tf.add(tf.sub(dPos, dNeg), margin)), valid);
    switch (options.reduction ?? 'mean') {
      case 'mean':
        return tf.div(tf.sum(terms), tf.maximum(tf.sum(valid), 1)) as tf.Scalar;
      default:
        return reduce(terms, options.reduction);
    }
  });
}

export function cosineEmbeddingFromClasses(labels: tf.Tensor, embeddings: tf.Tensor, options: MarginOptions = {}): tf.Scalar {
  const margin = options.margin ?? 0;
  return tf.tidy(() => {
    if (embeddings.rank !== 2) throw new Error(`cosineEmbedding: expected embeddings of shape [batch, dims], got [${embeddings.shape.join(', ')}]`);
    const n = embeddings.shape[0];
    const norms = tf.sqrt(tf.add(tf.sum(tf.square(embeddings), -1), 1e-12));
    const unit = tf.div(embeddings, tf.expandDims(norms, 1));
    const cos = tf.matMul(unit as tf.Tensor2D, tf.transpose(unit as tf.Tensor2D));
    const same = sameClassMatrix(labels);
    const terms = tf.add(tf.mul(same, tf.sub(1, cos)), tf.mul(tf.sub(1, same), tf.relu(tf.sub(cos, margin))));
    // Pairs i < j: the strict upper triangle.
    const upper = tf.sub(tf.linalg.bandPart(tf.ones([n, n]), 0, -1), tf.eye(n));
    const pairTerms = tf.mul(terms, upper);
    switch (options.reduction ?? 'mean') {
      case 'mean':
        return tf.div(tf.sum(pairTerms), Math.max(1, (n * (n - 1)) / 2)) as tf.Scalar;
      case 'sum':
        return tf.sum(pairTerms) as tf.Scalar;
      default:
        return tf.div(tf.sum(pairTerms), n) as tf.Scalar;
    }
  });
}

/**
 * Correct predictions for an embedding loss: samples whose nearest other sample in the batch (Euclidean
 * distance) has their class. A batch of one has no neighbour and counts as wrong.
 */
export function embeddingCorrect(labels: tf.Tensor, embeddings: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const n = embeddings.shape[0];
    const d = tf.add(distanceMatrix(embeddings.reshape([n, -1])), tf.mul(tf.eye(n), 1e30));
    const nearest = tf.argMin(d, -1);
    const c = classIndices(labels);
    return tf.sum(tf.cast(tf.equal(tf.gather(c, nearest), c), 'float32')) as tf.Scalar;
  });
}

// ---- by name ----

type ByName = (labels: tf.Tensor, predictions: tf.Tensor, options: LossOptions & MarginOptions & TripletOptions & { mining?: 'all' | 'hard' }) => tf.Scalar;

interface Entry {
  fn: ByName;
  /** Options besides `reduction` that the loss takes. */
  options: SpecOption[];
  /** The model outputs embeddings of any width, not one value per class (accuracy: nearest neighbour). */
  embedding?: boolean;
}

type SpecOption = keyof LossOptions | 'margin' | 'p' | 'mining';

const CLASS_OPTIONS: (keyof LossOptions)[] = ['classWeights', 'labelSmoothing'];

/** Losses the trainer takes by name (each fits (labels, predictions)); aliases share an entry. */
const BY_NAME: Record<string, Entry> = {
  mse: { fn: mse, options: [] },
  l1: { fn: l1, options: [] },
  smoothL1: { fn: smoothL1, options: ['beta'] },
  huber: { fn: huber, options: ['delta'] },
  nll: { fn: nll, options: CLASS_OPTIONS },
  crossEntropy: { fn: crossEntropy, options: CLASS_OPTIONS },
  crossEntropyFromLogits: { fn: crossEntropyFromLogits, options: CLASS_OPTIONS },
  bce: { fn: bce, options: ['classWeights'] },
  bceWithLogits: { fn: bceWithLogits, options: ['classWeights'] },
  klDiv: { fn: klDiv, options: [] },
  marginRanking: { fn: marginRankingFromClasses, options: ['margin'] },
  tripletMargin: { fn: tripletMarginFromClasses, options: ['margin', 'p', 'mining'], embedding: true },
  cosineEmbedding: { fn: cosineEmbeddingFromClasses, options: ['margin'], embedding: true },
};

/** Other names for the same losses: Keras' and TensorFlow.js's (kept from earlier versions), PyTorch's. */
export const LOSS_ALIASES: Record<string, string> = {
  meanSquaredError: 'mse',
  meanAbsoluteError: 'l1',
  categoricalCrossentropy: 'crossEntropy',
  // Labels are one-hot encoded by the data pipeline either way, so "sparse" is the same computation.
  sparseCategoricalCrossentropy: 'crossEntropy',
  softmaxCrossEntropy: 'crossEntropyFromLogits',
  binaryCrossentropy: 'bce',
  kld: 'klDiv',
};

export const LOSS_NAMES = [...Object.keys(BY_NAME), ...Object.keys(LOSS_ALIASES)];

const SPEC_KEYS = new Set(['name', 'reduction', 'classWeights', 'delta', 'beta', 'labelSmoothing', 'margin', 'p', 'mining']);

function positive(value: unknown, loss: string, key: string): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw new Error(`${loss}: ${key} is ${JSON.stringify(value)}; expected a positive number`);
  return value;
}

/** Why a `training.loss` value is not acceptable, or undefined when it is. */
export function checkLossSpec(value: unknown): string | undefined {
  const names = `one of ${LOSS_NAMES.join(', ')}`;
  if (typeof value === 'string') return LOSS_NAMES.includes(value) ? undefined : names;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `a loss name (${names}) or an object { name, reduction, ... }`;
  const spec = value as Record<string, unknown>;
  if (typeof spec.name !== 'string' || !LOSS_NAMES.includes(spec.name)) return `an object whose name is ${names}`;
  const entry = BY_NAME[LOSS_ALIASES[spec.name] ?? spec.name];
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.has(key)) return `an object with keys name, reduction, ${[...SPEC_KEYS].slice(2).join(', ')} (not ${key})`;
    if (key !== 'name' && key !== 'reduction' && spec[key] !== undefined && !entry.options.includes(key as SpecOption)) {
      const takes = entry.options.length ? `takes ${entry.options.join(', ')}` : 'takes no options';
      return `an object with options that ${spec.name} takes (it ${takes} besides reduction, not ${key})`;
    }
  }
  if (spec.reduction !== undefined && !(REDUCTIONS as readonly unknown[]).includes(spec.reduction)) return `an object whose reduction is one of ${REDUCTIONS.join(', ')}`;
  const w = spec.classWeights;
  if (w !== undefined && !(Array.isArray(w) && w.length > 0 && w.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0))) {
    return 'an object whose classWeights is an array of non-negative numbers, one per class';
  }
  for (const key of ['delta', 'beta'] as const) {
    const v = spec[key];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) return `an object whose ${key} is a positive number`;
  }
  if (spec.margin !== undefined && !(typeof spec.margin === 'number' && Number.isFinite(spec.margin))) return 'an object whose margin is a number';
  if (spec.mining !== undefined && spec.mining !== 'all' && spec.mining !== 'hard') return "an object whose mining is 'all' or 'hard'";
  if (spec.p !== undefined && !(typeof spec.p === 'number' && spec.p >= 1 && Number.isFinite(spec.p))) return 'an object whose p is a number >= 1';
  const s = spec.labelSmoothing;
  if (s !== undefined && !(typeof s === 'number' && s >= 0 && s < 1)) return 'an object whose labelSmoothing is a number in [0, 1)';
  return undefined;
}

/** The loss for a name or a spec, as the trainer calls it: (labels, predictions) => scalar. */
export function resolveLoss(spec: string | LossSpec): LossFn {
  const problem = checkLossSpec(spec);
  if (problem) throw new Error(`unknown loss ${JSON.stringify(spec)} (expected ${problem})`);
  const { name, ...options } = typeof spec === 'string' ? { name: spec } : spec;
  const entry = BY_NAME[LOSS_ALIASES[name] ?? name];
  return (labels, predictions) => entry.fn(labels, predictions, options);
}

/** True for losses whose model outputs embeddings (any width) rather than one value per class. */
export function isEmbeddingLoss(spec: string | LossSpec): boolean {
  const name = typeof spec === 'string' ? spec : spec.name;
  return BY_NAME[LOSS_ALIASES[name] ?? name]?.embedding === true;
}

/** The functions, as `losses` in the `dl-lab` module. */
export const losses = {
  mse,
  meanSquaredError: mse,
  l1,
  meanAbsoluteError: l1,
  smoothL1,
  huber,
  nll,
  crossEntropy,
  crossEntropyFromLogits,
  bce,
  bceWithLogits,
  klDiv,
  marginRanking,
  tripletMargin,
  cosineEmbedding,
  pairwiseDistance,
  /** The trainer's loss for a name or spec: `losses.byName({ name: 'crossEntropy', classWeights: [1, 2] })`. */
  byName: resolveLoss,
};
