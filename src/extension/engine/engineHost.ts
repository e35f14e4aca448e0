/**
 * The extension's handle on the training engine: the one place that adapts EngineClient (which supervises
 * the engine: restarts, crash count, run registry) to VS Code. Loads the client (and with it the JSON-RPC
 * library) on the first command that needs the engine, never at activation; offers any engine notification
 * as a `vscode.Event` (`engine.event((p) => p.TrainStartedNotification)`), the current run hearing first;
 * and tells the user when the engine dies (runs marked interrupted, restart on the next request, or the
 * Restart Engine action once the automatic restarts are spent).
 */
import * as vscode from 'vscode';
import type { NotificationType, RequestType } from 'vscode-jsonrpc';
import type { EngineClient, EngineExit } from '../../client/engineClient';
import { MAX_RESTARTS, RESTART_WINDOW_MS } from '../../client/restartPolicy';
import { COMMANDS } from '../shared/commands';
import type * as engineRequests from '../../protocol/engineRequests';
import { engineCwd, engineEnv, engineNodePath } from '../shared/config';
import type { CurrentRun } from '../training/currentRun';
import { engineLogSink } from '../shared/log';
import { engineExitActions, engineExitMessage, RESTART_ENGINE_ACTION, SHOW_LOG_ACTION } from './exitMessages';

/** The protocol's requests and notifications, handed to pickers once the client has loaded it. */
export type EngineProtocol = typeof engineRequests;

interface Subscription {
  pick: (protocol: EngineProtocol) => NotificationType<unknown>;
  listener: (params: unknown) => void;
  attached?: { dispose(): void };
}

export class EngineHost implements vscode.Disposable {
  private loading: Promise<EngineClient> | undefined;
  private client: EngineClient | undefined;
  private protocol: EngineProtocol | undefined;
  private readonly subscriptions = new Set<Subscription>();
  private readonly exited = new vscode.EventEmitter<EngineExit>();
  /** The engine process ended (runs it was training are marked interrupted); fired after the warning. */
  readonly onEngineExit = this.exited.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly currentRun: CurrentRun,
  ) {
    // Subscribed first, so the run being trained has seen each notification before the views and dashboards.
    this.event((p) => p.TrainStartedNotification)((p) => this.currentRun.session?.handleStarted(p));
    this.event((p) => p.TrainProgressNotification)((p) => this.currentRun.session?.handleProgress(p));
    this.event((p) => p.TrainFinishedNotification)((p) => this.currentRun.session?.handleFinished(p));
  }

  /** The client, if a command has loaded it already. */
  get loaded(): EngineClient | undefined {
    return this.client;
  }

  /** The client, loaded on first use. Starts no engine: requests do. */
  get(): Promise<EngineClient> {
    this.loading ??= Promise.all([import('../../client/engineClient'), import('../../protocol/engineRequests')]).then(([{ EngineClient }, protocol]) => {
      const client = new EngineClient({
        enginePath: vscode.Uri.joinPath(this.extensionUri, 'dist', 'engine.js').fsPath,
        nodePath: engineNodePath,
        cwd: engineCwd,
        env: engineEnv,
        onLog: engineLogSink(this.log),
        maxRestarts: MAX_RESTARTS,
        restartWindowMs: RESTART_WINDOW_MS,
      });
      client.onExit((exit) => {
        this.handleExit(exit);
        this.exited.fire(exit);
      });
      this.protocol = protocol;
      this.client = client;
      for (const subscription of this.subscriptions) this.attach(subscription);
      return client;
    });
    return this.loading;
  }

  /**
   * Sends a protocol request (starting the engine if needed); `pick` names it in the protocol, loaded with
   * the client. Errors are vscode-jsonrpc ResponseErrors; a model that fails to build carries ModelErrorData.
   */
  async request<P, R>(pick: (protocol: EngineProtocol) => RequestType<P, R, void>, params: P): Promise<R> {
    const client = await this.get();
    return client.sendRequest(pick(this.protocol!), params);
  }

  /**
   * An engine notification as a `vscode.Event`: `pick` names it in the protocol (which loads with the
   * client, not at activation). Listeners stay attached across engine restarts.
   */
  event<P>(pick: (protocol: EngineProtocol) => NotificationType<P>): vscode.Event<P> {
    return (listener, thisArgs?, disposables?) => {
      const subscription: Subscription = {
        pick: pick as Subscription['pick'],
        listener: (params) => listener.call(thisArgs, params as P),
      };
      this.subscriptions.add(subscription);
      if (this.client) this.attach(subscription);
      const disposable = {
        dispose: () => {
          this.subscriptions.delete(subscription);
          subscription.attached?.dispose();
        },
      };
      disposables?.push(disposable);
      return disposable;
    };
  }

  private attach(subscription: Subscription): void {
    subscription.attached = this.client!.onNotification(subscription.pick(this.protocol!), subscription.listener);
  }

  private handleExit(exit: EngineExit): void {
    this.currentRun.session?.handleEngineExit(exit);
    if (exit.expected) {
      this.log.info(`The training engine stopped (${exit.signal ?? `exit code ${exit.code}`})`);
      return;
    }
    const message = engineExitMessage(exit, exit.crashesInWindow);
    this.log.error(message);
    void vscode.window.showWarningMessage(message, ...engineExitActions(exit.crashesInWindow)).then((choice) => {
      if (choice === RESTART_ENGINE_ACTION) void vscode.commands.executeCommand(COMMANDS.restartEngine.id);
      else if (choice === SHOW_LOG_ACTION) this.log.show(true);
    });
  }

  /** Stops the engine cleanly (a training run ends as stopped). */
  async dispose(): Promise<void> {
    const client = this.client ?? (this.loading && (await this.loading));
    await client?.dispose();
    for (const subscription of this.subscriptions) subscription.attached?.dispose();
    this.subscriptions.clear();
    this.exited.dispose();
  }
}
