/**
 * Anomaly scores from a layer's features, in plain TypeScript (float64 sums): the Mahalanobis distance to
 * the nearest class-conditional Gaussian with a shared covariance (Lee et al. 2018), and the distance to
 * the k-th nearest training feature after L2 normalisation (Sun et al. 2022). Features are row-major
 * [n, dims]; higher scores are more anomalous.
 */

/** Above this many dimensions the covariance's factorisation (dims³/3 steps) is refused: name an earlier layer. */
export const MAX_MAHALANOBIS_DIMS = 2048;

/**
 * Fits one mean per class and the covariance shared by all (1/N, centred on each sample's class mean) on
 * the training features, then scores each test row by min over classes of (x - μc)ᵀ Σ⁻¹ (x - μc). A tiny
 * ridge (1e-6 of the mean variance) keeps Σ invertible where units never fire (dead ReLUs).
 */
export function mahalanobisScores(train: ArrayLike<number>, trainLabels: ArrayLike<number>, dims: number, test: ArrayLike<number>): Float64Array {
  if (dims > MAX_MAHALANOBIS_DIMS) throw new Error(`the layer has ${dims} features; mahalanobis takes at most ${MAX_MAHALANOBIS_DIMS}: name a narrower layer with --layer`);
  const n = trainLabels.length;
  if (!n) throw new Error('mahalanobis needs training samples of the normal classes');
  const classes = [...new Set(Array.from(trainLabels))].sort((a, b) => a - b);
  const slot = new Map(classes.map((c, i) => [c, i]));
  const means = classes.map(() => new Float64Array(dims));
  const counts = new Float64Array(classes.length);
  for (let i = 0; i < n; i++) {
    const m = means[slot.get(trainLabels[i])!];
    counts[slot.get(trainLabels[i])!]++;
    for (let d = 0; d < dims; d++) m[d] += train[i * dims + d];
  }
  means.forEach((m, c) => m.forEach((v, d) => (m[d] = v / counts[c])));
  const cov = new Float64Array(dims * dims);
  const centred = new Float64Array(dims);
  for (let i = 0; i < n; i++) {
    const m = means[slot.get(trainLabels[i])!];
    for (let d = 0; d < dims; d++) centred[d] = train[i * dims + d] - m[d];
    for (let a = 0; a < dims; a++) {
      const ca = centred[a];
      if (ca === 0) continue;
      for (let b = 0; b <= a; b++) cov[a * dims + b] += ca * centred[b];
    }
  }
  let trace = 0;
  for (let a = 0; a < dims; a++) trace += cov[a * dims + a] / n;
  const ridge = 1e-6 * (trace / dims) + 1e-12;
  for (let a = 0; a < dims; a++) for (let b = 0; b <= a; b++) cov[a * dims + b] = cov[a * dims + b] / n + (a === b ? ridge : 0);
  const lower = cholesky(cov, dims);
  // With Σ = L Lᵀ: (x - μ)ᵀ Σ⁻¹ (x - μ) = |L⁻¹x - L⁻¹μ|².
  const whitenedMeans = means.map((m) => forwardSolve(lower, dims, m));
  const rows = test.length / dims;
  const scores = new Float64Array(rows);
  const x = new Float64Array(dims);
  for (let i = 0; i < rows; i++) {
    for (let d = 0; d < dims; d++) x[d] = test[i * dims + d];
    const z = forwardSolve(lower, dims, x);
    let best = Infinity;
    for (const m of whitenedMeans) {
      let s = 0;
      for (let d = 0; d < dims; d++) s += (z[d] - m[d]) ** 2;
      best = Math.min(best, s);
    }
    scores[i] = best;
  }
  return scores;
}

/** L with L Lᵀ = the symmetric matrix whose lower triangle `a` holds (row-major). */
function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('the features\' covariance is not positive definite (are they finite?)');
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j];
    }
  }
  return l;
}

function forwardSolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * z[k];
    z[i] = s / l[i * n + i];
  }
  return z;
}

/** Rows scaled to unit length (a zero row stays zero). */
function unitRows(x: ArrayLike<number>, dims: number): Float64Array {
  const out = Float64Array.from(x);
  for (let r = 0; r < out.length / dims; r++) {
    let s = 0;
    for (let d = 0; d < dims; d++) s += out[r * dims + d] ** 2;
    const norm = Math.sqrt(s) || 1;
    for (let d = 0; d < dims; d++) out[r * dims + d] /= norm;
  }
  return out;
}

/** The Euclidean distance from each test row to its k-th nearest training row, both L2-normalised. */
export function knnScores(train: ArrayLike<number>, dims: number, test: ArrayLike<number>, k: number): Float64Array {
  const t = unitRows(train, dims);
  const q = unitRows(test, dims);
  const n = t.length / dims;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`knn's k must be a whole number from 1 to the ${n} training samples, got ${k}`);
  const rows = q.length / dims;
  const scores = new Float64Array(rows);
  const nearest = new Float64Array(k);
  for (let i = 0; i < rows; i++) {
    nearest.fill(Infinity);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let d = 0; d < dims; d++) s += (q[i * dims + d] - t[j * dims + d]) ** 2;
      // Keep the k smallest, sorted: insert s where it belongs.
      if (s >= nearest[k - 1]) continue;
      let p = k - 1;
      while (p > 0 && nearest[p - 1] > s) {
        nearest[p] = nearest[p - 1];
        p--;
      }
      nearest[p] = s;
    }
    scores[i] = Math.sqrt(nearest[k - 1]);
  }
  return scores;
}
