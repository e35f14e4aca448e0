import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadModelFile, ModelFileError } from '../../src/engine/model/modelFile';
import { FIXTURES, LENET, tempDir } from '../helpers';

tf.env().set('PROD', true);

const fixture = (name: string) => path.join(FIXTURES, 'models', name);

describe('model files', () => {
  it('builds the LeNet-5 example with the parameter count of LeCun et al. 1998 (61,706 for 10 classes)', async () => {
    const loaded = await loadModelFile(LENET);
    const model = loaded.build({ inputShape: [28, 28, 1], numClasses: 10 });
    // C1 156 + C3 2,416 + C5 48,120 + F6 10,164 + output 850
    assert.equal(model.countParams(), 61_706);
    assert.deepEqual(model.outputs[0].shape, [null, 10]);
    assert.equal(loaded.training.epochs, 5);
    model.dispose();
  });

  it("gives the model file the engine's own TensorFlow.js, with no node_modules beside it", async () => {
    const dir = tempDir();
    const file = path.join(dir, 'mlp.model.ts');
    fs.writeFileSync(
      file,
      `import * as tf from '@tensorflow/tfjs';\nimport { hidden } from './sizes';\n` +
        `export default ({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) =>\n` +
        `  tf.sequential({ layers: [tf.layers.flatten({ inputShape }), tf.layers.dense({ units: hidden }), tf.layers.dense({ units: numClasses })] });\n`,
    );
    fs.writeFileSync(path.join(dir, 'sizes.ts'), 'export const hidden = 7;\n');
    const model = (await loadModelFile(file)).build({ inputShape: [4, 4, 1], numClasses: 3 });
    assert.ok(model instanceof tf.LayersModel, 'the model is an instance of the engine tf.LayersModel class');
    assert.equal(model.countParams(), 16 * 7 + 7 + 7 * 3 + 3);
    model.dispose();
  });

  it('reports a syntax error with the file, line and column', async () => {
    const err = await loadModelFile(fixture('syntax-error.model.ts')).catch((e) => e);
    assert.ok(err instanceof ModelFileError);
    assert.match(err.message, /syntax-error\.model\.ts:4:\d+: /);
    assert.equal(err.line, 4);
    assert.equal(err.message.split('\n').length, 1, 'one line');
  });

  it('reports an exception thrown while building at the line that threw, inside a helper', async () => {
    const loaded = await loadModelFile(fixture('throws.model.ts'));
    assert.throws(
      () => loaded.build({ inputShape: [28, 28, 1], numClasses: 6 }),
      (err: ModelFileError) => {
        assert.match(err.message, /throws\.model\.ts:5:\d+: error while building the model: a block of 1024 filters/);
        return true;
      },
    );
  });

  it("points a TensorFlow.js layer error at the user's line, not at TensorFlow.js", async () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad-layer.model.ts');
    fs.writeFileSync(
      file,
      [
        "import * as tf from '@tensorflow/tfjs';",
        'export default function m({ inputShape }: { inputShape: number[] }) {',
        '  const model = tf.sequential();',
        '  model.add(tf.layers.flatten({ inputShape }));',
        '  model.add(tf.layers.conv2d({ filters: 4, kernelSize: 3 }));',
        '  return model;',
        '}',
      ].join('\n'),
    );
    const loaded = await loadModelFile(file);
    assert.throws(() => loaded.build({ inputShape: [28, 28, 1], numClasses: 6 }), /bad-layer\.model\.ts:5:\d+: .*expected ndim=4/);
  });

  it('explains a missing default export and a non-model return value', async () => {
    const dir = tempDir();
    const none = path.join(dir, 'none.model.js');
    fs.writeFileSync(none, 'export const training = { epochs: 1 };\n');
    await assert.rejects(loadModelFile(none), /none\.model\.js: the model file has no default export function/);
    const wrong = path.join(dir, 'wrong.model.js');
    fs.writeFileSync(wrong, 'export default () => 42;\n');
    const loaded = await loadModelFile(wrong);
    assert.throws(() => loaded.build({ inputShape: [1], numClasses: 2 }), /must return a tf\.LayersModel .* returned Number/);
  });

  it('names a model file that does not exist', async () => {
    await assert.rejects(loadModelFile('/nowhere/x.model.ts'), /\/nowhere\/x\.model\.ts: model file not found/);
  });
});
