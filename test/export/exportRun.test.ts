/**
 * Export of a run's checkpoint (the engine's export request, in this process): LeNet-5, ResNet-18,
 * GoogLeNet and DenseNet-121 from their templates, with BatchNorm statistics that are not the identity, saved as a checkpoint the way the
 * trainer saves it. ONNX Runtime's output on the exported .onnx equals TensorFlow.js's on the exported
 * TensorFlow.js folder (the same checkpoint) to 1e-4; the ONNX file carries the run's normalisation and
 * classes. A layer without a conversion is named with its model-file line; bad requests get one line.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { exportRun } from '../../src/engine/export/exportRun';
import { loadModelFile } from '../../src/engine/model/modelFile';
import { fileSystemHandler, saveCheckpoint } from '../../src/engine/training/checkpoint';
import { findTemplate, renderTemplate } from '../../src/templates/catalogue';
import { DATASETS, tempDir } from '../helpers';
import { skipUnlessPython } from '../python';
import { BATCH_NORM_WEIGHTS, maxAbsDiff, ONNX_PYTHON_MODULES, onnxPython, randomInput, randomizeWeights, runOnnx, writeConv1dModel } from './harness';

tf.env().set('PROD', true);

/** The data each test run was "trained" on: the input shape and classes come from it. */
const SHAPES = { data: 'synthetic:shapes?count=60', inputShape: [28, 28, 1], numClasses: 6 };
const CIFAR = { data: path.join(DATASETS, 'cifar10-small'), inputShape: [32, 32, 3], numClasses: 10 };
type Data = typeof SHAPES;
const dir = tempDir('dl-lab-export-');

/** A run folder whose checkpoints/last holds `file`'s model with non-trivial BatchNorm statistics. */
async function fakeRun(name: string, file: string, data: Data = SHAPES): Promise<string> {
  const runDir = path.join(dir, 'runs', name);
  fs.mkdirSync(runDir, { recursive: true });
  const loaded = await loadModelFile(file);
  const model = randomizeWeights(loaded.build({ inputShape: data.inputShape, numClasses: data.numClasses }), 5, BATCH_NORM_WEIGHTS);
  await saveCheckpoint(path.join(runDir, 'checkpoints', 'last'), model, null, { epoch: 1, step: 1, monitor: 'val_loss', best: null, time: Date.now(), metrics: {} });
  model.dispose();
  const record = { id: name, modelFile: file, data: data.data, config: {}, backend: null, status: 'completed', startTime: new Date().toISOString(), epochsCompleted: 1 };
  fs.writeFileSync(path.join(runDir, 'run.json'), JSON.stringify(record));
  return runDir;
}

function templateFile(id: string, data: Data = SHAPES): string {
  const file = path.join(dir, `${id}.model.ts`);
  fs.writeFileSync(file, renderTemplate(findTemplate(id)!, { inputShape: data.inputShape, numClasses: data.numClasses }));
  return file;
}

describe('dl-lab export of a run (engine side)', () => {
  before(() => tf.setBackend('cpu'));

  // The two the issue names, and the templates with concatenating branches (Inception, dense blocks).
  for (const [id, data] of [['lenet5', SHAPES], ['resnet18', CIFAR], ['googlenet', CIFAR], ['densenet121', CIFAR]] as const) {
    it(`${id}: ONNX Runtime on the .onnx equals TensorFlow.js on the exported folder to 1e-4`, { skip: skipUnlessPython(ONNX_PYTHON_MODULES) }, async (t) => {
      const runDir = await fakeRun(id, templateFile(id, data), data);
      const onnxFile = path.join(dir, 'out', `${id}.onnx`);
      const result = await exportRun({ runDir, format: 'onnx', out: onnxFile }, 'test');
      assert.equal(result.out, onnxFile);
      assert.deepEqual(result.onnx?.inputs, [{ name: 'input', shape: ['batch', ...data.inputShape] }]);
      assert.deepEqual(result.onnx?.outputs, [{ name: 'output', shape: ['batch', data.numClasses] }]);
      const folder = path.join(dir, 'out', `${id}-tfjs`);
      const tfjs = await exportRun({ runDir, format: 'tfjs', out: folder }, 'test');
      assert.deepEqual(tfjs.files.map((f) => path.basename(f)).sort(), ['model.json', 'weights.bin']);

      const model = await tf.loadLayersModel(fileSystemHandler(path.join(folder, 'model.json')));
      const x = randomInput([3, ...data.inputShape]);
      const expected = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
      model.dispose();
      // The probabilities are spread (not saturated), so that 1e-4 says something about every class.
      assert.ok(Math.max(...expected) < 0.99, `${id}: outputs not saturated (max ${Math.max(...expected)})`);
      const r = runOnnx(onnxPython()!, path.join(dir, `ort-${id}`), [{ name: id, onnx: fs.readFileSync(onnxFile), input: x }]).get(id)!;
      assert.equal(r.error, undefined, r.error);
      const diff = maxAbsDiff(r.output!, expected);
      assert.ok(diff < 1e-4, `${id}: max abs difference ${diff}`);
      t.diagnostic(`${id}: max abs difference ${diff.toExponential(2)} over ${expected.length} outputs, ${result.onnx!.nodes} ONNX nodes, ${(result.bytes / 1e6).toFixed(1)} MB`);
    });
  }

  it('names a layer it cannot convert with its model-file line', async () => {
    const file = writeConv1dModel(dir);
    const runDir = await fakeRun('conv1d', file);
    await assert.rejects(exportRun({ runDir, format: 'onnx', out: path.join(dir, 'out', 'conv1d.onnx') }, 'test'), (err: Error) => {
      assert.match(err.message, /conv1d\.model\.ts:5: layer conv1d_Conv1D1 \(Conv1D\) cannot be exported to ONNX: there is no ONNX conversion for Conv1D$/);
      assert.equal(err.message.split('\n').length, 1);
      return true;
    });
    assert.equal(fs.existsSync(path.join(dir, 'out', 'conv1d.onnx')), false, 'nothing written');
  });

  it('answers a bad request with one line', async () => {
    const runDir = await fakeRun('lenet-only-last', templateFile('lenet5'));
    const out = path.join(dir, 'out', 'x.onnx');
    await assert.rejects(exportRun({ runDir, format: 'onnx', checkpoint: 'best', out }, 'test'), /^Error: run lenet-only-last has no "best" checkpoint \(.*checkpoints\/best\); export last instead$/);
    await assert.rejects(exportRun({ runDir, format: 'pb' as 'onnx', out }, 'test'), /^Error: format must be onnx, tfjs, keras, got "pb"$/);
    await assert.rejects(exportRun({ runDir, format: 'onnx', checkpoint: 'untrained' as 'last', out }, 'test'), /^Error: checkpoint must be last or best, got "untrained"$/);
    await assert.rejects(exportRun({ runDir, format: 'keras', out }, 'test'), /tensorflowjs_converter --input_format=tfjs_layers_model --output_format=keras/);
    await assert.rejects(exportRun({ runDir: path.join(dir, 'nowhere'), format: 'onnx', out }, 'test'), /nowhere.run\.json: cannot read run record/);
    await assert.rejects(exportRun({ runDir, format: 'onnx', out: dir }, 'test'), /is a folder; give the \.onnx file to write$/);
  });
});
