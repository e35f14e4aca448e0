/**
 * A worker thread that watches the engine's main thread from outside, for what the main thread cannot
 * see while it is stuck in user code (a model file's endless loop):
 * - the client is gone: when the parent dies the engine is reparented, and the worker kills the whole process;
 * - a model file's deadline passed: work a model file queued (a promise callback) runs after its load or
 *   build returned, outside the vm time limit (timeLimit.ts). The main thread sets a deadline when such
 *   work may be pending and clears it once it is back in its event loop; past the deadline the worker
 *   ends the JavaScript that runs (the inspector's Runtime.terminateExecution, the only way to interrupt
 *   another thread) and tells the main thread, which fails the work and restarts the engine.
 */
import { Worker } from 'node:worker_threads';

const WATCH = `
const { parentPort, workerData } = require('node:worker_threads');
const parent = process.ppid;
const deadline = new BigInt64Array(workerData.deadline);
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
}, 500);
setInterval(() => {
  const at = Atomics.load(deadline, 0);
  if (at <= 0n || BigInt(Date.now()) < at || Atomics.compareExchange(deadline, 0, at, -1n) !== at) return;
  let inspector;
  try {
    inspector = require('node:inspector');
  } catch {
    // No inspector in this Node.js: a stuck engine is ended instead (the client sees it exit).
    process.kill(process.pid, 'SIGKILL');
    return;
  }
  const session = new inspector.Session();
  session.connectToMainThread();
  session.post('Runtime.terminateExecution', () => {
    session.disconnect();
    parentPort.postMessage('deadline');
  });
}, 100);
`;

/** Epoch milliseconds after which the main thread's JavaScript is ended; 0: none; -1: it was ended. */
let deadline: BigInt64Array | undefined;
const deadlineListeners: (() => void)[] = [];

export function exitWithParent(): void {
  const shared = new SharedArrayBuffer(8);
  const worker = new Worker(WATCH, { eval: true, workerData: { deadline: shared } });
  deadline = new BigInt64Array(shared);
  worker.on('message', () => {
    deadlineListeners.forEach((listener) => listener());
    if (deadline) Atomics.store(deadline, 0, 0n);
  });
  worker.unref();
}

/**
 * Sets (ms from now) or clears (undefined) the deadline, unless it has just passed (then the main thread
 * hears it first). Without the worker (tests, bench) nothing watches.
 */
export function setDeadline(ms: number | undefined): void {
  if (!deadline) return;
  const at = ms === undefined ? 0n : BigInt(Date.now() + Math.max(1, Math.round(ms)));
  for (let old = Atomics.load(deadline, 0); old !== -1n; old = Atomics.load(deadline, 0)) {
    if (Atomics.compareExchange(deadline, 0, old, at) === old) return;
  }
}

/** True from the moment the worker ended the main thread's JavaScript until the main thread has heard it. */
export function deadlinePassed(): boolean {
  return deadline !== undefined && Atomics.load(deadline, 0) === -1n;
}

/** Called, on the main thread once it runs again, after the worker ended its JavaScript past the deadline. */
export function onDeadlinePassed(listener: () => void): void {
  deadlineListeners.push(listener);
}
