/**
 * The Evaluation view's pure data (src/extension/evaluation/evaluationModel.ts, and the page's
 * webviews/evaluation/confusion.ts): the matrix row-normalised, a cell's samples and the most confident
 * mistakes in a stable order, which saved report opens first, and a damaged report refused in one line
 * that names the file.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { EvalReport, EvaluatedSample } from '../../src/protocol/engineTypes';
import { cellSamples, confidentMistakes, defaultSavedReport, readReport, reportFile, savedReports, summaryOf } from '../../src/extension/evaluation/evaluationModel';
import { normalise } from '../../webviews/evaluation/confusion';
import { tempDir } from '../helpers';

const sample = (index: number, label: number, predicted: number, confidence: number): EvaluatedSample => ({ index, label, predicted, confidence, trueProbability: label === predicted ? confidence : 0.01 });

const SAMPLES = [
  sample(0, 0, 0, 0.9),
  sample(1, 0, 1, 0.6),
  sample(2, 1, 1, 0.99),
  sample(3, 0, 1, 0.95),
  sample(4, 2, 0, 0.6),
  sample(5, 0, 1, 0.6),
  sample(6, 2, 2, 0.5),
];

function report(over: Partial<EvalReport> = {}): EvalReport {
  return {
    runId: 'r', runDir: '/runs/r', data: '/data/d', split: 'val', checkpoint: 'best', file: '/runs/r/eval/val-best.json',
    count: 7, loss: 0.5, accuracy: 3 / 7, topK: null, classes: ['a', 'b', 'c'],
    confusion: [[1, 3, 0], [0, 1, 0], [1, 0, 1]],
    perClass: ['a', 'b', 'c'].map((c) => ({ class: c, precision: 0.5, recall: 0.5, f1: 0.5, support: 2 })),
    macroF1: 0.5, weightedF1: 0.5, ece: 0.1,
    reliability: [{ lower: 0, upper: 1, count: 7, accuracy: 3 / 7, confidence: 0.73 }],
    samples: SAMPLES, ms: 1,
    ...over,
  };
}

describe('evaluation view model', () => {
  it('row-normalises the matrix: each true class sums to 1, an empty row stays 0; counts are copied', () => {
    const confusion = [[8, 2, 0], [0, 0, 0], [1, 1, 2]];
    assert.deepEqual(normalise(confusion, 'rows'), [[0.8, 0.2, 0], [0, 0, 0], [0.25, 0.25, 0.5]]);
    const counts = normalise(confusion, 'counts');
    assert.deepEqual(counts, confusion);
    counts[0][0] = 99;
    assert.equal(confusion[0][0], 8, 'the report is not changed');
  });

  it("a cell's samples: its true and predicted class only, most confident first, ties in dataset order, with the total", () => {
    const cell = cellSamples(SAMPLES, 0, 1);
    assert.equal(cell.total, 3);
    assert.deepEqual(cell.samples.map((s) => s.index), [3, 1, 5]);
    const limited = cellSamples(SAMPLES, 0, 1, 2);
    assert.equal(limited.total, 3);
    assert.deepEqual(limited.samples.map((s) => s.index), [3, 1]);
    assert.deepEqual(cellSamples(SAMPLES, 1, 0), { total: 0, samples: [] });
    // The diagonal: the correct ones.
    assert.deepEqual(cellSamples(SAMPLES, 2, 2).samples.map((s) => s.index), [6]);
  });

  it('the most confident mistakes: wrong predictions only, surest first, ties in dataset order, at most the limit', () => {
    assert.deepEqual(confidentMistakes(SAMPLES).map((s) => s.index), [3, 1, 4, 5]);
    assert.deepEqual(confidentMistakes(SAMPLES, 2).map((s) => s.index), [3, 1]);
    assert.deepEqual(confidentMistakes([sample(0, 1, 1, 0.9)]), []);
  });

  it("the page's summary leaves the samples out, keeps the mistakes, and turns a non-finite loss into null", () => {
    const summary = summaryOf(report({ loss: NaN }), true);
    assert.equal('samples' in summary, false);
    assert.deepEqual(summary.mistakes.map((s) => s.index), [3, 1, 4, 5]);
    assert.equal(summary.loss, null);
    assert.equal(summary.fromFile, true);
    assert.deepEqual(summary.confusion, report().confusion);
  });

  it('opens the saved report the engine would compute by default: test before val, best before last', () => {
    const runDir = tempDir('dl-lab-eval-model-');
    assert.equal(defaultSavedReport(runDir), undefined);
    assert.deepEqual(savedReports(runDir), []);
    fs.mkdirSync(path.join(runDir, 'eval'));
    const write = (split: 'train' | 'val' | 'test', checkpoint: 'best' | 'last') => fs.writeFileSync(reportFile(runDir, { split, checkpoint }), '{}');
    write('train', 'best');
    write('val', 'last');
    assert.deepEqual(defaultSavedReport(runDir), { split: 'val', checkpoint: 'last' });
    write('val', 'best');
    assert.deepEqual(defaultSavedReport(runDir), { split: 'val', checkpoint: 'best' });
    write('test', 'last');
    assert.deepEqual(defaultSavedReport(runDir), { split: 'test', checkpoint: 'last' });
    assert.deepEqual(savedReports(runDir), ['test-last', 'val-best', 'val-last', 'train-best']);
    assert.equal(reportFile(runDir, { split: 'test', checkpoint: 'last' }), path.join(runDir, 'eval', 'test-last.json'));
  });

  it('reads a saved report back, and refuses a damaged one in one line naming the file and what is wrong', () => {
    const dir = tempDir('dl-lab-eval-model-');
    const file = path.join(dir, 'val-best.json');
    fs.writeFileSync(file, JSON.stringify(report()));
    assert.deepEqual(readReport(file).confusion, report().confusion);
    const refused = (content: string): string => {
      fs.writeFileSync(file, content);
      try {
        readReport(file);
      } catch (err) {
        const message = (err as Error).message;
        assert.ok(!message.includes('\n'), message);
        assert.ok(message.startsWith(`${file}: `), message);
        return message;
      }
      assert.fail(`accepted ${content.slice(0, 80)}`);
    };
    assert.match(refused('{"split": "val", '), /not JSON/);
    assert.match(refused(JSON.stringify(report({ confusion: [[1, 2], [3, 4]] }))), /confusion matrix is not 3×3; evaluate again/);
    assert.match(refused(JSON.stringify(report({ split: 'validation' as never }))), /split "validation" is not one of train, val, test/);
    assert.match(refused(JSON.stringify({ ...report(), samples: undefined })), /it has no samples/);
    assert.match(refused('null'), /not an evaluation report/);
    fs.rmSync(file);
    assert.throws(() => readReport(file), (err: Error) => err.message.startsWith(`${file}: ENOENT`));
  });
});
