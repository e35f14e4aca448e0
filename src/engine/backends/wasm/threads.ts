/**
 * The wasm backend on every core: tfjs-backend-wasm's threaded SIMD build (XNNPACK with a pthreadpool of
 * Node worker_threads), loaded in a way Node accepts.
 *
 * Why this route (measured on a 2-core machine, see README "Backends"): XNNPACK already runs every
 * convolution and matrix product of a step (forward and both backprops, see conv2d.ts) and splits each
 * across its pool, so one switch covers the 80-90% of a CNN step that is convolution, with the same
 * kernels and so the same numbers as one thread. Data-parallel engines would change BatchNorm's batch
 * statistics and double the memory; our own threaded kernels would duplicate XNNPACK.
 *
 * tfjs's own loader cannot start it in Node: it hands the pthread workers `blob:` URLs (Node's
 * worker_threads refuse them: ERR_WORKER_PATH) and its feature test reports no thread support. So the
 * engine calls the same emscripten factory itself, with the worker script written to a file and the
 * module's own file as the script each worker evaluates, and registers the result as the `wasm` backend.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');

/** XNNPACK's pool in the tfjs build is capped at 8 threads (it pre-spawns 8 workers). */
export const MAX_WASM_THREADS = 8;

/** Threads the engine uses unless told otherwise: one per core, as PyTorch does. */
export function defaultThreads(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, n);
}

/**
 * The thread count asked for in `DL_LAB_THREADS` (set by `--threads`, `dlLab.threads`), or the default.
 * Throws one line naming the variable when it is not a positive integer.
 */
export function requestedThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.DL_LAB_THREADS?.trim();
  if (raw === undefined || raw === '' || raw === '0') return defaultThreads();
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new Error(`DL_LAB_THREADS is "${raw}"; expected a positive integer (or 0 for one per core)`);
  }
  return Number(raw);
}

/** Node has what the threaded build needs: shared WebAssembly memory and worker_threads. */
export function wasmThreadsSupported(): boolean {
  try {
    const WA = (globalThis as unknown as { WebAssembly: { Memory: new (d: object) => { buffer: unknown } } }).WebAssembly;
    const mem = new WA.Memory({ initial: 1, maximum: 1, shared: true });
    return typeof SharedArrayBuffer !== 'undefined' && mem.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/**
 * The pthread worker script, as a file. The package ships it only as a string (meant for a blob: URL);
 * it is written once per package version to the temporary folder, atomically, so concurrent engines
 * never read half a file.
 */
function workerScriptFile(pkgDir: string, version: string): string {
  const file = path.join(os.tmpdir(), `dl-lab-tfjs-wasm-${version}-pthread-worker.js`);
  const source = (
    require(path.join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string }
  ).wasmWorkerContents
    // As tfjs does for its blob: the string's "\n" escapes became newlines inside string literals.
    .replace(/\n/g, '\\n');
  try {
    if (fs.readFileSync(file, 'utf8') === source) return file;
  } catch {
    // Not there yet.
  }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, source);
  fs.renameSync(tmp, file);
  return file;
}

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread?: { unusedWorkers: { terminate(): void }[]; runningWorkers: { unref(): void }[] };
  tfjs?: unknown;
}

/**
 * Creates the threaded module with `threads` threads in XNNPACK's pool (the calling thread included) and
 * returns a BackendWasm on it.
 */
async function createThreadedBackend(wasmPkg: WasmPackage, pkgDir: string, threads: number): Promise<BackendWasm> {
  const wasmOut = path.join(pkgDir, 'wasm-out');
  const mainScript = path.join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');
  const version = (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const worker = workerScriptFile(pkgDir, version);
  const factory = require(mainScript) as (config: object) => Promise<EmscriptenModule>;
  // The build sizes its pool as min(asked, logical cores / 2), assuming two hyper-threads per core, and
  // reads the cores through os.cpus() while the module initialises (a C++ static). Report twice the
  // threads asked for during that moment only, so that the pool gets exactly `threads`. The patch is on
  // the module object that the emscripten code's require('os') returns.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeOs = require('node:os') as { cpus: () => os.CpuInfo[] };
  const realCpus = nodeOs.cpus;
  const cpus = realCpus();
  nodeOs.cpus = () => Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]);
  let module: EmscriptenModule;
  try {
    module = await factory({
      // The binary is the one in dist/, beside the single-threaded ones (the VSIX keeps dist/*.wasm).
      locateFile: (file: string) => (file.endsWith('.worker.js') ? worker : path.join(pkgDir, 'dist', file)),
      mainScriptUrlOrBlob: mainScript,
    });
  } finally {
    nodeOs.cpus = realCpus;
  }
  // The same bindings tfjs's init() makes.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  wasmPkg.setThreadsCount(threads);
  const backend = new wasmPkg.BackendWasm(module as never);
  // The pool now holds threads - 1 running workers; the build pre-spawned 8. Idle ones cost ~10 MB each.
  const pthread = module.PThread;
  if (pthread) {
    for (const w of pthread.unusedWorkers) w.terminate();
    pthread.unusedWorkers = [];
    // The pool's threads wait for work for ever: they must not keep the process alive once it is done.
    for (const w of pthread.runningWorkers) w.unref();
  }
  return backend;
}

/** How many threads the engine will use for `asked`, and why, in the words of the backend report. */
export function planThreads(asked: number): { threads: number; why: string } {
  if (asked <= 1) return { threads: 1, why: '1 thread' };
  if (!wasmThreadsSupported()) return { threads: 1, why: '1 thread: this Node.js has no shared WebAssembly memory' };
  const n = Math.min(asked, MAX_WASM_THREADS);
  return { threads: n, why: n < asked ? `${n} threads (XNNPACK's pool holds at most ${MAX_WASM_THREADS})` : `${n} threads` };
}

/**
 * Registers the `wasm` backend factory: the threaded build when more than one thread is planned, tfjs's
 * own single-threaded SIMD build otherwise. Returns the plan.
 */
export function registerWasmFactory(wasmPkg: WasmPackage, pkgDir: string, asked: number): { threads: number; why: string } {
  const plan = planThreads(asked);
  if (plan.threads > 1) {
    tf.removeBackend('wasm');
    // Priority as tfjs-backend-wasm registers it; the engine always sets the backend by name anyway.
    tf.registerBackend('wasm', () => createThreadedBackend(wasmPkg, pkgDir, plan.threads), 2);
  }
  return plan;
}
