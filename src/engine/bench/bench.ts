/**
 * `dl-lab bench`: training throughput of LeNet-5 (28x28x1, batch 64, Adam) with the engine's own
 * trainStep, on every backend available here, and PyTorch's throughput for the same net, batch and
 * thread count, measured in the same run.
 *
 * The machine may be shared, so each side is timed over several windows and reports its best window
 * (the median is in `detail`); PyTorch's windows alternate with wasm's, so both see the same load, and
 * both use the same rule, so their ratio is like for like. `wasmProfile` says where a wasm step goes.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { BackendName, BenchParams, BenchReport, BenchResultEntry } from '../../protocol/engine';
import { initBackend, probeBackends } from '../backends';
import { lossFunction, makeOptimizer, trainStep } from '../training/step';
import { buildLeNet5 } from './lenet';
import { profileStep } from './profile';
import { type PytorchSession, startPytorch } from './pytorch';

const WINDOWS = 5;
const WARMUP_STEPS = 10;
/** The cpu backend trains LeNet-5 at ~18 samples/s: a few seconds per step, so it gets one short window. */
const CPU_STEPS = 2;
const PROFILE_STEPS = 8;
/** wasm and node run single-threaded here (tfjs-node excepted); PyTorch is pinned to match. */
const THREADS = 1;

interface Measured {
  best: number;
  median: number;
  windows: number;
  stepsPerWindow: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Trains a fresh LeNet-5 on the current backend; returns samples/s (and profiles it when asked). */
async function measureTfjs(
  batchSize: number,
  windows: number,
  stepsPerWindow: number,
  warmup: number,
  profileSteps: number,
  afterWindow?: () => Promise<void>,
): Promise<{ measured: Measured; profile?: { kernel: string; msPerStep: number }[] }> {
  const model = buildLeNet5();
  const optimizer = makeOptimizer({ optimizer: 'adam', learningRate: 1e-3, momentum: 0 });
  const loss = lossFunction('categoricalCrossentropy');
  const x = tf.randomUniform([batchSize, 28, 28, 1], 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([batchSize], 0, 10, 'int32', 2), 10).toFloat());
  // A step is done when its loss can be read (and every backend is synced by it). Read asynchronously:
  // webgpu cannot read a GPU tensor synchronously in Node.js.
  const step = async () => {
    const r = trainStep(model, optimizer, loss, x, y);
    await r.loss.data();
    tf.dispose([r.loss, r.correct]);
  };
  const syncStep = () => {
    const r = trainStep(model, optimizer, loss, x, y);
    r.loss.dataSync();
    tf.dispose([r.loss, r.correct]);
  };
  try {
    for (let i = 0; i < warmup; i++) await step();
    const rates: number[] = [];
    for (let w = 0; w < windows; w++) {
      const t = performance.now();
      for (let i = 0; i < stepsPerWindow; i++) await step();
      rates.push((batchSize * stepsPerWindow * 1000) / (performance.now() - t));
      await new Promise((r) => setImmediate(r)); // let the engine answer IPC between windows
      await afterWindow?.();
    }
    const measured = { best: Math.max(...rates), median: median(rates), windows, stepsPerWindow };
    const profile = profileSteps > 0 ? await profileStep(syncStep, profileSteps) : undefined;
    return { measured, profile };
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}

function currentBackendName(): string | null {
  // tf.getBackend() would initialise one if none is set; the engine's field just says which is.
  return (tf.engine() as unknown as { backendName?: string | null }).backendName ?? null;
}

export async function runBench(params: BenchParams, log: (msg: string) => void): Promise<BenchReport> {
  const batchSize = params.batchSize ?? 64;
  const measuredSteps = Math.max(WINDOWS, params.steps ?? 100);
  const stepsPerWindow = Math.ceil(measuredSteps / WINDOWS);
  const results: BenchResultEntry[] = [];
  const skipped: BenchReport['skipped'] = [];
  let wasmProfile: BenchReport['wasmProfile'];

  const probe = await probeBackends();
  let names: BackendName[];
  if (params.backends && params.backends.length > 0) {
    names = params.backends;
  } else {
    // A software WebGPU adapter (Mesa's llvmpipe) is far slower than wasm: measured only when named.
    const measurable = (b: (typeof probe)[number]) => b.available && !b.adapter?.software;
    names = probe.filter(measurable).map((b) => b.name);
    for (const b of probe) if (!measurable(b)) skipped.push({ name: b.name, reason: b.detail });
  }

  // PyTorch runs in a long-lived Python process, one window per request, interleaved with the windows
  // of the first tfjs backend measured (wasm here): on a shared machine both then see the same load.
  let torch: PytorchSession | null = null;
  const torchRates: number[] = [];
  if (params.pytorch !== false) {
    log(`bench: pytorch: starting the reference (${WARMUP_STEPS * 2} warm-up steps)`);
    const started = await startPytorch({ batchSize, threads: THREADS, warmup: WARMUP_STEPS * 2 });
    if (started.ok) torch = started.session;
    else skipped.push({ name: 'pytorch', reason: started.reason });
  }
  const torchWindow = async () => {
    if (torch) torchRates.push(await torch.window(stepsPerWindow));
  };

  const previous = currentBackendName();
  try {
    for (const name of names) {
      let reason: string;
      try {
        reason = (await initBackend(name)).reason;
      } catch (err) {
        skipped.push({ name, reason: err instanceof Error ? err.message : String(err) });
        continue;
      }
      const cpu = name === 'cpu';
      const windows = cpu ? 1 : WINDOWS;
      const perWindow = cpu ? Math.min(CPU_STEPS, measuredSteps) : stepsPerWindow;
      const interleave = torch !== null && !cpu && torchRates.length === 0;
      log(
        `bench: ${name}: ${cpu ? 1 : WARMUP_STEPS} warm-up steps, then ${windows} x ${perWindow} steps of ${batchSize}` +
          (interleave ? ', each window followed by one of PyTorch' : ''),
      );
      const { measured, profile } = await measureTfjs(
        batchSize,
        windows,
        perWindow,
        cpu ? 1 : WARMUP_STEPS,
        name === 'wasm' ? PROFILE_STEPS : 0,
        interleave ? torchWindow : undefined,
      );
      if (profile) wasmProfile = profile;
      const detail = cpu
        ? `${perWindow} steps only (the pure-JS backend is slow); ${reason}; ${load()}`
        : `best of ${windows} windows of ${perWindow} steps (median ${measured.median.toFixed(0)} samples/s)` +
          `${interleave ? ', interleaved with PyTorch' : ''}; ${reason}; ${load()}`;
      results.push({ name, samplesPerSec: round(measured.best), detail });
      log(`bench: ${name}: ${measured.best.toFixed(0)} samples/s`);
    }
    if (torch && torchRates.length === 0) for (let w = 0; w < WINDOWS; w++) await torchWindow();
  } catch (err) {
    torch?.close();
    throw err;
  } finally {
    if (previous && previous !== currentBackendName()) await tf.setBackend(previous);
  }

  if (torch) {
    torch.close();
    const best = Math.max(...torchRates);
    results.push({
      name: 'pytorch',
      samplesPerSec: round(best),
      detail:
        `best of ${torchRates.length} windows of ${stepsPerWindow} steps (median ${median(torchRates).toFixed(0)} samples/s); ` +
        `torch ${torch.torch}, ${torch.threads} thread(s), ${torch.python}; ${load()}`,
    });
    for (const r of results) if (r.name !== 'pytorch') r.ratioToPytorch = Math.round((r.samplesPerSec / best) * 1000) / 1000;
    log(`bench: pytorch: ${best.toFixed(0)} samples/s`);
  }

  return {
    model: 'LeNet-5 (28x28x1, tanh, average pooling, softmax; categorical cross-entropy; Adam 1e-3)',
    batchSize,
    threads: THREADS,
    results,
    skipped,
    ...(wasmProfile ? { wasmProfile } : {}),
  };
}

/** Other processes compete for the CPU on shared machines: say how much, next to each number. */
function load(): string {
  return `load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs`;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
