/**
 * The Anomaly view's texts: class lists as ranges ("0–8"), scores and rates, and the ticks of its charts'
 * axes. Pure functions (unit-tested with the view model in test/extension/anomalyModel.test.ts).
 */

/** [0, 1, 2, 3, 7] → "0–3, 7"; names instead of numbers when given (then no ranges: names need not run on). */
export function classRanges(classes: readonly number[], names?: ReadonlyMap<number, string>): string {
  const sorted = [...new Set(classes)].sort((a, b) => a - b);
  if (names?.size) return sorted.map((c) => names.get(c) ?? String(c)).join(', ');
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}–${sorted[j]}` : sorted.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  return parts.join(', ');
}

/** A rate or area in [0, 1] with three decimals: 0.9123 → "0.912". */
export function rate(x: number): string {
  return x.toFixed(3);
}

/** A score: 4 significant digits, an exponent for the very small and very large. */
export function scoreText(s: number): string {
  if (s === 0) return '0';
  const abs = Math.abs(s);
  if (abs >= 1e5 || abs < 1e-3) return s.toExponential(2);
  return String(Number(s.toPrecision(4)));
}

/** About `count` round ticks from lo to hi (1, 2 or 5 times a power of ten apart: the step nearest the even one), inside [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const off = (s: number) => Math.abs(Math.log(s / raw));
  const step = [1, 2, 5, 10].map((m) => m * power).reduce((a, b) => (off(b) < off(a) ? b : a));
  const out: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}
