/**
 * Loads a user's `*.model.ts` / `*.model.js`: bundles it with esbuild (so TypeScript and relative imports
 * just work), evaluates it with `@tensorflow/tfjs` resolved to the engine's own TensorFlow.js (the user's
 * workspace needs no node_modules), and maps every error back to the user's file and line.
 */
import * as fs from 'node:fs';
import { createRequire, SourceMap } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
// Also registers the library's layer classes, so checkpoints that hold them load back (tf.loadLayersModel).
import { dlLabModule } from '../layers/module';
import { type ProvidedModule } from './providedModules';
import { withParamLimit } from './paramLimit';
import { timersForModel, withModelTimeLimit } from './timeLimit';

/** An error in the user's model file; `message` is one line that starts with `file:line:column:`. */
export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${formatLocation(file, line, column)}: ${detail}`);
    this.name = 'ModelFileError';
  }
}

export interface ModelBuildArgs {
  inputShape: number[];
  numClasses: number;
}

export interface LoadedModelFile {
  file: string;
  /** The model file's `training` export (unvalidated: see resolveTrainingConfig). */
  training: Record<string, unknown>;
  /** Calls the default export and checks what it returns; errors name the model file's line. */
  build(args: ModelBuildArgs): tf.LayersModel;
  /** Maps a stack trace's frames in the bundle back to the sources: the first user frame. */
  locate(error: unknown): { file: string; line: number; column: number } | undefined;
  /** Every file bundled (absolute paths): the model file and what it imports from disk. */
  inputs: string[];
}

/** Modules the model file gets from the engine rather than from disk (typed: every name, no other). */
function providedModules(): Record<ProvidedModule, unknown> {
  return {
    '@tensorflow/tfjs': tf,
    '@tensorflow/tfjs-core': tf,
    '@tensorflow/tfjs-layers': tf,
    // The layer library and losses: `import { layers as dl, losses } from 'dl-lab'`.
    'dl-lab': dlLabModule,
  };
}

export async function loadModelFile(file: string): Promise<LoadedModelFile> {
  const absFile = path.resolve(file);
  if (!fs.existsSync(absFile)) throw new ModelFileError(absFile, 'model file not found');
  // esbuild would wait forever on a named pipe, or read a device without end.
  if (!fs.statSync(absFile).isFile()) throw new ModelFileError(absFile, 'not a regular file; a model file must be one');
  const provided = providedModules();
  const esbuild = await import('esbuild');
  // The bundle lives, virtually, next to the model so that source paths in the map stay relative to it.
  const outfile = absFile.replace(/\.[jt]s$/, '') + '.dl-lab-bundle.js';
  let code: string;
  let map: SourceMap;
  let inputs: string[] = [absFile];
  try {
    const result = await esbuild.build({
      entryPoints: [absFile],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      sourcemap: 'external',
      external: Object.keys(provided),
      logLevel: 'silent',
      metafile: true,
    });
    inputs = Object.keys(result.metafile?.inputs ?? {}).map((input) => path.resolve(input));
    const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
    const mapFile = result.outputFiles.find((f) => f.path.endsWith('.map'));
    if (!js || !mapFile) throw new Error('esbuild produced no output');
    code = js.text;
    map = new SourceMap(JSON.parse(mapFile.text));
  } catch (err) {
    const first = (err as { errors?: EsbuildMessage[] }).errors?.[0];
    if (first) {
      const loc = first.location;
      throw new ModelFileError(loc ? path.resolve(loc.file) : absFile, first.text, loc?.line, loc ? loc.column + 1 : undefined);
    }
    throw new ModelFileError(absFile, `cannot bundle: ${(err as Error).message}`);
  }

  const locate = (error: unknown) => locateInBundle(error, outfile, map, path.dirname(outfile));
  const fail = (err: unknown, what: string): never => {
    if (err instanceof ModelFileError) throw err;
    const where = locate(err);
    const message = err instanceof Error ? err.message : String(err);
    throw new ModelFileError(where?.file ?? absFile, `${what}: ${firstLine(message)}`, where?.line, where?.column);
  };

  const moduleObject: { exports: Record<string, unknown> } = { exports: {} };
  const fallbackRequire = createRequire(absFile);
  const requireForModel = (id: string): unknown => (id in provided ? provided[id as ProvidedModule] : fallbackRequire(id));
  try {
    const timers = timersForModel(absFile, (message) => console.error(message.split('\n')[0]));
    const fn = vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname', 'process', 'setTimeout', 'setInterval', 'setImmediate'], {
      filename: outfile,
    });
    withModelTimeLimit(absFile, 'loading the model file', () =>
      fn(moduleObject.exports, requireForModel, moduleObject, absFile, path.dirname(absFile), processForModel, timers.setTimeout, timers.setInterval, timers.setImmediate),
    );
  } catch (err) {
    fail(err, 'error while loading the model file');
  }

  const exports = moduleObject.exports;
  const factory = exports.default;
  if (typeof factory !== 'function') {
    throw new ModelFileError(
      absFile,
      'the model file has no default export function; write `export default function model({ inputShape, numClasses }) { ... return tf.sequential(...) }`',
    );
  }
  const training = exports.training ?? {};
  if (typeof training !== 'object' || training === null || Array.isArray(training)) {
    throw new ModelFileError(absFile, '`export const training` must be an object, e.g. `{ epochs: 5, batchSize: 64 }`');
  }

  return {
    file: absFile,
    training: training as Record<string, unknown>,
    locate,
    inputs,
    build(args) {
      let model: unknown;
      try {
        model = withModelTimeLimit(absFile, 'building the model', () => withParamLimit(() => (factory as (a: ModelBuildArgs) => unknown)(args)));
      } catch (err) {
        fail(err, 'error while building the model');
      }
      if (!(model instanceof tf.LayersModel)) {
        const got = model === undefined ? 'undefined' : (model as object)?.constructor?.name ?? typeof model;
        throw new ModelFileError(absFile, `the default export must return a tf.LayersModel (tf.sequential() or tf.model()), but it returned ${got}`);
      }
      return model;
    },
  };
}

/**
 * The `process` a model file sees: the engine's, except that ending it is an error in the model file. A
 * process.exit() there would end the engine, and the user would read "the engine exited with code 0".
 */
const processForModel = new Proxy(process, {
  get(target, key) {
    if (key === 'exit' || key === 'abort' || key === 'reallyExit') {
      return () => {
        throw new Error(`process.${String(key)}() was called: a model file builds a model and cannot end the engine`);
      };
    }
    const value = Reflect.get(target, key, target) as unknown;
    return typeof value === 'function' ? value.bind(target) : value;
  },
});

interface EsbuildMessage {
  text: string;
  location: { file: string; line: number; column: number } | null;
}

/**
 * Finds the first stack frame that lies in the bundle and maps it through the source map to a file that is
 * not a dependency. Frames inside TensorFlow.js are skipped, so a shape error points at the user's layer.
 */
function locateInBundle(
  error: unknown,
  bundleFile: string,
  map: SourceMap,
  bundleDir: string,
): { file: string; line: number; column: number } | undefined {
  const stack = error instanceof Error ? error.stack ?? '' : '';
  const pattern = new RegExp(`${escapeRegExp(bundleFile)}:(\\d+):(\\d+)`, 'g');
  for (const match of stack.matchAll(pattern)) {
    const entry = map.findEntry(Number(match[1]) - 1, Number(match[2]) - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (!entry.originalSource || entry.originalLine === undefined) continue;
    const source = entry.originalSource.startsWith('file://')
      ? new URL(entry.originalSource).pathname
      : path.resolve(bundleDir, entry.originalSource);
    if (source.includes(`${path.sep}node_modules${path.sep}`)) continue;
    return { file: source, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  }
  return undefined;
}

function formatLocation(file: string, line?: number, column?: number): string {
  const shown = displayPath(file);
  if (line === undefined) return shown;
  return column === undefined ? `${shown}:${line}` : `${shown}:${line}:${column}`;
}

/** Relative to the working directory when inside it: shorter, and still clickable in terminals. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
