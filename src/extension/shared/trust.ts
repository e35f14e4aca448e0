/**
 * Workspace Trust: model files are code and training runs them, so training (and anything that starts
 * the engine) is refused in Restricted Mode, with a message that says why
 * (`capabilities.untrustedWorkspaces.supported` is `limited` in package.json).
 */
import * as vscode from 'vscode';

export const RESTRICTED_MODE_MESSAGE =
  'Training is unavailable in Restricted Mode: model files are code, and training runs them. Trust this workspace to train.';
const MANAGE_TRUST = 'Manage Workspace Trust';

/**
 * True when the workspace is trusted. Otherwise tells the user why training is unavailable, offering to
 * manage trust, and returns false: the caller must not start the engine.
 */
export function ensureTrusted(log: vscode.LogOutputChannel): boolean {
  if (vscode.workspace.isTrusted) return true;
  log.warn('Training refused: the workspace is in Restricted Mode');
  void vscode.window.showWarningMessage(RESTRICTED_MODE_MESSAGE, MANAGE_TRUST).then((choice) => {
    if (choice === MANAGE_TRUST) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}

export function watchTrust(log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.workspace.onDidGrantWorkspaceTrust(() => log.info('Workspace trusted: training is available'));
}
