/**
 * A small seeded PRNG for the synthetic datasets. Math.random cannot be seeded, and the datasets must be
 * byte-identical for a given seed so that runs are reproducible.
 */

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128-bit state, passes PractRand. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Second normal deviate of the last Box-Muller pair, or NaN when none is pending. */
  private spareNormal = Number.NaN;

  /** Any safe integer is a seed; both 32-bit halves go into the state so large seeds do not collide. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
    // splitmix32 expands the seed so that nearby seeds give unrelated streams.
    let s = lo ^ Math.imul(hi, 0x9e3779b9);
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s ^ (s >>> 16);
      z = Math.imul(z, 0x21f0aaad);
      z ^= z >>> 15;
      z = Math.imul(z, 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next() ^ hi;
    this.d = 1; // The counter word starts at 1, as in the reference seeding.
    for (let i = 0; i < 12; i++) this.uint32(); // Let the state mix before use.
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal deviate (Box-Muller; the pair's second value is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const v = this.spareNormal;
      this.spareNormal = Number.NaN;
      return v;
    }
    const u = 1 - this.next(); // (0, 1], so the log is finite.
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: { length: number; [i: number]: T }): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
  }
}
