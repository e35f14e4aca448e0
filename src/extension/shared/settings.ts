/**
 * Interpreting the `dlLab.*` settings: pure functions (no `vscode`), tested in
 * test/extension/settings.test.ts. src/extension/shared/config.ts reads the values from VS Code, and nothing else does.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { isBackendChoice, type BackendChoice } from '../../protocol/engineTypes';
import { MODEL_FILE_GLOB } from '../models/modelFiles';

/** The `dlLab.*` settings (package.json contributes.configuration; settings.test.ts checks they agree). */
export const SETTING_KEYS = [
  'backend',
  'runsDir',
  'defaultDataset',
  'nodePath',
  'modelGlob',
  'datasetGlobs',
  'inlayHints.enabled',
  'codeLens.enabled',
  'modelTimeout',
  'threads',
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

export const DEFAULT_RUNS_DIR = 'runs';

function expandHome(value: string, home: string): string {
  if (value === '~') return home;
  if (value.startsWith('~/') || value.startsWith('~\\')) return path.join(home, value.slice(2));
  return value;
}

/**
 * The absolute runs folder: `dlLab.runsDir` as is when absolute (or `~/…`), else relative to the model
 * file's workspace folder, or to the model file's folder when it lies outside every workspace folder.
 */
export function resolveRunsDir(
  setting: string | undefined,
  where: { workspaceFolder?: string; modelFile: string },
  home = os.homedir(),
): string {
  const value = expandHome(setting?.trim() || DEFAULT_RUNS_DIR, home);
  if (path.isAbsolute(value)) return path.normalize(value);
  const base = where.workspaceFolder ?? path.dirname(where.modelFile);
  return path.resolve(base, value);
}

/** `dlLab.backend`, with a warning (and `auto`) when the value is not a backend. */
export function normalizeBackend(value: unknown): { backend: BackendChoice; warning?: string } {
  if (value === undefined || value === null || value === '') return { backend: 'auto' };
  if (isBackendChoice(value)) return { backend: value };
  return { backend: 'auto', warning: `dlLab.backend "${String(value)}" is not a backend; using auto` };
}

/** `dlLab.nodePath`: undefined (VS Code's own runtime) when empty. */
export function normalizeNodePath(value: unknown, home = os.homedir()): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  return expandHome(value.trim(), home);
}

/** `dlLab.modelGlob`, else the default. */
export function modelGlobFrom(value: unknown): string {
  return typeof value === 'string' && value.trim() ? value.trim() : MODEL_FILE_GLOB;
}

export const DEFAULT_DATASET_GLOBS = [
  '**/*-idx3-ubyte',
  '**/*-idx3-ubyte.gz',
  '**/data_batch_*.bin',
  '**/*.dataset.json',
  '**/*.csv',
  '**/*.npy',
  '**/*.npz',
  '**/*.{png,jpg,jpeg}',
];

/** `dlLab.datasetGlobs`, or the defaults when it is not a list of strings. */
export function datasetGlobs(value: unknown): string[] {
  if (Array.isArray(value)) {
    const globs = value.filter((g): g is string => typeof g === 'string' && g.trim() !== '').map((g) => g.trim());
    return globs;
  }
  return DEFAULT_DATASET_GLOBS;
}

/** Exclusions for a workspace search: dependencies, VCS, and the runs folder when it is relative to the workspace. */
export function excludeGlob(runsDir: string | undefined): string {
  const parts = ['**/node_modules/**', '**/.git/**'];
  const runs = (runsDir ?? 'runs').trim().replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  if (runs && !path.isAbsolute(runs) && !runs.startsWith('..')) parts.push(`${runs}/**`);
  return `{${parts.join(',')}}`;
}

/** The engine's environment from `dlLab.modelTimeout` (seconds) and `dlLab.threads` (0: one per core). */
export function engineEnvFrom(seconds: unknown, threads: unknown): Record<string, string> {
  return {
    ...(typeof seconds === 'number' && seconds > 0 ? { DL_LAB_MODEL_TIMEOUT: String(seconds) } : {}),
    ...(typeof threads === 'number' && Number.isInteger(threads) && threads > 0 ? { DL_LAB_THREADS: String(threads) } : {}),
  };
}
