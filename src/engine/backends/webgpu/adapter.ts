/**
 * Finding a WebGPU adapter through Dawn's Node.js addon (the npm package `webgpu`, which ships a prebuilt
 * dawn.node per platform). Two attempts, in order:
 *   - the platform's native API (Vulkan on Linux, Metal on macOS, D3D12 on Windows): real GPUs;
 *   - on Linux, Dawn's OpenGL backend in compatibility mode over EGL: a GPU with only an OpenGL driver, or
 *     Mesa's software rasteriser (llvmpipe), which is how the tests run on machines without a GPU.
 * The first hardware adapter wins; a software one is kept for whoever accepts it (`--backend webgpu`).
 */
import * as path from 'node:path';
import type { GpuAdapterInfo } from '../../../protocol/engineTypes';
import { firstLine, requireAtRuntime, resolvePackage, Unavailable } from '../load';
import { mesaMissing, vulkanMissing } from './libraries';

/** The few parts of the WebGPU API used here (the full typings would add globals to every engine file). */
export interface Gpu {
  requestAdapter(options?: Record<string, unknown>): Promise<GpuAdapter | null>;
}
export interface GpuAdapter {
  info: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean };
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  requestDevice(descriptor?: Record<string, unknown>): Promise<GpuDevice>;
}
export interface GpuDevice {
  lost: Promise<{ reason: string; message: string }>;
  addEventListener(type: 'uncapturederror', listener: (event: { error: { message: string } }) => void): void;
  destroy(): void;
}
interface Dawn {
  create(options: string[]): Gpu;
  globals: Record<string, unknown>;
}

/** Renderers that run on the CPU: usable, but slower than the wasm backend, so `auto` passes them by. */
const SOFTWARE = /llvmpipe|softpipe|lavapipe|swiftshader|microsoft basic render|\bwarp\b/i;

const NATIVE_API: Partial<Record<NodeJS.Platform, string>> = { linux: 'vulkan', darwin: 'metal', win32: 'd3d12' };
const API_LABEL: Record<string, string> = { vulkan: 'Vulkan', metal: 'Metal', d3d12: 'D3D12' };

/** dist/<platform>-<arch>/dawn.node inside the `webgpu` package (macOS has one universal build). */
export function dawnNodePath(): string | null {
  const pkg = resolvePackage('webgpu');
  if (!pkg) return null;
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  return path.join(path.dirname(pkg), 'dist', `${process.platform}-${arch}`, 'dawn.node');
}

let dawn: Dawn | null = null;

function loadDawn(): Dawn {
  if (dawn) return dawn;
  const file = dawnNodePath();
  if (!file) throw new Unavailable('the webgpu package is not installed');
  try {
    // The addon itself, not the package's ES module index: the engine is CommonJS on any Node.js version.
    dawn = requireAtRuntime(file) as Dawn;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND') throw new Unavailable(`the webgpu package has no dawn.node for ${process.platform}-${process.arch}`);
    throw new Unavailable(`dawn.node failed to load: ${firstLine(err)}`);
  }
  // GPUBufferUsage, GPUMapMode... are globals in a browser; TensorFlow.js's backend uses them as such.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  return dawn;
}

export type AttemptName = 'native' | 'opengl';

/** One Dawn instance per attempt, kept for the process: an adapter is only valid with its instance. */
const instances = new Map<AttemptName, Gpu>();

function instance(name: AttemptName): Gpu {
  let gpu = instances.get(name);
  if (!gpu) {
    if (name === 'opengl') {
      // Mesa's EGL picks a window system by default and finds none on a server or in CI.
      process.env.EGL_PLATFORM ??= 'surfaceless';
    }
    gpu = loadDawn().create(name === 'opengl' ? ['backend=opengl'] : []);
    instances.set(name, gpu);
  }
  return gpu;
}

/** Drops the instances (see releaseWebgpu). */
export function releaseInstances(): void {
  instances.clear();
}

export interface Found {
  gpu: Gpu;
  adapter: GpuAdapter;
  attempt: AttemptName;
  info: GpuAdapterInfo;
}

function describeAdapter(adapter: GpuAdapter, attempt: AttemptName): GpuAdapterInfo {
  const { vendor, architecture, device, description, isFallbackAdapter } = adapter.info;
  const text = `${vendor} ${architecture} ${device} ${description}`;
  return {
    vendor,
    architecture,
    device,
    description,
    api: attempt === 'opengl' ? 'opengl' : NATIVE_API[process.platform] ?? 'native',
    featureLevel: attempt === 'opengl' ? 'compatibility' : 'core',
    software: isFallbackAdapter === true || SOFTWARE.test(text),
  };
}

/** "llvmpipe (OpenGL version 4.5 (Core Profile) Mesa 22.3.6), software, opengl compatibility" */
export function adapterLabel(info: GpuAdapterInfo): string {
  const name = [info.vendor, info.architecture, info.device].filter((s) => s !== '').join(' ') || 'unnamed adapter';
  const kind = info.software ? 'software renderer' : 'GPU';
  return `${name}${info.description ? ` (${info.description})` : ''}, ${kind}, ${info.api}${info.featureLevel === 'compatibility' ? ' compatibility mode' : ''}`;
}

async function requestAdapter(attempt: AttemptName): Promise<GpuAdapter | null> {
  const options: Record<string, unknown> = { powerPreference: 'high-performance' };
  if (attempt === 'opengl') options.featureLevel = 'compatibility';
  return instance(attempt).requestAdapter(options);
}

/**
 * The best adapter here: the first hardware one, else the first software one, with a line per attempt
 * that found nothing (naming the missing library where one is missing). Throws Unavailable when there is
 * no adapter at all.
 */
export async function findAdapter(): Promise<{ found: Found; skipped: string[] }> {
  const attempts: AttemptName[] = process.platform === 'linux' ? ['native', 'opengl'] : ['native'];
  const skipped: string[] = [];
  let software: Found | null = null;
  for (const attempt of attempts) {
    const api = attempt === 'opengl' ? 'OpenGL' : (API_LABEL[NATIVE_API[process.platform] ?? ''] ?? 'native API');
    let adapter: GpuAdapter | null = null;
    let error: string | null = null;
    try {
      adapter = await requestAdapter(attempt);
    } catch (err) {
      if (err instanceof Unavailable) throw err;
      error = firstLine(err);
    }
    if (!adapter) {
      // Dawn prints its reasons on the native stderr only (the engine log); a missing library is named here.
      // Dawn is asked first all the same: the library check might miss one the loader would find.
      const missing = attempt === 'opengl' ? mesaMissing() : vulkanMissing();
      const fallback = attempt === 'opengl' ? 'no adapter (EGL could not be initialised; Dawn says why in the engine log)' : 'no adapter';
      skipped.push(`${api}: ${missing ?? error ?? fallback}`);
      continue;
    }
    const found: Found = { gpu: instance(attempt), adapter, attempt, info: describeAdapter(adapter, attempt) };
    if (!found.info.software) return { found, skipped };
    software ??= found;
  }
  if (software) return { found: software, skipped };
  throw new Unavailable(`no WebGPU adapter (${skipped.join('; ')})`);
}

/** A fresh adapter from the same instance and attempt (an adapter gives one device only). */
export async function reacquire(found: Found): Promise<GpuAdapter> {
  const adapter = await requestAdapter(found.attempt);
  if (!adapter) throw new Unavailable(`the ${found.info.api} adapter went away`);
  return adapter;
}
