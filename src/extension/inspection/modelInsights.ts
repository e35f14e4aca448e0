/**
 * What the engine says about each model file the user looks at: its summary (layers, shapes, parameters,
 * lines) or why it does not build. The engine builds the file from disk, so a summary belongs to a file's
 * modification time and to the dataset that gave the input shape and classes; it is asked for again when
 * either changes (on save, debounced), never on keystrokes. Answers that arrive after the file changed again
 * are dropped. Free of `vscode` (tested in test/extension/inspection.test.ts against the real engine); the
 * editor side is editorInsights.ts.
 */
import type { ModelErrorData, ModelSummary, ModelSummaryParams } from '../../protocol/engineTypes';
import type { ShapeSource } from './hintText';
import { modelErrorOf } from './modelError';

export const DEFAULT_DEBOUNCE_MS = 500;
const FALLBACK_DATA = 'synthetic:shapes';

interface Based {
  /** The file's modification time the engine built. */
  mtimeMs: number;
  /** The file's lines as the engine read them: hints follow their line when the editor moves it. */
  lines: string[];
}

export type FileInsight =
  | (Based & { kind: 'summary'; summary: ModelSummary; source: ShapeSource })
  | (Based & { kind: 'error'; error: ModelErrorData })
  /** Not about the model: the engine could not be asked (it failed to start, ...). */
  | { kind: 'unavailable'; reason: string; mtimeMs: number };

export interface DatasetChoice {
  data: string;
  origin: ShapeSource['origin'];
}

export interface ModelInsightsDeps {
  summarize(params: ModelSummaryParams): Promise<ModelSummary>;
  /** Modification time in ms; undefined when the file is gone. */
  mtime(file: string): number | undefined;
  readText(file: string): string | undefined;
  datasetFor(file: string): DatasetChoice;
  /** False in an untrusted workspace: building a model runs its code. */
  canStart(): boolean;
  log(level: 'info' | 'warn', message: string): void;
  debounceMs?: number;
}

interface Entry {
  insight?: FileInsight;
  /** mtime and dataset of `insight`. */
  key?: string;
  timer?: ReturnType<typeof setTimeout>;
  inFlight: boolean;
  /** Asked again while a request was in flight: its answer is stale. */
  again: boolean;
  generation: number;
}

type Listener = (file: string) => void;

export class ModelInsights {
  private readonly entries = new Map<string, Entry>();
  /** Input shape and classes per dataset, so that only the first summary reads the dataset. */
  private readonly shapes = new Map<string, { inputShape: number[]; numClasses: number }>();
  private readonly listeners = new Set<Listener>();
  private readonly idle = new Set<() => void>();
  private disposed = false;

  constructor(private readonly deps: ModelInsightsDeps) {}

  /** Fires with a model file's path when its insight changed (a new summary, an error, or forgotten). */
  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The last insight of a file: possibly for an older version of it (see `lines`). */
  get(file: string): FileInsight | undefined {
    return this.entries.get(file)?.insight;
  }

  /** Files being followed (opened in an editor and not forgotten). */
  get files(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Makes sure the insight of `file` is (or will be) for its current content and dataset: asks the engine
   * when it is not, after `delayMs`. Cheap when it is up to date (one stat).
   */
  ensure(file: string, delayMs = 0): void {
    if (this.disposed) return;
    const entry = this.entry(file);
    if (entry.timer || entry.inFlight) return;
    const key = this.keyOf(file);
    if (key === undefined) return this.forget(file);
    if (key === entry.key) return;
    this.schedule(file, delayMs);
  }

  /** Asks again after the debounce (a save), even if the file's time did not change (an import may have). */
  refresh(file: string, delayMs = this.deps.debounceMs ?? DEFAULT_DEBOUNCE_MS): void {
    if (this.disposed) return;
    this.schedule(file, delayMs);
  }

  /** Stops following a file (closed or deleted): its insight goes, and an answer on its way is dropped. */
  forget(file: string): void {
    const entry = this.entries.get(file);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.generation++;
    this.entries.delete(file);
    this.fire(file);
    this.checkIdle();
  }

  /** Resolves when no request is scheduled or in flight (for tests and shutdown). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  dispose(): void {
    this.disposed = true;
    for (const file of [...this.entries.keys()]) this.forget(file);
    this.listeners.clear();
  }

  private entry(file: string): Entry {
    let entry = this.entries.get(file);
    if (!entry) {
      entry = { inFlight: false, again: false, generation: 0 };
      this.entries.set(file, entry);
    }
    return entry;
  }

  private keyOf(file: string): string | undefined {
    const mtime = this.deps.mtime(file);
    return mtime === undefined ? undefined : `${mtime}|${this.deps.datasetFor(file).data}`;
  }

  private schedule(file: string, delayMs: number): void {
    if (!this.deps.canStart()) return;
    const entry = this.entry(file);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void this.start(file, entry);
    }, delayMs);
  }

  private async start(file: string, entry: Entry): Promise<void> {
    if (this.entries.get(file) !== entry) return this.checkIdle();
    if (entry.inFlight) {
      entry.again = true;
      return;
    }
    entry.inFlight = true;
    const generation = ++entry.generation;
    try {
      const result = await this.ask(file);
      if (result && generation === entry.generation && !entry.again) {
        entry.insight = result.insight;
        entry.key = result.key;
        this.fire(file);
      }
    } catch (err) {
      this.deps.log('warn', `model insights for ${file}: ${(err as Error).message}`);
    } finally {
      entry.inFlight = false;
    }
    if (entry.again && this.entries.get(file) === entry) {
      entry.again = false;
      return this.start(file, entry);
    }
    // The file changed while the engine built it: build the new version.
    if (this.entries.get(file) === entry && !entry.timer) {
      const key = this.keyOf(file);
      if (key !== undefined && key !== entry.key && entry.insight?.kind !== 'unavailable') this.schedule(file, 0);
    }
    this.checkIdle();
  }

  private async ask(file: string): Promise<{ insight: FileInsight; key: string } | undefined> {
    const mtimeMs = this.deps.mtime(file);
    const text = this.deps.readText(file);
    if (mtimeMs === undefined || text === undefined) return undefined;
    const choice = this.deps.datasetFor(file);
    const key = `${mtimeMs}|${choice.data}`;
    const lines = text.split(/\r?\n/);
    const known = this.shapes.get(choice.data);
    const params: ModelSummaryParams = known ? { modelFile: file, ...known } : { modelFile: file, data: choice.data };
    try {
      const summary = await this.deps.summarize(params);
      this.shapes.set(choice.data, { inputShape: summary.inputShape, numClasses: summary.numClasses });
      return { key, insight: { kind: 'summary', summary, source: { ...choice }, mtimeMs, lines } };
    } catch (err) {
      const error = modelErrorOf(err);
      if (error) return { key, insight: { kind: 'error', error, mtimeMs, lines } };
      const reason = firstLine((err as Error)?.message ?? String(err));
      if (!known && choice.data !== FALLBACK_DATA) {
        // Most likely the dataset could not be read: show the layers for synthetic:shapes meanwhile.
        this.deps.log('warn', `the summary of ${file} for ${choice.data} failed (${reason}); trying synthetic:shapes`);
        try {
          const summary = await this.deps.summarize({ modelFile: file, data: FALLBACK_DATA });
          return { key, insight: { kind: 'summary', summary, source: { ...choice, fallbackReason: reason }, mtimeMs, lines } };
        } catch (again) {
          const error = modelErrorOf(again);
          if (error) return { key, insight: { kind: 'error', error, mtimeMs, lines } };
        }
      }
      this.deps.log('warn', `no layer insights for ${file}: ${reason}`);
      return { key, insight: { kind: 'unavailable', reason, mtimeMs } };
    }
  }

  private fire(file: string): void {
    for (const listener of [...this.listeners]) listener(file);
  }

  private isIdle(): boolean {
    for (const entry of this.entries.values()) if (entry.timer || entry.inFlight) return false;
    return true;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiting = [...this.idle];
    this.idle.clear();
    for (const resolve of waiting) resolve();
  }
}

function firstLine(text: string): string {
  return text.replace(/^Request \S+ failed with message: /, '').split('\n')[0];
}
