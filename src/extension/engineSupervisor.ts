/**
 * The extension's side of the engine supervision: owns the EngineClient (which forks the engine, restarts
 * it after a crash on the next request, at most 4 times in 3 minutes, and marks interrupted runs), and
 * adds what the UI needs: typed listeners, a crash count for the messages, a manual restart that resets
 * the budget, and a new client when `dlLab.nodePath` changes.
 *
 * Free of `vscode` (tested against a fake engine in test/extension/engineSupervisor.test.ts). It loads the
 * JSON-RPC library, so extension.ts imports it lazily, on the first command that needs the engine: the
 * engine itself starts on the first request, never at activation.
 */
import * as fs from 'node:fs';
import type { RequestType } from 'vscode-jsonrpc';
import { EngineClient, type EngineExit } from '../client/engineClient';
import type { TrainEventParams, DataDescribeParams, DataPreviewParams, DataPreviewResult, DatasetSummary, EngineInfo, LogParams, TrainFinishedParams, TrainProgressParams, TrainStartedParams, TrainStartParams, TrainStartResult, TrainStopParams, TrainStopResult } from '../protocol/engineTypes';
import { DataDescribeRequest, DataPreviewRequest, EngineInfoRequest, TrainEventNotification, TrainFinishedNotification, TrainProgressNotification, TrainStartedNotification, TrainStartRequest, TrainStopRequest } from '../protocol/engineRequests';
import { MAX_RESTARTS, RESTART_WINDOW_MS } from './restartPolicy';

export interface EngineSupervisorOptions {
  /** dist/engine.js of the installed extension. */
  enginePath: string;
  /** Read on every (re)creation of the client: `dlLab.nodePath`, undefined for VS Code's own runtime. */
  nodePath: () => string | undefined;
  /** Extra environment for each engine start (the model time limit, dlLab.modelTimeout). */
  env?: () => NodeJS.ProcessEnv;
  cwd?: () => string | undefined;
  onLog: (entry: LogParams) => void;
  maxRestarts?: number;
  restartWindowMs?: number;
}

export interface SupervisedExit extends EngineExit {
  /** Unexpected exits in the restart window, this one included (0 for an expected exit). */
  crashesInWindow: number;
}

type Listener<T> = (value: T) => void;

class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  on(listener: Listener<T>): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
}

export class EngineSupervisor {
  private client: EngineClient | undefined;
  private clientNodePath: string | undefined;
  /** The settings-made environment the current engine was started with (dlLab.threads, dlLab.modelTimeout). */
  private clientEnv = '';
  private readonly crashes: number[] = [];
  /** Runs started through this supervisor that have not finished (runId -> runDir): no engine swap under them. */
  private readonly openRuns = new Map<string, string>();
  private disposed = false;
  private retiring: Promise<void> = Promise.resolve();

  private readonly started = new Emitter<TrainStartedParams>();
  private readonly progress = new Emitter<TrainProgressParams>();
  private readonly finished = new Emitter<TrainFinishedParams>();
  private readonly trainEvent = new Emitter<TrainEventParams>();
  private readonly exited = new Emitter<SupervisedExit>();

  readonly onTrainStarted = (l: Listener<TrainStartedParams>) => this.started.on(l);
  readonly onTrainProgress = (l: Listener<TrainProgressParams>) => this.progress.on(l);
  readonly onTrainFinished = (l: Listener<TrainFinishedParams>) => this.finished.on(l);
  readonly onTrainEvent = (l: Listener<TrainEventParams>) => this.trainEvent.on(l);
  readonly onExit = (l: Listener<SupervisedExit>) => this.exited.on(l);

  constructor(private readonly options: EngineSupervisorOptions) {}

  /** True while an engine process is running. */
  get running(): boolean {
    return this.client?.running ?? false;
  }

  get pid(): number | undefined {
    return this.client?.pid;
  }

  /** Unexpected exits in the last restart window. */
  get crashesInWindow(): number {
    this.pruneCrashes(Date.now());
    return this.crashes.length;
  }

  /** Starts a run (and the engine, if needed). Resolves once the run folder exists. */
  async startTraining(params: TrainStartParams): Promise<TrainStartResult> {
    const client = await this.ensureClient();
    const result: TrainStartResult = await client.sendRequest<TrainStartParams, TrainStartResult>(TrainStartRequest, params);
    this.openRuns.set(result.runId, result.runDir);
    return result;
  }

  /** Asks a run to stop between batches. Never starts an engine: without one, nothing is training. */
  async stopTraining(runId: string): Promise<TrainStopResult> {
    const client = this.client;
    if (!client?.running) return { stopping: false };
    return client.sendRequest<TrainStopParams, TrainStopResult>(TrainStopRequest, { runId });
  }

  /** What the engine says about itself (starts it if needed). */
  async info(): Promise<EngineInfo> {
    const client = await this.ensureClient();
    return client.sendRequest<EngineInfo>(EngineInfoRequest);
  }

  /** What a dataset holds (the engine reads it; starts the engine if needed). */
  async describeData(data: string, within?: string[]): Promise<DatasetSummary> {
    const client = await this.ensureClient();
    return client.sendRequest<DataDescribeParams, DatasetSummary>(DataDescribeRequest, within ? { data, within } : { data });
  }

  /** Sample images per class and augmented versions of one, for the dataset preview. */
  async previewData(params: DataPreviewParams): Promise<DataPreviewResult> {
    const client = await this.ensureClient();
    return client.sendRequest<DataPreviewParams, DataPreviewResult>(DataPreviewRequest, params);
  }

  /**
   * Any other request of the protocol (model/summary, inspect/*): starts the engine if needed. Errors are
   * vscode-jsonrpc ResponseErrors; a model that fails to build carries ModelErrorData in `data`.
   */
  async request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R> {
    const client = await this.ensureClient();
    return client.sendRequest<P, R>(type, params);
  }

  /**
   * Stops the engine (a training run is stopped, not interrupted) and starts a fresh one with a fresh
   * restart budget, the way "Restart Language Server" does.
   */
  async restart(): Promise<EngineInfo> {
    await this.retire();
    this.crashes.length = 0;
    return this.info();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.retire();
  }

  private async ensureClient(): Promise<EngineClient> {
    await this.retiring;
    if (this.disposed) throw new Error('the extension is shutting down');
    const nodePath = this.options.nodePath();
    const env = JSON.stringify(this.options.env?.() ?? {});
    if (this.client && nodePath !== this.clientNodePath && this.openRuns.size === 0) {
      this.options.onLog({ level: 'info', message: `dlLab.nodePath changed: the engine restarts with ${nodePath ?? "VS Code's runtime"}` });
      await this.retire();
    } else if (this.client && env !== this.clientEnv && this.openRuns.size === 0) {
      // The thread count is fixed when the engine loads its backend: a new setting needs a new engine.
      this.options.onLog({ level: 'info', message: `engine settings changed (${env}): the engine restarts` });
      await this.retire();
    }
    if (!this.client) {
      if (!fs.existsSync(this.options.enginePath)) {
        throw new Error(`the engine bundle ${this.options.enginePath} is missing: reinstall the extension (or run npm run build)`);
      }
      this.client = this.createClient(nodePath);
      this.clientNodePath = nodePath;
      this.clientEnv = env;
    }
    return this.client;
  }

  private createClient(nodePath: string | undefined): EngineClient {
    const client = new EngineClient({
      enginePath: this.options.enginePath,
      nodePath,
      cwd: this.options.cwd?.(),
      env: () => this.options.env?.() ?? {},
      maxRestarts: this.options.maxRestarts ?? MAX_RESTARTS,
      restartWindowMs: this.options.restartWindowMs ?? RESTART_WINDOW_MS,
      onLog: this.options.onLog,
    });
    // Handler parameter types are spelled out: they must not depend on how TypeScript resolves vscode-jsonrpc.
    client.onNotification(TrainStartedNotification, (p: TrainStartedParams) => {
      this.openRuns.set(p.runId, p.runDir);
      this.started.fire(p);
    });
    client.onNotification(TrainProgressNotification, (p: TrainProgressParams) => this.progress.fire(p));
    client.onNotification(TrainFinishedNotification, (p: TrainFinishedParams) => {
      this.openRuns.delete(p.runId);
      this.finished.fire(p);
    });
    client.onNotification(TrainEventNotification, (p: TrainEventParams) => this.trainEvent.fire(p));
    client.onExit((exit) => this.handleExit(client, exit));
    return client;
  }

  private handleExit(client: EngineClient, exit: EngineExit): void {
    // EngineClient has marked the runs that were training interrupted (exit.interruptedRuns).
    this.openRuns.clear();
    let crashesInWindow = 0;
    if (!exit.expected) {
      const now = Date.now();
      this.crashes.push(now);
      this.pruneCrashes(now);
      crashesInWindow = this.crashes.length;
    }
    const retired = client !== this.client;
    this.exited.fire({ ...exit, willRestart: exit.willRestart && !retired && !this.disposed, crashesInWindow });
  }

  private pruneCrashes(now: number): void {
    const windowMs = this.options.restartWindowMs ?? RESTART_WINDOW_MS;
    while (this.crashes.length && now - this.crashes[0] > windowMs) this.crashes.shift();
  }

  /** Disposes the current client (stopping its engine) so that the next request makes a new one. */
  private retire(): Promise<void> {
    const client = this.client;
    if (!client) return this.retiring;
    this.client = undefined;
    this.clientNodePath = undefined;
    this.retiring = this.retiring.then(() =>
      client.dispose().catch((err: Error) => this.options.onLog({ level: 'warn', message: `stopping the engine: ${err.message}` })),
    );
    return this.retiring;
  }
}
