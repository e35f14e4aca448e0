/**
 * `dl-lab bench`: training throughput with the engine's own trainStep, on every backend available here,
 * for LeNet-5 and the course-scale networks (a VGG-style CIFAR net with BatchNorm, ResNet-20), or for any
 * model file; and PyTorch's throughput for the same architecture, batch and thread count, measured in the
 * same run.
 *
 * The machine may be shared, so each side is timed over several windows; PyTorch's windows alternate with
 * those of the first backend measured, so both see the same load, and the ratio is the median of the
 * paired windows' ratios. Each entry reports its best window (the median is in `detail`). `profile` says
 * where a step of the first CPU backend goes, kernel by kernel, with the number of calls.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { BackendName, BenchModelName, BenchModelReport, BenchParams, BenchReport, BenchResultEntry } from '../../protocol/engineTypes';
import { BENCH_MODELS } from '../../protocol/engineTypes';
import { datasetShape } from '../data/dataset';
import { initBackend, probeBackends, wasmThreads } from '../backends';
import { loadModelFile } from '../model/modelFile';
import { lossFunction, makeOptimizer, trainStep } from '../training/step';
import { buildResNet20, buildVggSmall } from './courseNets';
import { buildLeNet5 } from './lenet';
import { profileStep } from './profile';
import { type PytorchSession, startPytorch } from './pytorch';
import { type TorchSpec, torchSpec, trainableParams } from './torchSpec';
import { median } from '../../util/stats';

const WINDOWS = 5;
/** The cpu backend trains LeNet-5 at ~18 samples/s: a few seconds per step, so it gets one short window. */
const CPU_STEPS = 2;

interface BenchNet {
  name: string;
  model: string;
  inputShape: number[];
  numClasses: number;
  build(): tf.LayersModel;
  /** Steps per run when --steps is not given: about 20 s of wasm time each. */
  defaultSteps: number;
  warmup: number;
  profileSteps: number;
  /** The pure-JS backend would take minutes per step. */
  skipCpu: boolean;
}

const ADAM = 'categorical cross-entropy; Adam 1e-3';

const NETS: Record<BenchModelName, BenchNet> = {
  lenet5: {
    name: 'lenet5',
    model: `LeNet-5 (28x28x1, tanh, average pooling, softmax; ${ADAM})`,
    inputShape: [28, 28, 1],
    numClasses: 10,
    build: () => buildLeNet5(),
    defaultSteps: 100,
    warmup: 10,
    profileSteps: 8,
    skipCpu: false,
  },
  'vgg-small': {
    name: 'vgg-small',
    model: `VGG-style CIFAR net (32x32x3; 6 conv3x3-BatchNorm-ReLU of 32-32-64-64-128-128, 3 max pools, dense 256; ${ADAM})`,
    inputShape: [32, 32, 3],
    numClasses: 10,
    build: () => buildVggSmall(),
    defaultSteps: 30,
    warmup: 3,
    profileSteps: 3,
    skipCpu: true,
  },
  resnet20: {
    name: 'resnet20',
    model: `ResNet-20 for CIFAR (32x32x3; 3 stages of 3 basic blocks, 16-32-64 filters; ${ADAM})`,
    inputShape: [32, 32, 3],
    numClasses: 10,
    build: () => buildResNet20(),
    defaultSteps: 30,
    warmup: 3,
    profileSteps: 3,
    skipCpu: true,
  },
};

interface Measured {
  rates: number[];
  best: number;
  median: number;
  stepsPerWindow: number;
}

/** Trains a fresh copy of `net` on the current backend; returns samples/s per window (and a profile). */
async function measureTfjs(
  net: BenchNet,
  batchSize: number,
  windows: number,
  stepsPerWindow: number,
  warmup: number,
  profileSteps: number,
  afterWindow?: () => Promise<void>,
): Promise<{ measured: Measured; profile?: { kernel: string; msPerStep: number; calls: number }[]; kernelCalls?: number }> {
  const model = net.build();
  const optimizer = makeOptimizer({ optimizer: 'adam', learningRate: 1e-3, momentum: 0 });
  const softmaxOut = (model.layers[model.layers.length - 1].getConfig() as { activation?: string }).activation === 'softmax';
  const loss = lossFunction(softmaxOut ? 'categoricalCrossentropy' : 'crossEntropyFromLogits');
  const x = tf.randomUniform([batchSize, ...net.inputShape], 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([batchSize], 0, net.numClasses, 'int32', 2), net.numClasses).toFloat());
  const step = () => {
    const r = trainStep(model, optimizer, loss, x, y);
    // A step is done when its loss can be read; data() rather than dataSync(): GPU backends cannot read
    // synchronously in Node, and a scalar's read is the same sync point on every backend.
    return r.loss.data().then(() => tf.dispose([r.loss, r.correct]));
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
    const measured = { rates, best: Math.max(...rates), median: median(rates), stepsPerWindow };
    if (profileSteps <= 0) return { measured };
    const profile = await profileStep(step, profileSteps);
    const kernelCalls = profile.reduce((s, k) => s + k.calls, 0);
    return { measured, profile, kernelCalls };
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

/** A model file as a bench net: its own input shape and classes from `dataset`. */
async function modelFileNet(file: string, dataset: string): Promise<BenchNet> {
  const { shape, classNames } = await datasetShape(dataset);
  const loaded = await loadModelFile(file);
  return {
    name: loaded.file,
    model: `${loaded.file} (${shape.join('x')}, ${classNames.length} classes of ${dataset}; random batches; cross-entropy, on the logits where the model ends without softmax; Adam 1e-3)`,
    inputShape: shape,
    numClasses: classNames.length,
    build: () => loaded.build({ inputShape: shape, numClasses: classNames.length }),
    defaultSteps: 30,
    warmup: 3,
    profileSteps: 3,
    skipCpu: true,
  };
}

export async function runBench(params: BenchParams, log: (msg: string) => void): Promise<BenchReport> {
  const batchSize = params.batchSize ?? 64;
  const threads = wasmThreads().threads;
  const skipped: BenchReport['skipped'] = [];

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

  const nets: BenchNet[] = params.modelFile
    ? [await modelFileNet(params.modelFile, params.dataset ?? 'synthetic:shapes')]
    : (params.models ?? [...BENCH_MODELS]).map((m) => {
        if (!NETS[m]) throw new Error(`unknown bench model "${String(m)}" (expected ${BENCH_MODELS.join(', ')})`);
        return NETS[m];
      });

  const previous = currentBackendName();
  const models: BenchModelReport[] = [];
  try {
    for (const net of nets) models.push(await benchNet(net, names, batchSize, threads, params, log));
  } finally {
    if (previous && previous !== currentBackendName()) await tf.setBackend(previous);
  }
  return { threads, models, skipped };
}

async function benchNet(
  net: BenchNet,
  names: BackendName[],
  batchSize: number,
  threads: number,
  params: BenchParams,
  log: (msg: string) => void,
): Promise<BenchModelReport> {
  const measuredSteps = Math.max(WINDOWS, params.steps ?? net.defaultSteps);
  const stepsPerWindow = Math.ceil(measuredSteps / WINDOWS);
  const results: BenchResultEntry[] = [];
  const skipped: BenchModelReport['skipped'] = [];
  let profile: BenchModelReport['profile'];

  // The architecture for PyTorch, from a throw-away build (also counts the parameters).
  let spec: TorchSpec | null = null;
  let specError: string | null = null;
  const probeModel = net.build();
  try {
    spec = torchSpec(probeModel);
  } catch (err) {
    specError = err instanceof Error ? err.message : String(err);
  }
  const paramCount = trainableParams(probeModel);
  probeModel.dispose();

  // PyTorch runs in a long-lived Python process, one window per request, interleaved with the windows
  // of the first tfjs backend measured: on a shared machine both then see the same load.
  let torch: PytorchSession | null = null;
  const torchRates: number[] = [];
  if (params.pytorch !== false) {
    if (!spec) {
      skipped.push({ name: 'pytorch', reason: `the reference cannot build this model: ${specError}` });
    } else {
      log(`bench: ${net.name}: pytorch: starting the reference`);
      const started = await startPytorch({ batchSize, threads, warmup: net.warmup * 2, spec, numClasses: net.numClasses });
      if (!started.ok) skipped.push({ name: 'pytorch', reason: started.reason });
      else if (started.session.params !== spec.trainableParams) {
        started.session.close();
        skipped.push({
          name: 'pytorch',
          reason: `the reference built ${started.session.params} trainable parameters, TensorFlow.js has ${spec.trainableParams}: not the same network`,
        });
      } else torch = started.session;
    }
  }
  const torchWindow = async () => {
    if (torch) torchRates.push(await torch.window(stepsPerWindow));
  };

  let paired: { entry: BenchResultEntry; rates: number[] } | null = null;
  try {
    for (const name of names) {
      if (name === 'cpu' && net.skipCpu) {
        skipped.push({ name, reason: 'the pure-JS backend takes minutes per step of this network' });
        continue;
      }
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
      const profileSteps = !profile && (name === 'wasm' || name === 'tensorflow') ? net.profileSteps : 0;
      log(
        `bench: ${net.name}: ${name}: ${cpu ? 1 : net.warmup} warm-up steps, then ${windows} x ${perWindow} steps of ${batchSize}` +
          (interleave ? ', each window followed by one of PyTorch' : ''),
      );
      const r = await measureTfjs(net, batchSize, windows, perWindow, cpu ? 1 : net.warmup, profileSteps, interleave ? torchWindow : undefined);
      if (r.profile) profile = { backend: name, kernelCalls: r.kernelCalls ?? 0, kernels: r.profile };
      const detail = cpu
        ? `${perWindow} steps only (the pure-JS backend is slow); ${reason}; ${load()}`
        : `best of ${windows} windows of ${perWindow} steps (median ${r.measured.median.toFixed(1)} samples/s)` +
          `${interleave ? ', interleaved with PyTorch' : ''}; ${reason}; ${load()}`;
      const entry: BenchResultEntry = { name, samplesPerSec: round(r.measured.best), detail };
      results.push(entry);
      if (interleave) paired = { entry, rates: r.measured.rates };
      log(`bench: ${net.name}: ${name}: ${r.measured.best.toFixed(1)} samples/s`);
    }
    if (torch && torchRates.length === 0) for (let w = 0; w < WINDOWS; w++) await torchWindow();
  } finally {
    torch?.close();
  }

  if (torch && torchRates.length > 0) {
    const best = Math.max(...torchRates);
    results.push({
      name: 'pytorch',
      samplesPerSec: round(best),
      detail:
        `best of ${torchRates.length} windows of ${stepsPerWindow} steps (median ${median(torchRates).toFixed(1)} samples/s); ` +
        `torch ${torch.torch}, ${torch.threads} thread(s), ${torch.python}; ${load()}`,
    });
    for (const r of results) {
      if (r.name === 'pytorch') continue;
      // The interleaved backend: the median of its windows' ratios to the PyTorch window that followed each.
      const p = paired as { entry: BenchResultEntry; rates: number[] } | null;
      const ratio = p && p.entry === r ? median(p.rates.map((rate, i) => rate / torchRates[i])) : r.samplesPerSec / best;
      r.ratioToPytorch = Math.round(ratio * 1000) / 1000;
    }
    log(`bench: ${net.name}: pytorch: ${best.toFixed(1)} samples/s`);
  }

  return { name: net.name, model: net.model, batchSize, trainableParams: paramCount, results, skipped, ...(profile ? { profile } : {}) };
}

/** Other processes compete for the CPU on shared machines: say how much, next to each number. */
function load(): string {
  return `load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs`;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
