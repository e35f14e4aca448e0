/**
 * `dl-lab sweep`: one model file trained once per combination of settings (`--grid`) or per random draw
 * (`--random N` with `--range`), one run after another or N at a time (`--parallel N`), each run in its own
 * engine process as `dl-lab train` runs it. The runs share a sweep id, which each run.json records with the
 * run's settings (`sweep: { id, params }`); the summary compares their best val_acc and val_loss.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EngineClient } from '../client/engineClient';
import { TrainEventNotification, TrainFinishedNotification, TrainProgressNotification, TrainStartRequest, TrainStopRequest } from '../protocol/engineRequests';
import { BACKENDS, isBackendChoice, type EpochMetrics, type RunStatus, type TrainEventParams, type TrainingConfig, type TrainStartParams } from '../protocol/engineTypes';
import { newRunId, readMetrics } from '../runs/runFolder';
import { type BestMetrics, bestMetrics, formatMetric, paramsLabel } from '../sweeps/results';
import { gridRuns, parseSweepSpec, randomRuns, type SweepParams, sweepKeys, SweepSpecError } from '../sweeps/spec';
import { printable } from '../util/text';
import { table } from './format';
import { formatTrainEvent } from './progress';
import { trainingSettingCheck } from './sweepCheck';

/** What `dl-lab sweep` needs from the command line's shared machinery (src/cli/main.ts). */
export interface SweepContext {
  /** A new engine process: one per run, as `dl-lab train` starts one; `threads` overrides --threads. */
  newClient: (threads?: number) => EngineClient;
  /** The train options given (--epochs, --lr, --seed, ...), already checked as `dl-lab train` checks them. */
  overrides: Partial<TrainingConfig>;
  runsDir: string;
  /** An error reported as bad usage (exit code 2). */
  usage: (message: string) => Error;
}

export interface SweepOptions {
  data?: string;
  backend?: string;
  resume?: string;
  grid?: string[];
  range?: string[];
  random?: string;
  parallel?: string;
  json?: boolean;
  threads?: string;
}

type Outcome = RunStatus | 'not started';

interface Trial {
  /** 1-based, in the order of the sweep. */
  index: number;
  params: SweepParams;
  status: Outcome;
  runId?: string;
  runDir?: string;
  error?: string;
  best?: BestMetrics;
  /** Asks the run's engine to stop after its batch (set while it trains). */
  stop?: () => void;
}

/** The train option that sets each training key, to name it when a sweep also varies the key. */
const OPTION_OF: Partial<Record<keyof TrainingConfig, string>> = {
  epochs: '--epochs',
  batchSize: '--batch-size',
  learningRate: '--lr',
  optimizer: '--optimizer',
  weightDecay: '--weight-decay',
  validationSplit: '--validation-split',
  callbacks: '--early-stopping',
};

function wholeNumber(ctx: SweepContext, option: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(raw.trim())) throw ctx.usage(`${option} must be a positive whole number, got "${raw}"`);
  return Number(raw);
}

export async function sweep(args: string[], options: SweepOptions, ctx: SweepContext): Promise<number> {
  if (args.length !== 1) throw ctx.usage(args.length ? `sweep takes one model file, got: ${args.join(' ')}` : 'sweep needs a model file, e.g. dl-lab sweep examples/lenet.model.ts --grid learningRate=1e-3,3e-3');
  if (options.resume !== undefined) throw ctx.usage('sweep starts new runs; to continue one of them, use dl-lab train --resume RUN_DIR');
  const modelFile = path.resolve(args[0]);
  if (!fs.statSync(modelFile, { throwIfNoEntry: false })?.isFile()) throw ctx.usage(`${args[0]}: no such model file`);
  const backend = options.backend ?? process.env.DL_LAB_BACKEND ?? 'auto';
  if (!isBackendChoice(backend)) throw ctx.usage(`--backend must be auto or one of ${BACKENDS.join(', ')}, got "${backend}"`);
  const parallel = wholeNumber(ctx, '--parallel', options.parallel, 1);
  // --seed seeds both the random draws and, as in dl-lab train, every run's training.
  const seed = ctx.overrides.seed ?? 0;

  let runs: SweepParams[];
  let keys: string[];
  try {
    const spec = parseSweepSpec(options.grid ?? [], options.range ?? [], trainingSettingCheck);
    runs = options.random === undefined ? gridRuns(spec) : randomRuns(spec, wholeNumber(ctx, '--random', options.random, 1), seed, trainingSettingCheck);
    keys = sweepKeys(spec);
  } catch (err) {
    throw err instanceof SweepSpecError ? ctx.usage(err.message) : err;
  }
  for (const key of keys) {
    const option = OPTION_OF[key as keyof TrainingConfig];
    if (option && Object.hasOwn(ctx.overrides, key)) throw ctx.usage(`${key} is swept and also set by ${option}; give it once`);
  }

  const atOnce = Math.min(parallel, runs.length);
  // Engines training side by side share the cores rather than each taking all of them (the wasm backend's
  // default), unless told otherwise; results do not depend on the thread count.
  const threads = atOnce > 1 && options.threads === undefined && !process.env.DL_LAB_THREADS ? Math.max(1, Math.floor(os.availableParallelism() / atOnce)) : undefined;
  // Made before anything starts, so that a bad --threads or --model-timeout is refused up front; the first
  // run uses it (a client starts its engine on its first request).
  let firstClient: EngineClient | undefined = ctx.newClient(threads);
  const id = `sweep-${newRunId(modelFile)}`;
  const trials: Trial[] = runs.map((params, i) => ({ index: i + 1, params, status: 'not started' }));
  const out = new SweepOutput(trials.length, !!options.json);
  const data = options.data ?? 'synthetic:shapes';
  out.header({ sweepId: id, modelFile, data, runsDir: ctx.runsDir, parallel: atOnce, threads, mode: options.random === undefined ? 'grid' : 'random', seed, keys, runs });

  let stopping = false;
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(130);
    stopping = true;
    out.stopping(trials.filter((t) => t.stop).length, trials.filter((t) => t.status === 'not started').length);
    for (const t of trials) t.stop?.();
  };
  process.on('SIGINT', onSigint);
  try {
    const queue = [...trials];
    const worker = async () => {
      for (let trial = queue.shift(); trial && !stopping; trial = queue.shift()) {
        const start: TrainStartParams = {
          modelFile,
          data,
          runsDir: ctx.runsDir,
          backend,
          overrides: { ...ctx.overrides, ...(trial.params as Partial<TrainingConfig>) },
          sweep: { id, params: trial.params },
        };
        const client = firstClient ?? ctx.newClient(threads);
        firstClient = undefined;
        await runTrial(trial, start, client, out, () => stopping);
      }
    };
    await Promise.all(Array.from({ length: atOnce }, worker));
  } finally {
    process.off('SIGINT', onSigint);
  }
  out.summary(id, keys, trials, stopping);
  return trials.every((t) => t.status === 'completed') ? 0 : 1;
}

/** Trains one run of the sweep in its own engine, to its end; never throws (a failure is the trial's status). */
async function runTrial(trial: Trial, start: TrainStartParams, client: EngineClient, out: SweepOutput, stopping: () => boolean): Promise<void> {
  // One run per engine: every notification of this client is about this trial's run.
  const finished = new Promise<{ status: Outcome; error?: string }>((resolve) => {
    client.onNotification(TrainFinishedNotification, (p) => resolve(p));
    client.onExit((exit) => {
      if (!exit.expected) resolve({ status: 'interrupted', error: exit.signal ? `the engine process was killed (${exit.signal})` : `the engine exited with code ${exit.code}` });
    });
  });
  client.onNotification(TrainProgressNotification, (p) => {
    if (p.kind === 'epoch') out.epoch(trial, p.epoch, p.epochs, p.metrics ?? { loss: p.loss });
  });
  client.onNotification(TrainEventNotification, (p) => out.callback(trial, p));
  try {
    const started = await client.sendRequest(TrainStartRequest, start);
    trial.runId = started.runId;
    trial.runDir = started.runDir;
    trial.status = 'running';
    trial.stop = () => void client.sendRequest(TrainStopRequest, { runId: started.runId }).catch(() => undefined);
    out.started(trial);
    // Ctrl-C came while the engine was starting: this run stops too.
    if (stopping()) trial.stop();
    const end = await finished;
    trial.status = end.status;
    trial.error = end.error;
  } catch (err) {
    trial.status = 'failed';
    trial.error = String((err as Error).message ?? err).replace(/^Request \S+ failed with message: /, '');
  } finally {
    trial.stop = undefined;
    await client.dispose();
  }
  // metrics.jsonl, not the last epoch's numbers: the best epoch, also of a run that failed or was stopped.
  if (trial.runDir) trial.best = bestMetrics(readMetrics(trial.runDir));
  out.ended(trial);
}

/** The sweep's progress and summary: lines for a person, or one JSON object per line with --json. */
class SweepOutput {
  constructor(
    private readonly count: number,
    private readonly json: boolean,
  ) {}

  private emit(object: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify(object) + '\n');
  }

  private line(trial: Trial, text: string): void {
    console.log(`[${trial.index}/${this.count}] ${text}`);
  }

  header(h: { sweepId: string; modelFile: string; data: string; runsDir: string; parallel: number; threads: number | undefined; mode: 'grid' | 'random'; seed: number; keys: string[]; runs: SweepParams[] }): void {
    if (this.json) {
      this.emit({ event: 'sweep', ...h });
      return;
    }
    const shown = (p: string) => {
      const relative = path.relative(process.cwd(), p);
      return printable(relative && !relative.startsWith('..') ? relative : p);
    };
    const how = h.mode === 'grid' ? `grid of ${h.keys.join(' x ')}` : `random draws of ${h.keys.join(', ')}, seed ${h.seed}`;
    console.log(`sweep ${h.sweepId}: ${h.runs.length} run${h.runs.length === 1 ? '' : 's'} of ${shown(h.modelFile)} on ${h.data} (${how}), ${h.parallel === 1 ? 'one at a time' : `${h.parallel} at a time`}${h.threads ? ` (${h.threads} CPU thread${h.threads === 1 ? '' : 's'} each)` : ''}`);
    console.log(`  runs in ${shown(h.runsDir)}; Ctrl-C stops them all after their current batch`);
  }

  started(trial: Trial): void {
    if (this.json) this.emit({ event: 'started', index: trial.index, params: trial.params, runId: trial.runId, runDir: trial.runDir });
    else this.line(trial, `${paramsLabel(trial.params)}: run ${trial.runId}`);
  }

  epoch(trial: Trial, epoch: number, epochs: number, metrics: EpochMetrics): void {
    if (this.json) {
      this.emit({ event: 'epoch', index: trial.index, runId: trial.runId, epoch, epochs, ...metrics });
      return;
    }
    const values = (['loss', 'acc', 'val_loss', 'val_acc'] as const).filter((k) => metrics[k] !== undefined).map((k) => `${k} ${metrics[k]!.toFixed(4)}`);
    this.line(trial, `epoch ${epoch}/${epochs}  ${values.join('  ')}`);
  }

  callback(trial: Trial, p: TrainEventParams): void {
    const { runId: _id, kind, ...rest } = p;
    if (this.json) this.emit({ event: 'callback', index: trial.index, runId: trial.runId, kind, ...rest });
    // A new best checkpoint is every other epoch of every run: the summary says which was best.
    else if (kind !== 'bestCheckpoint') this.line(trial, formatTrainEvent(p));
  }

  ended(trial: Trial): void {
    if (this.json) this.emit({ event: 'runEnd', ...result(trial) });
    else this.line(trial, `${trial.status}${trial.error ? `: ${printable(trial.error)}` : ''}`);
  }

  stopping(running: number, waiting: number): void {
    const text = `stopping the sweep: ${running} run${running === 1 ? '' : 's'} stop${running === 1 ? 's' : ''} after the current batch, ${waiting} not started (Ctrl-C again to kill)`;
    if (this.json) this.emit({ event: 'stopping', running, notStarted: waiting });
    else process.stderr.write(text + '\n');
  }

  summary(sweepId: string, keys: string[], trials: Trial[], stopped: boolean): void {
    const failed = trials.filter((t) => t.status !== 'completed' && t.status !== 'not started' && t.status !== 'stopped');
    const status = trials.every((t) => t.status === 'completed') ? 'completed' : stopped ? 'stopped' : 'failed';
    if (this.json) {
      this.emit({ event: 'end', sweepId, status, runs: trials.map(result) });
      return;
    }
    console.log('');
    console.log(
      table(
        ['#', ...keys, 'status', 'best val_acc', 'best val_loss', 'run'],
        trials.map((t) => [String(t.index), ...keys.map((k) => String(t.params[k] ?? '')), t.status, formatMetric(t.best?.val_acc), formatMetric(t.best?.val_loss), t.runId ?? '-']),
      ),
    );
    const ranked = trials.filter((t) => t.best?.val_acc != null).sort((a, b) => b.best!.val_acc! - a.best!.val_acc!);
    if (ranked.length) console.log(`best val_acc ${formatMetric(ranked[0].best!.val_acc)}: #${ranked[0].index} ${paramsLabel(ranked[0].params)} (${ranked[0].runId})`);
    for (const t of failed) console.log(`#${t.index} ${t.status}: ${printable(t.error ?? 'no reason given')}`);
    const counts = new Map<Outcome, number>();
    for (const t of trials) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
    console.log(`sweep ${sweepId} ${status}: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}; dl-lab runs --sweep ${sweepId}`);
  }
}

function result(t: Trial): Record<string, unknown> {
  return { index: t.index, params: t.params, status: t.status, runId: t.runId ?? null, runDir: t.runDir ?? null, error: t.error ?? null, best: t.best ?? null };
}
