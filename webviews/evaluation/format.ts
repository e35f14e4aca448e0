/** Numbers as the Evaluation view shows them. Pure. */

export function percent(x: number | null, digits = 1): string {
  return x === null || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)}%`;
}

export function decimal(x: number | null, digits = 3): string {
  return x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

export function integer(x: number): string {
  return x.toLocaleString('en-US');
}

/** A class name cut to `max` characters (the full name goes into the title). */
export function shortName(name: string, max = 14): string {
  return name.length > max ? `${name.slice(0, max - 1)}…` : name;
}
