/**
 * The rules for the numeric training settings, without TensorFlow.js: the engine checks the merged config
 * with them (config.ts), and the CLI checks its options with the same rules before a run folder exists.
 * Each returns undefined when the value is fine, else the rule it breaks ("a positive number").
 */
export type Check = (value: unknown) => string | undefined;

export const positiveInt: Check = (v) => (Number.isInteger(v) && (v as number) > 0 ? undefined : 'a positive integer');
export const positiveNumber: Check = (v) => (typeof v === 'number' && v > 0 && Number.isFinite(v) ? undefined : 'a positive number');
export const unitInterval: Check = (v) => (typeof v === 'number' && v >= 0 && v < 1 ? undefined : 'a number in [0, 1)');
export const integer: Check = (v) => (Number.isInteger(v) ? undefined : 'an integer');
export const nonNegativeNumber: Check = (v) => (typeof v === 'number' && v >= 0 && Number.isFinite(v) ? undefined : 'a number >= 0');
