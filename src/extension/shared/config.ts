/**
 * The one reader of the `dlLab.*` settings: every read (and the one write, Select Backend) goes through
 * these typed getters. What the values mean (runs folder resolution, backend validation, Node path, globs,
 * the engine's environment) lives in settings.ts, free of `vscode`.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BackendChoice } from '../../protocol/engineTypes';
import { datasetGlobs, engineEnvFrom, modelGlobFrom, normalizeBackend, normalizeNodePath, resolveRunsDir, type SettingKey } from './settings';

const SECTION = 'dlLab';

function read<T>(key: SettingKey, scope?: vscode.Uri): T | undefined {
  return vscode.workspace.getConfiguration(SECTION, scope).get<T>(key);
}

/** True when the change touches any of `keys`. */
export function settingChanged(e: vscode.ConfigurationChangeEvent, ...keys: SettingKey[]): boolean {
  return keys.some((key) => e.affectsConfiguration(`${SECTION}.${key}`));
}

export interface TrainingSettings {
  backend: BackendChoice;
  /** Set when `dlLab.backend` held something else than a backend. */
  backendWarning?: string;
  /** Absolute. */
  runsDir: string;
  defaultDataset: string;
}

/** The settings that apply to training `modelFile` (resource-scoped to its workspace folder). */
export function trainingSettings(modelFile: vscode.Uri): TrainingSettings {
  const { backend, warning } = normalizeBackend(read<string>('backend', modelFile));
  const folder = vscode.workspace.getWorkspaceFolder(modelFile) ?? vscode.workspace.workspaceFolders?.[0];
  return {
    backend,
    backendWarning: warning,
    runsDir: resolveRunsDir(read<string>('runsDir', modelFile), {
      workspaceFolder: folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined,
      modelFile: modelFile.fsPath,
    }),
    defaultDataset: defaultDataset(modelFile),
  };
}

/** `dlLab.defaultDataset`, for the dataset pick. */
export function defaultDataset(scope?: vscode.Uri): string {
  return read<string>('defaultDataset', scope) || 'synthetic:shapes';
}

/** `dlLab.nodePath` (machine scope): undefined means VS Code's own runtime. */
export function engineNodePath(): string | undefined {
  return normalizeNodePath(read<string>('nodePath'));
}

/** The working folder of the engine process: the first local workspace folder, if any. */
export function engineCwd(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  return folder?.uri.fsPath;
}

/**
 * The engine's environment from settings: `dlLab.modelTimeout`, the seconds a model file may take to load
 * or build; `dlLab.threads`, the CPU threads of the wasm backend (0: one per core).
 */
export function engineEnv(): NodeJS.ProcessEnv {
  return engineEnvFrom(read<number>('modelTimeout'), read<number>('threads'));
}

/** `dlLab.backend` as written (for display: "now wasm"), `auto` when unset. */
export function backendSettingText(scope?: vscode.Uri): string {
  return read<string>('backend', scope) || 'auto';
}

/** Select Backend's write: the workspace's setting when a folder is open, else the user's. */
export async function updateBackendSetting(backend: BackendChoice): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SECTION).update('backend', backend, target);
}

/** `dlLab.runsDir` as written (for the search exclusions). */
export function runsDirSetting(): string | undefined {
  return read<string>('runsDir');
}

/** The runs folders to list: `dlLab.runsDir` resolved against each local workspace folder. */
export function workspaceRunsDirs(): string[] {
  const dirs = new Set<string>();
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    dirs.add(resolveRunsDir(read<string>('runsDir', folder.uri), { workspaceFolder: folder.uri.fsPath, modelFile: path.join(folder.uri.fsPath, 'x.model.ts') }));
  }
  return [...dirs];
}

/** `dlLab.modelGlob`, else the default. */
export function modelGlob(): string {
  return modelGlobFrom(read<string>('modelGlob'));
}

/** `dlLab.datasetGlobs`, or the defaults. */
export function datasetGlobPatterns(): string[] {
  return datasetGlobs(read<unknown>('datasetGlobs'));
}

/** `dlLab.inlayHints.enabled` / `dlLab.codeLens.enabled` (default on). */
export function insightEnabled(key: 'inlayHints.enabled' | 'codeLens.enabled', scope?: vscode.Uri): boolean {
  return read<boolean>(key, scope) ?? true;
}

/**
 * In Restricted Mode, the folders the engine may read data from: the workspace's own. A descriptor's path
 * (`../..`, an absolute path, a symbolic link) must not make it read, and quote, files elsewhere. Undefined
 * when the workspace is trusted.
 */
export function restrictedDataFolders(): string[] | undefined {
  if (vscode.workspace.isTrusted) return undefined;
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}
