/**
 * The confusion matrix's values as the heat map draws them. Pure (no DOM): the extension's tests use it.
 */

/** Counts as they are, or row-normalised: each true class's row divided by its sum (an empty row stays 0). */
export type MatrixMode = 'counts' | 'rows';

export function normalise(confusion: readonly (readonly number[])[], mode: MatrixMode): number[][] {
  if (mode === 'counts') return confusion.map((row) => [...row]);
  return confusion.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((c) => (sum ? c / sum : 0));
  });
}
