/**
 * Registry of the built-in synthetic datasets, addressed as `synthetic:<name>[?key=value&...]`. Each one
 * declares its parameters so that a query string is validated in one place with uniform messages.
 */
import { generateShapes, SHAPES_DEFAULTS, type ShapesData } from './shapes';

export interface SyntheticParam {
  description: string;
  integer: boolean;
  min: number;
  max: number;
  default: number;
}

export interface SyntheticGenerator {
  description: string;
  params: Record<string, SyntheticParam>;
  generate(params: Record<string, number>, seed: number): ShapesData;
}

export const SYNTHETIC_DATASETS: Record<string, SyntheticGenerator> = {
  shapes: {
    description: '28x28 grey images of 6 shapes (disk, ring, square, triangle, cross, star) with random pose, clutter and noise',
    params: {
      // 200k samples is 157 MB of pixels: a bound that keeps a typo from exhausting memory.
      count: { description: 'number of samples', integer: true, min: 1, max: 200_000, default: SHAPES_DEFAULTS.count },
      noise: { description: 'pixel noise standard deviation, fraction of full scale', integer: false, min: 0, max: 0.5, default: SHAPES_DEFAULTS.noise },
      clutter: { description: 'most faint distractor marks per image', integer: true, min: 0, max: 10, default: SHAPES_DEFAULTS.clutter },
      seed: { description: 'seed of the generator (overrides the run seed)', integer: true, min: 0, max: 0xffff_ffff, default: 0 },
    },
    generate: (p, seed) => generateShapes({ count: p.count, noise: p.noise, clutter: p.clutter, seed }),
  },
};

/**
 * Parses `key=value&...` against a generator's parameters. `context` is the whole dataset spec, quoted at
 * the start of every message so the user sees which argument is wrong. Returns the full parameter set
 * with defaults filled in, and which keys were given.
 */
export function parseSyntheticParams(
  generator: SyntheticGenerator,
  query: string,
  context: string,
): { values: Record<string, number>; given: Set<string> } {
  const values: Record<string, number> = {};
  for (const [key, spec] of Object.entries(generator.params)) values[key] = spec.default;
  const given = new Set<string>();
  const known = Object.keys(generator.params).join(', ');
  if (query === '') return { values, given };
  for (const part of query.split('&')) {
    if (part === '') continue; // Tolerate `?a=1&` and `&&`.
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq)).trim();
    const raw = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1)).trim();
    const spec = Object.prototype.hasOwnProperty.call(generator.params, key) ? generator.params[key] : undefined;
    if (!spec) throw new Error(`dataset "${context}": unknown parameter "${key}"; known parameters: ${known}`);
    if (given.has(key)) throw new Error(`dataset "${context}": parameter "${key}" is given twice`);
    if (eq < 0 || raw === '') throw new Error(`dataset "${context}": parameter "${key}" needs a value, as in ${key}=${spec.default}`);
    const value = Number(raw);
    const kind = spec.integer ? 'an integer' : 'a number';
    if (!Number.isFinite(value) || (spec.integer && !Number.isInteger(value)) || value < spec.min || value > spec.max) {
      throw new Error(`dataset "${context}": ${key} must be ${kind} from ${spec.min} to ${spec.max} (${spec.description}), got "${raw}"`);
    }
    values[key] = value;
    given.add(key);
  }
  return { values, given };
}
