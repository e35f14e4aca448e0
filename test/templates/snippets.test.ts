/**
 * Every snippet, expanded with its defaults into a model file, builds with its reference parameter count
 * and trains one step on synthetic data without NaN; the JavaScript variants build too, every choice of
 * every placeholder builds, and snippets/*.json are what src/templates/writeSnippets.ts generates.
 *
 * Model snippets are whole files (the templates are their expansions: catalogue.test.ts checks them at
 * full size); block snippets are wrapped in a small model: input -> block -> global average pooling ->
 * dense. Counts are trainable parameters (PyTorch's convention: BatchNorm's running statistics are
 * buffers), block only (the head's are subtracted).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { expandSnippet, snippetChoices, toJavaScript } from '../../src/templates/snippetSyntax';
import { loadModelFile } from '../../src/engine/model/modelFile';
import { SNIPPETS, type SnippetSource } from '../../src/templates/sources';
import { SNIPPET_FILES, snippetFile } from '../../src/templates/writeSnippets';
import { ROOT } from '../helpers';
import { summarize, trainOneStep, writeModelFile } from './util';

// The torchvision block counts below were checked with torchvision 0.14.1 (Debian's python3-torchvision):
// resnet18().layer2[0] 230,144; resnet50().layer1[0] 75,008; densenet121() denseblock1 335,040 and
// transition1 33,280; googlenet().inception3a 155,872; vgg16().features[0:5] 38,720.
interface BlockCase {
  /** The block's call on `x`. */
  call: string;
  inputShape: number[];
  /** Trainable parameters of the block, and where the number comes from. */
  params: number;
  source: string;
  /** Expected output shape of the block (without batch). */
  blockOutput?: number[];
}

const BLOCKS: Record<string, BlockCase> = {
  'dl-vgg-block': {
    call: 'vggBlock(x)', inputShape: [32, 32, 3], params: 38_720, blockOutput: [16, 16, 64],
    source: "torchvision vgg16().features[0:5], VGG-16's first block: (27*64+64) + (576*64+64)",
  },
  'dl-nin-block': {
    call: 'ninBlock(x)', inputShape: [67, 67, 3], params: 53_568, blockOutput: [15, 15, 96],
    source: "Lin et al. 2014 / d2l.ai NiN's first block: (11*11*3*96+96) + 2*(96*96+96)",
  },
  'dl-inception-block': {
    call: 'inception(x, 64, 96, 128, 16, 32, 32)', inputShape: [28, 28, 192], params: 155_872, blockOutput: [28, 28, 256],
    source: "torchvision googlenet().inception3a: 1x1 12,288, 1x1-3x3 18,432+110,592, 1x1-'5x5'(3x3) 3,072+4,608, pool-1x1 6,144, BatchNorm 2*(64+96+128+16+32+32)",
  },
  'dl-conv-bn-relu': {
    call: 'convBnRelu(x)', inputShape: [32, 32, 3], params: 1_856, blockOutput: [32, 32, 64],
    source: 'Ioffe and Szegedy 2015: a bias-free 3x3 conv 3->64 (1,728) + BatchNorm gamma and beta (128)',
  },
  'dl-resnet-block': {
    call: 'basicBlock(x, 128, 2)', inputShape: [16, 16, 64], params: 230_144, blockOutput: [8, 8, 128],
    source: 'torchvision resnet18().layer2[0] (BasicBlock with the 1x1 projection shortcut)',
  },
  'dl-resnet-bottleneck': {
    call: 'bottleneckBlock(x, 64, 1)', inputShape: [16, 16, 64], params: 75_008, blockOutput: [16, 16, 256],
    source: 'torchvision resnet50().layer1[0] (Bottleneck with the projection shortcut)',
  },
  'dl-dense-block': {
    call: 'transition(denseBlock(x))', inputShape: [16, 16, 64], params: 335_040 + 33_280, blockOutput: [8, 8, 128],
    source: 'torchvision densenet121().features.denseblock1 (335,040) + transition1 (33,280)',
  },
  'dl-se-block': {
    call: 'squeezeExcite(x)', inputShape: [16, 16, 64], params: 580, blockOutput: [16, 16, 64],
    source: 'Hu et al. 2018, r = 16 on 64 channels: dense 64->4 (260) + dense 4->64 (320)',
  },
  'dl-shufflenet-unit': {
    call: 'shuffleUnit(x)', inputShape: [8, 8, 240], params: 10_860, blockOutput: [8, 8, 240],
    source: 'Zhang et al. 2018, 240 channels, g = 3, bottleneck 60: grouped 1x1 4,800 + depthwise 540 + grouped 1x1 4,800 + BatchNorm 2*(60+60+240)',
  },
  'dl-separable-conv': {
    call: 'separableConv(x)', inputShape: [16, 16, 64], params: 9_152, blockOutput: [16, 16, 128],
    source: 'Howard et al. 2017: depthwise 3*3*64 (576) + BatchNorm 128 + pointwise 64*128 (8,192) + BatchNorm 256',
  },
  'dl-factorised-conv': {
    call: 'factorisedConv(x)', inputShape: [16, 16, 64], params: 57_472, blockOutput: [16, 16, 64],
    source: 'Szegedy et al. 2016, n = 7: 2 * (7*64*64 + 64)',
  },
  'dl-blur-pool': {
    call: 'blurPool(x)', inputShape: [16, 16, 8], params: 0, blockOutput: [8, 8, 8],
    source: 'Zhang 2019: a fixed (non-trainable) 3x3 binomial filter per channel',
  },
};

function hostFile(snippet: SnippetSource, code: string, call: string): string {
  return `import * as tf from '@tensorflow/tfjs';\n\n${code}\n\n` +
    `export default function model({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {\n` +
    `  const input = tf.input({ shape: inputShape });\n` +
    `  const x = input;\n` +
    `  const block = ${call} as tf.SymbolicTensor;\n` +
    `  const headPooled = tf.layers.globalAveragePooling2d({}).apply(block) as tf.SymbolicTensor;\n` +
    `  const output = tf.layers.dense({ units: numClasses, activation: 'softmax' }).apply(headPooled) as tf.SymbolicTensor;\n` +
    `  return tf.model({ inputs: input, outputs: output, name: '${snippet.prefix.replace(/-/g, '_')}' });\n}\n`;
}

/** A model file for a snippet: a model snippet is one; a block goes in a host; a training block gets LeNet-5. */
function asModelFile(snippet: SnippetSource, code: string, language: 'ts' | 'js'): string {
  if (snippet.kind === 'model') return code;
  if (snippet.kind === 'training') {
    const lenet = SNIPPETS.find((s) => s.prefix === 'dl-lenet')!.body;
    const withoutTraining = expandSnippet(lenet).replace(/export const training = \{[^}]*\};\n/, '');
    const text = `${withoutTraining}\n${code}\n`;
    return language === 'js' ? toJavaScript(text) : text;
  }
  const host = hostFile(snippet, code, BLOCKS[snippet.prefix].call);
  return language === 'js' ? toJavaScript(host) : host;
}

const shapeFor = (snippet: SnippetSource) =>
  snippet.kind === 'block' ? BLOCKS[snippet.prefix].inputShape : snippet.prefix === 'dl-lenet' || snippet.kind === 'training' ? [28, 28, 1] : snippet.prefix === 'dl-alexnet' ? [64, 64, 3] : [32, 32, 3];

const CLASSES = 5;

/** Model snippets whose output is an image (their training.task), not one score per class. */
const IMAGE_OUTPUT: Record<string, 'reconstruction' | 'fpi'> = { 'dl-autoencoder': 'reconstruction', 'dl-conv-autoencoder': 'reconstruction', 'dl-fpi-unet': 'fpi' };

/** A classifier's [null, classes]; an autoencoder's input shape; an FPI model's one channel per pixel. */
function outputFor(snippet: SnippetSource, inputShape: number[]): (number | null)[] {
  const task = IMAGE_OUTPUT[snippet.prefix];
  if (task === 'reconstruction') return [null, ...inputShape];
  if (task === 'fpi') return [null, inputShape[0], inputShape[1], 1];
  return [null, CLASSES];
}

describe('snippets', () => {
  it('snippets/typescript.json and snippets/javascript.json are generated from src/templates/sources.ts', () => {
    for (const [language, file] of Object.entries(SNIPPET_FILES)) {
      const onDisk = fs.readFileSync(path.join(ROOT, file), 'utf8');
      assert.equal(onDisk, snippetFile(language as keyof typeof SNIPPET_FILES), `${file} is stale: node --import tsx src/templates/writeSnippets.ts`);
    }
  });

  it('are contributed for TypeScript and JavaScript, with dl- prefixes', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.deepEqual(manifest.contributes.snippets, [
      { language: 'typescript', path: './snippets/typescript.json' },
      { language: 'javascript', path: './snippets/javascript.json' },
    ]);
    const prefixes = SNIPPETS.map((s) => s.prefix);
    assert.equal(new Set(prefixes).size, prefixes.length, 'prefixes are unique');
    assert.ok(prefixes.every((p) => p.startsWith('dl-')));
    assert.deepEqual(Object.keys(BLOCKS).sort(), SNIPPETS.filter((s) => s.kind === 'block').map((s) => s.prefix).sort(), 'every block has a test case');
    // The model snippets that set a training task are exactly the image-output ones.
    const withTask = SNIPPETS.filter((s) => s.kind === 'model').map((s) => [s.prefix, /^\s*task: '(\w+)',$/m.exec(s.body)?.[1]] as const).filter(([, task]) => task);
    assert.deepEqual(Object.fromEntries(withTask), IMAGE_OUTPUT);
  });

  it('expand placeholders, choices and mirrors', () => {
    assert.equal(expandSnippet('a ${1:64} ${2|relu,elu|} $1 ${1} $0'), 'a 64 relu 64 64 ');
    assert.equal(expandSnippet('${1:x ${2:y}} $2', { 2: 'z' }), 'x z z');
    assert.equal(expandSnippet('[${1|2\\, 2,3\\, 4|}]'), '[2, 2]');
    assert.deepEqual(snippetChoices('${3|a,b\\,c|}'), { 3: ['a', 'b,c'] });
  });

  for (const snippet of SNIPPETS) {
    const inputShape = shapeFor(snippet);
    it(`${snippet.prefix}: expanded, it builds${snippet.kind === 'block' ? ` with ${BLOCKS[snippet.prefix].params.toLocaleString('en-US')} parameters (${BLOCKS[snippet.prefix].source})` : ''} and trains one step at ${inputShape.join('x')}`, async () => {
      const code = expandSnippet(snippet.body);
      assert.doesNotMatch(code, /\$\{?\d/, 'no placeholder left');
      const file = writeModelFile(snippet.prefix, asModelFile(snippet, code, 'ts'));
      const summary = await summarize(file, inputShape, CLASSES);
      assert.deepEqual(summary.outputShape, outputFor(snippet, inputShape));
      if (snippet.kind === 'block') {
        const expected = BLOCKS[snippet.prefix];
        const head = summary.layers.at(-1)!;
        const pooled = summary.layers.at(-2)!;
        assert.equal(summary.trainableParams - head.trainableParams, expected.params);
        assert.deepEqual(pooled.type, 'GlobalAveragePooling2D');
        if (expected.blockOutput) assert.equal(head.params, expected.blockOutput.at(-1)! * CLASSES + CLASSES, 'block output channels');
      }
      const { loss } = await trainOneStep(file, inputShape, CLASSES);
      assert.ok(Number.isFinite(loss), `loss ${loss}`);
    });
  }

  it('block snippets give the output shapes of their reference', async () => {
    for (const [prefix, expected] of Object.entries(BLOCKS)) {
      const snippet = SNIPPETS.find((s) => s.prefix === prefix)!;
      const host = hostFile(snippet, expandSnippet(snippet.body), expected.call).replace(
        /const headPooled = [^\n]*\n[^\n]*\n[^\n]*\n/,
        "return tf.model({ inputs: input, outputs: block });\n",
      );
      const summary = await summarize(writeModelFile(prefix, host), expected.inputShape, CLASSES);
      assert.deepEqual(summary.outputShape, [null, ...expected.blockOutput!], prefix);
    }
  });

  it('every choice of every placeholder builds', async () => {
    for (const snippet of SNIPPETS) {
      const variants: Record<number, string>[] = [];
      for (const [n, options] of Object.entries(snippetChoices(snippet.body))) {
        for (const option of options.slice(1)) variants.push({ [Number(n)]: option });
      }
      for (const choice of variants) {
        // VGG's variants with 64-unit dense layers: the convolutions are what the choice changes.
        const values = snippet.prefix === 'dl-vgg' ? { ...choice, 2: '64' } : choice;
        let text = asModelFile(snippet, expandSnippet(snippet.body, values), 'ts');
        if (snippet.prefix === 'dl-shufflenet-unit' && values[2] === '2') text = text.replace('shuffleUnit(x)', 'shuffleUnit(x, 480)');
        const file = writeModelFile(`${snippet.prefix}-${Object.values(values).join('-')}`, text);
        const summary = await summarize(file, shapeFor(snippet), CLASSES).catch((err: Error) => {
          throw new Error(`${snippet.prefix} ${JSON.stringify(values)}: ${err.message}`);
        });
        assert.deepEqual(summary.outputShape, outputFor(snippet, shapeFor(snippet)), `${snippet.prefix} ${JSON.stringify(values)}`);
      }
    }
  });

  it('the JavaScript snippets are the TypeScript ones without annotations: each loads as a .js model file', async () => {
    for (const snippet of SNIPPETS) {
      // Built as .js (esbuild's js loader) so that an annotation left behind fails; blocks, cheap, are built too.
      const text = asModelFile(snippet, expandSnippet(toJavaScript(snippet.body)), 'js');
      const file = writeModelFile(`${snippet.prefix}-js`, text, 'js');
      const loaded = await loadModelFile(file).catch((err: Error) => {
        throw new Error(`${snippet.prefix} (js): ${err.message}`);
      });
      if (snippet.kind !== 'model') {
        const summary = await summarize(file, shapeFor(snippet), CLASSES);
        assert.deepEqual(summary.outputShape, [null, CLASSES], snippet.prefix);
      } else {
        assert.equal(typeof loaded.build, 'function');
      }
    }
  });
});

describe('snippets and templates type-check', () => {
  it('under tsc --strict, so that a model file written from them shows no errors in the editor', async () => {
    const ts = await import('typescript');
    const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.dl-lab-tsc-'));
    try {
      const files: string[] = [];
      for (const snippet of SNIPPETS) {
        const code = expandSnippet(snippet.body);
        const text = snippet.kind === 'model' ? code : asModelFile(snippet, code, 'ts');
        const file = path.join(dir, `${snippet.prefix}.model.ts`);
        fs.writeFileSync(file, text);
        files.push(file);
      }
      const program = ts.createProgram(files, {
        strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10, skipLibCheck: true, types: [],
      });
      const errors = ts.getPreEmitDiagnostics(program).map((d) => {
        const where = d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
        return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
      assert.deepEqual(errors, []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
