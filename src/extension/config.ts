/**
 * Reading the `dlLab.*` settings from VS Code. What the values mean (runs folder resolution, backend
 * validation, Node path) lives in settings.ts, free of `vscode`.
 */
import * as vscode from 'vscode';
import type { BackendChoice } from '../protocol/engineTypes';
import { normalizeBackend, normalizeNodePath, resolveRunsDir } from './settings';

export const SECTION = 'dlLab';

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
  const config = vscode.workspace.getConfiguration(SECTION, modelFile);
  const { backend, warning } = normalizeBackend(config.get<string>('backend'));
  const folder = vscode.workspace.getWorkspaceFolder(modelFile) ?? vscode.workspace.workspaceFolders?.[0];
  return {
    backend,
    backendWarning: warning,
    runsDir: resolveRunsDir(config.get<string>('runsDir'), {
      workspaceFolder: folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined,
      modelFile: modelFile.fsPath,
    }),
    defaultDataset: config.get<string>('defaultDataset') || 'synthetic:shapes',
  };
}

/** `dlLab.defaultDataset`, for the dataset pick. */
export function defaultDataset(scope?: vscode.Uri): string {
  return vscode.workspace.getConfiguration(SECTION, scope).get<string>('defaultDataset') || 'synthetic:shapes';
}

/** `dlLab.nodePath` (machine scope): undefined means VS Code's own runtime. */
export function engineNodePath(): string | undefined {
  return normalizeNodePath(vscode.workspace.getConfiguration(SECTION).get<string>('nodePath'));
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
  const config = vscode.workspace.getConfiguration(SECTION);
  const seconds = config.get<number>('modelTimeout');
  const threads = config.get<number>('threads');
  return {
    ...(typeof seconds === 'number' && seconds > 0 ? { DL_LAB_MODEL_TIMEOUT: String(seconds) } : {}),
    ...(typeof threads === 'number' && Number.isInteger(threads) && threads > 0 ? { DL_LAB_THREADS: String(threads) } : {}),
  };
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
