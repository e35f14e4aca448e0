/**
 * `dl-lab`: the engine from a terminal, a server or CI. It drives the same engine process, over the same
 * protocol, as the extension does.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EngineClient } from '../client/engineClient';
import { DATA_BENCH_HEADER, dataBenchRows } from '../engine/bench/dataBench';
import { formatReport, inspectDataset } from '../engine/data/summary';
import { type Check, nonNegativeNumber, positiveNumber, unitInterval } from '../engine/training/configChecks';
import {
  BACKENDS,
  BENCH_MODELS,
  CHECKPOINT_CHOICES,
  isBackendChoice,
  OPTIMIZERS,
  type BackendName,
  type BenchModelName,
  type CheckpointChoice,
  type FeatureMapsParams,
  type TrainFinishedParams,
  type TrainingConfig,
} from '../protocol/engineTypes';
import {
  BenchRequest,
  EngineInfoRequest,
  FeatureMapsRequest,
  ModelSummaryRequest,
  TrainEventNotification,
  TrainFinishedNotification,
  TrainProgressNotification,
  TrainStartedNotification,
  TrainStartRequest,
  TrainStopRequest,
} from '../protocol/engineRequests';
import { effectiveStatus, readRunRecord, requestStop, RUN_FILE, scanRuns, STOP_REQUEST_FILE } from '../runs/runFolder';
import { checkInput, findTemplate, formatCount, formatMacs, formatParams, referenceLabel, renderTemplate, TEMPLATES } from '../templates/catalogue';
import { printable } from '../util/text';
import { findRun, parseClassList } from './eval';
import { exportCommand } from './export';
import { predictionLine, writeFeatureMapsPng } from './featureMapsPng';
import { formatNumber, table } from './format';
import { benchFeatureMaps, INSPECT_BENCH_HEADER, inspectBenchRows } from './inspectionBench';
import { describeCallbacks, formatTrainEvent, ProgressLine } from './progress';
import { checkResumedModelFile } from './resumeModel';
import { listSweepRuns } from './sweepRuns';

const USAGE = `Usage: dl-lab <command> [options]

Commands:
  train <model-file>   Train a model file (*.model.ts / *.model.js)
      --data D             synthetic:shapes (default) or a dataset path
      --epochs N  --batch-size N  --lr X  --optimizer adam|sgd|rmsprop  --seed N
      --weight-decay X     L2 weight decay added to the gradients (PyTorch's weight_decay)
      --validation-split X
      --early-stopping N   stop when val_loss has not improved for N epochs (restores the best weights)
      --normal-classes L   train on these classes only, e.g. 0-8 (anomaly detection; recorded in run.json)
      --backend B          auto (default), ${BACKENDS.join(', ')}; or set DL_LAB_BACKEND
      --runs-dir DIR       where runs are written (default ./runs, or DL_LAB_RUNS_DIR)
      --resume RUN_DIR     continue a run from its last checkpoint (model file optional)
      --json               one JSON object per line; the last is {"event":"end",...}
      --verbose            also print the engine's log
      --model-timeout S    seconds the model file may take to load or build (default 120, or DL_LAB_MODEL_TIMEOUT)
      --threads N          CPU threads of the wasm backend (default: one per core, or DL_LAB_THREADS)
  runs                 List runs with status and final metrics  [--runs-dir DIR] [--json]
      --sweep ID           only the runs of one sweep, with their settings and best val_acc / val_loss
  sweep <model-file>   Train a model file once per combination of training settings, or per random draw
      --grid KEY=V1,V2,...       values of a key of the model file's training (learningRate, batchSize,
                                 optimizer, ...); repeat for more keys: the runs are every combination
      --random N                 N runs instead, drawing each --grid key's value and each --range's
      --range KEY=LOW..HIGH[:log]   an interval to draw from (whole numbers for integer keys)
      --seed N             seeds the draws and every run's training   --parallel N   runs at a time (default 1)
      --json, and train's options for every run (--data, --epochs, --lr, --backend, --threads, --runs-dir...)
  tensorboard [runs-dir]   Print the command that starts TensorBoard on the runs folder (default ./runs, or
                       --runs-dir / DL_LAB_RUNS_DIR); every run writes TensorBoard event files
  stop <run-dir|run-id>   Stop a training run after its current batch, from any terminal (checkpoints kept)
      --runs-dir DIR       where to find a run given by id (default ./runs)
  bench [model-file]   Training throughput per backend against PyTorch (same network, batch and threads),
                       with the per-kernel profile of a step: LeNet-5, a VGG-style CIFAR net, ResNet-20;
                       then data loading and feature-map latency. With a model file: that model only
      --data D             the model file's data (shape and classes; default synthetic:shapes)
      --model NAMES        built-in networks to measure: lenet5, vgg-small, resnet20 (comma-separated)
      --backend B          one backend only (e.g. webgpu: a software adapter is measured only when named)
      --batch-size N  --steps N  --threads N  [--json]
  info                 Engine version and which backends are available here  [--json]
  data inspect <PATH|synthetic:NAME>   Format, samples per split, classes, shape, dtype, mean/std  [--json]
  summary <model-file> Layers, output shapes, parameters and MACs of a model file
      --data D | --input-shape H,W,C --classes N   (default: synthetic:shapes)  [--json]
  new --list           Model templates, with parameters and MACs  [--json]
  new <template> --out FILE   Write a ready-to-train model file from a template
      --input-shape H,W,C --classes N   the data it is for (default: the template's)  [--force]
  featuremaps <model-file|run-dir> --out FILE.png   Every layer's output for one sample, as a PNG grid
      --data D             the dataset (default: the run's; synthetic:shapes for a model file)
      --index N            the sample (default 0)   --layer NAME   only this layer
      --checkpoint C       last (default for a run), best or untrained   [--json]
  eval <run-dir|run-id>   Evaluate a run: loss, accuracy, top-5, confusion matrix, per-class F1, calibration
      --data D             another dataset of the same shape and classes (default: the run's)
      --split S            train, val or test (default: the split the run did not train on)
      --checkpoint C       best (default, where the run has one) or last   [--json]
  anomaly <run-dir|run-id> --method M   Score how anomalous each sample is, with AUROC, AUPRC, FPR95
      --method M           msp (max softmax probability), mahalanobis or knn (a layer's features), recon
                           (a reconstruction model's error), fpi (a foreign-patch model's top-quartile mean)
      --layer NAME         the feature layer (default: the last layer's input)   --k N   knn's neighbour (5)
      --anomaly-classes L  anomalous classes, e.g. 9 or 0,3-5 (default: those outside the run's normal classes)
      --scores-out F.csv   write index,label,score,anomalous   --data D  --split S  --checkpoint C  [--json]
  export <run-dir|run-id> --format onnx|tfjs|keras --out PATH   A run's checkpoint as an ONNX file (opset 17,
                       NHWC input) or a TensorFlow.js folder; keras says how to convert the TensorFlow.js folder
      --checkpoint C       last (default) or best   --runs-dir DIR   [--json]

Exit code: 0 only when the command succeeded (for train: the run completed).`;

class UsageError extends Error {}

const OPTIONS = {
  data: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  optimizer: { type: 'string' },
  seed: { type: 'string' },
  'validation-split': { type: 'string' },
  'weight-decay': { type: 'string' },
  'early-stopping': { type: 'string' },
  backend: { type: 'string' },
  'runs-dir': { type: 'string' },
  resume: { type: 'string' },
  steps: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  'input-shape': { type: 'string' },
  classes: { type: 'string' },
  out: { type: 'string' },
  list: { type: 'boolean' },
  force: { type: 'boolean' },
  index: { type: 'string' },
  layer: { type: 'string' },
  checkpoint: { type: 'string' },
  'model-timeout': { type: 'string' },
  threads: { type: 'string' },
  model: { type: 'string' },
  grid: { type: 'string', multiple: true },
  range: { type: 'string', multiple: true },
  random: { type: 'string' },
  parallel: { type: 'string' },
  sweep: { type: 'string' },
  split: { type: 'string' },
  'normal-classes': { type: 'string' },
  method: { type: 'string' },
  'scores-out': { type: 'string' },
  'anomaly-classes': { type: 'string' },
  k: { type: 'string' },
  format: { type: 'string' },
} satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/**
 * `--epochs -1` as `--epochs=-1`: parseArgs takes a value that starts with a dash for an option and says
 * "argument is ambiguous"; a number is meant as the value, and the option's own check then names the rule.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    const option = name !== undefined && Object.hasOwn(OPTIONS, name) ? OPTIONS[name as keyof typeof OPTIONS] : undefined;
    if (option?.type === 'string' && i + 1 < argv.length && /^-\d|^-\.\d|^-Infinity$|^-NaN$/.test(argv[i + 1])) {
      out.push(`${argv[i]}=${argv[i + 1]}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) {
    console.log(readOwnVersion());
    return 0;
  }
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'train':
      return train(rest, values);
    case 'runs':
      return runs(rest, values);
    case 'stop':
      return stop(rest, values);
    case 'bench':
      return bench(rest, values);
    case 'info':
      return info(values);
    case 'data':
      return data(rest, values);
    case 'summary':
      return summary(rest, values);
    case 'featuremaps':
      return featuremaps(rest, values);
    case 'new':
      return newModel(rest, values);
    case 'sweep':
      // Loaded on demand: it checks settings with the engine's own code, which loads TensorFlow.js.
      return (await import('./sweep')).sweep(rest, values, { newClient: (threads) => engineClient(threads === undefined ? values : { ...values, threads: String(threads) }), overrides: overridesFrom(values), runsDir: runsDir(values), usage: (message) => new UsageError(message) });
    case 'anomaly':
      return (await import('./anomaly')).anomalyCommand(rest, values, { newClient: () => engineClient(values), runsDir: runsDir(values), usage: (message) => new UsageError(message) });
    case 'eval':
      return (await import('./eval')).evalCommand(rest, values, { newClient: () => engineClient(values), runsDir: runsDir(values), usage: (message) => new UsageError(message) });
    case 'export':
      return exportCommand(rest, values, { newClient: () => engineClient(values), runsDir: runsDir(values), usage: (message) => new UsageError(message) });
    case 'tensorboard':
      return (await import('./tensorboard')).tensorboardCommand(rest, runsDir(values), (message) => new UsageError(message));
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/**
 * `logEvents`: the command's --json output is a stream of events, and the engine's log joins it. Otherwise
 * the log goes to stderr (warnings always, the rest with --verbose; errors reach the user through the
 * command's own one-line message), so that stdout stays one document.
 */
function engineClient(values: Values, logEvents = false): EngineClient {
  const timeout = values['model-timeout'];
  if (timeout !== undefined && !(Number(timeout) > 0 && Number.isFinite(Number(timeout)))) {
    throw new UsageError(`--model-timeout must be a number of seconds > 0, got "${timeout}"`);
  }
  const threads = positiveInt(values.threads, '--threads');
  return new EngineClient({
    env: {
      ...(timeout !== undefined ? { DL_LAB_MODEL_TIMEOUT: timeout } : {}),
      ...(threads !== undefined ? { DL_LAB_THREADS: String(threads) } : {}),
    },
    enginePath: path.join(__dirname, 'engine.js'),
    // A CLI run is a one-shot: a crash ends it (reported as interrupted) rather than restarting.
    maxRestarts: 0,
    onLog: (entry) => {
      // The end event stays the last line: what the engine logs while it exits is left out.
      if (logEvents && values.json) {
        if (!jsonEnded) emit({ event: 'log', ...entry });
      }
      else if (values.verbose || entry.level === 'warn') {
        process.stderr.write(`${entry.level}: ${entry.message}\n`);
      }
    },
  });
}

/** Set once `train --json` has written its end event. */
let jsonEnded = false;

function runsDir(values: Values): string {
  return path.resolve(values['runs-dir'] ?? process.env.DL_LAB_RUNS_DIR ?? 'runs');
}

function emit(object: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(object) + '\n');
}

function overridesFrom(values: Values): Partial<TrainingConfig> {
  const overrides: Partial<TrainingConfig> = {};
  const int = (flag: string, raw: string | undefined, min: number) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer >= ${min}, got "${raw}"`);
    return n;
  };
  // The engine's own rule for the setting, checked here: the engine would refuse it only after the run
  // folder exists (a failed run left behind, or a resumed run marked failed).
  const num = (flag: string, raw: string | undefined, rule: Check) => {
    if (raw === undefined) return undefined;
    const n = raw.trim() === '' ? NaN : Number(raw);
    const expected = rule(n);
    if (expected) throw new UsageError(`--${flag} must be ${expected}, got "${raw}"`);
    return n;
  };
  overrides.epochs = int('epochs', values.epochs, 1);
  overrides.batchSize = int('batch-size', values['batch-size'], 1);
  overrides.seed = int('seed', values.seed, 0);
  overrides.learningRate = num('lr', values.lr, positiveNumber);
  overrides.weightDecay = num('weight-decay', values['weight-decay'], nonNegativeNumber);
  overrides.validationSplit = num('validation-split', values['validation-split'], unitInterval);
  const patience = int('early-stopping', values['early-stopping'], 1);
  if (patience !== undefined) overrides.callbacks = { earlyStopping: { patience } };
  if (values['normal-classes'] !== undefined) overrides.normalClasses = parseClassList(values['normal-classes'], '--normal-classes', (message) => new UsageError(message));
  if (values.optimizer !== undefined) {
    const name = values.optimizer.toLowerCase();
    if (!(OPTIMIZERS as readonly string[]).includes(name)) {
      throw new UsageError(`--optimizer must be one of ${OPTIMIZERS.join(', ')}, got "${values.optimizer}"`);
    }
    overrides.optimizer = name as TrainingConfig['optimizer'];
  }
  for (const key of Object.keys(overrides) as (keyof TrainingConfig)[]) if (overrides[key] === undefined) delete overrides[key];
  return overrides;
}

async function train(args: string[], values: Values): Promise<number> {
  const resume = values.resume ? path.resolve(values.resume) : undefined;
  let modelFile = args[0];
  /** run.json, when the model file comes from it rather than from the command line. */
  let modelFileFrom: string | undefined;
  if (args.length > 1) throw new UsageError(`train takes one model file, got ${args.length}: ${args.join(' ')}`);
  if (resume) {
    const record = readRunRecord(resume); // throws a message that names the file
    // The checkpoint's weights belong to the run's model file: another file named here would not be used.
    if (modelFile && path.resolve(modelFile) !== path.resolve(record.modelFile)) {
      throw new UsageError(`${path.join(resume, RUN_FILE)} names the model file ${printable(record.modelFile)}, not ${modelFile}; resume the run without a model file, or train ${modelFile} as a new run`);
    }
    checkResumedModelFile(path.join(resume, RUN_FILE), record.modelFile);
    if (!modelFile) modelFileFrom = path.join(resume, RUN_FILE);
    modelFile ??= record.modelFile;
  }
  if (!modelFile) throw new UsageError('train needs a model file, e.g. dl-lab train examples/lenet.model.ts');
  const backend = values.backend ?? process.env.DL_LAB_BACKEND ?? 'auto';
  if (!isBackendChoice(backend)) throw new UsageError(`--backend must be auto or one of ${BACKENDS.join(', ')}, got "${backend}"`);
  const overrides = overridesFrom(values);

  const client = engineClient(values, true);
  const json = !!values.json;
  const bar = !json && process.stderr.isTTY ? new ProgressLine(process.stderr) : undefined;
  let runId: string | undefined;
  let runDir: string | undefined;

  const finished = new Promise<TrainFinishedParams | { status: 'interrupted'; error: string }>((resolve) => {
    client.onNotification(TrainFinishedNotification, (p) => {
      if (p.runId === runId) resolve(p);
    });
    client.onExit((exit) => {
      if (!exit.expected) {
        const cause = exit.signal ? `the engine process was killed (${exit.signal})` : `the engine exited with code ${exit.code}`;
        resolve({ status: 'interrupted', error: cause });
      }
    });
  });

  client.onNotification(TrainStartedNotification, (p) => {
    if (json) {
      emit({ event: 'started', ...p });
      return;
    }
    const c = p.config;
    console.log(`run ${p.runId}  ${p.startEpoch > 1 ? `resumed at epoch ${p.startEpoch}` : 'started'}`);
    const from = modelFileFrom ? `  (named by ${path.relative(process.cwd(), modelFileFrom) || modelFileFrom})` : '';
    console.log(`  model    ${printable(path.relative(process.cwd(), p.modelFile) || p.modelFile)}${from}`);
    console.log(`  data     ${p.data}  (${p.trainSamples} train, ${p.valSamples} validation)`);
    console.log(`  backend  ${p.backend.name}  (${p.backend.reason})`);
    console.log(`  config   ${c.epochs} epochs, batch ${c.batchSize}, ${c.optimizer} lr ${c.learningRate}, seed ${c.seed}`);
    console.log(`  callbacks  ${describeCallbacks(c.callbacks)}`);
  });
  // What a callback did (best checkpoint, learning rate reduced, early stop, NaN loss): one line each.
  client.onNotification(TrainEventNotification, (p) => {
    if (p.runId !== runId) return;
    if (json) {
      const { runId: _id, ...rest } = p;
      emit({ event: 'callback', ...rest });
      return;
    }
    bar?.clear();
    console.log(formatTrainEvent(p));
  });
  client.onNotification(TrainProgressNotification, (p) => {
    if (p.runId !== runId) return;
    if (json) {
      const { runId: _id, kind, metrics, ...rest } = p;
      emit({ event: kind, ...rest, ...(metrics ?? {}) });
      return;
    }
    if (p.kind === 'batch') {
      bar?.update(p);
      return;
    }
    bar?.clear();
    const m = p.metrics ?? { loss: p.loss };
    const parts = [`epoch ${p.epoch}/${p.epochs}`, `loss ${m.loss.toFixed(4)}`];
    if (m.acc !== undefined) parts.push(`acc ${m.acc.toFixed(4)}`);
    if (m.val_loss !== undefined) parts.push(`val_loss ${m.val_loss.toFixed(4)}`);
    if (m.val_acc !== undefined) parts.push(`val_acc ${m.val_acc.toFixed(4)}`);
    parts.push(`${formatNumber(p.samplesPerSec)} samples/s`);
    console.log(parts.join('  '));
  });

  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1 && runId) {
      bar?.clear();
      process.stderr.write('stopping after the current batch (Ctrl-C again to kill)\n');
      void client.sendRequest(TrainStopRequest, { runId }).catch(() => undefined);
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);

  try {
    const started = await client.sendRequest(TrainStartRequest, {
      modelFile: path.resolve(modelFile),
      data: values.data ?? 'synthetic:shapes',
      runsDir: runsDir(values),
      backend,
      overrides,
      resumeRunDir: resume,
    });
    runId = started.runId;
    runDir = started.runDir;
    if (json) emit({ event: 'run', runId, runDir, pid: client.pid });
    const result = await finished;
    bar?.clear();
    const status = result.status;
    const error = 'error' in result ? result.error : undefined;
    if (json) {
      emit({ event: 'end', status, runId, runDir, ...(error ? { error } : {}), ...('metrics' in result && result.metrics ? { metrics: result.metrics } : {}) });
      jsonEnded = true;
    } else {
      console.log(`run ${status}: ${path.relative(process.cwd(), runDir) || runDir}`);
      if (error) process.stderr.write(`dl-lab: ${error}\n`);
    }
    return status === 'completed' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    await client.dispose();
  }
}

/** How long `dl-lab stop` waits for the run to say it stopped. */
const STOP_WAIT_MS = 120_000;

/**
 * `dl-lab stop`: a stop-request file in the run folder, which the trainer (of a CLI or of VS Code, on this
 * machine or one sharing the folder) looks for between batches; then waits for run.json to say it ended.
 */
async function stop(args: string[], values: Values): Promise<number> {
  if (args.length !== 1) throw new UsageError(args.length ? `stop takes one run, got: ${args.join(' ')}` : 'stop needs a run folder or a run id, e.g. dl-lab stop runs/<run>');
  const runDir = findRun(args[0], 'stop', { runsDir: runsDir(values), usage: (message) => new UsageError(message) });
  const record = readRunRecord(runDir);
  const status = effectiveStatus(record);
  if (status !== 'running') {
    console.log(`run ${record.id} is not training (${status})`);
    return 1;
  }
  requestStop(runDir, `dl-lab stop (pid ${process.pid})`);
  console.log(`asked run ${record.id} to stop after its current batch (engine pid ${record.pid ?? '?'}${record.hostname ? ` on ${record.hostname}` : ''})`);
  for (const deadline = Date.now() + STOP_WAIT_MS; Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 200));
    const now = effectiveStatus(readRunRecord(runDir));
    if (now !== 'running') {
      console.log(`run ${record.id} ${now}: ${path.relative(process.cwd(), runDir) || runDir}`);
      return now === 'stopped' ? 0 : 1;
    }
  }
  console.log(`run ${record.id} has not ended within ${STOP_WAIT_MS / 1000} s; the request stays in ${path.join(runDir, STOP_REQUEST_FILE)}`);
  return 1;
}

async function runs(args: string[], values: Values): Promise<number> {
  if (args.length) throw new UsageError(`runs takes no arguments, got: ${args.join(' ')}`);
  if (values.sweep !== undefined) return listSweepRuns(values.sweep, runsDir(values), !!values.json);
  const dir = runsDir(values);
  // Reads only: a run whose engine is gone is reported interrupted without rewriting its run.json (the
  // folder may be read-only, the disk full, or the run another user's).
  const { runs: found, unreadable } = scanRuns(dir);
  if (values.json) {
    console.log(
      JSON.stringify(
        [
          ...found.map((r) => ({
            runDir: r.runDir,
            runId: r.record.id,
            status: r.status,
            modelFile: r.record.modelFile,
            data: r.record.data,
            backend: r.record.backend?.name ?? null,
            epochsCompleted: r.record.epochsCompleted,
            epochs: r.record.config?.epochs,
            startTime: r.record.startTime,
            endTime: r.record.endTime ?? null,
            metrics: r.record.lastMetrics ?? null,
            error: r.record.error ?? null,
            sweep: r.record.sweep ?? null,
          })),
          ...unreadable.map((u) => ({ runDir: u.runDir, runId: path.basename(u.runDir), status: 'unreadable', error: u.error })),
        ],
        null,
        2,
      ),
    );
    return 0;
  }
  if (!found.length && !unreadable.length) {
    console.log(`no runs in ${dir}`);
    return 0;
  }
  const rows = found.map((r) => [
    printable(r.record.id),
    r.status,
    `${r.record.epochsCompleted}/${r.record.config?.epochs ?? '?'}`,
    r.record.lastMetrics?.loss?.toFixed?.(4) ?? '-',
    r.record.lastMetrics?.val_acc?.toFixed?.(4) ?? '-',
    printable(r.record.backend?.name ?? '-'),
    printable(r.status === 'failed' ? r.record.error ?? '' : path.basename(r.record.modelFile)),
  ]);
  for (const u of unreadable) rows.push([printable(path.basename(u.runDir)), 'unreadable', '-', '-', '-', '-', printable(u.error)]);
  console.log(table(['run', 'status', 'epochs', 'loss', 'val_acc', 'backend', 'model / error'], rows));
  return 0;
}

async function bench(args: string[], values: Values): Promise<number> {
  if (args.length > 1) throw new UsageError(`bench takes at most one model file, got: ${args.join(' ')}`);
  const modelFile = args[0] === undefined ? undefined : path.resolve(args[0]);
  const steps = positiveInt(values.steps, '--steps');
  const batchSize = positiveInt(values['batch-size'], '--batch-size');
  let models: BenchModelName[] | undefined;
  if (values.model !== undefined) {
    if (modelFile) throw new UsageError('--model picks built-in networks; with a model file, leave it out');
    models = values.model.split(',').map((m) => m.trim()) as BenchModelName[];
    const unknown = models.filter((m) => !(BENCH_MODELS as readonly string[]).includes(m));
    if (unknown.length) throw new UsageError(`--model: unknown network "${unknown[0]}" (expected ${BENCH_MODELS.join(', ')})`);
  }
  if (values.data !== undefined && !modelFile) throw new UsageError('--data is for a model file: dl-lab bench <model-file> --data D');
  const backend = values.backend;
  if (backend !== undefined && !(BACKENDS as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got "${backend}"`);
  }
  const client = engineClient(values);
  try {
    if (!values.json) {
      process.stderr.write(`measuring training throughput of ${modelFile ? path.basename(modelFile) : (models ?? BENCH_MODELS).join(', ')} against PyTorch...\n`);
    }
    const report = await client.sendRequest(BenchRequest, {
      steps,
      batchSize,
      pytorch: true,
      data: !modelFile,
      ...(modelFile ? { modelFile, dataset: values.data ?? 'synthetic:shapes' } : {}),
      ...(models ? { models } : {}),
      ...(backend ? { backends: [backend as BackendName] } : {}),
    });
    if (!modelFile) {
      if (!values.json) process.stderr.write('measuring feature maps of one sample, request to data (LeNet-5, a VGG-style net)...\n');
      report.inspection = await benchFeatureMaps((p) => client.sendRequest(FeatureMapsRequest, p));
    }
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    for (const m of report.models) {
      console.log(`${m.model}\n  batch ${m.batchSize}, ${report.threads} thread(s), ${formatNumber(m.trainableParams)} trainable parameters`);
      console.log(
        table(
          ['name', 'samples/s', 'vs PyTorch'],
          m.results.map((r) => [r.name, r.samplesPerSec.toFixed(1), r.ratioToPytorch === undefined ? '-' : `${r.ratioToPytorch.toFixed(2)}x`]),
        ),
      );
      for (const s of m.skipped) console.log(`skipped ${s.name}: ${s.reason}`);
      if (m.profile?.kernels.length) {
        console.log(`${m.profile.backend}, one training step (${m.profile.kernelCalls} kernel calls):`);
        console.log(table(['kernel', 'calls', 'ms/step'], m.profile.kernels.slice(0, 12).map((k) => [k.kernel, k.calls ? String(k.calls) : '-', k.msPerStep.toFixed(2)])));
      }
      console.log('');
    }
    for (const s of report.skipped) console.log(`skipped ${s.name}: ${s.reason}`);
    if (report.data) {
      console.log(`\ndataset loading (${report.data.datasetsDir}):`);
      console.log(table(DATA_BENCH_HEADER, dataBenchRows(report.data)));
      for (const s of report.data.skipped) console.log(`skipped ${s.name}: ${s.reason}`);
    }
    if (report.inspection) {
      console.log('\ninspection, through the engine process (median of the requests after the first):');
      console.log(table(INSPECT_BENCH_HEADER, inspectBenchRows(report.inspection)));
    }
    return 0;
  } finally {
    await client.dispose();
  }
}

function positiveInt(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`${option} must be a positive integer, got "${value}"`);
  return Number(value);
}

async function info(values: Values): Promise<number> {
  const client = engineClient(values);
  try {
    const engine = await client.sendRequest(EngineInfoRequest);
    if (values.json) {
      console.log(JSON.stringify(engine, null, 2));
      return 0;
    }
    console.log(`engine ${engine.engineVersion}, TensorFlow.js ${engine.tfjsVersion}, Node ${engine.node}`);
    console.log(`CPU threads: ${engine.threads.threads} of ${os.availableParallelism()} cores (--threads N, DL_LAB_THREADS or dlLab.threads; default one per core)`);
    console.log(table(['backend', 'available', 'detail'], engine.backends.map((b) => [b.name, b.available ? 'yes' : 'no', b.detail])));
    return 0;
  } finally {
    await client.dispose();
  }
}

/** `data inspect`: runs in this process (decoding needs no TensorFlow.js). */
async function data(args: string[], values: Values): Promise<number> {
  const [sub, spec, ...extra] = args;
  if (sub !== 'inspect') throw new UsageError(sub ? `unknown data command "${sub}"; use: dl-lab data inspect <PATH|synthetic:NAME>` : 'data needs a command: dl-lab data inspect <PATH|synthetic:NAME>');
  if (!spec) throw new UsageError('data inspect needs a dataset: a path or synthetic:NAME');
  if (extra.length) throw new UsageError(`data inspect takes one dataset, got: ${args.slice(1).join(' ')}`);
  const report = await inspectDataset(spec);
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else console.log(formatReport(report));
  return 0;
}

function shapeAndClasses(values: Values): { inputShape?: number[]; numClasses?: number } {
  let inputShape: number[] | undefined;
  let numClasses: number | undefined;
  if (values['input-shape'] !== undefined) {
    const raw = values['input-shape'];
    const parts = raw.split(/[,x]/).map((p) => p.trim());
    inputShape = parts.map(Number);
    if (parts.some((p, i) => p === '' || !Number.isInteger(inputShape![i]) || inputShape![i] < 1)) {
      throw new UsageError(`--input-shape must be positive integers separated by commas, e.g. 224,224,3; got "${raw}"`);
    }
  }
  if (values.classes !== undefined) {
    numClasses = Number(values.classes);
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new UsageError(`--classes must be a positive integer, got "${values.classes}"`);
  }
  return { inputShape, numClasses };
}

/** `summary`: the engine builds the model (it needs TensorFlow.js) and reports its layers. */
async function summary(args: string[], values: Values): Promise<number> {
  if (args.length !== 1) throw new UsageError(args.length ? `summary takes one model file, got: ${args.join(' ')}` : 'summary needs a model file, e.g. dl-lab summary examples/lenet.model.ts');
  const { inputShape, numClasses } = shapeAndClasses(values);
  if (values.data !== undefined && (inputShape || numClasses)) throw new UsageError('give either --data or --input-shape and --classes, not both');
  if (!values.data && (inputShape === undefined) !== (numClasses === undefined)) throw new UsageError('--input-shape and --classes go together');
  const client = engineClient(values);
  try {
    const report = await client.sendRequest(ModelSummaryRequest, { modelFile: path.resolve(args[0]), data: values.data, inputShape, numClasses });
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    const shape = (s: unknown): string => JSON.stringify(s).replace(/null/g, 'batch').replace(/,/g, ', ');
    console.log(`${report.name}: ${path.relative(process.cwd(), report.modelFile) || report.modelFile}, input ${report.inputShape.join('x')}, ${report.numClasses} classes${report.data ? ` (from ${report.data})` : ''}`);
    console.log(
      table(
        ['layer', 'type', 'output shape', 'params', 'MACs', 'RF (jump)', 'line'],
        report.layers.map((l) => [
          l.name,
          l.type,
          shape(l.outputShape),
          formatCount(l.params),
          formatCount(l.macs),
          l.receptiveField == null ? '' : `${l.receptiveField} (${l.jump})`,
          l.line === null ? '' : String(l.line),
        ]),
      ),
    );
    console.log(`total params ${formatCount(report.totalParams)} (trainable ${formatCount(report.trainableParams)}, non-trainable ${formatCount(report.nonTrainableParams)})`);
    console.log(`MACs per sample ${formatCount(report.totalMacs)} (${formatMacs(report.totalMacs)})`);
    return 0;
  } finally {
    await client.dispose();
  }
}

/** `featuremaps`: the engine computes every layer's output for one sample; the PNG is drawn here. */
async function featuremaps(args: string[], values: Values): Promise<number> {
  if (args.length !== 1) throw new UsageError(args.length ? `featuremaps takes one model file or run folder, got: ${args.join(' ')}` : 'featuremaps needs a model file or a run folder, e.g. dl-lab featuremaps runs/<run> --index 3 --out maps.png');
  const target = path.resolve(args[0]);
  if (!fs.existsSync(target)) throw new UsageError(`${args[0]}: no such model file or run folder`);
  const isRun = fs.statSync(target).isDirectory();
  if (isRun && !fs.existsSync(path.join(target, 'run.json'))) throw new UsageError(`${args[0]} is a folder but not a run (it has no run.json)`);
  if (!values.out) throw new UsageError('featuremaps needs --out FILE.png');
  if (!/\.png$/i.test(values.out)) throw new UsageError(`--out must name a .png file, got "${values.out}"`);
  const index = values.index === undefined ? 0 : Number(values.index);
  if (!Number.isInteger(index) || index < 0 || values.index?.trim() === '') throw new UsageError(`--index must be a whole number >= 0, got "${values.index}"`);
  const checkpoint = values.checkpoint;
  if (checkpoint !== undefined && !(CHECKPOINT_CHOICES as readonly string[]).includes(checkpoint)) throw new UsageError(`--checkpoint must be last, best or untrained, got "${checkpoint}"`);
  if (checkpoint !== undefined && checkpoint !== 'untrained' && !isRun) throw new UsageError(`--checkpoint ${checkpoint} needs a run folder; a model file alone has only untrained weights`);
  const params: FeatureMapsParams = {
    ...(isRun ? { runDir: target } : { modelFile: target }),
    ...(values.data !== undefined ? { data: values.data } : {}),
    ...(checkpoint ? { checkpoint: checkpoint as CheckpointChoice } : {}),
    sample: { kind: 'index', index },
    ...(values.layer !== undefined ? { layers: [values.layer] } : {}),
  };
  const client = engineClient(values);
  try {
    const result = await client.sendRequest(FeatureMapsRequest, params);
    const out = path.resolve(values.out);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const layout = writeFeatureMapsPng(result, out);
    if (values.json) {
      console.log(JSON.stringify({ out, width: layout.width, height: layout.height, blocks: layout.blocks, sample: { ...result.sample, image: undefined }, prediction: result.prediction, checkpoint: result.checkpoint, data: result.data, layers: result.layers.map(({ data: _d, ...l }) => l), ms: result.ms }, null, 2));
      return 0;
    }
    const shownOut = path.relative(process.cwd(), out) || out;
    const s = result.sample;
    console.log(`wrote ${shownOut} (${layout.width}x${layout.height} px: the input, then ${result.layers.length} layer${result.layers.length === 1 ? '' : 's'} top to bottom)`);
    console.log(`sample ${s.index} of ${result.data}${s.className !== null ? `, label ${s.className}` : ''}; ${result.checkpoint} weights${result.runDir ? ` of ${path.relative(process.cwd(), result.runDir) || result.runDir}` : ''}`);
    console.log(predictionLine(result));
    const fmt = (v: number) => (Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : v.toPrecision(3));
    console.log(
      table(
        ['layer', 'type', 'shape', 'range', 'line', 'at y'],
        result.layers.map((l, i) => [l.layer, l.type, l.shape.join('x'), `${fmt(Math.min(...l.min))} .. ${fmt(Math.max(...l.max))}`, l.line === null ? '' : String(l.line), String(layout.blocks[i + 1].y)]),
      ),
    );
    return 0;
  } finally {
    await client.dispose();
  }
}

/** `new`: writes a model file from a template; needs no engine. */
async function newModel(args: string[], values: Values): Promise<number> {
  if (values.list) {
    if (args.length) throw new UsageError(`new --list takes no template, got: ${args.join(' ')}`);
    if (values.json) {
      console.log(JSON.stringify(TEMPLATES.map(({ values: _v, snippet: _s, ...t }) => t), null, 2));
      return 0;
    }
    console.log(
      table(
        ['template', 'params', 'MACs', 'at', 'description'],
        TEMPLATES.map((t) => [t.id, formatParams(t.params), formatMacs(t.macs), referenceLabel(t), t.description]),
      ),
    );
    return 0;
  }
  const [id, ...extra] = args;
  if (!id) throw new UsageError(`new needs a template (${TEMPLATES.map((t) => t.id).join(', ')}) or --list`);
  if (extra.length) throw new UsageError(`new takes one template, got: ${args.join(' ')}`);
  const template = findTemplate(id);
  if (!template) throw new UsageError(`unknown template "${id}"; known: ${TEMPLATES.map((t) => t.id).join(', ')}`);
  if (!values.out) throw new UsageError('new needs --out FILE, e.g. --out my.model.ts');
  const { inputShape, numClasses } = shapeAndClasses(values);
  try {
    if (inputShape) checkInput(template, inputShape);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const out = path.resolve(values.out);
  if (fs.existsSync(out) && !values.force) throw new Error(`${values.out} exists; use --force to overwrite it`);
  const text = renderTemplate(template, { inputShape, numClasses });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, text);
  const shown = path.relative(process.cwd(), out) || out;
  if (values.json) {
    console.log(JSON.stringify({ template: template.id, file: out, inputShape: inputShape ?? template.reference.inputShape, numClasses: numClasses ?? template.reference.numClasses }));
  } else {
    console.log(`wrote ${shown} (${template.title})`);
    console.log(`  npx dl-lab summary ${shown} --input-shape ${(inputShape ?? template.reference.inputShape).join(',')} --classes ${numClasses ?? template.reference.numClasses}`);
    console.log(`  npx dl-lab train ${shown} --data <dataset>`);
  }
  return 0;
}

function readOwnVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

// exitCode rather than exit(): exit() can cut off output still queued for a pipe.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`dl-lab: ${err.message}\n(run dl-lab --help for usage)\n`);
      process.exitCode = 2;
      return;
    }
    // The engine's own message, without vscode-jsonrpc's "Request train/start failed with message: ".
    const message = String((err as Error).message ?? err).replace(/^Request \S+ failed with message: /, '');
    process.stderr.write(`dl-lab: ${message}\n`);
    process.exitCode = 1;
  },
);
