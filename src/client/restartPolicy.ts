/**
 * The engine's restart budget, which EngineClient enforces: a crashed engine restarts on the next request,
 * at most MAX_RESTARTS times in RESTART_WINDOW_MS; past that, requests fail with budgetSpentMessage until
 * a manual restart. No imports: the extension's messages (extension/engine/restartPolicy.ts) read it
 * without loading the JSON-RPC client.
 */
export const MAX_RESTARTS = 4;
export const RESTART_WINDOW_MS = 3 * 60_000;

/** The first start plus `maxRestarts` restarts have all crashed within the window. */
export function restartBudgetSpent(crashesInWindow: number, maxRestarts = MAX_RESTARTS): boolean {
  return crashesInWindow > maxRestarts;
}

/** Why a request fails once the budget is spent. */
export function budgetSpentMessage(maxRestarts: number, windowMs: number): string {
  return `the training engine crashed ${maxRestarts + 1} times in ${Math.round(windowMs / 60_000)} minutes and will not be restarted automatically; see the engine log`;
}

/** True for EngineClient's refusal once its automatic restart budget is spent. */
export function isRestartBudgetError(message: string): boolean {
  return /will not be restarted automatically/.test(message);
}
