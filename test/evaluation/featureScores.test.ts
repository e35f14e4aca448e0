/**
 * The feature-based anomaly scores on examples small enough to work out by hand: Mahalanobis distances
 * under a shared covariance, and k-th nearest neighbour distances of L2-normalised features.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { knnScores, mahalanobisScores, MAX_MAHALANOBIS_DIMS } from '../../src/engine/evaluation/featureScores';

const near = (actual: ArrayLike<number>, expected: number[], tolerance: number) =>
  assert.ok(expected.every((e, i) => Math.abs(actual[i] - e) <= tolerance * Math.max(1, Math.abs(e))), `${Array.from(actual)} != ${expected}`);

describe('mahalanobis', () => {
  it('measures squared distance to the nearest class mean in units of the shared variance (1-D)', () => {
    // (The ridge of 1e-6 of the variance shifts each value by that share: the tolerance is relative.)
    // Class 0 at 0 and 2 (mean 1), class 1 at 10 and 12 (mean 11): every sample 1 from its mean, variance 1.
    const scores = mahalanobisScores([0, 2, 10, 12], [0, 0, 1, 1], 1, [1, 4, 6, 11.5]);
    near(scores, [0, 9, 25, 0.25], 1e-5);
  });

  it('weighs directions by the inverse covariance (2-D)', () => {
    // Both classes centred the same way: (-1,-1), (1,1), (0,-1), (0,1), so Σ = [[0.5, 0.5], [0.5, 1]] and
    // Σ⁻¹ = [[4, -2], [-2, 2]]. (1,2) and (2,1) are both 1 from class 0's mean (1,1), along y and x:
    // d² = [0 1] Σ⁻¹ [0 1]ᵀ = 2 and [1 0] Σ⁻¹ [1 0]ᵀ = 4. (6,6) is class 1's mean.
    const train = [0, 0, 2, 2, 1, 0, 1, 2, 5, 5, 7, 7, 6, 5, 6, 7];
    const scores = mahalanobisScores(train, [0, 0, 0, 0, 3, 3, 3, 3], 2, [1, 2, 2, 1, 6, 6]);
    near(scores, [2, 4, 0], 1e-4);
  });

  it('keeps a unit that never varies invertible and refuses layers too wide to factorise', () => {
    // The second feature is always 0 in training (a dead ReLU): finite scores, and a test sample where it
    // fires is very far.
    const scores = mahalanobisScores([0, 0, 2, 0], [0, 0], 2, [1, 0, 1, 1]);
    assert.ok(Math.abs(scores[0]) < 1e-9 && scores[1] > 1e5 && Number.isFinite(scores[1]), String(scores));
    const wide = MAX_MAHALANOBIS_DIMS + 1;
    assert.throws(() => mahalanobisScores(new Float32Array(wide), [0], wide, new Float32Array(wide)), /2049 features; mahalanobis takes at most 2048: name a narrower layer with --layer/);
  });
});

describe('knn', () => {
  it('is the distance to the k-th nearest training feature after scaling rows to unit length', () => {
    const train = [1, 0, 0, 3, -2, 0]; // unit: (1,0), (0,1), (-1,0)
    // (2,0) becomes (1,0): distances 0, √2, 2. A zero row stays zero: distance 1 to every unit vector.
    near(knnScores(train, 2, [2, 0, 0, 0], 1), [0, 1], 1e-12);
    near(knnScores(train, 2, [2, 0, 0, 0], 2), [Math.SQRT2, 1], 1e-12);
    near(knnScores(train, 2, [2, 0, 0, 0], 3), [2, 1], 1e-12);
    assert.throws(() => knnScores(train, 2, [1, 0], 4), /k must be a whole number from 1 to the 3 training samples, got 4/);
  });
});
