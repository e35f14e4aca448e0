/**
 * Interpreting the `dlLab.*` settings: pure functions (no `vscode`), tested in
 * test/extension/settings.test.ts. src/extension/config.ts reads the values from VS Code.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { isBackendChoice, type BackendChoice } from '../protocol/engineTypes';

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
