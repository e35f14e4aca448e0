/**
 * Text the UI shows about training: the status bar item, the progress notification, the final
 * notification of a run and the engine-exit warnings. Pure functions, free of `vscode`, so that they are
 * unit-tested (test/extension/format.test.ts).
 */
import * as path from 'node:path';
import type { EpochMetrics, TrainProgressParams } from '../../protocol/engineTypes';

/** How a run ended, as the UI sees it (the engine's statuses, plus interrupted when the engine died). */
export type RunOutcomeStatus = 'completed' | 'stopped' | 'failed' | 'interrupted';

export interface RunOutcome {
  status: RunOutcomeStatus;
  /** Unset when the run failed before the engine created its folder. */
  runId?: string;
  runDir?: string;
  error?: string;
  /** The last finished epoch's metrics. */
  metrics?: EpochMetrics;
  /** Epochs finished in this session, and the run's total. */
  epochsDone: number;
  epochs?: number;
  durationMs: number;
  backend?: string;
  /** True when the run ended because the engine died unexpectedly (the crash warning tells the user). */
  endedByCrash?: boolean;
}

/** A metric value: 3 decimals, or 3 significant digits in exponent form for tiny values. */
export function formatValue(value: number | undefined): string {
  if (value === undefined || value === null) return '–';
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 0.001) return value.toExponential(2);
  return value.toFixed(3);
}

const METRIC_ORDER: (keyof EpochMetrics)[] = ['val_acc', 'val_loss', 'acc', 'loss'];

/** `val_acc 0.930 · val_loss 0.214 · acc 0.951 · loss 0.170`, most telling first. */
export function formatMetrics(metrics: EpochMetrics | undefined): string {
  if (!metrics) return '';
  return METRIC_ORDER.filter((key) => typeof metrics[key] === 'number')
    .map((key) => `${key} ${formatValue(metrics[key])}`)
    .join(' · ');
}

/** The single most telling metric, for the status bar: `val_acc 0.930`, else acc, else loss. */
export function headlineMetric(metrics: EpochMetrics | undefined): string {
  if (!metrics) return '';
  for (const key of METRIC_ORDER) if (typeof metrics[key] === 'number') return `${key} ${formatValue(metrics[key])}`;
  return '';
}

/** `42s`, `3m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
  return `${seconds}s`;
}

function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** What the status bar says about a run. */
export type StatusBarState =
  | { phase: 'starting'; model: string }
  | { phase: 'training'; backend?: string; epoch?: number; epochs?: number; loss?: number }
  | { phase: 'stopping'; backend?: string; epoch?: number; epochs?: number }
  | { phase: 'finished'; outcome: RunOutcome };

/** `$(pulse) wasm · epoch 2/3 · loss 0.412` and friends. */
export function statusBarText(state: StatusBarState): string {
  switch (state.phase) {
    case 'starting':
      return `$(sync~spin) Deep Learning: starting ${state.model}`;
    case 'training': {
      const parts = [state.backend ?? 'engine'];
      if (state.epoch !== undefined && state.epochs !== undefined) parts.push(`epoch ${state.epoch}/${state.epochs}`);
      if (state.loss !== undefined) parts.push(`loss ${formatValue(state.loss)}`);
      return `$(pulse) ${parts.join(' · ')}`;
    }
    case 'stopping': {
      const parts = [state.backend ?? 'engine'];
      if (state.epoch !== undefined && state.epochs !== undefined) parts.push(`epoch ${state.epoch}/${state.epochs}`);
      parts.push('stopping');
      return `$(debug-stop) ${parts.join(' · ')}`;
    }
    case 'finished': {
      const { outcome } = state;
      const icon = { completed: '$(check)', stopped: '$(debug-stop)', failed: '$(error)', interrupted: '$(debug-disconnect)' }[
        outcome.status
      ];
      const parts = [outcome.backend ?? 'Deep Learning', outcome.status];
      const metric = headlineMetric(outcome.metrics);
      if (metric) parts.push(metric);
      return `${icon} ${parts.join(' · ')}`;
    }
  }
}

/** The progress notification's message: `Epoch 2/3 · batch 120/844 · loss 0.412 · 2,345 samples/s`. */
export function progressMessage(progress: TrainProgressParams, lastEpochMetrics?: EpochMetrics): string {
  const parts = [`Epoch ${progress.epoch}/${progress.epochs}`];
  if (progress.kind === 'batch') parts.push(`batch ${progress.batch}/${progress.batchesPerEpoch}`);
  parts.push(`loss ${formatValue(progress.loss)}`);
  if (progress.samplesPerSec > 0) parts.push(`${formatCount(progress.samplesPerSec)} samples/s`);
  const epochMetric = headlineMetric(progress.kind === 'epoch' ? progress.metrics : lastEpochMetrics);
  if (epochMetric && !epochMetric.startsWith('loss ')) parts.push(`last epoch ${epochMetric}`);
  return parts.join(' · ');
}

/**
 * Fraction of the run done after this progress, in [0, 1]: batches finished over batches this session
 * trains (a resumed run starts at `startEpoch`).
 */
export function progressFraction(progress: TrainProgressParams, startEpoch = 1): number {
  const epochsToTrain = progress.epochs - startEpoch + 1;
  const perEpoch = Math.max(1, progress.batchesPerEpoch);
  if (epochsToTrain <= 0) return 1;
  const epochsBefore = progress.epoch - startEpoch;
  const batches = progress.kind === 'epoch' ? (epochsBefore + 1) * perEpoch : epochsBefore * perEpoch + progress.batch;
  return Math.min(1, Math.max(0, batches / (epochsToTrain * perEpoch)));
}

/** The final notification of a run: `Run 20261127-…-lenet-3f9c completed: val_acc 0.930 · … (3 epochs, 1m 05s)`. */
export function outcomeMessage(outcome: RunOutcome): string {
  const name = outcome.runId ? `Run ${outcome.runId}` : 'Training';
  const metrics = formatMetrics(outcome.metrics);
  const of = outcome.epochs !== undefined ? ` of ${outcome.epochs}` : '';
  const duration = formatDuration(outcome.durationMs);
  switch (outcome.status) {
    case 'completed':
      return `${name} completed${metrics ? `: ${metrics}` : ''} (${plural(outcome.epochsDone, 'epoch')}, ${duration})`;
    case 'stopped':
      return outcome.epochsDone === 0
        ? `${name} stopped during its first epoch (${duration})`
        : `${name} stopped after epoch ${outcome.epochsDone}${of}${metrics ? `: ${metrics}` : ''} (${duration})`;
    case 'failed':
      return outcome.runId
        ? `${name} failed: ${outcome.error ?? 'unknown error'}`
        : `Training could not start: ${outcome.error ?? 'unknown error'}`;
    case 'interrupted':
      return `${name} was interrupted: ${outcome.error ?? 'the training engine stopped'}. ${
        outcome.runId ? 'Its folder keeps the metrics and checkpoints written so far.' : ''
      }`.trim();
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Run id of a run folder: its base name. */
export function runIdOf(runDir: string): string {
  return path.basename(runDir);
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** Run folders marked interrupted. */
  interruptedRuns: string[];
  willRestart: boolean;
}

/** `exit code 1`, `killed by SIGKILL`. */
export function exitCause(exit: Pick<ExitInfo, 'code' | 'signal'>): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

/** `engine 0.1.0 (pid 4242, Node v20.18.0, TensorFlow.js 4.22.0); backends: wasm, cpu`. */
export function describeEngine(info: {
  engineVersion: string;
  tfjsVersion: string;
  pid: number;
  node: string;
  backends: { name: string; available: boolean }[];
}): string {
  const available = info.backends.filter((b) => b.available).map((b) => b.name);
  return `engine ${info.engineVersion} (pid ${info.pid}, Node ${info.node}, TensorFlow.js ${info.tfjsVersion}); backends: ${
    available.length ? available.join(', ') : 'none available'
  }`;
}
