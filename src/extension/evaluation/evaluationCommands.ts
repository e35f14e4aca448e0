/**
 * Deep Learning: Evaluate Run (dlLab.evaluateRun): from a run's row in the Runs view, the dashboard's
 * Evaluate button (the run folder), or the Command Palette (a pick of the workspace's runs, newest first).
 * It opens the run's Evaluation view beside the code, one per run: asked again, the same view is revealed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RUN_FILE } from '../../runs/runFolder';
import { printable } from '../../util/text';
import { pickWorkspaceRun } from '../runs/pickRun';
import { runDirOf } from '../runs/runsModel';
import { COMMANDS } from '../shared/commands';
import { guardedCommand } from '../shared/registerCommand';
import { createBesidePanel, ViewsByKey } from '../shared/webviewPanel';
import { EvaluationPanel, type EvaluationDeps } from './evaluationPanel';

/** The open Evaluation views, one per run folder. */
export class EvaluationPanels implements vscode.Disposable {
  private readonly open = new ViewsByKey<EvaluationPanel>();

  constructor(private readonly deps: EvaluationDeps) {}

  /** The run's view, revealed if open, else created beside the editor (keeping the focus there). */
  show(runDir: string): EvaluationPanel {
    const key = path.resolve(runDir);
    const existing = this.open.reveal(key);
    if (existing) return existing;
    const panel = createBesidePanel('dlLab.evaluation', `Evaluation: ${path.basename(key)}`, this.deps.extensionUri);
    return this.open.add(key, new EvaluationPanel(panel, key, this.deps));
  }

  dispose(): void {
    this.open.dispose();
  }
}

/** Registers Evaluate Run; the returned disposable closes its views too. */
export function registerEvaluation(deps: EvaluationDeps): vscode.Disposable {
  const panels = new EvaluationPanels(deps);
  return vscode.Disposable.from(
    panels,
    guardedCommand(deps.log, COMMANDS.evaluateRun.id, async (arg) => {
      const runDir = runDirOf(arg) ?? (await pickRun());
      if (!runDir) return undefined;
      if (!fs.existsSync(path.join(runDir, RUN_FILE))) throw new Error(`${printable(runDir)} is not a run folder (it has no ${RUN_FILE})`);
      return panels.show(runDir);
    }),
  );
}

function pickRun(): Promise<string | undefined> {
  return pickWorkspaceRun({
    title: `Deep Learning: ${COMMANDS.evaluateRun.title}`,
    placeHolder: 'Run to evaluate',
    none: 'No runs to evaluate yet: train a model first (Deep Learning: Train Model).',
    describe: (r) => ({ description: `${path.basename(r.record.modelFile)} · ${r.status}`, detail: printable(r.record.data) }),
  });
}
