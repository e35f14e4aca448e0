/**
 * The extension's handle on the training engine. Loads the supervisor (and with it the JSON-RPC library)
 * on the first command that needs the engine, never at activation; routes the engine's notifications to
 * the current run; and tells the user when the engine dies (runs marked interrupted, restart on the next
 * request, or the Restart Engine action once the automatic restarts are spent).
 */
import * as vscode from 'vscode';
import type { TrainEventParams, TrainFinishedParams, TrainProgressParams, TrainStartedParams } from '../protocol/engineTypes';
import { engineCwd, engineEnv, engineNodePath } from './config';
import type { CurrentRun } from './currentRun';
import type { EngineSupervisor, SupervisedExit } from './engineSupervisor';
import { engineLogSink } from './log';
import { engineExitActions, engineExitMessage, RESTART_ENGINE_ACTION, SHOW_LOG_ACTION } from './restartPolicy';

export class EngineHost implements vscode.Disposable {
  private loading: Promise<EngineSupervisor> | undefined;
  private supervisor: EngineSupervisor | undefined;
  private readonly started = new vscode.EventEmitter<TrainStartedParams>();
  private readonly progress = new vscode.EventEmitter<TrainProgressParams>();
  private readonly finished = new vscode.EventEmitter<TrainFinishedParams>();
  private readonly trainEvent = new vscode.EventEmitter<TrainEventParams>();
  private readonly exited = new vscode.EventEmitter<SupervisedExit>();
  /** Every run's notifications, for the views and dashboards (fired after the current run has seen them). */
  readonly onTrainStarted = this.started.event;
  readonly onTrainProgress = this.progress.event;
  readonly onTrainFinished = this.finished.event;
  readonly onTrainEvent = this.trainEvent.event;
  /** The engine process ended (runs it was training are marked interrupted). */
  readonly onEngineExit = this.exited.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly currentRun: CurrentRun,
  ) {}

  /** The supervisor, if a command has loaded it already. */
  get loaded(): EngineSupervisor | undefined {
    return this.supervisor;
  }

  /** The supervisor, loaded on first use. Starts no engine: requests do. */
  get(): Promise<EngineSupervisor> {
    this.loading ??= import('./engineSupervisor').then(({ EngineSupervisor }) => {
      const supervisor = new EngineSupervisor({
        enginePath: vscode.Uri.joinPath(this.extensionUri, 'dist', 'engine.js').fsPath,
        nodePath: engineNodePath,
        cwd: engineCwd,
        env: engineEnv,
        onLog: engineLogSink(this.log),
      });
      supervisor.onTrainStarted((p) => {
        this.currentRun.session?.handleStarted(p);
        this.started.fire(p);
      });
      supervisor.onTrainProgress((p) => {
        this.currentRun.session?.handleProgress(p);
        this.progress.fire(p);
      });
      supervisor.onTrainFinished((p) => {
        this.currentRun.session?.handleFinished(p);
        this.finished.fire(p);
      });
      supervisor.onTrainEvent((p) => this.trainEvent.fire(p));
      supervisor.onExit((exit) => {
        this.handleExit(exit);
        this.exited.fire(exit);
      });
      this.supervisor = supervisor;
      return supervisor;
    });
    return this.loading;
  }

  private handleExit(exit: SupervisedExit): void {
    this.currentRun.session?.handleEngineExit(exit);
    if (exit.expected) {
      this.log.info(`The training engine stopped (${exit.signal ?? `exit code ${exit.code}`})`);
      return;
    }
    const message = engineExitMessage(exit, exit.crashesInWindow);
    this.log.error(message);
    void vscode.window.showWarningMessage(message, ...engineExitActions(exit.crashesInWindow)).then((choice) => {
      if (choice === RESTART_ENGINE_ACTION) void vscode.commands.executeCommand('dlLab.restartEngine');
      else if (choice === SHOW_LOG_ACTION) this.log.show(true);
    });
  }

  /** Stops the engine cleanly (a training run ends as stopped). */
  async dispose(): Promise<void> {
    const supervisor = this.supervisor ?? (this.loading && (await this.loading));
    await supervisor?.dispose();
    for (const emitter of [this.started, this.progress, this.finished, this.trainEvent, this.exited]) emitter.dispose();
  }
}
