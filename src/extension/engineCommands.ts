/**
 * `Deep Learning: Restart Engine` (dlLab.restartEngine) and `Deep Learning: Show Engine Log`
 * (dlLab.showEngineLog).
 */
import * as vscode from 'vscode';
import type { CurrentRun } from './currentRun';
import type { EngineHost } from './engineHost';
import { describeEngine } from './format';
import { errorMessage } from './log';
import { SHOW_LOG_ACTION } from './restartPolicy';
import { ensureTrusted } from './trust';

export interface EngineCommandDeps {
  log: vscode.LogOutputChannel;
  engine: EngineHost;
  currentRun: CurrentRun;
}

export function showEngineLog(log: vscode.LogOutputChannel): void {
  log.show(true);
}

/**
 * Stops the engine (a run in progress is stopped, after confirmation) and starts a fresh one, with a
 * fresh budget of automatic restarts. Like training, refused in Restricted Mode.
 */
export async function restartEngine(deps: EngineCommandDeps): Promise<void> {
  if (!ensureTrusted(deps.log)) return;
  const session = deps.currentRun.session;
  if (session) {
    const which = session.runId ? `run ${session.runId}` : 'the run being started';
    const choice = await vscode.window.showWarningMessage(
      `Restarting the training engine stops ${which}.`,
      { modal: true },
      'Restart Engine',
    );
    if (choice !== 'Restart Engine') return;
  }
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Restarting the training engine' },
    async () => {
      try {
        deps.log.info('Restarting the training engine');
        const supervisor = await deps.engine.get();
        const info = await supervisor.restart();
        const description = describeEngine(info);
        deps.log.info(`Training engine restarted: ${description}`);
        void vscode.window.showInformationMessage(`Training engine restarted: ${description}`);
      } catch (err) {
        const message = `The training engine did not restart: ${errorMessage(err)}`;
        deps.log.error(message);
        void vscode.window.showErrorMessage(message, SHOW_LOG_ACTION).then((choice) => {
          if (choice === SHOW_LOG_ACTION) deps.log.show(true);
        });
      }
    },
  );
}
