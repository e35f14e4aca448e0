/**
 * `dl-lab export` through the real CLI and engine (dist/): a LeNet-5 run trained for one epoch exports to
 * ONNX and to a TensorFlow.js folder, and ONNX Runtime's output equals TensorFlow.js's on that folder to
 * 1e-4; a run whose model has a layer without a conversion is refused naming the line; bad arguments and
 * keras get one line each, and nothing is written.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { fileSystemHandler } from '../../src/engine/training/checkpoint';
import { LENET, runCli, tempDir } from '../helpers';
import { skipUnlessPython } from '../python';
import { maxAbsDiff, ONNX_PYTHON_MODULES, onnxPython, randomInput, runOnnx, writeConv1dModel } from './harness';

tf.env().set('PROD', true);

const dir = tempDir('dl-lab-export-cli-');
const runsDir = path.join(dir, 'runs');
const DATA = 'synthetic:shapes?count=120';

/** Trains `modelFile` for one epoch; returns the run id. */
async function trainedRun(modelFile: string): Promise<string> {
  const r = await runCli(['train', modelFile, '--data', DATA, '--epochs', '1', '--batch-size', '32', '--runs-dir', runsDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const started = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.event === 'started');
  return started.runId as string;
}

describe('dl-lab export', () => {
  let runId: string;
  before(async () => {
    await tf.setBackend('cpu');
    runId = await trainedRun(LENET);
  });

  it('writes the ONNX file and the TensorFlow.js folder of a run, whose outputs agree to 1e-4', { skip: skipUnlessPython(ONNX_PYTHON_MODULES) }, async (t) => {
    const onnxFile = path.join(dir, 'out', 'lenet.onnx');
    const r = await runCli(['export', runId, '--runs-dir', runsDir, '--format', 'onnx', '--out', onnxFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^wrote .*lenet\.onnx \(ONNX opset 17, \d+ nodes, [\d.]+ kB\) from run \S+, checkpoint last \(epoch 1\)$/m);
    assert.match(r.stdout, /^input {2}input \[batch, 28, 28, 1\] float32, NHWC, normalised as in training: \(pixel \* 0\.00392157 - mean\) \/ std, mean \[[\d.]+\], std \[[\d.]+\]$/m);
    assert.match(r.stdout, /^output output \[batch, 6\]$/m);

    const folder = path.join(dir, 'out', 'lenet-tfjs');
    const j = await runCli(['export', path.join(runsDir, runId), '--format', 'tfjs', '--out', folder, '--checkpoint', 'best', '--json']);
    assert.equal(j.code, 0, j.stderr);
    const result = JSON.parse(j.stdout);
    assert.equal(result.checkpoint, 'best');
    assert.deepEqual(fs.readdirSync(folder).sort(), ['model.json', 'normalization.json', 'weights.bin']);

    // After one epoch, best and last are the same weights: the ONNX file of last against the folder of best.
    const model = await tf.loadLayersModel(fileSystemHandler(path.join(folder, 'model.json')));
    const x = randomInput([4, 28, 28, 1]);
    const expected = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    model.dispose();
    const out = runOnnx(onnxPython()!, path.join(dir, 'ort'), [{ name: 'lenet', onnx: fs.readFileSync(onnxFile), input: x }]).get('lenet')!;
    assert.equal(out.error, undefined, out.error);
    const diff = maxAbsDiff(out.output!, expected);
    assert.ok(diff < 1e-4, `max abs difference ${diff}`);
    t.diagnostic(`LeNet-5 after one epoch: max abs difference ${diff.toExponential(2)}`);
  });

  it('names a layer it cannot export with its model-file line, and writes nothing', async () => {
    const file = writeConv1dModel(dir);
    const id = await trainedRun(file);
    const out = path.join(dir, 'out', 'conv1d.onnx');
    const r = await runCli(['export', id, '--runs-dir', runsDir, '--format', 'onnx', '--out', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^dl-lab: \S*conv1d\.model\.ts:5: layer conv1d_Conv1D1 \(Conv1D\) cannot be exported to ONNX: there is no ONNX conversion for Conv1D\n$/);
    assert.equal(fs.existsSync(out), false);
  });

  it('answers bad arguments and keras with one line each', async () => {
    const cases: [string[], number, RegExp][] = [
      [['export'], 2, /^dl-lab: export needs a run folder or a run id, e\.g\. dl-lab export runs\/<run>$/m],
      [['export', 'no-such-run', '--format', 'onnx', '--out', 'a.onnx', '--runs-dir', runsDir], 2, /^dl-lab: no run "no-such-run": neither a folder with run\.json nor a run id in .*runs$/m],
      [['export', runId, '--runs-dir', runsDir, '--out', 'a.onnx'], 2, /^dl-lab: export needs --format onnx\|tfjs\|keras, e\.g\./m],
      [['export', runId, '--runs-dir', runsDir, '--format', 'pb', '--out', 'a.onnx'], 2, /^dl-lab: --format must be onnx, tfjs, keras, got "pb"$/m],
      [['export', runId, '--runs-dir', runsDir, '--format', 'onnx', '--out', 'a.onnx', '--checkpoint', 'untrained'], 2, /^dl-lab: --checkpoint must be last or best, got "untrained"$/m],
      [['export', runId, '--runs-dir', runsDir, '--format', 'onnx'], 2, /^dl-lab: export needs --out PATH: the \.onnx file to write$/m],
      [['export', runId, '--runs-dir', runsDir, '--format', 'onnx', '--out', 'model.pb'], 2, /^dl-lab: --out must name a \.onnx file, got "model\.pb"$/m],
      [['export', runId, '--runs-dir', runsDir, '--format', 'keras', '--out', 'model.h5'], 1, /^dl-lab: no maintained writer of Keras files .* tensorflowjs_converter --input_format=tfjs_layers_model --output_format=keras model-tfjs\/model\.json model\.h5 .*\)\n$/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(args, { cwd: dir });
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stderr.split('\n')[0].startsWith('dl-lab: '), true);
      assert.equal(r.stdout, '');
    }
    assert.equal(fs.existsSync(path.join(dir, 'a.onnx')) || fs.existsSync(path.join(dir, 'model.h5')), false);
  });
});
