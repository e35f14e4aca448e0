/**
 * Stop, for any run the user points at (a dashboard's Stop button, the Runs view's Stop): a run of this
 * window's engine stops between batches; a run of the `dl-lab` command line on this machine is sent
 * SIGINT, which the CLI treats as Stop (it ends the run as stopped after the current batch); any other run
 * (another window's engine, another machine) cannot be reached from here, and the user is told where to
 * stop it.
 */
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as vscode from 'vscode';
import { processAlive, readRunRecord } from '../runs/runFolder';
import type { CurrentRun } from './currentRun';
import type { EngineHost } from './engineHost';
import { errorMessage } from './log';

export interface StopDeps {
  log: vscode.LogOutputChannel;
  engine: Pick<EngineHost, 'loaded'>;
  currentRun: Pick<CurrentRun, 'session'>;
}

export async function stopRunAnywhere(deps: StopDeps, run: { runId: string; runDir: string }): Promise<void> {
  const { log, currentRun, engine } = deps;
  if (currentRun.session?.runId === run.runId) {
    // Through Stop Training, so that its progress notification says "stopping".
    await vscode.commands.executeCommand('dlLab.stopTraining');
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
  if (record.status !== 'running') {
    void vscode.window.showInformationMessage(`Run ${run.runId} is no longer training (${record.status}).`);
    return;
  }
  const local = !record.hostname || record.hostname === hostname();
  const cli = local && record.pid !== undefined && processAlive(record.pid) ? cliParent(record.pid) : undefined;
  if (cli !== undefined) {
    try {
      process.kill(cli, 'SIGINT');
      log.info(`Sent SIGINT to the dl-lab command line (pid ${cli}) that trains run ${run.runId}`);
      void vscode.window.showInformationMessage(`Run ${run.runId} (dl-lab, pid ${cli}) stops after the current batch.`);
      return;
    } catch (err) {
      log.warn(`SIGINT to pid ${cli}: ${errorMessage(err)}`);
    }
  }
  void vscode.window.showInformationMessage(
    `Run ${run.runId} is trained by another process (engine pid ${record.pid ?? '?'}${record.hostname ? ` on ${record.hostname}` : ''}), ` +
      'for example the dl-lab command line: stop it there (Ctrl+C stops it after the current batch).',
  );
}

/**
 * The `dl-lab` CLI process whose engine child is `enginePid` (Linux: from /proc), or undefined. The CLI
 * stops its run on SIGINT; the engine itself has no such handler (a signal would kill it mid-batch).
 */
export function cliParent(enginePid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${enginePid}/stat`, 'utf8');
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(ppid) || ppid <= 1) return undefined;
    const cmdline = fs.readFileSync(`/proc/${ppid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((a) => /(^|[/\\])(cli\.js|dl-lab)$/.test(a)) ? ppid : undefined;
  } catch {
    return undefined;
  }
}
