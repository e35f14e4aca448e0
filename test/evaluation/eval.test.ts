/**
 * `dl-lab eval` through the real CLI and engine on real data: LeNet (ReLU) trained one epoch on the MNIST
 * test images (the data's only split, so the run carves its validation from it), then evaluated. The
 * evaluation must see exactly the run's validation carve: its loss and accuracy on the last checkpoint are
 * the run's last val_loss and val_acc.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { DATASETS, readJsonl, ROOT, runCli, tempDir, trainRun } from '../helpers';

const MNIST = path.join(DATASETS, 'mnist');
const LENET_RELU = path.join(ROOT, 'examples', 'lenet-relu.model.ts');

describe('dl-lab eval', () => {
  let runDir: string;
  let runsDir: string;
  before(async () => {
    runsDir = tempDir();
    ({ runDir } = await trainRun(LENET_RELU, ['--data', MNIST, '--epochs', '1', '--validation-split', '0.2', '--backend', 'wasm'], runsDir));
  });

  it('evaluates the validation carve by default, consistently with itself and with training', async () => {
    const result = await runCli(['eval', runDir, '--checkpoint', 'last', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.split, 'val');
    assert.equal(report.checkpoint, 'last');
    assert.equal(report.count, 2000); // 20% of 10,000
    const epoch = readJsonl(path.join(runDir, 'metrics.jsonl')).filter((r) => r.kind === 'epoch').at(-1)!;
    assert.ok(Math.abs(report.loss - epoch.val_loss) < 1e-5, `eval loss ${report.loss} vs the run's val_loss ${epoch.val_loss}`);
    assert.ok(Math.abs(report.accuracy - epoch.val_acc) < 1e-9, `eval accuracy ${report.accuracy} vs the run's val_acc ${epoch.val_acc}`);

    const confusion: number[][] = report.confusion;
    assert.equal(confusion.length, 10);
    assert.equal(confusion.flat().reduce((a, b) => a + b, 0), report.count);
    const trace = confusion.reduce((a, row, c) => a + row[c], 0);
    assert.equal(trace / report.count, report.accuracy);
    assert.deepEqual(report.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    report.perClass.forEach((m: any, c: number) => {
      assert.equal(m.support, confusion[c].reduce((a, b) => a + b, 0));
      assert.equal(m.recall, confusion[c][c] / m.support);
    });
    assert.ok(report.accuracy > 0.85, `accuracy ${report.accuracy} after an epoch`);
    assert.ok(report.topK.k === 5 && report.topK.accuracy >= report.accuracy);
    assert.ok(report.macroF1 > 0.8 && report.weightedF1 > 0.8);
    assert.equal(report.reliability.length, 15);
    assert.equal(report.reliability.reduce((a: number, b: any) => a + b.count, 0), report.count);
    assert.ok(report.ece >= 0 && report.ece < 0.1, `ece ${report.ece}`);

    // Saved where the views read it, with every sample's prediction.
    assert.equal(report.file, path.join(runDir, 'eval', 'val-last.json'));
    const saved = JSON.parse(fs.readFileSync(report.file, 'utf8'));
    assert.deepEqual(saved.confusion, confusion);
    assert.equal(saved.samples.length, report.count);
    const mistakes = saved.samples.filter((s: any) => s.label !== s.predicted).length;
    assert.equal(mistakes, report.count - trace);
  });

  it('takes a run id, defaults to the best checkpoint, and prints the matrix', async () => {
    const result = await runCli(['eval', path.basename(runDir), '--runs-dir', runsDir]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /best checkpoint on the val split of .*mnist, 2,000 samples/);
    assert.match(result.stdout, /confusion matrix \(rows: true class, columns: predicted\)/);
    assert.match(result.stdout, /saved .*val-best\.json/);
    assert.ok(fs.existsSync(path.join(runDir, 'eval', 'val-best.json')));
  });

  it('says in one line what is wrong', async () => {
    const noTest = await runCli(['eval', runDir, '--split', 'test']);
    assert.equal(noTest.code, 1);
    assert.match(noTest.stderr, /^dl-lab: run \S+: no test samples in .*mnist \(the data has no held-out test split\); choose another --split\n$/);
    const badSplit = await runCli(['eval', runDir, '--split', 'validation']);
    assert.equal(badSplit.code, 2);
    assert.match(badSplit.stderr, /--split must be train, val, test, got "validation"/);
    const badCheckpoint = await runCli(['eval', runDir, '--checkpoint', 'untrained']);
    assert.match(badCheckpoint.stderr, /--checkpoint must be best or last, got "untrained"/);
    const otherData = await runCli(['eval', runDir, '--data', 'synthetic:shapes']);
    assert.equal(otherData.code, 1);
    assert.match(otherData.stderr, /^dl-lab: synthetic:shapes \(samples of 28x28x1, 6 classes\) does not fit run \S+, trained on .*mnist: give data of the same sample shape and classes\n$/);
    const noRun = await runCli(['eval', 'no-such-run', '--runs-dir', runsDir]);
    assert.equal(noRun.code, 2);
    assert.match(noRun.stderr, /no run "no-such-run"/);
  });
});
