/**
 * Starts the engine child process and supervises it the way VS Code's language client supervises a
 * language server: a typed JSON-RPC connection over IPC, restart on the next request after a crash (at most
 * `maxRestarts` in `restartWindowMs`), and runs that were training when the engine died marked `interrupted`.
 *
 * Used by both the extension host and the `dl-lab` CLI; imports neither `vscode` nor TensorFlow.js.
 */
import { ChildProcess, fork } from 'node:child_process';
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  MessageConnection,
  NotificationType,
  RequestType,
  RequestType0,
} from 'vscode-jsonrpc/node';
import type { LogParams, TrainStartResult } from '../protocol/engineTypes';
import { EngineRestartNotification, LogNotification, TrainFinishedNotification, TrainStartedNotification, TrainStartRequest } from '../protocol/engineRequests';
import { markInterrupted } from '../runs/runFolder';

export interface EngineClientOptions {
  /** The bundled engine entry point (dist/engine.js). */
  enginePath: string;
  /** The Node.js binary to run the engine with; default: this process's (Electron as Node in VS Code). */
  nodePath?: string;
  /** Extra environment for the engine process; a function is asked at every (re)start (settings may change). */
  env?: NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv);
  cwd?: string;
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Receives the engine's log notifications and its stderr, line by line. */
  onLog?: (entry: LogParams) => void;
}

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Runs that were training and are now marked interrupted. */
  interruptedRuns: string[];
  /** True when the engine will be restarted on the next request. */
  willRestart: boolean;
  /** True when the exit was asked for (dispose, shutdown). */
  expected: boolean;
}

type Listener<T> = (value: T) => void;

export class EngineClient {
  private child: ChildProcess | undefined;
  private connection: MessageConnection | undefined;
  private starting: Promise<MessageConnection> | undefined;
  private readonly restarts: number[] = [];
  private readonly activeRuns = new Map<string, string>(); // runId -> runDir
  private readonly notificationHandlers: { type: NotificationType<unknown>; handler: (p: unknown) => void }[] = [];
  private readonly exitListeners: Listener<EngineExit>[] = [];
  private disposed = false;
  private expectingExit = false;
  private everStarted = false;
  /** The engine said it exits to be restarted (user code cut off): not a crash, not counted as one. */
  private restartAsked = false;
  /** Set from that notice until the old engine has exited: requests meanwhile wait for the new one. */
  private retiring: Promise<void> | undefined;
  /** Connections of engines that announced such a restart: their lost requests are sent again. */
  private readonly restartedConnections = new WeakSet<MessageConnection>();

  constructor(private readonly options: EngineClientOptions) {
    this.onNotification(TrainStartedNotification, (p) => this.activeRuns.set(p.runId, p.runDir));
    this.onNotification(TrainFinishedNotification, (p) => this.activeRuns.delete(p.runId));
    this.onNotification(LogNotification, (p) => this.options.onLog?.(p));
    this.onNotification(EngineRestartNotification, () => {
      this.expectingExit = true;
      this.restartAsked = true;
      const child = this.child;
      if (child) this.retiring = new Promise((resolve) => child.once('exit', () => resolve()));
      if (this.connection) this.restartedConnections.add(this.connection);
    });
  }

  /** The engine's process id, while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.connection !== undefined;
  }

  /** Registers a handler that stays attached across engine restarts. */
  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): void {
    const entry = { type: type as NotificationType<unknown>, handler: handler as (p: unknown) => void };
    this.notificationHandlers.push(entry);
    this.connection?.onNotification(entry.type, entry.handler);
  }

  onExit(listener: Listener<EngineExit>): void {
    this.exitListeners.push(listener);
  }

  sendRequest<R>(type: RequestType0<R, void>): Promise<R>;
  sendRequest<P, R>(type: RequestType<P, R, void>, params: P): Promise<R>;
  async sendRequest(type: RequestType0<unknown, void> | RequestType<unknown, unknown, void>, params?: unknown): Promise<unknown> {
    const connection = await this.start();
    let result: unknown;
    try {
      result = params === undefined ? await connection.sendRequest(type as RequestType0<unknown, void>) : await connection.sendRequest(type as RequestType<unknown, unknown, void>, params);
    } catch (err) {
      // A request caught in an engine that restarts on purpose (user code cut off) goes to the fresh one,
      // once; a training start is not repeated, its run folder may exist.
      if (this.restartedConnections.has(connection) && type.method !== TrainStartRequest.method && (err as { code?: number }).code === DISPOSED_CODE) {
        return params === undefined ? this.sendRequest(type as RequestType0<unknown, void>) : this.sendRequest(type as RequestType<unknown, unknown, void>, params);
      }
      throw err;
    }
    // Track the run from the moment its folder exists, so that a crash before train/started still marks it.
    if (type.method === TrainStartRequest.method) {
      const { runId, runDir } = result as TrainStartResult;
      this.activeRuns.set(runId, runDir);
    }
    return result;
  }

  /** Starts the engine if it is not running. Refuses once the restart budget is spent. */
  start(): Promise<MessageConnection> {
    if (this.disposed) return Promise.reject(new Error('the engine client was disposed'));
    if (this.retiring) return this.retiring.then(() => this.start());
    if (this.connection) return Promise.resolve(this.connection);
    if (this.starting) return this.starting;
    if (this.everStarted && this.restartAsked) this.restartAsked = false;
    else if (this.everStarted) {
      const now = Date.now();
      const windowMs = this.options.restartWindowMs ?? 3 * 60_000;
      while (this.restarts.length && now - this.restarts[0] > windowMs) this.restarts.shift();
      const max = this.options.maxRestarts ?? 4;
      if (this.restarts.length >= max) {
        return Promise.reject(
          new Error(
            `the training engine crashed ${max + 1} times in ${Math.round(windowMs / 60_000)} minutes and will not be restarted automatically; see the engine log`,
          ),
        );
      }
      this.restarts.push(now);
    }
    this.starting = this.spawn().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async spawn(): Promise<MessageConnection> {
    this.everStarted = true;
    this.expectingExit = false;
    const child = fork(this.options.enginePath, [], {
      execPath: this.options.nodePath,
      execArgv: [],
      cwd: this.options.cwd,
      // Inside VS Code, process.execPath is Electron: this makes it behave as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...(typeof this.options.env === 'function' ? this.options.env() : this.options.env) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) this.options.onLog?.({ level: 'info', message: `[engine] ${line}` });
      });
    }
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    for (const { type, handler } of this.notificationHandlers) connection.onNotification(type, handler);
    connection.listen();
    child.once('exit', (code, signal) => this.handleExit(child, connection, code, signal));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    this.connection = connection;
    return connection;
  }

  private handleExit(
    child: ChildProcess,
    connection: MessageConnection,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (this.child !== child) return;
    this.retiring = undefined;
    connection.dispose();
    this.child = undefined;
    this.connection = undefined;
    const expected = this.expectingExit || this.disposed;
    const cause = signal ? `the engine process was killed (${signal})` : `the engine process exited with code ${code}`;
    const interruptedRuns: string[] = [];
    for (const runDir of this.activeRuns.values()) {
      try {
        if (markInterrupted(runDir, cause)) interruptedRuns.push(runDir);
      } catch (err) {
        this.options.onLog?.({ level: 'error', message: `could not mark ${runDir} interrupted: ${(err as Error).message}` });
      }
    }
    this.activeRuns.clear();
    if (!expected) this.options.onLog?.({ level: 'error', message: `${cause}` });
    const exit: EngineExit = { code, signal, interruptedRuns, willRestart: !this.disposed, expected };
    for (const listener of this.exitListeners) listener(exit);
  }

  /** Asks the engine to exit, and kills it if it has not within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    const child = this.child;
    const connection = this.connection;
    if (!child || !connection) return;
    this.expectingExit = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await Promise.race([connection.sendRequest('engine/shutdown'), delay(graceMs)]);
    } catch {
      // the engine may close the connection before it answers
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.disposed = true;
  }
}

/** vscode-jsonrpc's code for a request whose connection was disposed before the answer came. */
const DISPOSED_CODE = -32097;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
