/**
 * Starts the engine child process and supervises it the way VS Code's language client supervises a
 * language server: a typed JSON-RPC connection over IPC, restart on the next request after a crash (at most
 * `maxRestarts` in `restartWindowMs`, counted here and nowhere else), the registry of the runs training in
 * it (marked `interrupted` when the engine dies), a manual restart with a fresh budget, and a new engine
 * when its launch settings (Node.js binary, environment) change while no run trains.
 *
 * The one supervisor of the engine: the extension (engine/engineHost.ts only adapts its events to
 * `vscode.Event`) and the `dl-lab` CLI both use it; imports neither `vscode` nor TensorFlow.js.
 */
import { ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  MessageConnection,
  NotificationType,
  RequestType,
  RequestType0,
} from 'vscode-jsonrpc/node';
import type {
  DataPreviewParams,
  DataPreviewResult,
  DatasetSummary,
  EngineInfo,
  LogParams,
  TrainStartParams,
  TrainStartResult,
  TrainStopResult,
} from '../protocol/engineTypes';
import {
  DataDescribeRequest,
  DataPreviewRequest,
  EngineInfoRequest,
  EngineRestartNotification,
  LogNotification,
  TrainFinishedNotification,
  TrainStartedNotification,
  TrainStartRequest,
  TrainStopRequest,
} from '../protocol/engineRequests';
import { markInterrupted } from '../runs/runFolder';
import { budgetSpentMessage, MAX_RESTARTS, RESTART_WINDOW_MS, restartBudgetSpent } from './restartPolicy';

export interface EngineClientOptions {
  /** The bundled engine entry point (dist/engine.js). */
  enginePath: string;
  /**
   * The Node.js binary to run the engine with; default: this process's (Electron as Node in VS Code). A
   * function is asked before every request (a setting may change it: the idle engine is then replaced).
   */
  nodePath?: string | (() => string | undefined);
  /** Extra environment for the engine process; a function is asked before every request, as nodePath. */
  env?: NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv);
  cwd?: string | (() => string | undefined);
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
  /** True when the exit was asked for (dispose, shutdown, restart, an engine restarting on purpose). */
  expected: boolean;
  /** Unexpected exits in the restart window, this one included (0 for an expected exit). */
  crashesInWindow: number;
}

type Listener<T> = (value: T) => void;

export interface Disposable {
  dispose(): void;
}

export class EngineClient {
  private child: ChildProcess | undefined;
  private connection: MessageConnection | undefined;
  private starting: Promise<MessageConnection> | undefined;
  /** Times of the unexpected exits in the restart window: the restart budget and the crash count. */
  private readonly crashes: number[] = [];
  private readonly activeRuns = new Map<string, string>(); // runId -> runDir
  /** Listeners per notification method; one handler per method on the connection fans out to them. */
  private readonly notificationHandlers = new Map<string, { type: NotificationType<unknown>; listeners: Set<(p: unknown) => void> }>();
  private readonly exitListeners = new Set<Listener<EngineExit>>();
  /** The launch settings (Node.js binary, environment) the running engine was started with. */
  private launched = '';
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
    // Registered first: the registry is up to date when other listeners hear of a run.
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

  /** The runs training in this engine (runId -> run folder), from train/start's answer to train/finished. */
  get runs(): ReadonlyMap<string, string> {
    return this.activeRuns;
  }

  /** Unexpected exits in the last restart window. */
  get crashesInWindow(): number {
    this.pruneCrashes(Date.now());
    return this.crashes.length;
  }

  /** Registers a listener that stays attached across engine restarts; listeners hear in registration order. */
  onNotification<P>(type: NotificationType<P>, listener: (params: P) => void): Disposable {
    let entry = this.notificationHandlers.get(type.method);
    if (!entry) {
      const created = { type: type as NotificationType<unknown>, listeners: new Set<(p: unknown) => void>() };
      this.notificationHandlers.set(type.method, created);
      this.connection?.onNotification(created.type, (p: unknown) => fanOut(created.listeners, p));
      entry = created;
    }
    const added = (p: unknown) => listener(p as P);
    entry.listeners.add(added);
    const listeners = entry.listeners;
    return { dispose: () => listeners.delete(added) };
  }

  onExit(listener: Listener<EngineExit>): Disposable {
    this.exitListeners.add(listener);
    return { dispose: () => this.exitListeners.delete(listener) };
  }

  /** Starts a run (and the engine, if needed). Resolves once the run folder exists. */
  startTraining(params: TrainStartParams): Promise<TrainStartResult> {
    return this.sendRequest(TrainStartRequest, params);
  }

  /** Asks a run to stop between batches. Never starts an engine: without one, nothing is training. */
  async stopTraining(runId: string): Promise<TrainStopResult> {
    if (!this.running) return { stopping: false };
    return this.sendRequest(TrainStopRequest, { runId });
  }

  /** What the engine says about itself (starts it if needed). */
  info(): Promise<EngineInfo> {
    return this.sendRequest(EngineInfoRequest);
  }

  /** What a dataset holds (the engine reads it, only inside `within` when given). */
  describeData(data: string, within?: string[]): Promise<DatasetSummary> {
    return this.sendRequest(DataDescribeRequest, within ? { data, within } : { data });
  }

  /** Sample images per class and augmented versions of one, for the dataset preview. */
  previewData(params: DataPreviewParams): Promise<DataPreviewResult> {
    return this.sendRequest(DataPreviewRequest, params);
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

  /**
   * Starts the engine if it is not running. Refuses once the restart budget is spent. An idle engine whose
   * launch settings changed is stopped first: the thread count, say, is fixed when it loads its backend.
   */
  start(): Promise<MessageConnection> {
    if (this.disposed) return Promise.reject(new Error('the engine is shutting down'));
    if (this.retiring) return this.retiring.then(() => this.start());
    const launch = this.launchSettings();
    if (this.connection && launch.key !== this.launched && this.activeRuns.size === 0) {
      this.log('info', `${launch.changed(this.launched)}: the engine restarts`);
      this.retiring = this.stop().finally(() => (this.retiring = undefined));
      return this.retiring.then(() => this.start());
    }
    if (this.connection) return Promise.resolve(this.connection);
    if (this.starting) return this.starting;
    if (!fs.existsSync(this.options.enginePath)) {
      return Promise.reject(new Error(`the engine bundle ${this.options.enginePath} is missing: reinstall the extension (or run npm run build)`));
    }
    if (this.everStarted && this.restartAsked) this.restartAsked = false;
    else if (this.everStarted) {
      const max = this.options.maxRestarts ?? MAX_RESTARTS;
      if (restartBudgetSpent(this.crashesInWindow, max)) return Promise.reject(new Error(budgetSpentMessage(max, this.windowMs)));
    }
    this.starting = this.spawn(launch).finally(() => (this.starting = undefined));
    return this.starting;
  }

  /**
   * Stops the engine (a training run is stopped, not interrupted) and starts a fresh one with a fresh
   * restart budget, the way "Restart Language Server" does.
   */
  async restart(): Promise<EngineInfo> {
    await this.retiring;
    await this.stop();
    this.crashes.length = 0;
    this.restartAsked = false;
    return this.info();
  }

  private launchSettings() {
    const nodePath = typeof this.options.nodePath === 'function' ? this.options.nodePath() : this.options.nodePath;
    const env = (typeof this.options.env === 'function' ? this.options.env() : this.options.env) ?? {};
    const key = JSON.stringify({ nodePath, env });
    const changed = (before: string) =>
      JSON.parse(before || '{}').nodePath !== nodePath
        ? `the engine's Node.js binary changed to ${nodePath ?? "this process's"}`
        : `engine settings changed (${JSON.stringify(env)})`;
    return { nodePath, env, key, changed };
  }

  private async spawn(launch: ReturnType<EngineClient['launchSettings']>): Promise<MessageConnection> {
    this.everStarted = true;
    this.expectingExit = false;
    this.launched = launch.key;
    const child = fork(this.options.enginePath, [], {
      execPath: launch.nodePath,
      execArgv: [],
      cwd: typeof this.options.cwd === 'function' ? this.options.cwd() : this.options.cwd,
      // Inside VS Code, process.execPath is Electron: this makes it behave as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...launch.env },
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
        for (const line of lines) if (line.trim()) this.log('info', `[engine] ${line}`);
      });
    }
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    for (const { type, listeners } of this.notificationHandlers.values()) connection.onNotification(type, (p: unknown) => fanOut(listeners, p));
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
        this.log('error', `could not mark ${runDir} interrupted: ${(err as Error).message}`);
      }
    }
    this.activeRuns.clear();
    if (!expected) {
      this.log('error', cause);
      this.crashes.push(Date.now());
    }
    const crashesInWindow = expected ? 0 : this.crashesInWindow;
    const exit: EngineExit = { code, signal, interruptedRuns, willRestart: !this.disposed, expected, crashesInWindow };
    for (const listener of [...this.exitListeners]) listener(exit);
  }

  private get windowMs(): number {
    return this.options.restartWindowMs ?? RESTART_WINDOW_MS;
  }

  private pruneCrashes(now: number): void {
    while (this.crashes.length && now - this.crashes[0] > this.windowMs) this.crashes.shift();
  }

  private log(level: LogParams['level'], message: string): void {
    this.options.onLog?.({ level, message });
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

  /** Stops the engine for good: later requests fail. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stop();
  }
}

function fanOut(listeners: Set<(p: unknown) => void>, params: unknown): void {
  for (const listener of [...listeners]) listener(params);
}

/** vscode-jsonrpc's code for a request whose connection was disposed before the answer came. */
const DISPOSED_CODE = -32097;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
