/**
 * What the Runs view shows, free of `vscode` (tested in test/extension/runsView.test.ts): runs grouped by
 * model file, each run's icon, description ("epoch 3/5 · best val_acc 0.930"), tooltip text and context
 * value; the best metric read incrementally from metrics.jsonl; which files make an exported model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunStatus, TrainingConfig } from '../../protocol/engineTypes';
import type { RunRecord, RunSummary } from '../../runs/runFolder';
import { paramsLabel } from '../../sweeps/results';
import { VIEW_ITEMS } from '../shared/commands';
import { formatValue } from '../shared/format';
import { modelDisplayName } from '../models/modelFiles';

// ---------------------------------------------------------------------------------------------------
// Icons, context values

/** Codicon and theme colour per status. */
export const STATUS_ICONS: Record<RunStatus, { icon: string; color: string }> = {
  running: { icon: 'sync~spin', color: 'charts.blue' },
  completed: { icon: 'pass', color: 'testing.iconPassed' },
  stopped: { icon: 'debug-stop', color: 'charts.yellow' },
  failed: { icon: 'error', color: 'testing.iconFailed' },
  interrupted: { icon: 'warning', color: 'list.warningForeground' },
};

/**
 * `dlLab.run.<status>`: package.json's menus match on it (Stop for running, Resume for the others: a
 * completed run resumes with more epochs).
 */
export function runContextValue(status: RunStatus): string {
  return VIEW_ITEMS.run(status);
}

export function isResumable(status: RunStatus): boolean {
  return status !== 'running';
}

// ---------------------------------------------------------------------------------------------------
// Grouping

export interface RunGroup {
  /** The model file's absolute path, as run.json has it. */
  modelFile: string;
  /** `lenet.model.ts`; with the folder when two groups share a file name. */
  label: string;
  runs: RunSummary[];
}

/**
 * Runs grouped by model file, groups sorted by label, runs newest first (as listRuns gives them). Two
 * model files with the same name in different folders get the folder in their label.
 */
export function groupRunsByModel(runs: readonly RunSummary[]): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  for (const run of runs) {
    const key = run.record.modelFile ?? '';
    let group = groups.get(key);
    if (!group) {
      group = { modelFile: key, label: modelDisplayName(key) || '(unknown model)', runs: [] };
      groups.set(key, group);
    }
    group.runs.push(run);
  }
  const list = [...groups.values()];
  const names = new Map<string, number>();
  for (const g of list) names.set(g.label, (names.get(g.label) ?? 0) + 1);
  for (const g of list) {
    if ((names.get(g.label) ?? 0) > 1) g.label = `${g.label} (${path.basename(path.dirname(g.modelFile))})`;
  }
  for (const g of list) g.runs.sort((a, b) => b.record.startTime.localeCompare(a.record.startTime));
  return list.sort((a, b) => a.label.localeCompare(b.label));
}

// ---------------------------------------------------------------------------------------------------
// Metrics: the best validation accuracy (else accuracy, else lowest loss), read incrementally

export interface BestMetric {
  name: string;
  value: number;
  epoch: number;
}

interface MetricsState {
  /** Bytes consumed (up to the last complete line). */
  offset: number;
  /** Identity of the file read, so that a rewritten (or replaced) file is read again from the start. */
  ino: number;
  bestAcc?: BestMetric;
  bestValAcc?: BestMetric;
  bestLoss?: BestMetric;
  lastEpoch: number;
}

/**
 * Best epoch metrics per run folder. Each refresh reads only the bytes appended since the last one, so a
 * run with 100,000 batch lines costs nothing more per refresh than one with ten.
 */
export class RunMetricsCache {
  private readonly states = new Map<string, MetricsState>();

  best(runDir: string): BestMetric | undefined {
    const s = this.update(runDir);
    return s?.bestValAcc ?? s?.bestAcc ?? s?.bestLoss;
  }

  /** Last epoch line seen in metrics.jsonl (0 when none). */
  lastEpoch(runDir: string): number {
    return this.update(runDir)?.lastEpoch ?? 0;
  }

  forget(runDir: string): void {
    this.states.delete(runDir);
  }

  private update(runDir: string): MetricsState | undefined {
    const file = path.join(runDir, 'metrics.jsonl');
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      this.states.delete(runDir);
      return undefined;
    }
    let state = this.states.get(runDir);
    if (!state || state.ino !== stat.ino || stat.size < state.offset) {
      state = { offset: 0, ino: stat.ino, lastEpoch: 0 };
      this.states.set(runDir, state);
    }
    if (stat.size === state.offset) return state;
    let text: string;
    const fd = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(stat.size - state.offset);
      const n = fs.readSync(fd, buffer, 0, buffer.length, state.offset);
      text = buffer.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
    // A line being written is left for the next read.
    const end = text.lastIndexOf('\n');
    if (end < 0) return state;
    state.offset += Buffer.byteLength(text.slice(0, end + 1));
    for (const line of text.slice(0, end).split('\n')) {
      if (!line.includes('"epoch"')) continue;
      let r: { kind?: string; epoch?: number; loss?: number; acc?: number; val_acc?: number };
      try {
        r = JSON.parse(line);
      } catch {
        continue;
      }
      if (r.kind !== 'epoch' || typeof r.epoch !== 'number') continue;
      state.lastEpoch = Math.max(state.lastEpoch, r.epoch);
      const better = (b: BestMetric | undefined, name: string, v: unknown, higher: boolean) =>
        typeof v === 'number' && Number.isFinite(v) && (!b || (higher ? v > b.value : v < b.value)) ? { name, value: v, epoch: r.epoch! } : b;
      state.bestValAcc = better(state.bestValAcc, 'val_acc', r.val_acc, true);
      state.bestAcc = better(state.bestAcc, 'acc', r.acc, true);
      state.bestLoss = better(state.bestLoss, 'loss', r.loss, false);
    }
    return state;
  }
}

// ---------------------------------------------------------------------------------------------------
// Texts

/** Live progress of a run this window follows (from train/progress), newer than run.json. */
export interface LiveProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batchesPerEpoch: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/**
 * A run's label: when it started, in local time ("14:05:31" today, "Nov 27 22:45" before), short enough
 * for a narrow sidebar to leave room for the description; the group already names the model, and the
 * tooltip gives the run id (its folder name).
 */
export function runLabel(record: Pick<RunSummary['record'], 'id' | 'startTime'>, now = new Date()): string {
  const start = new Date(record.startTime);
  if (Number.isNaN(start.getTime())) return record.id;
  const time = `${two(start.getHours())}:${two(start.getMinutes())}`;
  const sameDay = start.getFullYear() === now.getFullYear() && start.getMonth() === now.getMonth() && start.getDate() === now.getDate();
  if (sameDay) return `${time}:${two(start.getSeconds())}`;
  const year = start.getFullYear() === now.getFullYear() ? '' : ` ${start.getFullYear()}`;
  return `${MONTHS[start.getMonth()]} ${start.getDate()}${year} ${time}`;
}

/**
 * `epoch 3/5 · best val_acc 0.930`: the epoch being trained for a running run (live when known, else the
 * one after the last finished), the epochs finished otherwise.
 */
export function runDescription(run: Pick<RunSummary, 'status' | 'record'>, best: BestMetric | undefined, live?: LiveProgress): string {
  const total = live?.epochs ?? run.record.config?.epochs;
  const done = run.record.epochsCompleted ?? 0;
  const parts: string[] = [];
  if (run.status === 'running') {
    const epoch = live?.epoch ?? Math.min(done + 1, total ?? done + 1);
    parts.push(total ? `epoch ${epoch}/${total}` : `epoch ${epoch}`);
  } else {
    parts.push(total ? `epoch ${done}/${total}` : `epoch ${done}`);
  }
  if (best) parts.push(`best ${best.name} ${formatValue(best.value)}`);
  // A sweep's runs differ by their settings: those tell them apart.
  if (run.record.sweep) parts.push(paramsLabel(run.record.sweep.params));
  return parts.join(' · ');
}

const CONFIG_KEYS: (keyof TrainingConfig)[] = ['epochs', 'batchSize', 'optimizer', 'learningRate', 'momentum', 'loss', 'metrics', 'validationSplit', 'seed'];

function configValue(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Escapes the Markdown characters that could change how text from files renders inline. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]|<>]/g, '\\$&');
}

/** The tooltip (Markdown): run id and status, model, data, backend, times, error, then the config as a table. */
export function runTooltipMarkdown(run: Pick<RunSummary, 'status' | 'record' | 'runDir'>, best: BestMetric | undefined): string {
  const r: RunRecord = run.record;
  const lines = [`**${escapeMarkdown(r.id ?? path.basename(run.runDir))}** · ${run.status}`, ''];
  const row = (k: string, v: string) => lines.push(`${k}: ${v}  `);
  row('model', `\`${r.modelFile ?? '?'}\``);
  row('data', `\`${r.data ?? '?'}\``);
  if (r.backend) row('backend', escapeMarkdown(`${r.backend.name} (${r.backend.reason})`));
  if (r.startTime) row('started', escapeMarkdown(r.startTime.replace('T', ' ').replace(/\.\d+Z$/, 'Z')));
  if (r.endTime) row('ended', escapeMarkdown(r.endTime.replace('T', ' ').replace(/\.\d+Z$/, 'Z')));
  if (r.resumes) row('resumed', `${r.resumes}×`);
  if (best) row('best', escapeMarkdown(`${best.name} ${formatValue(best.value)} (epoch ${best.epoch})`));
  if (r.error) row('error', escapeMarkdown(r.error));
  if (r.sweep) row('sweep', escapeMarkdown(`${r.sweep.id}: ${paramsLabel(r.sweep.params)}`));
  const config = r.config ?? ({} as Partial<TrainingConfig>);
  const keys = [...CONFIG_KEYS.filter((k) => k in config), ...Object.keys(config).filter((k) => !CONFIG_KEYS.includes(k as keyof TrainingConfig))];
  if (keys.length) {
    lines.push('', '| config | |', '| --- | --- |');
    for (const k of keys) lines.push(`| ${k} | \`${configValue((config as unknown as Record<string, unknown>)[k]).replace(/\|/g, '\\|')}\` |`);
  }
  return lines.join('\n');
}

/** The JSON that Copy Config puts on the clipboard: run.json's `config`. */
export function configJson(record: RunRecord): string {
  return JSON.stringify(record.config ?? {}, null, 2);
}

// ---------------------------------------------------------------------------------------------------
// Export

export interface ExportPlan {
  /** checkpoints/best or checkpoints/last. */
  checkpointDir: string;
  which: 'best' | 'last';
  /** model.json and the weight files its manifest names (not the optimizer's state). */
  files: string[];
}

/**
 * What Export Model copies: the best checkpoint, else the last; model.json and the weights files its
 * manifest lists. Throws a message naming the run folder when it has no checkpoint.
 */
export function exportPlan(runDir: string): ExportPlan {
  for (const which of ['best', 'last'] as const) {
    const checkpointDir = path.join(runDir, 'checkpoints', which);
    const modelJson = path.join(checkpointDir, 'model.json');
    if (!fs.existsSync(modelJson)) continue;
    let manifest: { weightsManifest?: { paths?: string[] }[] };
    try {
      manifest = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
    } catch (err) {
      throw new Error(`${modelJson}: not valid JSON (${(err as Error).message})`);
    }
    const weights = (manifest.weightsManifest ?? []).flatMap((g) => g.paths ?? []);
    for (const w of weights) {
      if (path.isAbsolute(w) || w.split(/[\\/]/).includes('..')) throw new Error(`${modelJson}: weights path "${w}" leaves the checkpoint folder`);
      if (!fs.existsSync(path.join(checkpointDir, w))) throw new Error(`${modelJson}: weights file ${w} is missing`);
    }
    return { checkpointDir, which, files: ['model.json', ...weights] };
  }
  throw new Error(`${runDir} has no checkpoint yet (checkpoints/best or checkpoints/last): it is saved at the end of an epoch`);
}

// ---------------------------------------------------------------------------------------------------
// Command arguments

/** The run folder a command was given: a string, a Uri-like `{ fsPath }` or a Runs view row `{ runDir }`. */
export function runDirOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg.trim()) return arg.trim();
  if (typeof arg === 'object' && arg !== null) {
    const o = arg as { runDir?: unknown; fsPath?: unknown };
    if (typeof o.runDir === 'string') return o.runDir;
    if (typeof o.fsPath === 'string' && o.fsPath) return o.fsPath;
  }
  return undefined;
}

/**
 * The run folders a view command acts on. From a context menu on a multi-selection VS Code passes the
 * clicked row and the selected rows; from the title bar, nothing (the view's selection then).
 */
export function runDirsOf(arg: unknown, selected?: unknown, fallback: readonly unknown[] = []): string[] {
  const list = Array.isArray(selected) && selected.length ? selected : Array.isArray(arg) ? arg : arg !== undefined ? [arg] : fallback;
  const dirs = list.map(runDirOf).filter((d): d is string => !!d);
  return [...new Set(dirs)];
}
