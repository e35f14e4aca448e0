/**
 * The Runs view (dlLab.runs) and its commands: Refresh Runs, and the rows' Stop, Delete (to the trash,
 * confirmed), Reveal in Explorer, Export Model (./exportModel), Copy Config, Compare Selected Runs
 * (dlLab.compareRuns, registered by the dashboard, with the selected runs), Open in TensorBoard (./tensorboard).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { effectiveStatus, readRunRecord } from '../../runs/runFolder';
import { COMMANDS, VIEWS } from '../shared/commands';
import { settingChanged } from '../shared/config';
import { errorMessage } from '../shared/log';
import { guardedCommand } from '../shared/registerCommand';
import { revealRunFolder } from '../training/trainCommand';
import { exportModel, type ExportModelDeps } from './exportModel';
import { configJson, runDirOf, runDirsOf } from './runsModel';
import { RunsProvider, type RunsEvents } from './runsView';
import { stopRunAnywhere, type StopDeps } from './stopRun';
import { TensorBoardLauncher } from './tensorboard';

export interface RunsViewDeps extends StopDeps {
  engine: StopDeps['engine'] & RunsEvents & ExportModelDeps['engine'];
}

export interface RunsView extends vscode.Disposable {
  runs: RunsProvider;
}

export function registerRunsView(deps: RunsViewDeps): RunsView {
  const runs = new RunsProvider(deps.engine);
  const view = vscode.window.createTreeView(VIEWS.runs, { treeDataProvider: runs, canSelectMany: true, showCollapseAll: true });
  const selection = (): readonly unknown[] => view.selection ?? [];
  const cmd = (id: Parameters<typeof guardedCommand>[1], fn: (...args: unknown[]) => unknown) => guardedCommand(deps.log, id, fn);
  const tensorboard = new TensorBoardLauncher();
  const disposable = vscode.Disposable.from(
    runs,
    view,
    tensorboard,
    cmd(COMMANDS.refreshRuns.id, () => runs.refresh()),
    cmd(COMMANDS.stopRun.id, (arg) => stopRun(deps, arg)),
    cmd(COMMANDS.deleteRun.id, (arg, selected) => deleteRuns(runs, runDirsOf(arg, selected, selection()))),
    cmd(COMMANDS.revealRun.id, (arg) => withRunDir(arg, (dir) => revealRunFolder(dir))),
    cmd(COMMANDS.exportModel.id, (arg) => withRunDir(arg, (dir) => exportModel(deps, dir))),
    cmd(COMMANDS.copyRunConfig.id, (arg) => withRunDir(arg, (dir) => copyConfig(dir))),
    cmd(COMMANDS.compareSelectedRuns.id, (arg, selected) => compareRuns(runDirsOf(arg, selected, selection()))),
    cmd(COMMANDS.openInTensorBoard.id, (arg) => tensorboard.open(arg)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settingChanged(e, 'runsDir')) runs.settingsChanged();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => runs.settingsChanged()),
  );
  return { runs, dispose: () => disposable.dispose() };
}

async function withRunDir(arg: unknown, fn: (runDir: string) => unknown): Promise<unknown> {
  const dir = runDirOf(arg);
  if (!dir) {
    void vscode.window.showInformationMessage('Pick a run in the Runs view first.');
    return undefined;
  }
  return fn(dir);
}

async function stopRun(deps: StopDeps, arg: unknown): Promise<void> {
  const dir = runDirOf(arg);
  if (!dir) return;
  const record = readRunRecord(dir);
  if (effectiveStatus(record) !== 'running') {
    void vscode.window.showInformationMessage(`Run ${record.id} is not training.`);
    return;
  }
  await stopRunAnywhere(deps, { runId: record.id, runDir: dir });
}

/** Deletes run folders to the trash, after a modal confirmation. Resolves with the folders deleted. */
export async function deleteRuns(runs: RunsProvider, dirs: string[]): Promise<string[]> {
  if (!dirs.length) {
    void vscode.window.showInformationMessage('Pick a run in the Runs view first.');
    return [];
  }
  const running = dirs.filter((d) => runs.run(d)?.status === 'running');
  if (running.length) {
    void vscode.window.showWarningMessage(`${running.map((d) => path.basename(d)).join(', ')} ${running.length === 1 ? 'is' : 'are'} still training: stop ${running.length === 1 ? 'it' : 'them'} first.`);
    return [];
  }
  const what = dirs.length === 1 ? `run ${path.basename(dirs[0])}` : `${dirs.length} runs`;
  const action = 'Move to Trash';
  const choice = await vscode.window.showWarningMessage(
    `Delete ${what}?`,
    { modal: true, detail: `${dirs.length === 1 ? 'Its folder' : 'Their folders'} (metrics, checkpoints) will be moved to the trash.` },
    action,
  );
  if (choice !== action) return [];
  const deleted: string[] = [];
  try {
    for (const dir of dirs) {
      await vscode.workspace.fs.delete(vscode.Uri.file(dir), { recursive: true, useTrash: true });
      deleted.push(dir);
    }
  } catch (err) {
    void vscode.window.showErrorMessage(`Could not move ${path.basename(dirs[deleted.length])} to the trash: ${errorMessage(err)}`);
  } finally {
    runs.refresh();
  }
  return deleted;
}

async function copyConfig(runDir: string): Promise<string> {
  const text = configJson(readRunRecord(runDir));
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage(`Copied the config of ${path.basename(runDir)}`, 3000);
  return text;
}

async function compareRuns(dirs: string[]): Promise<unknown> {
  if (dirs.length < 2) {
    void vscode.window.showInformationMessage('Select two or more runs in the Runs view (Ctrl+click or Shift+click) to compare them.');
    return undefined;
  }
  return vscode.commands.executeCommand(COMMANDS.compareRuns.id, dirs);
}
