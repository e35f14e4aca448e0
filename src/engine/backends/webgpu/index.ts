/**
 * The `webgpu` backend: TensorFlow.js's WebGPU backend on Dawn's Node.js addon. Any GPU with a Vulkan,
 * Metal or D3D12 driver trains on it, with nothing to download at install time (no CUDA, no libtensorflow).
 *
 * `auto` takes it only on a hardware adapter; Mesa's software renderer (llvmpipe) is used only when asked
 * for by name, with a warning, which is how the tests run without a GPU.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendAvailability, GpuAdapterInfo } from '../../../protocol/engine';
import { firstLine, requireAtRuntime, resolvePackage, Unavailable } from '../load';
import { adapterLabel, findAdapter, type Found, type Gpu, type GpuDevice, reacquire } from './adapter';

const TFJS_WEBGPU = '@tensorflow/tfjs-backend-webgpu';

/** Limits TensorFlow.js's shaders assume; WebGPU grants its small defaults unless asked (as tfjs's own set-up does). */
const LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeInvocationsPerWorkgroup',
];

let search: Promise<{ found: Found; skipped: string[] }> | null = null;
/** The adapter the registered backend runs on, once initialised. */
let active: GpuAdapterInfo | null = null;

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

/** Validation errors and device loss are otherwise silent: the engine log gets them. */
function watch(device: GpuDevice): void {
  const seen = new Set<string>();
  device.addEventListener('uncapturederror', (event) => {
    const line = firstLine(event.error.message);
    if (seen.size < 10 && !seen.has(line)) {
      seen.add(line);
      console.error(`webgpu: ${line}`);
    }
  });
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed') console.error(`webgpu: device lost: ${firstLine(info.message)}`);
  });
}

async function createBackend(found: Found): Promise<void> {
  let pkg: { WebGPUBackend: new (device: GpuDevice, info: unknown) => tf.KernelBackend };
  try {
    // Loaded before navigator.gpu exists, so that it does not register its own set-up (which would ask
    // for a core adapter and miss the compatibility-mode one).
    pkg = requireAtRuntime(TFJS_WEBGPU) as typeof pkg;
  } catch (err) {
    throw new Unavailable(`${TFJS_WEBGPU} failed to load: ${firstLine(err)}`);
  }
  const adapter = await reacquire(found);
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMITS) if (typeof adapter.limits[name] === 'number') requiredLimits[name] = adapter.limits[name];
  const requiredFeatures = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  let device: GpuDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  } catch (err) {
    throw new Unavailable(`no WebGPU device on ${adapterLabel(found.info)}: ${firstLine(err)}`);
  }
  watch(device);
  exposeGpu(found.gpu);
  // Priority 0: never picked by TensorFlow.js on its own, only by name.
  tf.registerBackend('webgpu', () => new pkg.WebGPUBackend(device, adapter.info), 0);
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
  if (!active) {
    await createBackend(found);
    active = info;
  }
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
