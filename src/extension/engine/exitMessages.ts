/**
 * The engine's restart policy, as the user hears about it. EngineClient restarts a crashed engine on the
 * next request, at most MAX_RESTARTS times in RESTART_WINDOW_MS (src/client/restartPolicy.ts); past that,
 * requests fail until the user runs `Deep Learning: Restart Engine`. Pure (no `vscode`), tested in
 * test/extension/restartPolicy.test.ts.
 */
import { isRestartBudgetError, MAX_RESTARTS, RESTART_WINDOW_MS, restartBudgetSpent } from '../../client/restartPolicy';
import { exitCause, runIdOf, type ExitInfo } from '../shared/format';

export const RESTART_ENGINE_ACTION = 'Restart Engine';
export const SHOW_LOG_ACTION = 'Show Log';

/**
 * The warning shown when the engine dies unexpectedly. `crashesInWindow` counts unexpected exits in the
 * restart window (this one included); past `maxRestarts` the client refuses to restart on its own.
 */
export function engineExitMessage(
  exit: ExitInfo,
  crashesInWindow: number,
  maxRestarts = MAX_RESTARTS,
  windowMinutes = RESTART_WINDOW_MS / 60_000,
): string {
  const runs = exit.interruptedRuns.map(runIdOf);
  const marked =
    runs.length === 0
      ? ''
      : runs.length === 1
        ? ` Run ${runs[0]} was marked interrupted.`
        : ` Runs ${runs.join(', ')} were marked interrupted.`;
  let next = '';
  if (exit.willRestart) {
    next = restartBudgetSpent(crashesInWindow, maxRestarts)
      ? ` It stopped ${crashesInWindow} times in ${windowMinutes} minutes and will not be restarted automatically: use Restart Engine.`
      : ' It restarts on the next request.';
  }
  return `The training engine stopped unexpectedly (${exitCause(exit)}).${marked}${next}`;
}

/** Actions offered with an engine-exit warning. */
export function engineExitActions(crashesInWindow: number, maxRestarts = MAX_RESTARTS): string[] {
  return restartBudgetSpent(crashesInWindow, maxRestarts) ? [RESTART_ENGINE_ACTION, SHOW_LOG_ACTION] : [SHOW_LOG_ACTION];
}

/** Actions offered when a request to the engine failed with `message`. */
export function requestErrorActions(message: string): string[] {
  return isRestartBudgetError(message) ? [RESTART_ENGINE_ACTION, SHOW_LOG_ACTION] : [SHOW_LOG_ACTION];
}
