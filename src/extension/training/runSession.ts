/**
 * One training run as the UI follows it, from the `train/start` request to its end: which run it is,
 * how far it got, and how it ended. Pure (no `vscode`, no engine): the train command feeds it the engine's
 * notifications and exits, and renders what it says. Tested in test/extension/runSession.test.ts.
 */
import type { BackendReport, EpochMetrics, TrainFinishedParams, TrainProgressParams, TrainStartedParams, TrainStartResult } from '../../protocol/engineTypes';
import { exitCause, progressFraction, type RunOutcome, type StatusBarState } from '../shared/format';

export type RunPhase = 'starting' | 'training' | 'stopping' | 'finished';

export interface RunRequest {
  modelFile: string;
  data: string;
  backend: string;
}

type RunEvent =
  | { kind: 'started'; params: TrainStartedParams }
  | { kind: 'progress'; params: TrainProgressParams }
  | { kind: 'finished'; params: TrainFinishedParams };

/** Notifications kept while the run id is not known yet (the engine may notify before the reply lands). */
const MAX_BUFFERED = 1000;

export class RunSession {
  phase: RunPhase = 'starting';
  runId: string | undefined;
  runDir: string | undefined;
  backend: BackendReport | undefined;
  started: TrainStartedParams | undefined;
  lastProgress: TrainProgressParams | undefined;
  lastEpochMetrics: EpochMetrics | undefined;
  /** Epochs finished in this session. */
  epochsDone = 0;
  outcome: RunOutcome | undefined;
  readonly startTime: number;
  /** Resolves once, when the run has ended (or never started). */
  readonly done: Promise<RunOutcome>;

  private stopRequested = false;
  private buffered: RunEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private resolveDone!: (outcome: RunOutcome) => void;

  constructor(
    readonly request: RunRequest,
    private readonly now: () => number = Date.now,
  ) {
    this.startTime = now();
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get active(): boolean {
    return this.phase !== 'finished';
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  /** Called after every change of state. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * `train/start` answered: this session follows that run from now on. Returns true when a stop was
   * requested before the run id was known, so the caller must send `train/stop` now.
   */
  attach(result: TrainStartResult): boolean {
    if (!this.active || this.runId !== undefined) return false;
    this.runId = result.runId;
    this.runDir = result.runDir;
    if (!this.stopRequested) this.phase = 'training';
    const buffered = this.buffered;
    this.buffered = [];
    for (const event of buffered) this.dispatch(event);
    this.changed();
    return this.stopRequested && this.active;
  }

  handleStarted(params: TrainStartedParams): void {
    this.dispatch({ kind: 'started', params });
  }

  handleProgress(params: TrainProgressParams): void {
    this.dispatch({ kind: 'progress', params });
  }

  handleFinished(params: TrainFinishedParams): void {
    this.dispatch({ kind: 'finished', params });
  }

  /**
   * Asks the run to stop. Returns true when the caller should send `train/stop` now (the run id is known
   * and no stop was sent yet); when the run id is not known yet, `attach` says so later.
   */
  requestStop(): boolean {
    if (!this.active || this.stopRequested) return false;
    this.stopRequested = true;
    this.phase = 'stopping';
    this.changed();
    return this.runId !== undefined;
  }

  /** `train/start` failed: the run never started (bad model file, engine that would not start, …). */
  failToStart(error: string): void {
    if (this.runId !== undefined) {
      // The request answered, then failed late? Keep following the run: its own end will come.
      return;
    }
    this.finish({ status: 'failed', error });
  }

  /** The engine process exited. A run still going is over: the client has marked it interrupted. */
  handleEngineExit(exit: { code: number | null; signal: string | null; expected: boolean }): void {
    if (!this.active) return;
    const error = exit.expected
      ? 'the training engine was shut down before the run ended'
      : `the training engine stopped unexpectedly (${exitCause(exit)})`;
    this.finish({ status: this.runId === undefined ? 'failed' : 'interrupted', error, endedByCrash: !exit.expected });
  }

  /** Fraction of the run done, in [0, 1]. */
  get fraction(): number {
    if (this.phase === 'finished' && this.outcome?.status === 'completed') return 1;
    if (!this.lastProgress) return 0;
    return progressFraction(this.lastProgress, this.started?.startEpoch ?? 1);
  }

  get epochs(): number | undefined {
    return this.lastProgress?.epochs ?? this.started?.config.epochs;
  }

  get statusBarState(): StatusBarState {
    if (this.outcome) return { phase: 'finished', outcome: this.outcome };
    const backend = this.backend?.name;
    const epoch = this.lastProgress?.epoch ?? this.started?.startEpoch;
    if (this.phase === 'starting') return { phase: 'starting', model: basename(this.request.modelFile) };
    if (this.phase === 'stopping') return { phase: 'stopping', backend, epoch, epochs: this.epochs };
    return { phase: 'training', backend, epoch, epochs: this.epochs, loss: this.lastProgress?.loss };
  }

  private dispatch(event: RunEvent): void {
    if (!this.active) return;
    if (this.runId === undefined) {
      if (this.buffered.length < MAX_BUFFERED || event.kind !== 'progress') this.buffered.push(event);
      return;
    }
    if (event.params.runId !== this.runId) return;
    switch (event.kind) {
      case 'started':
        this.started = event.params;
        this.backend = event.params.backend;
        this.runDir = event.params.runDir;
        break;
      case 'progress':
        this.lastProgress = event.params;
        if (event.params.kind === 'epoch') {
          this.epochsDone += 1;
          this.lastEpochMetrics = { ...event.params.metrics, loss: event.params.metrics?.loss ?? event.params.loss };
        }
        break;
      case 'finished':
        this.runDir = event.params.runDir;
        this.finish({
          status: event.params.status,
          error: event.params.error,
          metrics: event.params.metrics ?? this.lastEpochMetrics,
        });
        return;
    }
    this.changed();
  }

  private finish(end: Pick<RunOutcome, 'status' | 'error' | 'metrics' | 'endedByCrash'>): void {
    if (!this.active) return;
    this.phase = 'finished';
    this.buffered = [];
    this.outcome = {
      ...end,
      metrics: end.metrics ?? this.lastEpochMetrics,
      runId: this.runId,
      runDir: this.runDir,
      epochsDone: this.epochsDone,
      epochs: this.epochs,
      durationMs: this.now() - this.startTime,
      backend: this.backend?.name,
    };
    this.changed();
    this.resolveDone(this.outcome);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // a listener's failure must not break the session
      }
    }
  }
}

function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
