/**
 * Choosing and initialising the TensorFlow.js backend of the engine.
 *
 * `auto` tries, in order: tensorflow-gpu (@tensorflow/tfjs-node-gpu, when installed, loadable and a CUDA
 * device is visible), webgpu (Dawn, on a hardware adapter only: see ./webgpu), tensorflow
 * (@tensorflow/tfjs-node), wasm (@tensorflow/tfjs-backend-wasm, with our training kernels), cpu (pure JS). The tfjs-node packages are optional dependencies with native addons:
 * they are only ever loaded through a guarded runtime require, so their absence (or a broken install)
 * costs a line in the reason and nothing else.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendAvailability, BackendChoice, BackendName, BackendReport, GpuAdapterInfo } from '../../protocol/engineTypes';
import { BACKENDS } from '../../protocol/engineTypes';
import { firstLine, requireAtRuntime, resolvePackage, Unavailable } from './load';
import { registerWasmTrainingKernels } from './wasm';
import { planThreads, registerWasmFactory, requestedThreads } from './wasm/threads';
import { initWebgpu, probeWebgpu } from './webgpu';

const NODE_PACKAGE: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/** A CUDA device visible to this process: a GPU under /proc/driver/nvidia, or one listed by nvidia-smi. */
export function cudaDevice(): string | null {
  try {
    const gpus = fs.readdirSync('/proc/driver/nvidia/gpus');
    if (gpus.length > 0) return `${gpus.length} NVIDIA GPU(s) in /proc/driver/nvidia/gpus`;
  } catch {
    // No NVIDIA driver on Linux, or not Linux: ask nvidia-smi.
  }
  try {
    const out = execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    const first = out.split('\n').find((l) => l.startsWith('GPU '));
    if (first) return first.trim();
  } catch {
    // nvidia-smi missing or failing: no usable CUDA device.
  }
  return null;
}

function wasmDistDir(): string | null {
  const pkg = resolvePackage('@tensorflow/tfjs-backend-wasm');
  return pkg ? path.join(path.dirname(pkg), 'dist') : null;
}

/** Which backends can be used here, without loading tfjs-node's addons or training anything. */
export async function probeBackends(): Promise<BackendAvailability[]> {
  const out: BackendAvailability[] = [];
  for (const name of BACKENDS) {
    switch (name) {
      case 'tensorflow-gpu':
      case 'tensorflow': {
        const pkg = NODE_PACKAGE[name];
        const device = name === 'tensorflow-gpu' ? cudaDevice() : null;
        if (!resolvePackage(pkg)) {
          out.push({ name, available: false, detail: `${pkg} is not installed` });
        } else if (name === 'tensorflow-gpu' && !device) {
          out.push({ name, available: false, detail: `${pkg} is installed but no CUDA device is visible` });
        } else {
          // Installed is not usable: npm may have installed it without its native library.
          try {
            requireAtRuntime(pkg);
            out.push({ name, available: true, detail: device ? `${pkg} loads; CUDA device: ${device}` : `${pkg} loads` });
          } catch (err) {
            out.push({ name, available: false, detail: `${pkg} failed to load: ${firstLine(err)}` });
          }
        }
        break;
      }
      case 'webgpu':
        out.push(await probeWebgpu());
        break;
      case 'wasm': {
        const dir = wasmDistDir();
        if (!dir) {
          out.push({ name, available: false, detail: '@tensorflow/tfjs-backend-wasm is not installed' });
        } else {
          const simd = wasmSimdSupported();
          const binary = simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
          out.push(
            fs.existsSync(path.join(dir, binary))
              ? { name, available: true, detail: `WebAssembly ${simd ? 'with SIMD' : 'without SIMD'}, ${wasmThreads().why}` }
              : { name, available: false, detail: `${binary} is missing from ${dir}` },
          );
        }
        break;
      }
      case 'cpu':
        out.push({ name, available: true, detail: 'pure JavaScript (slow; for reference and debugging)' });
        break;
    }
  }
  return out;
}

/** The feature test tfjs-backend-wasm itself uses (WASM_HAS_SIMD_SUPPORT). */
function wasmSimdSupported(): boolean {
  // The ES2022 lib has no WebAssembly value typings; Node has the global.
  const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  try {
    return wasm.validate(
      new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11]),
    );
  } catch {
    return false;
  }
}

async function setBackendOrThrow(tfName: string, what: string): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(tfName);
  } catch (err) {
    throw new Unavailable(`${what} failed to initialise: ${firstLine(err)}`);
  }
  if (!ok) throw new Unavailable(`${what} failed to initialise`);
  await tf.ready();
}

/** Returns the detail for the report; throws Unavailable with the reason otherwise. */
async function initNode(name: 'tensorflow-gpu' | 'tensorflow'): Promise<string> {
  const pkg = NODE_PACKAGE[name];
  if (!resolvePackage(pkg)) throw new Unavailable(`${pkg} is not installed`);
  let device: string | null = null;
  if (name === 'tensorflow-gpu') {
    device = cudaDevice();
    if (!device) throw new Unavailable(`${pkg} is installed but no CUDA device is visible`);
  }
  try {
    requireAtRuntime(pkg); // registers the 'tensorflow' backend on the shared @tensorflow/tfjs
  } catch (err) {
    throw new Unavailable(`${pkg} failed to load: ${firstLine(err)}`);
  }
  if (!tf.findBackendFactory('tensorflow')) throw new Unavailable(`${pkg} loaded but registered no backend`);
  await setBackendOrThrow('tensorflow', pkg);
  return device ? `${pkg} on ${device}` : pkg;
}

/** What the wasm backend was set up with, once: the thread count is fixed for the life of the process. */
let wasmSetup: { threads: number; why: string } | null = null;

/** Threads the wasm backend uses (or will use) in this process. */
export function wasmThreads(): { threads: number; why: string } {
  return wasmSetup ?? planThreads(requestedThreads());
}

async function initWasm(): Promise<string> {
  const dir = wasmDistDir();
  if (!dir) throw new Unavailable('@tensorflow/tfjs-backend-wasm is not installed');
  let wasmPkg: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasmPkg = requireAtRuntime('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  } catch (err) {
    throw new Unavailable(`@tensorflow/tfjs-backend-wasm failed to load: ${firstLine(err)}`);
  }
  if (!wasmSetup && tf.findBackend('wasm') != null) {
    // Something in this process set tfjs's own (single-threaded) wasm backend up before the engine did.
    wasmSetup = { threads: 1, why: '1 thread' };
  }
  if (!wasmSetup) {
    // In Node the module would otherwise look for the binaries next to whichever script bundled it.
    wasmPkg.setWasmPaths(dir + path.sep);
    const original = tf.findBackendFactory('wasm');
    wasmSetup = registerWasmFactory(wasmPkg, path.dirname(dir), requestedThreads());
    if (wasmSetup.threads > 1) {
      try {
        await setBackendOrThrow('wasm', `the threaded wasm backend (${wasmSetup.threads} threads)`);
      } catch (err) {
        // The single-threaded build still works: use it, and say why.
        tf.removeBackend('wasm');
        if (original) tf.registerBackend('wasm', original, 2);
        wasmSetup = { threads: 1, why: `1 thread: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
  }
  await setBackendOrThrow('wasm', 'the wasm backend');
  registerWasmTrainingKernels();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return simd ? `wasm (SIMD, ${wasmSetup.why})` : `wasm (no SIMD: slow, ${wasmSetup.why})`;
}

async function initCpu(): Promise<string> {
  await setBackendOrThrow('cpu', 'the cpu backend');
  return 'cpu (pure JavaScript: slow)';
}

/** The detail for the report (and the adapter, for webgpu); throws Unavailable with the reason otherwise. */
async function initOne(name: BackendName, explicit: boolean): Promise<{ what: string; adapter?: GpuAdapterInfo }> {
  switch (name) {
    case 'webgpu': {
      const { detail, adapter } = await initWebgpu(explicit);
      return { what: detail, adapter };
    }
    default:
      return { what: await initOther(name) };
  }
}

function initOther(name: Exclude<BackendName, 'webgpu'>): Promise<string> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return initNode(name);
    case 'wasm':
      return initWasm();
    case 'cpu':
      return initCpu();
  }
}

/**
 * Sets the TensorFlow.js backend for this process. An explicit choice that can't be had throws an Error
 * that says why; `auto` takes the first that initialises and says why it skipped the others.
 */
export async function initBackend(choice: BackendChoice): Promise<BackendReport> {
  if (choice !== 'auto') {
    if (!(BACKENDS as readonly string[]).includes(choice)) {
      throw new Error(`unknown backend "${String(choice)}" (expected auto, ${BACKENDS.join(', ')})`);
    }
    try {
      const { what, adapter } = await initOne(choice, true);
      return { requested: choice, name: choice, reason: `requested: using ${what}`, ...(adapter ? { adapter } : {}) };
    } catch (err) {
      if (err instanceof Unavailable) throw new Error(`backend "${choice}" is not available: ${err.message}`);
      throw err;
    }
  }
  const skipped: string[] = [];
  for (const name of BACKENDS) {
    try {
      const { what, adapter } = await initOne(name, false);
      return { requested: 'auto', name, reason: `auto: ${[...skipped, `using ${what}`].join('; ')}`, ...(adapter ? { adapter } : {}) };
    } catch (err) {
      if (!(err instanceof Unavailable)) throw err;
      skipped.push(name === 'webgpu' ? `webgpu: ${err.message}` : err.message);
    }
  }
  // Unreachable in practice: cpu is always there.
  throw new Error(`no backend could be initialised: ${skipped.join('; ')}`);
}
