/**
 * Numbers for people: parameter and MAC counts in human units (1.2 M, 0.42 G), shapes as 14×14×6, and the
 * values under the cursor. Pure functions.
 */

const UNITS: [number, string][] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** 3 significant digits with an SI prefix: 61706 → "61.7 k", 1_200_000 → "1.2 M", 999 → "999". */
export function humanCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs < 1000) return Number.isInteger(n) ? String(n) : n.toPrecision(3);
  for (const [scale, unit] of UNITS) {
    if (abs >= scale * 0.9995) {
      const v = n / scale;
      return `${trim(v.toPrecision(3))} ${unit}`;
    }
  }
  return String(n);
}

/** MACs in the course's unit: GMACs with two significant digits under 1 (0.42 G), else like humanCount. */
export function humanMacs(n: number): string {
  if (n >= 1e8 && n < 1e9) return `${trim((n / 1e9).toPrecision(2))} G`;
  return humanCount(n);
}

function trim(s: string): string {
  return s.includes('e') ? s : s.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** 12345 → "12,345". */
export function grouped(n: number): string {
  return n.toLocaleString('en-US');
}

/** [null, 14, 14, 6] → "14×14×6" (the batch dimension left out); several outputs are joined with ", ". */
export function shapeText(shape: (number | null)[] | (number | null)[][]): string {
  if (shape.length && Array.isArray(shape[0])) return (shape as (number | null)[][]).map(shapeText).join(', ');
  const dims = (shape as (number | null)[]).filter((d, i) => !(i === 0 && d === null));
  return dims.map((d) => (d === null ? '?' : String(d))).join('×');
}

/** A value under the cursor: 4 significant digits, exponent for the very small and very large. */
export function valueText(v: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e5 || abs < 1e-3) return v.toExponential(2);
  return trim(v.toPrecision(4));
}

/** 0.4213 → "42.1%". */
export function percent(p: number, digits = 1): string {
  return `${(p * 100).toFixed(digits)}%`;
}
