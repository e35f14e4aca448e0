/**
 * Choosing what to train: the model file (the command's argument, the active editor, or a quick pick of
 * the workspace's model files) and the dataset (a synthetic one, or a file or folder).
 */
import * as vscode from 'vscode';
import { defaultDataset } from '../shared/config';
import { BROWSE_DATASET, datasetPickEntries } from '../datasets/datasetPicks';
import { isModelFile, MODEL_FILE_EXCLUDE, MODEL_FILE_GLOB, modelPickEntries, type ModelCandidate } from './modelFiles';

/** Model file last trained in this window: first in the next pick. */
let lastModelFile: string | undefined;

export function rememberModelFile(uri: vscode.Uri): void {
  lastModelFile = uri.fsPath;
}

/**
 * The model file to train: `arg` when the command came from a model file's editor title or explorer
 * context menu, else the active editor's model file, else one picked from the workspace. Undefined when
 * the user cancelled or there is none (the user has been told).
 */
export async function pickModelFile(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri && isModelFile(arg.path)) return arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isModelFile(active.path)) return active;

  const files = await vscode.workspace.findFiles(MODEL_FILE_GLOB, MODEL_FILE_EXCLUDE, 500);
  const candidates: ModelCandidate[] = files
    .filter((uri) => uri.scheme === 'file')
    .map((uri) => ({ fsPath: uri.fsPath, relativePath: vscode.workspace.asRelativePath(uri, true) }));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(
      'No model file to train: open a *.model.ts or *.model.js file, or add one to the workspace.',
    );
    return undefined;
  }
  const entries = modelPickEntries(candidates, lastModelFile);
  const picked = await vscode.window.showQuickPick(entries, {
    title: 'Deep Learning: Train Model',
    placeHolder: 'Model file to train',
    matchOnDescription: true,
  });
  return picked && vscode.Uri.file(picked.fsPath);
}

/**
 * Saves the model file's document when it has unsaved changes (training reads the file from disk).
 * False when it could not be saved.
 */
export async function saveIfDirty(uri: vscode.Uri): Promise<boolean> {
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (!document?.isDirty) return true;
  return document.save();
}

/**
 * The dataset a command argument names: `{ data: string }` (the Datasets view's "Train a Model on This
 * Dataset"), else undefined (the dataset is picked).
 */
export function presetDataset(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null || arg instanceof vscode.Uri) return undefined;
  const data = (arg as { data?: unknown }).data;
  return typeof data === 'string' && data.trim() !== '' ? data.trim() : undefined;
}

/** `synthetic:<name>` or an absolute path; undefined when the user cancelled. */
export async function pickDataset(modelFile: vscode.Uri): Promise<string | undefined> {
  const entries = datasetPickEntries(defaultDataset(modelFile));
  const picked = await vscode.window.showQuickPick(
    entries.map((e) => ({ label: e.label, description: e.description, detail: e.detail, value: e.value })),
    { title: 'Deep Learning: Train Model', placeHolder: 'Dataset to train on' },
  );
  if (!picked) return undefined;
  if (picked.value !== BROWSE_DATASET) return picked.value;
  const chosen = await vscode.window.showOpenDialog({
    title: 'Dataset',
    openLabel: 'Train on This',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.workspace.getWorkspaceFolder(modelFile)?.uri,
  });
  return chosen?.[0]?.fsPath;
}
