/**
 * A time limit on the user code of model files (their top level and their builder), which runs
 * synchronously on the engine's only thread: a loop that never ends would hang the engine, its run and its
 * client for good. V8 ends a script run past its `timeout` (as vm does), wherever it is; the engine is then
 * left in an unknown state (TensorFlow.js scopes opened and never closed), so it marks itself for a restart.
 */
import { promiseHooks } from 'node:v8';
import * as vm from 'node:vm';
import { deadlinePassed, onDeadlinePassed, setDeadline } from '../watchdog';
import { ModelFileError } from './modelFile';

/** Seconds; `DL_LAB_MODEL_TIMEOUT` (the CLI's --model-timeout, VS Code's dlLab.modelTimeout) overrides it. */
export const DEFAULT_MODEL_TIMEOUT_S = 120;

export function modelTimeoutSeconds(): number {
  const raw = Number(process.env.DL_LAB_MODEL_TIMEOUT);
  return Number.isFinite(raw) && raw > 0 ? raw : DEFAULT_MODEL_TIMEOUT_S;
}

/** Set once user code was cut off: the process should be restarted when the work in hand has been answered. */
let abandonedWork: string | undefined;
export function abandoned(): string | undefined {
  return abandonedWork;
}

const abandonListeners: (() => void)[] = [];
/** Called (once the current work has unwound) each time user code is cut off: the engine then restarts. */
export function onAbandoned(listener: () => void): void {
  abandonListeners.push(listener);
}

const context = vm.createContext({});
const call = new vm.Script('work()');
const LIMIT_NAMES = 'the limit is the setting dlLab.modelTimeout, dl-lab --model-timeout S or DL_LAB_MODEL_TIMEOUT';

/** Runs `work` (synchronous) under the model time limit; past it, a ModelFileError that names `file`. */
export function withModelTimeLimit<T>(file: string, what: string, work: () => T): T {
  const seconds = modelTimeoutSeconds();
  context.work = work;
  // This call has the vm's own limit; whether it leaves promise callbacks behind is watched below.
  setDeadline(undefined);
  let promised = false;
  const stopWatching = promiseHooks.onInit(() => (promised = true));
  try {
    return call.runInContext(context, { timeout: Math.round(seconds * 1000) }) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw err;
    promised = false;
    abandon(`${what} ${file} took longer than ${seconds} s`);
    throw new ModelFileError(file, `${what} did not finish within ${seconds} s and was abandoned (a loop that never ends?); ${LIMIT_NAMES}`);
  } finally {
    stopWatching();
    context.work = undefined;
    if (promised) watchPromiseCallbacks(file, what, seconds);
    // Callbacks an earlier call queued may still be waiting their turn: watched again.
    else if (pendingWork) setDeadline(pendingWork.seconds * 1000);
  }
}

function abandon(reason: string): void {
  abandonedWork = reason;
  setImmediate(() => abandonListeners.forEach((listener) => listener()));
}

/**
 * Promise callbacks the model file queued run after the call above returned, outside the vm's limit: the
 * watchdog thread (../watchdog) ends them if the engine is not back in its event loop within the limit.
 */
let pendingWork: { file: string; what: string; seconds: number } | undefined;
function watchPromiseCallbacks(file: string, what: string, seconds: number): void {
  pendingWork = { file, what, seconds };
  setDeadline(seconds * 1000);
  setImmediate(() => {
    if (deadlinePassed()) return; // this turn came after the cut-off, which still needs pendingWork
    pendingWork = undefined;
    setDeadline(undefined);
  });
}

/** Requests and runs that may have run model code, failed with the error if a promise callback is cut off. */
const waiting = new Set<(err: ModelFileError) => void>();
let cutOff: ModelFileError | undefined;

function noteCutOff(): void {
  if (!cutOff) {
    const work = pendingWork ?? { file: 'a model file', what: 'model code', seconds: modelTimeoutSeconds() };
    cutOff = new ModelFileError(
      work.file,
      `${work.what}: a promise callback it queued did not finish within ${work.seconds} s and was abandoned (a loop that never ends?); ${LIMIT_NAMES}`,
    );
    abandon(`a promise callback queued by ${work.what} ${work.file} took longer than ${work.seconds} s`);
  }
  for (const fail of [...waiting]) fail(cutOff);
}
onDeadlinePassed(noteCutOff);

/**
 * `work`'s outcome, given once the engine is back in its event loop, or the cut-off's error. Ending a
 * promise callback drops every job queued behind it, the ones that would answer a request or go on with a
 * run among them: this promise does not depend on them (settled from a timer, or by noteCutOff).
 */
export function settleAfterModelCallbacks<T>(work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (err: unknown) => {
      waiting.delete(fail);
      reject(err);
    };
    waiting.add(fail);
    const settle = (done: () => void) =>
      setImmediate(() => {
        if (deadlinePassed()) noteCutOff();
        waiting.delete(fail);
        done();
      });
    work.then(
      (value) => settle(() => resolve(value)),
      (err) => settle(() => reject(err)),
    );
  });
}

type Callback = (...args: unknown[]) => unknown;

/**
 * The timers a model file sees: their callbacks run under the time limit too, since a loop in a timer the
 * model file set would stop the engine after the model was built and answered for. An error in one is
 * reported (`report`) instead of ending the engine as an uncaught exception.
 */
export function timersForModel(file: string, report: (message: string) => void) {
  const guarded = (callback: unknown, args: unknown[]) => () => {
    if (typeof callback !== 'function') return;
    try {
      withModelTimeLimit(file, 'a timer callback of the model file', () => (callback as Callback)(...args));
    } catch (err) {
      report(err instanceof ModelFileError ? err.message : `${file}: error in a timer callback: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  return {
    setTimeout: (callback: unknown, ms?: number, ...args: unknown[]) => setTimeout(guarded(callback, args), ms),
    setInterval: (callback: unknown, ms?: number, ...args: unknown[]) => setInterval(guarded(callback, args), ms),
    setImmediate: (callback: unknown, ...args: unknown[]) => setImmediate(guarded(callback, args)),
  };
}
