/**
 * The TypeScript server plugin (src/tsPlugin/plugin.ts) gives model files in a workspace without
 * node_modules the real types of `@tensorflow/tfjs` and `dl-lab`: the real TypeScript language service, as
 * VS Code's tsserver runs it for a folder without tsconfig.json, on a temporary workspace outside the
 * repository. Without the plugin the same files have "Cannot find module" (so the test tests something);
 * with it, none, and completions and quick info are TensorFlow.js's and dl-lab's own.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import ts from 'typescript';
import { PROVIDED_MODULES, createPlugin } from '../../src/tsPlugin/plugin';
import { LENET, ROOT, tempDir } from '../helpers';

const TYPES_DIR = path.join(ROOT, 'dist', 'types');
const CANNOT_FIND_MODULE = 2307;

const DL_MODEL = `import * as tf from '@tensorflow/tfjs';
import { layers as dl, losses } from 'dl-lab';

export const training = { loss: { name: 'crossEntropyFromLogits', classWeights: [1, 1, 2, 1, 1, 1] } };

export const lossFunction = losses.byName('huber');

export default function model({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape, filters: 16, kernelSize: 3, padding: 'same' }),
    dl.gelu(),
    dl.blurPool({ filterSize: 3, strides: 2 }),
    dl.squeezeExcite({ ratio: 4 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: numClasses }),
  ] });
}
`;

/** A helper a model file imports (the engine bundles it, and provides its modules too). */
const HELPER = `import * as tf from '@tensorflow/tfjs';
import { layers as dl } from 'dl-lab';

export function convGelu(x: tf.SymbolicTensor, filters: number): tf.SymbolicTensor {
  const y = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  return dl.gelu().apply(y) as tf.SymbolicTensor;
}
`;

const JS_MODEL = `import * as tf from '@tensorflow/tfjs';

export default function model({ inputShape, numClasses }) {
  return tf.sequential({ layers: [tf.layers.flatten({ inputShape }), tf.layers.dense({ units: numClasses })] });
}
`;

/** Compiler options of an inferred project (a folder without tsconfig.json), per module resolution. */
function inferredOptions(moduleResolution: ts.ModuleResolutionKind): ts.CompilerOptions {
  const module = moduleResolution === ts.ModuleResolutionKind.NodeNext ? ts.ModuleKind.NodeNext : ts.ModuleKind.ESNext;
  return {
    module,
    moduleResolution,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    allowJs: true,
    allowSyntheticDefaultImports: true,
    allowNonTsExtensions: true,
    jsx: ts.JsxEmit.Preserve,
  };
}

/** A language service over files on disk, as tsserver's project is (open files in memory, the rest read). */
function languageService(files: string[], options: ts.CompilerOptions, withPlugin: boolean, hostApi: 'literals' | 'names' = 'literals') {
  const texts = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => files,
    getScriptVersion: () => '1',
    getScriptSnapshot: (file) => {
      const text = texts.get(file) ?? (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => path.dirname(files[0]),
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  if (hostApi === 'names') {
    // TypeScript 4.x's tsserver project: resolveModuleNames, no resolveModuleNameLiterals.
    host.resolveModuleNames = (names, containingFile, _reused, redirected, compilerOptions) =>
      names.map((name) => ts.resolveModuleName(name, containingFile, compilerOptions, ts.sys, undefined, redirected).resolvedModule);
  }
  // As tsserver does: the project is the host, and its language service exists before plugins are created.
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  if (!withPlugin) return service;
  const info = { languageService: service, languageServiceHost: host, config: {} } as unknown as ts.server.PluginCreateInfo;
  return createPlugin({ typesDir: TYPES_DIR })({ typescript: ts }).create(info);
}

function diagnostics(service: ts.LanguageService, file: string): { code: number; text: string }[] {
  return [...service.getSyntacticDiagnostics(file), ...service.getSemanticDiagnostics(file)].map((d) => ({
    code: d.code,
    text: `${path.basename(file)}:${d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1 : '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
  }));
}

/** The position just after the first occurrence of `text` in `file`. */
function after(file: string, text: string): number {
  const index = fs.readFileSync(file, 'utf8').indexOf(text);
  assert.ok(index >= 0, `${text} is in ${file}`);
  return index + text.length;
}

function completionNames(service: ts.LanguageService, file: string, text: string): string[] {
  return service.getCompletionsAtPosition(file, after(file, text), {})?.entries.map((e) => e.name) ?? [];
}

function quickInfo(service: ts.LanguageService, file: string, text: string): string {
  const info = service.getQuickInfoAtPosition(file, after(file, text) - 1);
  return ts.displayPartsToString(info?.displayParts ?? []);
}

let workspace: string;
let files: { lenet: string; dl: string; helper: string; js: string; elsewhere: string };

before(() => {
  // dist/types: the declarations the plugin serves (rebuilt only when an input changed).
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'buildTypes.mjs')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  workspace = tempDir('dl-lab-ts-plugin-');
  fs.mkdirSync(path.join(workspace, 'models'));
  fs.mkdirSync(path.join(workspace, 'web'));
  files = {
    lenet: path.join(workspace, 'models', 'lenet.model.ts'),
    dl: path.join(workspace, 'models', 'dl.model.ts'),
    helper: path.join(workspace, 'models', 'blocks.ts'),
    js: path.join(workspace, 'models', 'tiny.model.js'),
    // A file in a folder without model files: not the plugin's business.
    elsewhere: path.join(workspace, 'web', 'app.ts'),
  };
  fs.copyFileSync(LENET, files.lenet);
  fs.writeFileSync(files.dl, DL_MODEL);
  fs.writeFileSync(files.helper, HELPER);
  fs.writeFileSync(files.js, JS_MODEL);
  fs.writeFileSync(files.elsewhere, `import * as tf from '@tensorflow/tfjs';\nexport const t = tf.tensor([1, 2]);\n`);
  for (let dir = workspace; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    assert.ok(!fs.existsSync(path.join(dir, 'node_modules')), `no node_modules above the test workspace (${dir})`);
  }
});

describe('the TypeScript server plugin', () => {
  it('without it, a model file in a workspace without node_modules cannot find @tensorflow/tfjs nor dl-lab', () => {
    const service = languageService(Object.values(files), inferredOptions(ts.ModuleResolutionKind.Node10), false);
    const lenet = diagnostics(service, files.lenet);
    assert.ok(lenet.some((d) => d.code === CANNOT_FIND_MODULE && d.text.includes("'@tensorflow/tfjs'")), JSON.stringify(lenet));
    const dl = diagnostics(service, files.dl);
    assert.ok(dl.some((d) => d.code === CANNOT_FIND_MODULE && d.text.includes("'dl-lab'")), JSON.stringify(dl));
  });

  for (const [label, resolution] of [
    ['node10', ts.ModuleResolutionKind.Node10],
    ['bundler', ts.ModuleResolutionKind.Bundler],
    ['nodenext', ts.ModuleResolutionKind.NodeNext],
  ] as const) {
    it(`with it (moduleResolution ${label}), LeNet, a dl-lab model and a helper beside them have no errors under --strict`, () => {
      const service = languageService(Object.values(files), inferredOptions(resolution), true);
      for (const file of [files.lenet, files.dl, files.helper, files.js]) assert.deepEqual(diagnostics(service, file), [], file);
      // From the declarations the extension ships.
      const program = service.getProgram()!;
      for (const shipped of ['@tensorflow/tfjs/dist/index.d.ts', '@tensorflow/tfjs-layers/dist/exports_layers.d.ts', 'dl-lab/index.d.ts']) {
        assert.ok(program.getSourceFile(path.join(TYPES_DIR, 'node_modules', shipped)), `${shipped} is in the program`);
      }
    });
  }

  it('with a host that resolves through resolveModuleNames (TypeScript 4.x tsserver), the same files have no errors', () => {
    const without = languageService(Object.values(files), inferredOptions(ts.ModuleResolutionKind.Node10), false, 'names');
    assert.ok(diagnostics(without, files.lenet).some((d) => d.code === CANNOT_FIND_MODULE), 'the host alone cannot find @tensorflow/tfjs');
    const service = languageService(Object.values(files), inferredOptions(ts.ModuleResolutionKind.Node10), true, 'names');
    for (const file of [files.lenet, files.dl, files.helper, files.js]) assert.deepEqual(diagnostics(service, file), [], file);
    assert.match(quickInfo(service, files.lenet, 'tf.layers.conv2d'), /conv2d\(args: ConvLayerArgs\): Conv2D/);
    assert.ok(diagnostics(service, files.elsewhere).some((d) => d.code === CANNOT_FIND_MODULE), 'a file outside model folders is left alone');
  });

  it('gives TensorFlow.js its real types: completions, quick info, and errors for wrong arguments', () => {
    const service = languageService(Object.values(files), inferredOptions(ts.ModuleResolutionKind.Node10), true);
    const members = completionNames(service, files.lenet, 'model.add(tf.layers.');
    for (const name of ['conv2d', 'averagePooling2d', 'dense', 'flatten', 'batchNormalization']) assert.ok(members.includes(name), `tf.layers. offers ${name}: ${members.slice(0, 20)}`);
    const conv = quickInfo(service, files.lenet, 'tf.layers.conv2d');
    assert.match(conv, /conv2d\(args: ConvLayerArgs\): Conv2D/, conv);
    assert.match(quickInfo(service, files.lenet, 'const model = tf.sequential'), /Sequential/);
    // In JavaScript model files too.
    assert.ok(completionNames(service, files.js, 'tf.layers.').includes('conv2d'));

    // A typo in a layer's options is an error, as it is with TensorFlow.js installed: the types are real, not any.
    const typo = path.join(path.dirname(files.lenet), 'typo.model.ts');
    fs.writeFileSync(typo, `import * as tf from '@tensorflow/tfjs';\nexport default () => tf.sequential({ layers: [tf.layers.dense({ unitz: 3 })] });\n`);
    try {
      const withTypo = languageService([...Object.values(files), typo], inferredOptions(ts.ModuleResolutionKind.Node10), true);
      const errors = diagnostics(withTypo, typo);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.match(errors[0].text, /unitz/);
    } finally {
      fs.rmSync(typo);
    }
  });

  it('gives dl-lab its layers and losses, with their documentation', () => {
    const service = languageService(Object.values(files), inferredOptions(ts.ModuleResolutionKind.Node10), true);
    const layers = completionNames(service, files.dl, 'dl.');
    for (const name of ['gelu', 'silu', 'swish', 'mish', 'blurPool', 'channelShuffle', 'squeezeExcite', 'sine', 'logSoftmax']) assert.ok(layers.includes(name), `dl. offers ${name}: ${layers}`);
    assert.match(quickInfo(service, files.dl, 'dl.blurPool'), /blurPool: \(args\?: BlurPoolArgs( \| undefined)?\) => BlurPool/);
    const losses = completionNames(service, files.dl, 'losses.');
    for (const name of ['byName', 'crossEntropy', 'tripletMargin', 'huber']) assert.ok(losses.includes(name), `losses. offers ${name}: ${losses}`);
    // The library's doc comments come along (hover and completion details).
    const swish = service.getCompletionEntryDetails(files.dl, after(files.dl, 'dl.'), 'swish', {}, undefined, undefined, undefined);
    assert.match(ts.displayPartsToString(swish?.documentation ?? []), /Swish: x sigmoid\(beta x\)/);
    const blurPoolArgs = completionNames(service, files.dl, 'dl.blurPool({ ');
    assert.ok(blurPoolArgs.includes('filterSize') && blurPoolArgs.includes('padding'), `dl.blurPool({ offers its options: ${blurPoolArgs}`);
  });

  it('leaves files outside model folders alone, and a workspace that installs TensorFlow.js its own', () => {
    const service = languageService(Object.values(files), inferredOptions(ts.ModuleResolutionKind.Node10), true);
    const elsewhere = diagnostics(service, files.elsewhere);
    assert.ok(elsewhere.some((d) => d.code === CANNOT_FIND_MODULE), `web/app.ts keeps its error: ${JSON.stringify(elsewhere)}`);

    const own = tempDir('dl-lab-ts-plugin-own-');
    const tfjs = path.join(own, 'node_modules', '@tensorflow', 'tfjs');
    fs.mkdirSync(tfjs, { recursive: true });
    fs.writeFileSync(path.join(tfjs, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs', version: '0.0.0', types: 'index.d.ts' }));
    fs.writeFileSync(path.join(tfjs, 'index.d.ts'), 'export declare const mine: number;\n');
    const model = path.join(own, 'own.model.ts');
    fs.writeFileSync(model, `import * as tf from '@tensorflow/tfjs';\nexport const n: number = tf.mine;\n`);
    const ownService = languageService([model], inferredOptions(ts.ModuleResolutionKind.Node10), true);
    assert.deepEqual(diagnostics(ownService, model), []);
    assert.ok(ownService.getProgram()!.getSourceFile(path.join(tfjs, 'index.d.ts')), "the workspace's own @tensorflow/tfjs is used");
  });

  it('resolves exactly the modules the engine provides to model files', async () => {
    // Every name resolves from the shipped declarations...
    const probe = path.join(path.dirname(files.lenet), 'imports.model.ts');
    fs.writeFileSync(probe, PROVIDED_MODULES.map((name, i) => `import * as m${i} from '${name}';\nexport const x${i} = m${i};\n`).join(''));
    try {
      const service = languageService([probe], inferredOptions(ts.ModuleResolutionKind.Node10), true);
      assert.deepEqual(diagnostics(service, probe), []);
      // ...and the engine loads a model file that imports them all (the same file, with a model).
      fs.appendFileSync(probe, `export default ({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) =>\n  m0.sequential({ layers: [m0.layers.flatten({ inputShape }), m0.layers.dense({ units: numClasses })] });\n`);
      const { loadModelFile } = await import('../../src/engine/model/modelFile');
      const loaded = await loadModelFile(probe);
      assert.equal(loaded.build({ inputShape: [2, 2, 1], numClasses: 3 }).outputs[0].shape.at(-1), 3);
    } finally {
      fs.rmSync(probe);
    }
  });
});

describe('the plugin package', () => {
  it('is contributed to TypeScript, installed as a package (not a link) in node_modules, and loads the built plugin', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.deepEqual(manifest.contributes.typescriptServerPlugins, [{ name: 'dl-lab-typescript-plugin', enableForWorkspaceTypeScriptVersions: true }]);
    assert.equal(manifest.dependencies['dl-lab-typescript-plugin'], 'file:ts-plugin');
    const installed = path.join(ROOT, 'node_modules', 'dl-lab-typescript-plugin');
    assert.ok(!fs.lstatSync(installed).isSymbolicLink(), 'vsce packs a copy, never a symlink: .npmrc sets install-links');
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'tsPlugin.js')), 'dist/tsPlugin.js is built (npm run build)');
    // As tsserver loads it: require the package, call the factory with TypeScript.
    const init = require(installed) as ReturnType<typeof createPlugin>;
    assert.equal(typeof init, 'function');
    assert.equal(typeof init({ typescript: ts }).create, 'function');
  });
});
