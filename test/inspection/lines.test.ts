/**
 * Layer to source line (helpers, loops, the dl-lab layer library), receptive fields and jumps, and model
 * build errors that point at the user's line, directly and through the engine process (ResponseError with
 * ModelErrorData).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EngineClient } from '../../src/client/engineClient';
import { featureMaps } from '../../src/engine/inspection';
import { ModelFileError } from '../../src/engine/model/modelFile';
import { summarizeModelFile } from '../../src/engine/model/summary';
import { MODEL_ERROR_CODE, type ModelErrorData } from '../../src/protocol/engineTypes';
import { FeatureMapsRequest, ModelSummaryRequest } from '../../src/protocol/engineRequests';
import { findTemplate, renderTemplate } from '../../src/templates/catalogue';
import { DATASETS, ENGINE, FIXTURES, LENET, tempDir } from '../helpers';

const MODELS = path.join(FIXTURES, 'models');

/** The 1-based line that ends with `// @tag`. */
function tagLine(file: string, tag: string): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const found = lines.flatMap((l, i) => (l.trimEnd().endsWith(`// @${tag}`) ? [i + 1] : []));
  assert.equal(found.length, 1, `one line tagged @${tag} in ${file}`);
  return found[0];
}

describe('layer lines', () => {
  it('maps every layer of a functional model built by helpers in a loop (and a dl-lab layer) to its tf.layers line', async () => {
    const file = path.join(MODELS, 'helpers-loop.model.ts');
    const summary = await summarizeModelFile({ modelFile: file, inputShape: [16, 16, 3], numClasses: 5 });
    const tagOf = (name: string): string => {
      if (name === 'input') return 'input';
      if (/_conv$/.test(name)) return 'conv';
      if (/_bn$/.test(name)) return 'bn';
      if (/_relu$/.test(name)) return 'relu';
      if (/^block\d_b$/.test(name)) return 'resconv';
      if (/_add$/.test(name)) return 'add';
      return { blur: 'blur', left: 'left', right: 'right', concat: 'concat', gap: 'gap', out: 'dense' }[name]!;
    };
    assert.equal(summary.layers.length, 20);
    for (const layer of summary.layers) assert.equal(layer.line, tagLine(file, tagOf(layer.name)), layer.name);
    assert.equal(summary.layers.find((l) => l.name === 'blur')!.type, 'DlLabBlurPool');
  });

  it('maps the layers of a sequential model whose blocks come from a helper called in a loop', async () => {
    const file = path.join(MODELS, 'vgg-blocks.model.ts');
    const summary = await summarizeModelFile({ modelFile: file, inputShape: [16, 16, 1], numClasses: 3 });
    assert.deepEqual(
      summary.layers.map((l) => [l.type, l.line]),
      [
        // An explicit tf.layers.inputLayer is one of a sequential model's layers.
        ['InputLayer', tagLine(file, 'input')],
        ['Conv2D', tagLine(file, 'conv')],
        ['MaxPooling2D', tagLine(file, 'pool')],
        ['Conv2D', tagLine(file, 'conv')],
        ['Conv2D', tagLine(file, 'conv')],
        ['MaxPooling2D', tagLine(file, 'pool')],
        ['Flatten', tagLine(file, 'flatten')],
        ['Dense', tagLine(file, 'dense')],
      ],
    );
  });
});

describe('receptive field and jump', () => {
  it('LeNet-5: 5, 6, 14, 16 input pixels with jumps 1, 2, 2, 4; none after flatten', async () => {
    const s = await summarizeModelFile({ modelFile: LENET, inputShape: [28, 28, 1], numClasses: 10 });
    assert.deepEqual(
      s.layers.map((l) => [l.receptiveField, l.jump]),
      [[5, 1], [6, 2], [14, 2], [16, 4], [null, null], [null, null], [null, null], [null, null]],
    );
  });

  it('a residual block: the Add takes the larger field of its branches; BlurPool and branches of a Concatenate too', async () => {
    const s = await summarizeModelFile({ modelFile: path.join(MODELS, 'helpers-loop.model.ts'), inputShape: [16, 16, 3], numClasses: 5 });
    const rf = Object.fromEntries(s.layers.map((l) => [l.name, [l.receptiveField, l.jump]]));
    assert.deepEqual(rf.stem_relu, [3, 1]);
    // Block 0: identity branch rf 3, conv-conv branch 3 + 2 + 2 = 7.
    assert.deepEqual(rf.block0_b, [7, 1]);
    assert.deepEqual(rf.block0_add, [7, 1]);
    assert.deepEqual(rf.block1_add, [11, 1]);
    // BlurPool 3x3 stride 2: 11 + 2; then a 1x1 conv (13) and a 3x3 stride-1 max-pool (13 + 2*2) concatenated.
    assert.deepEqual(rf.blur, [13, 2]);
    assert.deepEqual(rf.left, [13, 2]);
    assert.deepEqual(rf.right, [17, 2]);
    assert.deepEqual(rf.concat, [17, 2]);
    assert.deepEqual(rf.gap, [null, null]);
  });

  it('VGG-16: 196 at conv5_3, 212 and jump 32 at pool5; ResNet-18: 435 at its last block (the published values)', async () => {
    const dir = tempDir();
    const vgg = path.join(dir, 'vgg16.model.ts');
    // The field does not depend on the input size ('same' padding): 32x32 keeps the test light.
    fs.writeFileSync(vgg, renderTemplate(findTemplate('vgg16')!, { inputShape: [32, 32, 3], numClasses: 10 }));
    const v = await summarizeModelFile({ modelFile: vgg, inputShape: [32, 32, 3], numClasses: 10 });
    const convs = v.layers.filter((l) => l.type === 'Conv2D');
    const pools = v.layers.filter((l) => l.type === 'MaxPooling2D');
    assert.equal(convs.length, 13);
    assert.deepEqual(convs.map((l) => l.receptiveField), [3, 5, 10, 14, 24, 32, 40, 60, 76, 92, 132, 164, 196]);
    assert.deepEqual(pools.map((l) => [l.receptiveField, l.jump]), [[6, 2], [16, 4], [44, 8], [100, 16], [212, 32]]);

    const resnet = path.join(dir, 'resnet18.model.ts');
    fs.writeFileSync(resnet, renderTemplate(findTemplate('resnet18')!, { inputShape: [64, 64, 3], numClasses: 10 }));
    const r = await summarizeModelFile({ modelFile: resnet, inputShape: [64, 64, 3], numClasses: 10 });
    const adds = r.layers.filter((l) => l.type === 'Add');
    assert.equal(adds.length, 8);
    assert.deepEqual(adds.map((l) => [l.receptiveField, l.jump]), [[27, 4], [43, 4], [67, 8], [99, 8], [147, 16], [211, 16], [307, 32], [435, 32]]);
    assert.equal(r.layers.find((l) => l.type === 'GlobalAveragePooling2D')!.receptiveField, null);
  });
});

describe('model errors point at the line', () => {
  it('concatenating mismatched shapes: the concatenate line, with TensorFlow.js message', async () => {
    const file = path.join(MODELS, 'concat-mismatch.model.ts');
    await assert.rejects(summarizeModelFile({ modelFile: file, inputShape: [16, 16, 1], numClasses: 3 }), (err: unknown) => {
      assert.ok(err instanceof ModelFileError);
      assert.equal(err.file, file);
      assert.equal(err.line, tagLine(file, 'concat'));
      assert.match(err.detail, /Concatenate.*matching shapes.*\[\[null,14,14,4\],\[null,7,7,4\]\]/);
      return true;
    });
  });

  it('a layer of tf.sequential({ layers: [...] }) that cannot be added: the line that created that layer, not the sequential call', async () => {
    const file = path.join(MODELS, 'sequential-list-error.model.ts');
    await assert.rejects(summarizeModelFile({ modelFile: file, inputShape: [28, 28, 1], numClasses: 3 }), (err: unknown) => {
      assert.ok(err instanceof ModelFileError);
      assert.equal(err.file, file);
      assert.equal(err.line, tagLine(file, 'big'));
      // Named as the summary would name it: the second Conv2D of the file, whatever was built before.
      assert.match(err.detail, /Negative dimension size caused by adding layer conv2d_Conv2D2 /);
      return true;
    });
  });

  it('unnamed layers get the same names in every build, in the summary and the feature maps: conv2d_Conv2D1, conv2d_Conv2D2, ...', async () => {
    const args = { modelFile: LENET, inputShape: [28, 28, 1], numClasses: 10 };
    const first = await summarizeModelFile(args);
    const second = await summarizeModelFile(args);
    const expected = [
      'conv2d_Conv2D1', 'average_pooling2d_AveragePooling2D1', 'conv2d_Conv2D2', 'average_pooling2d_AveragePooling2D2',
      'flatten_Flatten1', 'dense_Dense1', 'dense_Dense2', 'dense_Dense3',
    ];
    assert.deepEqual(first.layers.map((l) => l.name), expected);
    assert.deepEqual(second.layers.map((l) => l.name), expected, 'a rebuild in the same process keeps the names');
    const maps = await featureMaps({ modelFile: LENET, data: 'synthetic:shapes', sample: { kind: 'index', index: 0 } });
    assert.deepEqual(maps.layers.map((l) => l.layer), expected.filter((n) => !n.startsWith('input')));
    // Names the user gave stay, and no unnamed layer takes one of them.
    const file = path.join(tempDir('dl-lab-names-'), 'named.model.ts');
    fs.writeFileSync(file, `import * as tf from '@tensorflow/tfjs';
export default ({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) => tf.sequential({ layers: [
  tf.layers.dense({ inputShape, units: 4, name: 'dense_Dense1' }),
  tf.layers.dense({ units: 4 }),
  tf.layers.dense({ units: numClasses, name: 'head' }),
] });
`);
    const named = await summarizeModelFile({ modelFile: file, inputShape: [3], numClasses: 2 });
    assert.deepEqual(named.layers.map((l) => l.name), ['dense_Dense1', 'dense_Dense2', 'head']);
  });

  it('a summary for a dataset takes its shape and classes, and sees a class folder added since the last one', async () => {
    const dir = path.join(tempDir('dl-lab-summary-data-'), 'images');
    for (const name of ['cat', 'dog']) fs.cpSync(path.join(DATASETS, 'cifar10-small', name), path.join(dir, name), { recursive: true });
    const first = await summarizeModelFile({ modelFile: LENET, data: dir });
    assert.deepEqual([first.inputShape, first.numClasses], [[32, 32, 3], 2]);
    assert.deepEqual(first.layers.at(-1)!.outputShape, [null, 2]);
    // Asked again (every save asks), and after the folder changed.
    assert.equal((await summarizeModelFile({ modelFile: LENET, data: dir })).numClasses, 2);
    fs.cpSync(path.join(DATASETS, 'cifar10-small', 'frog'), path.join(dir, 'frog'), { recursive: true });
    const after = await summarizeModelFile({ modelFile: LENET, data: dir });
    assert.equal(after.numClasses, 3);
    assert.deepEqual(after.layers.at(-1)!.outputShape, [null, 3]);
  });

  it('through the engine process: model/summary and inspect/featureMaps answer a ResponseError with ModelErrorData', async () => {
    const engine = new EngineClient({ enginePath: ENGINE, maxRestarts: 0 });
    try {
      const cases: [string, 'summary' | 'featureMaps', string, RegExp][] = [
        ['conv-after-flatten.model.ts', 'summary', 'conv', /expected ndim=4, found ndim=2/],
        ['concat-mismatch.model.ts', 'featureMaps', 'concat', /matching shapes/],
        // Builds (TensorFlow.js applies the dense to the last axis) but cannot classify: the dense's line.
        ['dense-on-4d.model.ts', 'featureMaps', 'dense', /output has shape \[batch, 26, 26, 6\].*add tf\.layers\.flatten\(\) before it/],
      ];
      for (const [name, request, tag, message] of cases) {
        const file = path.join(MODELS, name);
        const call =
          request === 'summary'
            ? engine.sendRequest(ModelSummaryRequest, { modelFile: file, data: 'synthetic:shapes' })
            : engine.sendRequest(FeatureMapsRequest, { modelFile: file, data: 'synthetic:shapes', sample: { kind: 'index', index: 0 } });
        await assert.rejects(call, (err: { code?: number; data?: ModelErrorData; message: string }) => {
          assert.equal(err.code, MODEL_ERROR_CODE, `${name}: ${err.message}`);
          assert.equal(err.data?.file, file);
          assert.equal(err.data?.line, tagLine(file, tag), name);
          assert.match(err.data!.message, message);
          assert.match(err.message, new RegExp(`${path.basename(file).replace(/\./g, '\\.')}:${tagLine(file, tag)}`));
          return true;
        });
      }
    } finally {
      await engine.dispose();
    }
  });

  it('the same dense-on-4-D model inspected in-process names the dense line', async () => {
    const file = path.join(MODELS, 'dense-on-4d.model.ts');
    await assert.rejects(featureMaps({ modelFile: file, data: 'synthetic:shapes', sample: { kind: 'index', index: 0 } }), (err: unknown) => {
      assert.ok(err instanceof ModelFileError);
      assert.equal(err.line, tagLine(file, 'dense'));
      return true;
    });
  });
});
