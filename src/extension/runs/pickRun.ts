/** A pick of the runs in the workspace's runs folders, newest first (for commands run from the palette). */
import * as vscode from 'vscode';
import { scanRuns, type RunSummary } from '../../runs/runFolder';
import { printable } from '../../util/text';
import { workspaceRunsDirs } from '../shared/config';

export interface RunPick {
  title: string;
  placeHolder: string;
  /** Shown instead of the pick when there is no run: what to do first. */
  none: string;
  /** The row's description and detail for a run. */
  describe: (run: RunSummary) => Pick<vscode.QuickPickItem, 'description' | 'detail'>;
}

/** The picked run's folder, or undefined (none, or the pick was dismissed). */
export async function pickWorkspaceRun(pick: RunPick): Promise<string | undefined> {
  const runs = workspaceRunsDirs()
    .flatMap((d) => scanRuns(d).runs)
    .sort((a, b) => b.record.startTime.localeCompare(a.record.startTime));
  if (!runs.length) {
    void vscode.window.showInformationMessage(pick.none);
    return undefined;
  }
  const items = runs.map((r) => ({ label: printable(r.record.id), ...pick.describe(r), runDir: r.runDir }));
  const picked = await vscode.window.showQuickPick(items, { title: pick.title, placeHolder: pick.placeHolder, matchOnDescription: true });
  return picked?.runDir;
}
