/**
 * A command whose failure the user sees: the error is logged with the command's id and shown as an error
 * message, and the command resolves to undefined (the Runs and Models views' commands, Train with Options,
 * Resume Run, Select Backend, Open Example).
 */
import * as vscode from 'vscode';
import type { CommandId } from './commands';
import { errorMessage } from './log';

export function guardedCommand(log: vscode.LogOutputChannel, id: CommandId, fn: (...args: unknown[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await fn(...args);
    } catch (err) {
      log.error(`${id}: ${errorMessage(err)}`);
      void vscode.window.showErrorMessage(errorMessage(err));
      return undefined;
    }
  });
}
