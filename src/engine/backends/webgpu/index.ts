/**
 * The `webgpu` backend: TensorFlow.js's WebGPU backend on Dawn's Node.js addon. Any GPU with a Vulkan,
 * Metal or D3D12 driver trains on it, with nothing to download at install time (no CUDA, no libtensorflow).
 *
 * `auto` takes it only on a hardware adapter; Mesa's software renderer (llvmpipe) is used only when asked
 * for by name, with a warning, which is how the tests run without a GPU.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendAvailability, GpuAdapterInfo } from '../../../protocol/engineTypes';
import { firstLine, requireAtRuntime, resolvePackage, Unavailable } from '../load';
import { adapterLabel, findAdapter, type Found, type Gpu, type GpuDevice, reacquire, releaseInstances } from './adapter';

const TFJS_WEBGPU = '@tensorflow/tfjs-backend-webgpu';

let search: Promise<{ found: Found; skipped: string[] }> | null = null;
/** The adapter the registered backend runs on, and its device, once initialised. */
let active: { info: GpuAdapterInfo; device: GpuDevice } | null = null;

/** Adapters do not come and go while the engine runs: look once. */
function adapterSearch(): Promise<{ found: Found; skipped: string[] }> {
  search ??= findAdapter();
  return search;
}

function softwareWarning(info: GpuAdapterInfo): string {
  return `warning: ${info.device || 'this adapter'} is a software renderer on the CPU, for testing: slower than wasm`;
}

/** Whether webgpu can be used here and on which adapter; looks for an adapter without creating a device. */
export async function probeWebgpu(): Promise<BackendAvailability> {
  if (!resolvePackage(TFJS_WEBGPU)) return { name: 'webgpu', available: false, detail: `${TFJS_WEBGPU} is not installed` };
  try {
    const { found, skipped } = await adapterSearch();
    const label = adapterLabel(found.info);
    const detail = found.info.software
      ? `only a software adapter: ${label}; auto passes it by, --backend webgpu uses it${skipped.length ? ` (${skipped.join('; ')})` : ''}`
      : label;
    return { name: 'webgpu', available: true, detail, adapter: found.info };
  } catch (err) {
    if (err instanceof Unavailable) return { name: 'webgpu', available: false, detail: err.message };
    throw err;
  }
}

/** navigator.gpu, which TensorFlow.js's backend checks for (Node.js 21+ and Electron have a navigator, 20 has none). */
function exposeGpu(gpu: Gpu): void {
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) g.navigator = {};
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
}

/**
 * The first validation error or device loss. WebGPU reports them out of band and carries on with garbage
 * (a shader that fails validation leaves its output unwritten), so the next read fails with it instead.
 */
let failure: string | null = null;

function watch(device: GpuDevice): void {
  device.addEventListener('uncapturederror', (event) => {
    const line = firstLine(event.error.message);
    console.error(`webgpu: ${line}`);
    failure ??= line;
  });
  void device.lost.then((info) => {
    if (info.reason === 'destroyed') return;
    console.error(`webgpu: device lost: ${firstLine(info.message)}`);
    failure ??= `device lost: ${firstLine(info.message)}`;
  });
}

type BackendClass = new (device: GpuDevice, info: unknown) => tf.KernelBackend;

/** TensorFlow.js's WebGPU backend whose reads fail once the device has reported an error. */
function checked(Base: BackendClass): BackendClass {
  return class extends Base {
    override async read(dataId: object): Promise<tf.backend_util.BackendValues> {
      const values = await super.read(dataId);
      if (failure) throw new Error(`webgpu: ${failure}`);
      return values;
    }
  };
}

/**
 * Gives the GPU back: removes the backend, destroys the device and drops Dawn's instances. A live device
 * keeps Node.js's event loop running, so a process that does not call process.exit (a test file) ends
 * only after this. The engine exits explicitly and needs it not.
 */
export function releaseWebgpu(): void {
  if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
  active?.device.destroy();
  active = null;
  search = null;
  failure = null;
  releaseInstances();
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav && 'gpu' in nav) delete nav.gpu;
}

async function createBackend(found: Found): Promise<void> {
  let pkg: { WebGPUBackend: BackendClass };
  try {
    // Loaded before navigator.gpu exists, so that it does not register its own set-up (which would ask
    // for a core adapter and miss the compatibility-mode one).
    pkg = requireAtRuntime(TFJS_WEBGPU) as typeof pkg;
  } catch (err) {
    throw new Unavailable(`${TFJS_WEBGPU} failed to load: ${firstLine(err)}`);
  }
  const adapter = await reacquire(found);
  // Every limit at what the adapter allows: WebGPU grants small defaults unless asked, and TensorFlow.js's
  // shaders exceed them (256-wide workgroups; AddN and Concat with up to 16 storage buffers).
  const requiredLimits: Record<string, number> = {};
  for (const name in adapter.limits) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  const requiredFeatures = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  let device: GpuDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  } catch (err) {
    throw new Unavailable(`no WebGPU device on ${adapterLabel(found.info)}: ${firstLine(err)}`);
  }
  watch(device);
  exposeGpu(found.gpu);
  active = { info: found.info, device };
  // Priority 0: never picked by TensorFlow.js on its own, only by name.
  const Backend = checked(pkg.WebGPUBackend);
  tf.registerBackend('webgpu', () => new Backend(device, adapter.info), 0);
}

/**
 * Reads a GPU buffer back once: Dawn hands its mapped memory to V8 as an external ArrayBuffer, which an
 * Electron runtime with the V8 memory cage refuses. Better to find out here, and fall back, than mid-run.
 */
async function readBack(): Promise<void> {
  const n = 4096;
  const t = tf.tidy(() => tf.range(0, n).mul(2));
  try {
    const values = await t.data();
    if (values.length !== n || values[n - 1] !== 2 * (n - 1)) throw new Error(`read back ${values[n - 1]} for ${2 * (n - 1)}`);
  } catch (err) {
    const hint = process.versions.electron ? ' (Electron\'s V8 memory cage refuses Dawn\'s buffers: set dlLab.nodePath to a Node.js 20+ binary)' : '';
    throw new Unavailable(`webgpu cannot read GPU memory back: ${firstLine(err)}${hint}`);
  } finally {
    t.dispose();
  }
}

/**
 * Makes webgpu the TensorFlow.js backend. Returns what to report (adapter and detail); throws Unavailable
 * with the reason when there is no adapter, or only a software one and `allowSoftware` is false.
 */
export async function initWebgpu(allowSoftware: boolean): Promise<{ detail: string; adapter: GpuAdapterInfo }> {
  if (!resolvePackage(TFJS_WEBGPU)) throw new Unavailable(`${TFJS_WEBGPU} is not installed`);
  const { found, skipped } = await adapterSearch();
  const info = found.info;
  if (info.software && !allowSoftware) {
    throw new Unavailable(`only a software adapter, which auto does not use: ${adapterLabel(info)}${skipped.length ? ` (${skipped.join('; ')})` : ''}`);
  }
  if (!active) await createBackend(found);
  let ok: boolean;
  try {
    ok = await tf.setBackend('webgpu');
  } catch (err) {
    throw new Unavailable(`the webgpu backend failed to initialise: ${firstLine(err)}`);
  }
  if (!ok) throw new Unavailable('the webgpu backend failed to initialise');
  await readBack();
  const label = adapterLabel(info);
  return { detail: info.software ? `webgpu on ${label}; ${softwareWarning(info)}` : `webgpu on ${label}`, adapter: info };
}
