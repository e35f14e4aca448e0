/**
 * Numeric training options are checked by the CLI with the engine's own rules, before anything is written:
 * `--lr -0.5` reached the engine, which refused it after creating the run folder (a `failed` run left behind;
 * on --resume, the resumed run was marked failed).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { LENET, runCli, tempDir } from '../helpers';

const CASES: [string[], RegExp][] = [
  [['--lr', '-0.5'], /^dl-lab: --lr must be a positive number, got "-0\.5"$/],
  [['--lr', '0'], /^dl-lab: --lr must be a positive number, got "0"$/],
  [['--weight-decay', '-1'], /^dl-lab: --weight-decay must be a number >= 0, got "-1"$/],
  [['--validation-split', '1.5'], /^dl-lab: --validation-split must be a number in \[0, 1\), got "1\.5"$/],
  [['--validation-split', '-0.1'], /^dl-lab: --validation-split must be a number in \[0, 1\), got "-0\.1"$/],
  [['--epochs', '0'], /^dl-lab: --epochs must be an integer >= 1, got "0"$/],
  [['--batch-size', '2.5'], /^dl-lab: --batch-size must be an integer >= 1, got "2\.5"$/],
  [['--seed', '-3'], /^dl-lab: --seed must be an integer >= 0, got "-3"$/],
  [['--early-stopping', '0'], /^dl-lab: --early-stopping must be an integer >= 1, got "0"$/],
];

describe('dl-lab train refuses a bad numeric option before a run folder exists', () => {
  for (const [option, message] of CASES) {
    it(`${option.join(' ')}: one line naming the option and its rule, no run folder`, async () => {
      const runsDir = path.join(tempDir(), 'runs');
      const result = await runCli(['train', LENET, '--runs-dir', runsDir, ...option]);
      assert.equal(result.code, 2, result.stdout + result.stderr);
      // The message, then the usage hint every usage error ends with.
      const lines = result.stderr.trim().split('\n');
      assert.match(lines[0], message);
      assert.deepEqual(lines.slice(1), ['(run dl-lab --help for usage)']);
      assert.equal(fs.existsSync(runsDir) ? fs.readdirSync(runsDir).length : 0, 0, 'no run folder');
    });
  }
});
