/**
 * Issue 7: model files get IntelliSense for `@tensorflow/tfjs` and `dl-lab` in a workspace that has no
 * node_modules, through the extension's TypeScript server plugin (ts-plugin/, src/tsPlugin/plugin.ts) and
 * the declarations it ships (dist/types). In code-server's own TypeScript (tsserver in Node.js): hovering
 * `conv2d` in examples/lenet.model.ts shows TensorFlow.js's signature, hovering `blurPool` in a model file
 * that imports dl-lab shows the library's, and the Problems panel lists no "Cannot find module" for them,
 * while it does for a file outside any model folder (which the plugin leaves alone: diagnostics are live).
 * Screenshots: test-results/<scenario>/typings-hover.png and typings.png.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { slug } from '../harness/codeServer';
import { ms } from '../harness/env';
import { ProblemsPanel } from '../harness/pages/problems';
import { scenario } from '../harness/scenario';
import { MODEL_FILE } from './expectations';

const NAME = 'model files have the types of @tensorflow/tfjs and dl-lab without node_modules';
const DL_MODEL = 'examples/dl.model.ts';
const ELSEWHERE = 'web/app.ts';
const CANNOT_FIND = /Cannot find module '(@tensorflow\/tfjs|dl-lab)'/;

scenario(
  NAME,
  {
    workspace: {
      copy: ['examples'],
      files: {
        [DL_MODEL]: [
          "import * as tf from '@tensorflow/tfjs';",
          "import { layers as dl } from 'dl-lab';",
          '',
          'export default function model({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {',
          '  return tf.sequential({ layers: [',
          "    tf.layers.conv2d({ inputShape, filters: 8, kernelSize: 3, padding: 'same' }),",
          '    dl.gelu(),',
          '    dl.blurPool({ filterSize: 3, strides: 2 }),',
          '    tf.layers.flatten(),',
          "    tf.layers.dense({ units: numClasses, activation: 'softmax' }),",
          '  ] });',
          '}',
          '',
        ].join('\n'),
        [ELSEWHERE]: "import * as tf from '@tensorflow/tfjs';\n\nexport const t = tf.tensor([1, 2]);\n",
      },
    },
    trusted: true,
    // tsserver's log (saved with the logs on failure) says whether the plugin loaded and what it resolved.
    settings: { 'typescript.tsserver.log': 'verbose' },
    timeout: 5 * 60_000,
  },
  async ({ workbench, server, env, step }) => {
    const resultDir = path.join(env.resultsDir, slug(NAME));
    fs.mkdirSync(resultDir, { recursive: true });

    await step('the workspace has no node_modules, nor any folder above it', async () => {
      for (let dir = server.workspaceDir; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
        assert.ok(!fs.existsSync(path.join(dir, 'node_modules')), `${dir} has a node_modules`);
      }
    });

    const lenet = await step(`open ${MODEL_FILE}`, () => workbench.editors.open(MODEL_FILE));
    // The first hover waits for tsserver to start and load the project.
    await step("hovering conv2d shows TensorFlow.js's signature", async () => {
      await lenet.hover('conv2d', /conv2d\(args: ConvLayerArgs\): Conv2D/, ms(120_000));
      await workbench.screenshot(path.join(resultDir, 'typings-hover.png'));
    });

    const dl = await step(`open ${DL_MODEL}`, () => workbench.editors.open(DL_MODEL));
    await step("hovering blurPool shows dl-lab's signature", () => dl.hover('blurPool', /blurPool: \(args\?: BlurPoolArgs( \| undefined)?\) => BlurPool/));

    const problems = new ProblemsPanel(workbench.page, workbench.commandPalette);
    await step(`open ${ELSEWHERE}, outside model folders: the Problems panel lists its "Cannot find module"`, async () => {
      await workbench.editors.open(ELSEWHERE);
      await problems.show();
      await problems.waitFor(/app\.ts/, { timeout: ms(60_000) });
      await problems.waitFor(CANNOT_FIND, { timeout: ms(30_000) });
    });

    await step('and none for the model files', async () => {
      const rows = await problems.rows();
      await workbench.screenshot(path.join(resultDir, 'typings.png'));
      // Rows: a file row ('app.ts web 1'), then its problems; nothing under a model file.
      assert.ok(!rows.some((r) => /\.model\.ts/.test(r)), `the Problems panel lists a model file: ${JSON.stringify(rows)}`);
      assert.equal(rows.filter((r) => CANNOT_FIND.test(r)).length, 1, JSON.stringify(rows));
    });
  },
);
