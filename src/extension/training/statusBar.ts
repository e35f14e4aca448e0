/**
 * The training status bar item: `$(pulse) wasm · epoch 2/3 · loss 0.412` while a run trains, how the last
 * run ended afterwards. Hidden until the first run. Clicking it opens that run's training dashboard.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../shared/commands';
import { formatMetrics, outcomeMessage, statusBarText } from '../shared/format';
import type { RunSession } from './runSession';

export class TrainingStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private unsubscribe: (() => void) | undefined;
  private lastText = '';

  constructor() {
    this.item = vscode.window.createStatusBarItem('dlLab.training', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Deep Learning Training';
    this.item.command = COMMANDS.openDashboard.id;
  }

  /** Follows `session` until the next one. */
  follow(session: RunSession): void {
    this.unsubscribe?.();
    this.unsubscribe = session.onChange(() => this.render(session));
    this.render(session);
    this.item.show();
  }

  private render(session: RunSession): void {
    const state = session.statusBarState;
    const text = statusBarText(state);
    // Batch progress comes every 250 ms at most; skip identical updates anyway.
    if (text !== this.lastText) {
      this.item.text = text;
      this.lastText = text;
    }
    const outcome = session.outcome;
    this.item.backgroundColor =
      outcome?.status === 'failed' || outcome?.status === 'interrupted'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : undefined;
    // The run's folder once the engine has created it; before that, the dashboard command finds the current run.
    this.item.command = session.runDir
      ? { command: COMMANDS.openDashboard.id, title: COMMANDS.openDashboard.title, arguments: [session.runDir] }
      : COMMANDS.openDashboard.id;
    const lines = [`Model: ${session.request.modelFile}`, `Data: ${session.request.data}`];
    if (session.runId) lines.unshift(`Run ${session.runId}`);
    if (session.backend) lines.push(`Backend: ${session.backend.name} (${session.backend.reason})`);
    if (outcome) lines.push(outcomeMessage(outcome));
    else if (session.lastEpochMetrics) lines.push(`Last epoch: ${formatMetrics(session.lastEpochMetrics)}`);
    lines.push('', 'Click to open the training dashboard.');
    this.item.tooltip = lines.join('\n');
  }

  dispose(): void {
    this.unsubscribe?.();
    this.item.dispose();
  }
}
