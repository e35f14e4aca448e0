/**
 * A sweep's parameters from `dl-lab sweep`'s flags, and the runs they expand to: every combination of the
 * `--grid` values, or N random draws (`--random N`) from the grid values and the `--range` intervals.
 * Pure: no I/O, no TensorFlow.js. Each value is checked by a SettingCheck, which the CLI makes from the
 * engine's own rules for a model file's `training` (so a sweep never starts a run the engine would refuse).
 */
import { mulberry32 } from '../engine/util/random';
import type { SweepTag } from '../protocol/engineTypes';

/** One run's settings: training key -> value (run.json's `sweep.params`). */
export type SweepParams = SweepTag['params'];
export type SweepValue = SweepParams[string];

/**
 * Says what is wrong with `value` for the training setting `key`, as one line that starts with `where` (the
 * flag as given), or undefined when the engine would accept it.
 */
export type SettingCheck = (where: string, key: string, value: SweepValue) => string | undefined;

export interface GridDimension {
  key: string;
  values: SweepValue[];
}

export interface RangeDimension {
  key: string;
  low: number;
  high: number;
  /** Drawn uniformly in log space (`:log`). */
  log: boolean;
  /** The key takes integers (the engine's rule refuses a fraction): draws are whole numbers. */
  integer: boolean;
}

export interface SweepSpec {
  grid: GridDimension[];
  ranges: RangeDimension[];
}

/** Bad flags: the message is one line naming the flag and what is wrong. */
export class SweepSpecError extends Error {}

/** How many runs a grid may expand to: more is almost certainly a typo, and would be listed all at once. */
export const MAX_RUNS = 10_000;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A value as written on the command line: a number, true/false, or else a name (`adam`). */
export function parseValue(raw: string): SweepValue {
  const text = raw.trim();
  if (NUMBER.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

function splitKey(flag: string, text: string): [string, string] {
  const at = text.indexOf('=');
  const key = at < 0 ? '' : text.slice(0, at).trim();
  if (!key) throw new SweepSpecError(`${flag} ${text}: expected KEY=${flag === '--grid' ? 'V1,V2,...' : 'LOW..HIGH[:log]'}, a key of the model file's training`);
  return [key, text.slice(at + 1)];
}

function checked(check: SettingCheck, where: string, key: string, value: SweepValue): SweepValue {
  const problem = check(where, key, value);
  if (problem) throw new SweepSpecError(problem);
  return value;
}

/** `--grid learningRate=1e-3,3e-3`: the key and its values, each checked. */
export function parseGrid(text: string, check: SettingCheck): GridDimension {
  const where = `--grid ${text}`;
  const [key, list] = splitKey('--grid', text);
  const raws = list.split(',');
  if (raws.some((r) => r.trim() === '')) throw new SweepSpecError(`${where}: an empty value (values are separated by commas)`);
  const values: SweepValue[] = [];
  for (const raw of raws) {
    const value = checked(check, where, key, parseValue(raw));
    if (values.includes(value)) throw new SweepSpecError(`${where}: ${key} is ${JSON.stringify(value)} twice`);
    values.push(value);
  }
  return { key, values };
}

/** `--range learningRate=1e-4..1e-2:log`: both ends checked; integer when the key's rule refuses fractions. */
export function parseRange(text: string, check: SettingCheck): RangeDimension {
  const where = `--range ${text}`;
  const [key, body] = splitKey('--range', text);
  const colon = body.lastIndexOf(':');
  const bounds = (colon < 0 ? body : body.slice(0, colon)).split('..');
  const scale = colon < 0 ? undefined : body.slice(colon + 1).trim();
  const [low, high] = bounds.length === 2 ? bounds.map(parseValue) : [];
  if (typeof low !== 'number' || typeof high !== 'number') {
    throw new SweepSpecError(`${where}: expected ${key}=LOW..HIGH with numbers, optionally :log (e.g. ${key}=1e-4..1e-2:log)`);
  }
  if (scale !== undefined && scale !== 'log') throw new SweepSpecError(`${where}: unknown scale ":${scale}" (the only one is :log; linear is the default)`);
  if (!(low <= high)) throw new SweepSpecError(`${where}: the low end ${low} is above the high end ${high}`);
  const log = scale === 'log';
  if (log && !(low > 0)) throw new SweepSpecError(`${where}: a :log range needs a low end > 0, got ${low}`);
  checked(check, where, key, low);
  checked(check, where, key, high);
  // Both ends passed the engine's rule; if a fraction between them does not, the key takes integers
  // (epochs, batchSize, seed). The rules are intervals, so a fraction inside the range is a fair probe.
  const integer = Number.isInteger(low) && Number.isInteger(high) && (high === low || check(where, key, low + 0.5) !== undefined);
  return { key, low, high, log, integer };
}

/** Every flag parsed, with each key given once. */
export function parseSweepSpec(grids: readonly string[], ranges: readonly string[], check: SettingCheck): SweepSpec {
  const spec: SweepSpec = { grid: grids.map((g) => parseGrid(g, check)), ranges: ranges.map((r) => parseRange(r, check)) };
  const seen = new Set<string>();
  for (const { key } of [...spec.grid, ...spec.ranges]) {
    if (seen.has(key)) throw new SweepSpecError(`${key} is given twice (by --grid or --range); give each key once`);
    seen.add(key);
  }
  return spec;
}

/** The keys a spec varies, in the order given (grid keys first). */
export function sweepKeys(spec: SweepSpec): string[] {
  return [...spec.grid, ...spec.ranges].map((d) => d.key);
}

/** Every combination of the grid's values; the first key varies slowest (as nested loops in the order given). */
export function gridRuns(spec: SweepSpec): SweepParams[] {
  if (spec.ranges.length) throw new SweepSpecError(`--range ${spec.ranges[0].key}=...: a range is drawn from, not enumerated; add --random N`);
  if (!spec.grid.length) throw new SweepSpecError('a sweep needs --grid KEY=V1,V2,... or --random N with --range KEY=LOW..HIGH');
  const count = spec.grid.reduce((n, d) => n * d.values.length, 1);
  if (count > MAX_RUNS) throw new SweepSpecError(`the grid has ${count} combinations; at most ${MAX_RUNS} (use --random N to sample it)`);
  let runs: SweepParams[] = [{}];
  for (const { key, values } of spec.grid) runs = runs.flatMap((run) => values.map((value) => ({ ...run, [key]: value })));
  return runs;
}

/** A float drawn from a range, kept to 4 significant digits so that tables and run.json stay readable. */
function draw(range: RangeDimension, random: () => number): number {
  const { low, high, log, integer } = range;
  const u = random();
  if (integer) {
    // [low, high + 1) then floor: every integer of the range equally likely (in its space).
    const value = log ? Math.exp(Math.log(low) + u * (Math.log(high + 1) - Math.log(low))) : low + u * (high + 1 - low);
    return Math.min(high, Math.floor(value));
  }
  const value = log ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low);
  return Math.min(high, Math.max(low, Number(value.toPrecision(4))));
}

/**
 * `count` runs drawn with `seed`: each takes one of each grid key's values and a value in each range. The
 * same spec and seed give the same runs.
 */
export function randomRuns(spec: SweepSpec, count: number, seed: number, check: SettingCheck): SweepParams[] {
  if (!spec.grid.length && !spec.ranges.length) throw new SweepSpecError('--random N needs something to draw: --range KEY=LOW..HIGH or --grid KEY=V1,V2,...');
  if (!(Number.isInteger(count) && count >= 1 && count <= MAX_RUNS)) throw new SweepSpecError(`--random must be a whole number of runs from 1 to ${MAX_RUNS}, got ${count}`);
  const random = mulberry32(seed);
  const runs: SweepParams[] = [];
  for (let i = 0; i < count; i++) {
    const run: SweepParams = {};
    for (const { key, values } of spec.grid) run[key] = values[Math.min(values.length - 1, Math.floor(random() * values.length))];
    for (const range of spec.ranges) {
      // Rounding can land on a value the rule refuses (an open end): the engine's check has the last word.
      run[range.key] = checked(check, `--range ${range.key}=${range.low}..${range.high}`, range.key, draw(range, random));
    }
    runs.push(run);
  }
  return runs;
}
