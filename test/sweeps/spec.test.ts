/**
 * A sweep's flags and the runs they expand to: the grid's product, random draws that a seed repeats, ranges
 * (linear, log, integer keys), and bad flags refused with one line naming them, by the engine's own rules
 * for a model file's `training` (the check the CLI uses, not a stand-in).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trainingSettingCheck } from '../../src/cli/sweepCheck';
import { gridRuns, MAX_RUNS, parseSweepSpec, parseValue, randomRuns, SweepSpecError } from '../../src/sweeps/spec';

const check = trainingSettingCheck;
const spec = (grids: string[], ranges: string[] = []) => parseSweepSpec(grids, ranges, check);

/** The one-line message a bad spec is refused with. */
function refusal(grids: string[], ranges: string[] = [], random?: number): string {
  try {
    const s = spec(grids, ranges);
    if (random === undefined) gridRuns(s);
    else randomRuns(s, random, 1, check);
  } catch (err) {
    assert.ok(err instanceof SweepSpecError, `not a SweepSpecError: ${(err as Error).stack}`);
    assert.doesNotMatch(err.message, /\n/, 'one line');
    return err.message;
  }
  assert.fail(`accepted: --grid ${grids.join(' --grid ')} --range ${ranges.join(' --range ')}`);
}

describe('sweep grid', () => {
  it('is the product of the values, the first key varying slowest', () => {
    assert.deepEqual(gridRuns(spec(['learningRate=1e-3,3e-3', 'batchSize=32,64'])), [
      { learningRate: 0.001, batchSize: 32 },
      { learningRate: 0.001, batchSize: 64 },
      { learningRate: 0.003, batchSize: 32 },
      { learningRate: 0.003, batchSize: 64 },
    ]);
    assert.equal(gridRuns(spec(['epochs=1,2,3', 'batchSize=8,16', 'optimizer=adam,sgd'])).length, 12);
  });

  it('parses values as the model file would hold them: numbers, names, booleans', () => {
    assert.deepEqual(gridRuns(spec(['optimizer=adam, SGD', 'momentum=0,.9'])), [
      { optimizer: 'adam', momentum: 0 },
      { optimizer: 'adam', momentum: 0.9 },
      { optimizer: 'SGD', momentum: 0 },
      { optimizer: 'SGD', momentum: 0.9 },
    ]);
    assert.equal(parseValue('1e-3'), 0.001);
    assert.equal(parseValue('-2'), -2);
    assert.equal(parseValue('true'), true);
    assert.equal(parseValue('0x10'), '0x10', 'only decimal numbers are numbers');
  });

  it('refuses bad keys and values with the engine\'s rule, naming the flag', () => {
    assert.equal(
      refusal(['learningRate=1e-3,abc']),
      '--grid learningRate=1e-3,abc: training.learningRate is "abc"; expected a positive number',
    );
    assert.equal(refusal(['batchSize=32,0.5']), '--grid batchSize=32,0.5: training.batchSize is 0.5; expected a positive integer');
    assert.equal(refusal(['optimizer=adam,lbfgs']), '--grid optimizer=adam,lbfgs: training.optimizer is "lbfgs"; expected one of adam, sgd, rmsprop');
    assert.match(refusal(['dropout=0.1,0.2']), /^--grid dropout=0\.1,0\.2: training\.dropout: unknown setting \(known: epochs, batchSize, .*learningRate/);
    assert.match(refusal(['augment=true']), /^--grid augment=true: training\.augment is not a setting a sweep can vary/);
    assert.equal(refusal(['learningRate=1e-3,']), '--grid learningRate=1e-3,: an empty value (values are separated by commas)');
    assert.equal(refusal(['learningRate=1e-3,0.001']), '--grid learningRate=1e-3,0.001: learningRate is 0.001 twice');
    assert.match(refusal(['=1,2']), /^--grid =1,2: expected KEY=V1,V2,\.\.\./);
    assert.match(refusal(['learningRate']), /^--grid learningRate: expected KEY=V1,V2/);
    assert.equal(refusal(['epochs=1,2', 'epochs=3']), 'epochs is given twice (by --grid or --range); give each key once');
    assert.match(refusal([]), /a sweep needs --grid KEY=V1,V2,\.\.\. or --random N/);
    assert.match(refusal(['seed=1,2'], ['learningRate=1e-4..1e-2']), /a range is drawn from, not enumerated; add --random N/);
  });

  it('refuses a grid too large to mean', () => {
    const values = Array.from({ length: 101 }, (_, i) => i + 1).join(',');
    assert.match(refusal([`epochs=${values}`, `batchSize=${values}`]), new RegExp(`the grid has 10201 combinations; at most ${MAX_RUNS}`));
  });
});

describe('sweep random draws', () => {
  const ranges = ['learningRate=1e-4..1e-2:log', 'momentum=0..0.5', 'batchSize=16..128'];

  it('repeat with the same seed and differ with another', () => {
    const s = spec(['optimizer=adam,sgd'], ranges);
    const a = randomRuns(s, 20, 7, check);
    assert.deepEqual(randomRuns(s, 20, 7, check), a);
    assert.notDeepEqual(randomRuns(s, 20, 8, check), a);
    assert.equal(a.length, 20);
    assert.deepEqual(Object.keys(a[0]), ['optimizer', 'learningRate', 'momentum', 'batchSize']);
  });

  it('stay within their ranges: log-uniform, linear, and whole numbers for integer keys', () => {
    const s = spec([], ranges);
    const runs = randomRuns(s, 2000, 3, check);
    const lr = runs.map((r) => r.learningRate as number);
    const momentum = runs.map((r) => r.momentum as number);
    const batch = runs.map((r) => r.batchSize as number);
    assert.ok(lr.every((v) => v >= 1e-4 && v <= 1e-2), 'learningRate in range');
    assert.ok(momentum.every((v) => v >= 0 && v <= 0.5), 'momentum in range');
    assert.ok(batch.every((v) => Number.isInteger(v) && v >= 16 && v <= 128), 'batchSize: integers in range');
    // Log scale: about half the draws below the geometric middle (1e-3), where linear would put ~9%.
    const belowMiddle = lr.filter((v) => v < 1e-3).length / lr.length;
    assert.ok(belowMiddle > 0.45 && belowMiddle < 0.55, `log-uniform: ${belowMiddle} below 1e-3`);
    const momentumLow = momentum.filter((v) => v < 0.25).length / momentum.length;
    assert.ok(momentumLow > 0.45 && momentumLow < 0.55, `uniform: ${momentumLow} below 0.25`);
    assert.ok(new Set(batch).has(16) && new Set(batch).has(128), 'both ends of an integer range are drawn');
    assert.ok(lr.every((v) => Number(v.toPrecision(4)) === v), 'floats kept to 4 significant digits');
  });

  it('draws integers on a log scale too, and grid values uniformly', () => {
    const runs = randomRuns(spec(['optimizer=adam,sgd,rmsprop'], ['batchSize=8..512:log']), 3000, 11, check);
    const batch = runs.map((r) => r.batchSize as number);
    assert.ok(batch.every((v) => Number.isInteger(v) && v >= 8 && v <= 512));
    const below64 = batch.filter((v) => v < 64).length / batch.length;
    assert.ok(below64 > 0.42 && below64 < 0.58, `log scale: ${below64} below 64`);
    for (const name of ['adam', 'sgd', 'rmsprop']) {
      const share = runs.filter((r) => r.optimizer === name).length / runs.length;
      assert.ok(share > 0.28 && share < 0.39, `${name}: ${share}`);
    }
  });

  it('refuses bad ranges with one line naming them', () => {
    assert.equal(refusal([], ['learningRate=0..1e-2:log'], 4), '--range learningRate=0..1e-2:log: a :log range needs a low end > 0, got 0');
    assert.equal(refusal([], ['learningRate=1e-2..1e-4'], 4), '--range learningRate=1e-2..1e-4: the low end 0.01 is above the high end 0.0001');
    assert.equal(refusal([], ['learningRate=1e-4..1e-2:ln'], 4), '--range learningRate=1e-4..1e-2:ln: unknown scale ":ln" (the only one is :log; linear is the default)');
    assert.match(refusal([], ['learningRate=1e-4'], 4), /^--range learningRate=1e-4: expected learningRate=LOW\.\.HIGH with numbers/);
    assert.match(refusal([], ['optimizer=adam..sgd'], 4), /^--range optimizer=adam\.\.sgd: expected optimizer=LOW\.\.HIGH with numbers/);
    assert.equal(refusal([], ['validationSplit=0..1'], 4), '--range validationSplit=0..1: training.validationSplit is 1; expected a number in [0, 1)');
    assert.equal(refusal([], ['epochs=0..3'], 4), '--range epochs=0..3: training.epochs is 0; expected a positive integer');
    assert.match(refusal([], ['dropout=0..0.5'], 4), /^--range dropout=0\.\.0\.5: training\.dropout: unknown setting/);
    assert.match(refusal([], [], 4), /--random N needs something to draw/);
    assert.match(refusal([], ['momentum=0..0.9'], 0), /--random must be a whole number of runs from 1 to/);
  });
});
