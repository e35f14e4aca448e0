/** Open Example (dlLab.openExample): a copy of the bundled LeNet-5 example in the workspace, opened. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXAMPLE = 'lenet.model.ts';

/**
 * Copies the bundled LeNet-5 example into the workspace (beside nothing it would overwrite) and opens it;
 * without a workspace folder, asks where to save it. A copy, not the bundled file: training writes a runs
 * folder beside the workspace's files, and the user edits it.
 */
export async function openExample(extensionUri: vscode.Uri): Promise<vscode.Uri | undefined> {
  const source = vscode.Uri.joinPath(extensionUri, 'examples', EXAMPLE).fsPath;
  const text = fs.readFileSync(source, 'utf8');
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  let target: string | undefined;
  if (folder) {
    for (let k = 1; ; k++) {
      const candidate = path.join(folder.uri.fsPath, k === 1 ? EXAMPLE : EXAMPLE.replace('.model.ts', `-${k}.model.ts`));
      if (!fs.existsSync(candidate)) {
        target = candidate;
        break;
      }
      if (fs.readFileSync(candidate, 'utf8') === text) {
        target = candidate; // The example is already there, unchanged: open it.
        break;
      }
    }
  } else {
    const chosen = await vscode.window.showSaveDialog({
      title: 'Save the LeNet-5 example',
      defaultUri: vscode.Uri.file(path.join(os.homedir(), EXAMPLE)),
      filters: { 'Model file': ['ts'] },
    });
    target = chosen?.fsPath;
  }
  if (!target) return undefined;
  if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) fs.writeFileSync(target, text);
  const uri = vscode.Uri.file(target);
  await vscode.window.showTextDocument(uri);
  return uri;
}
