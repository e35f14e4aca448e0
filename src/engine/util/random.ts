/**
 * Seeded pseudo-random numbers for everything the engine randomises (weight initialisation, shuffling,
 * dropout), so that the same seed gives the same run.
 */

/** mulberry32: tiny, fast, and good enough for shuffling and initialisation. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(array: T, random: () => number): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}

/** A stream derived from a seed and a purpose, so that e.g. epoch 3's shuffle does not depend on epochs 1-2. */
export function derivedRandom(seed: number, ...salt: number[]): () => number {
  let h = seed >>> 0;
  for (const s of salt) h = Math.imul(h ^ (s + 0x9e3779b9), 0x85ebca6b) >>> 0;
  return mulberry32(h);
}

/**
 * TensorFlow.js draws initial weights and dropout masks from Math.random when no seed is given; the engine
 * process is dedicated to training, so seeding Math.random makes user model files reproducible without
 * asking them to pass seeds to every layer.
 */
export function seedMathRandom(seed: number): void {
  Math.random = derivedRandom(seed, 0x5eed);
}
