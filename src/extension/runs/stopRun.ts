/**
 * Stop, for any run the user points at (a dashboard's Stop button, the Runs view's Stop): a run of this
 * window's engine is told over JSON-RPC; any other live run (the `dl-lab` command line, another window's
 * engine, a run on another machine whose folder is shared) gets a stop-request file in its run folder,
 * which its trainer looks for between batches, on every OS. Either way the run ends as stopped after the
 * current batch, with its metrics and last checkpoint.
 */
import { hostname } from 'node:os';
import * as vscode from 'vscode';
import { COMMANDS } from '../shared/commands';
import { effectiveStatus, readRunRecord, requestStop } from '../../runs/runFolder';
import type { CurrentRun } from '../training/currentRun';
import type { EngineHost } from '../engine/engineHost';
import { errorMessage } from '../shared/log';

export interface StopDeps {
  log: vscode.LogOutputChannel;
  engine: Pick<EngineHost, 'loaded'>;
  currentRun: Pick<CurrentRun, 'session'>;
}

export async function stopRunAnywhere(deps: StopDeps, run: { runId: string; runDir: string }): Promise<void> {
  const { log, currentRun, engine } = deps;
  if (currentRun.session?.runId === run.runId) {
    // Through Stop Training, so that its progress notification says "stopping".
    await vscode.commands.executeCommand(COMMANDS.stopTraining.id);
    return;
  }
  try {
    const supervisor = engine.loaded;
    if (supervisor && (await supervisor.stopTraining(run.runId)).stopping) {
      log.info(`Stop requested for run ${run.runId}`);
      return;
    }
  } catch (err) {
    log.warn(`Could not ask the engine to stop ${run.runId}: ${errorMessage(err)}`);
  }
  let record;
  try {
    record = readRunRecord(run.runDir);
  } catch (err) {
    void vscode.window.showErrorMessage(`Cannot stop run ${run.runId}: ${errorMessage(err)}`);
    return;
  }
  const status = effectiveStatus(record);
  if (status !== 'running') {
    void vscode.window.showInformationMessage(`Run ${run.runId} is no longer training (${status}).`);
    return;
  }
  try {
    requestStop(run.runDir, `VS Code (pid ${process.pid} on ${hostname()})`);
  } catch (err) {
    void vscode.window.showErrorMessage(`Cannot stop run ${run.runId}: ${errorMessage(err)}`);
    return;
  }
  const who = `engine pid ${record.pid ?? '?'}${record.hostname && record.hostname !== hostname() ? ` on ${record.hostname}` : ''}`;
  log.info(`Asked run ${run.runId} (${who}) to stop through its run folder`);
  void vscode.window.showInformationMessage(`Run ${run.runId} (${who}) stops after the current batch.`);
}
