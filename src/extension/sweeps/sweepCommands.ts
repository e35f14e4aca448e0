/**
 * Compare Sweep (dlLab.compareSweep): the runs one `dl-lab sweep` started, together in the Compare dashboard,
 * whose sweep chart draws their settings against their best val_loss and val_acc. From a run's context menu
 * in the Runs view: that run's sweep; from the Command Palette (or a run no sweep started): a pick of the
 * sweeps in the runs folders, newest first, each with its settings and best run.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readMetrics, readRunRecord, type RunSummary, scanRuns } from '../../runs/runFolder';
import { bestMetrics, formatMetric, groupBySweep, paramKeys, paramsLabel } from '../../sweeps/results';
import { printable } from '../../util/text';
import { runDirsOf } from '../runs/runsModel';
import { COMMANDS } from '../shared/commands';
import { workspaceRunsDirs } from '../shared/config';
import { guardedCommand } from '../shared/registerCommand';

export function registerSweeps(deps: { log: vscode.LogOutputChannel }): vscode.Disposable {
  return guardedCommand(deps.log, COMMANDS.compareSweep.id, (arg) => compareSweep(arg));
}

interface Sweep {
  id: string;
  /** In the order they started. */
  members: RunSummary[];
}

async function compareSweep(arg: unknown): Promise<unknown> {
  const [runDir] = runDirsOf(arg);
  const dirs = new Set(workspaceRunsDirs());
  let id: string | undefined;
  let why = 'Sweep to compare';
  if (runDir) {
    // The run's own runs folder too: it may be outside the workspace (a model file trained from elsewhere).
    dirs.add(path.dirname(runDir));
    const record = readRunRecord(runDir);
    id = record.sweep?.id;
    if (!id) why = `Run ${printable(record.id)} was not started by a sweep: pick a sweep to compare`;
  }
  const runs = [...dirs].flatMap((d) => scanRuns(d).runs).sort((a, b) => a.record.startTime.localeCompare(b.record.startTime));
  const sweeps: Sweep[] = groupBySweep(runs, (r) => r.record.sweep).reverse();
  id ??= await pickSweep(sweeps, why);
  if (id === undefined) return undefined;
  const members = sweeps.find((s) => s.id === id)?.members ?? [];
  if (members.length < 2) {
    void vscode.window.showInformationMessage(`Sweep ${printable(id)} has ${members.length === 1 ? 'only one run' : 'no runs'} in ${[...dirs].map(printable).join(', ')}: there is nothing to compare.`);
    return undefined;
  }
  return vscode.commands.executeCommand(COMMANDS.compareRuns.id, members.map((r) => r.runDir));
}

async function pickSweep(sweeps: Sweep[], placeHolder: string): Promise<string | undefined> {
  if (!sweeps.length) {
    void vscode.window.showInformationMessage('No sweeps in the runs folder yet: start one with dl-lab sweep <model-file> --grid learningRate=1e-3,3e-3 --grid batchSize=32,64.');
    return undefined;
  }
  const items = sweeps.map((s) => ({ id: s.id, label: s.id, ...describeSweep(s) }));
  const picked = await vscode.window.showQuickPick(items, { title: `Deep Learning: ${COMMANDS.compareSweep.title}`, placeHolder, matchOnDescription: true });
  return picked?.id;
}

/** "4 runs · lenet.model.ts · learningRate, batchSize" and the best run by val_acc (from metrics.jsonl). */
function describeSweep(s: Sweep): { description: string; detail: string } {
  const keys = paramKeys(s.members.map((r) => r.record.sweep!.params));
  const description = `${s.members.length} run${s.members.length === 1 ? '' : 's'} · ${path.basename(s.members[0].record.modelFile)} · ${keys.join(', ')}`;
  const scored = s.members.map((r) => ({ r, best: bestMetrics(readMetrics(r.runDir)) })).filter((x) => x.best.val_acc !== null);
  if (!scored.length) return { description, detail: 'no validation metrics yet' };
  const top = scored.reduce((a, b) => (b.best.val_acc! > a.best.val_acc! ? b : a));
  return { description, detail: printable(`best val_acc ${formatMetric(top.best.val_acc)}: ${paramsLabel(top.r.record.sweep!.params)} (${top.r.record.id})`) };
}
