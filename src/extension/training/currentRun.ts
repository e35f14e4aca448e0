/**
 * The run the UI is training (one at a time), and the `dlLab.training` context key that menus and the
 * command palette use to show Stop Training instead of Train Model.
 */
import * as vscode from 'vscode';
import { CONTEXT_KEYS } from '../shared/commands';
import type { RunSession } from './runSession';

export const TRAINING_CONTEXT_KEY = CONTEXT_KEYS.training;

export class CurrentRun implements vscode.Disposable {
  private current: RunSession | undefined;
  private readonly changed = new vscode.EventEmitter<RunSession | undefined>();
  readonly onDidChange = this.changed.event;

  /** The run being trained, if one is. */
  get session(): RunSession | undefined {
    return this.current?.active ? this.current : undefined;
  }

  begin(session: RunSession): void {
    this.current = session;
    void vscode.commands.executeCommand('setContext', TRAINING_CONTEXT_KEY, true);
    this.changed.fire(session);
    void session.done.then(() => {
      if (this.current !== session) return;
      void vscode.commands.executeCommand('setContext', TRAINING_CONTEXT_KEY, false);
      this.changed.fire(undefined);
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
