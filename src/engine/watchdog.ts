/**
 * Ends the engine when its client is gone, even while the main thread is busy or stuck in user code (a
 * model file's endless loop), where `disconnect` and timers on the main thread are never heard. A worker
 * thread watches the parent process id: when the parent dies the engine is reparented, and the worker
 * kills the whole process.
 */
import { Worker } from 'node:worker_threads';

const WATCH = `
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
}, 500);
`;

export function exitWithParent(): void {
  const worker = new Worker(WATCH, { eval: true });
  worker.unref();
}
