/**
 * Classification metrics from predicted probabilities and true labels, in plain TypeScript (no
 * TensorFlow.js): the confusion matrix, per-class precision/recall/F1, macro and weighted F1, top-k
 * accuracy and calibration. Definitions follow scikit-learn where it has one (a class that is never
 * predicted has precision 0, as its `zero_division` default gives).
 */

/** Probabilities of `count` samples over `classes` classes, row-major (one row per sample). */
export interface Predictions {
  probabilities: Float32Array | Float64Array | number[];
  classes: number;
  labels: ArrayLike<number>;
}

export interface ClassMetrics {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** One bin of the reliability diagram: samples whose confidence lies in (lower, upper]. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Share of the bin's samples predicted correctly; null for an empty bin. */
  accuracy: number | null;
  /** Mean confidence (top probability) of the bin's samples; null for an empty bin. */
  confidence: number | null;
}

/** The predicted class of each sample: the highest probability, the first on ties (as argMax). */
export function predictedClasses(p: Predictions): Uint32Array {
  const n = p.labels.length;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < p.classes; c++) if (p.probabilities[i * p.classes + c] > p.probabilities[i * p.classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** counts[true][predicted]. */
export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][predicted[i]]++;
  return m;
}

/** Per-class precision, recall, F1 and support from a confusion matrix (rows true, columns predicted). */
export function perClassMetrics(confusion: number[][], classNames: readonly string[]): ClassMetrics[] {
  return confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, r) => a + r[c], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { class: classNames[c] ?? String(c), precision, recall, f1, support };
  });
}

/**
 * Macro F1 (the plain mean over classes) and weighted F1 (weighted by support). As scikit-learn, the macro
 * mean is over the classes that occur among the labels or the predictions: a class absent from both says
 * nothing about the model.
 */
export function averageF1(confusion: number[][], perClass: readonly ClassMetrics[]): { macroF1: number; weightedF1: number } {
  const present = perClass.filter((m, c) => m.support > 0 || confusion.some((r) => r[c] > 0));
  const total = perClass.reduce((a, m) => a + m.support, 0);
  return {
    macroF1: present.length ? present.reduce((a, m) => a + m.f1, 0) / present.length : 0,
    weightedF1: total ? perClass.reduce((a, m) => a + m.f1 * m.support, 0) / total : 0,
  };
}

/**
 * Share of samples whose true class is among the k highest probabilities. Ties count in its favour, as
 * the training metric (training/metrics countTopK) and TensorFlow's in_top_k: fewer than k classes score
 * strictly higher.
 */
export function topKAccuracy(p: Predictions, k: number): number {
  const n = p.labels.length;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const own = p.probabilities[i * p.classes + p.labels[i]];
    let higher = 0;
    for (let c = 0; c < p.classes; c++) if (p.probabilities[i * p.classes + c] > own) higher++;
    if (higher < k) hits++;
  }
  return n ? hits / n : 0;
}

export const CALIBRATION_BINS = 15;

/**
 * Expected calibration error (Guo et al. 2017): samples binned by confidence (the top probability) into
 * `bins` equal-width bins (lower, upper] (a confidence of 0 goes into the first), then the
 * count-weighted mean of |accuracy - mean confidence| over the bins.
 */
export function calibration(p: Predictions, predicted: ArrayLike<number>, bins = CALIBRATION_BINS): { ece: number; bins: ReliabilityBin[] } {
  const n = p.labels.length;
  const count = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  const confSum = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const conf = p.probabilities[i * p.classes + predicted[i]];
    let b = Math.min(bins - 1, Math.max(0, Math.ceil(conf * bins) - 1));
    // Against the boundaries b / bins themselves: 0.4 * 15 is 6.000000000000001 in floating point.
    while (b > 0 && conf <= b / bins) b--;
    while (b < bins - 1 && conf > (b + 1) / bins) b++;
    count[b]++;
    confSum[b] += conf;
    if (predicted[i] === p.labels[i]) correct[b]++;
  }
  let ece = 0;
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const accuracy = count[b] ? correct[b] / count[b] : null;
    const confidence = count[b] ? confSum[b] / count[b] : null;
    if (count[b]) ece += (count[b] / n) * Math.abs(accuracy! - confidence!);
    out.push({ lower: b / bins, upper: (b + 1) / bins, count: count[b], accuracy, confidence });
  }
  return { ece, bins: out };
}
