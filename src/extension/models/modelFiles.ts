/**
 * Which files are model files, and how the model quick pick lists them. Pure (no `vscode`), tested in
 * test/extension/pickEntries.test.ts; src/extension/models/pickers.ts does the UI.
 */
import * as path from 'node:path';

/** `*.model.ts` and `*.model.js`: the files `Deep Learning: Train Model` trains. */
export const MODEL_FILE_GLOB = '**/*.model.{ts,js}';
export const MODEL_FILE_EXCLUDE = '**/node_modules/**';
const MODEL_FILE_RE = /\.model\.(ts|js)$/;

export function isModelFile(fileName: string): boolean {
  return MODEL_FILE_RE.test(fileName);
}

export interface ModelCandidate {
  /** Absolute path. */
  fsPath: string;
  /** Path relative to its workspace folder (prefixed with the folder's name in multi-root workspaces). */
  relativePath: string;
}

export interface ModelPickEntry {
  label: string;
  description: string;
  fsPath: string;
}

/**
 * Quick-pick entries for model files: deduplicated, model files only, the most recently used (or the
 * one in the active editor) first, then by path. Label is the file name, description its folder.
 */
export function modelPickEntries(candidates: ModelCandidate[], preferred?: string): ModelPickEntry[] {
  const seen = new Set<string>();
  const unique = candidates.filter((c) => isModelFile(c.fsPath) && !seen.has(c.fsPath) && seen.add(c.fsPath));
  unique.sort((a, b) => {
    if (preferred && (a.fsPath === preferred) !== (b.fsPath === preferred)) return a.fsPath === preferred ? -1 : 1;
    return a.relativePath.localeCompare(b.relativePath);
  });
  return unique.map((c) => {
    const dir = path.dirname(c.relativePath.split(path.sep).join('/'));
    return { label: path.basename(c.fsPath), description: dir === '.' ? '' : dir, fsPath: c.fsPath };
  });
}

/** The name the UI uses for a model file: `lenet.model.ts`. */
export function modelDisplayName(fsPath: string): string {
  return path.basename(fsPath);
}
