/**
 * Resume Run (dlLab.resumeRun): a run folder (from the Runs view, or picked among the resumable runs)
 * trained on from its last checkpoint, through trainCommand.ts's trainModel; a completed run asks for the
 * new total of epochs. Only model files inside the workspace are run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { effectiveStatus, readRunRecord, type RunRecord } from '../../runs/runFolder';
import { printable } from '../../util/text';
import { isResumable, runDescription, runDirOf } from '../runs/runsModel';
import type { RunNode, RunsProvider } from '../runs/runsView';
import { errorMessage } from '../shared/log';
import { trainModel, type TrainDeps } from './trainCommand';
import { validateResumeEpochs } from './trainOptions';

export async function resumeRun(deps: TrainDeps, runs: RunsProvider, arg: unknown): Promise<unknown> {
  let runDir = runDirOf(arg);
  if (!runDir) {
    runs.refresh();
    const candidates = runs.runs().filter((r) => isResumable(r.status));
    if (!candidates.length) {
      void vscode.window.showInformationMessage('No run to resume: runs that stopped, failed, were interrupted or completed are listed in the Runs view.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      candidates.map((r: RunNode) => ({
        label: r.runId,
        description: `${r.status} · ${runDescription(r.summary, undefined)}`,
        detail: `${path.basename(r.summary.record.modelFile ?? '')} on ${r.summary.record.data ?? '?'}`,
        runDir: r.runDir,
      })),
      { title: 'Deep Learning: Resume Run', placeHolder: 'Run to continue from its last checkpoint', matchOnDescription: true, matchOnDetail: true },
    );
    if (!picked) return undefined;
    runDir = picked.runDir;
  }
  let record: RunRecord;
  try {
    record = readRunRecord(runDir);
  } catch (err) {
    void vscode.window.showErrorMessage(`Cannot resume: ${errorMessage(err)}`);
    return undefined;
  }
  const status = effectiveStatus(record);
  if (status === 'running') {
    void vscode.window.showInformationMessage(`Run ${record.id} is still training.`);
    return undefined;
  }
  if (!record.modelFile || !fs.existsSync(record.modelFile)) {
    void vscode.window.showErrorMessage(`Cannot resume ${record.id}: its model file ${record.modelFile ?? '(none)'} is gone.`);
    return undefined;
  }
  // run.json decides which code a resume runs: a run folder from elsewhere must not run a file outside the
  // workspace (trusted for its own files, not for whatever path a copied run.json names).
  if (!vscode.workspace.getWorkspaceFolder(vscode.Uri.file(record.modelFile))) {
    void vscode.window.showErrorMessage(
      `Cannot resume ${record.id}: its run.json names a model file outside this workspace (${printable(record.modelFile)}); open the folder that holds it to resume the run.`,
    );
    return undefined;
  }
  const overrides: { epochs?: number } = {};
  if (status === 'completed') {
    const done = record.epochsCompleted ?? record.config?.epochs ?? 0;
    const epochs = await vscode.window.showInputBox({
      title: `Resume ${record.id}`,
      prompt: `The run completed ${done} epochs. Train to how many epochs in total?`,
      value: String(done * 2 || 1),
      validateInput: (t) => validateResumeEpochs(t, done),
      ignoreFocusOut: true,
    });
    if (epochs === undefined) return undefined;
    overrides.epochs = Number(epochs.trim());
  }
  return trainModel(deps, vscode.Uri.file(record.modelFile), { data: record.data, resumeRunDir: runDir, overrides });
}
