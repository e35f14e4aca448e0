/**
 * How well a score separates anomalous samples (the positives) from normal ones, higher scores meaning
 * more anomalous, in plain TypeScript: AUROC, AUPRC, FPR at 95% TPR and the ROC curve. Tied scores form one
 * threshold: a tie between an anomalous and a normal sample counts half in AUROC (the Mann-Whitney U
 * statistic), and average precision takes one step per distinct score, as scikit-learn's
 * `average_precision_score` does.
 */

/** The ROC curve at the scores where it turns (see corners), from (0, 0) (threshold +Infinity) to (1, 1). */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** A sample scoring at least the threshold is called anomalous; the first is +Infinity. */
  thresholds: number[];
}

export interface Separation {
  auroc: number;
  auprc: number;
  fpr95: number;
  roc: RocCurve;
  normal: number;
  anomalous: number;
}

/**
 * The cumulative true and false positives at each distinct score, highest first. NaN scores are refused:
 * they have no place in the order.
 */
function thresholdCounts(scores: ArrayLike<number>, anomalous: ArrayLike<boolean | number>) {
  const n = scores.length;
  if (anomalous.length !== n) throw new Error(`${n} scores but ${anomalous.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i);
  for (const i of order) if (Number.isNaN(scores[i])) throw new Error(`score ${i} is NaN`);
  order.sort((a, b) => scores[b] - scores[a]);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (anomalous[i]) tp++;
    else fp++;
    if (k === n - 1 || scores[order[k + 1]] !== scores[i]) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(scores[i]);
    }
  }
  return { tps, fps, thresholds, positives: tp, negatives: fp };
}

/**
 * All four measures from one sort. With no anomalous or no normal sample they are undefined (NaN): callers
 * say which is missing.
 */
export function separation(scores: ArrayLike<number>, anomalous: ArrayLike<boolean | number>): Separation {
  const { tps, fps, thresholds, positives: P, negatives: N } = thresholdCounts(scores, anomalous);
  // Mann-Whitney: each (anomalous, normal) pair where the anomalous one scores higher counts 1, a tie 1/2.
  let u = 0;
  let ap = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let g = 0; g < tps.length; g++) {
    const pos = tps[g] - prevTp;
    const neg = fps[g] - prevFp;
    u += pos * (N - fps[g]) + 0.5 * pos * neg;
    // Average precision: the precision at this threshold times the recall it adds.
    if (pos) ap += (pos / P) * (tps[g] / (tps[g] + fps[g]));
    prevTp = tps[g];
    prevFp = fps[g];
  }
  // FPR95 on every threshold; the curve returned keeps its corners only.
  const fpr95 = P && N ? fprAtTpr({ fpr: fps.map((f) => f / N), tpr: tps.map((t) => t / P), thresholds }, 0.95) : NaN;
  const keep = corners(tps, fps);
  const roc: RocCurve = {
    fpr: [0, ...keep.map((k) => fps[k] / N)],
    tpr: [0, ...keep.map((k) => tps[k] / P)],
    thresholds: [Infinity, ...keep.map((k) => thresholds[k])],
  };
  return {
    auroc: P && N ? u / (P * N) : NaN,
    auprc: P ? ap : NaN,
    fpr95,
    roc,
    normal: N,
    anomalous: P,
  };
}

/**
 * The false-positive rate at the first threshold whose true-positive rate reaches `tpr` (the lowest FPR
 * that detects that share of the anomalies), as the OOD literature reports FPR95 (Hendrycks et al. 2019,
 * anomalies as positives).
 */
export function fprAtTpr(roc: RocCurve, tpr: number): number {
  for (let k = 0; k < roc.tpr.length; k++) if (roc.tpr[k] >= tpr) return roc.fpr[k];
  return 1;
}

/** AUROC alone. */
export function auroc(scores: ArrayLike<number>, anomalous: ArrayLike<boolean | number>): number {
  return separation(scores, anomalous).auroc;
}

/**
 * The thresholds where the curve turns (scikit-learn's drop_intermediate, on the integer counts): points on
 * a straight run between their neighbours add nothing to a plot, and a 10,000-sample curve keeps a few
 * hundred.
 */
function corners(tps: number[], fps: number[]): number[] {
  const keep: number[] = [];
  const n = tps.length;
  for (let k = 0; k < n; k++) {
    if (k === 0 || k === n - 1 || fps[k - 1] - 2 * fps[k] + fps[k + 1] !== 0 || tps[k - 1] - 2 * tps[k] + tps[k + 1] !== 0) keep.push(k);
  }
  return keep;
}
