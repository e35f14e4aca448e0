/**
 * What the inspection panels (Show Model Summary, Show Feature Maps, Show Learned Filters, Probe Shift
 * Equivariance) share: which model (and run) a command is about, the page's HTML under a strict
 * Content-Security-Policy, validated messages, errors with the model file's line, revealing a line, and
 * the base class of a panel. panels.ts registers the commands and keeps one panel per kind and model. The
 * pages themselves are webviews/inspect/*.ts (bundled to dist/webviews/).
 *
 * The engine computes everything (model/summary, inspect/*); this side starts no TensorFlow.js. The
 * protocol module (and with it the JSON-RPC library) loads with the engine client, on the first request.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS, type CommandId } from '../shared/commands';
import { setPanelPage } from '../shared/webviewPanel';
import type { RequestType } from 'vscode-jsonrpc';
import type { CheckpointChoice, ModelSource } from '../../protocol/engineTypes';
import type { InspectContext } from '../../protocol/webview';
import { listRuns, readRunRecord, RUN_FILE, effectiveStatus, CHECKPOINTS_DIR } from '../../runs/runFolder';
import { defaultDataset, trainingSettings } from '../shared/config';
import { BROWSE_DATASET, datasetPickEntries } from '../datasets/datasetPicks';
import type { EngineHost, EngineProtocol } from '../engine/engineHost';
import { errorMessage } from '../shared/log';
import { isModelFile, MODEL_FILE_EXCLUDE, MODEL_FILE_GLOB, modelPickEntries, type ModelCandidate } from '../models/modelFiles';
import type { FeatureMapStore } from './featureMapStore';
import { modelErrorOf } from './modelError';

export type InspectionKind = 'modelSummary' | 'featureMaps' | 'filters' | 'equivariance';

export interface InspectionDeps {
  extensionUri: vscode.Uri;
  engine: Pick<EngineHost, 'get' | 'request' | 'event'>;
  log: vscode.LogOutputChannel;
  /** The last feature maps per model file, read by the layer-line hovers. */
  featureMaps: FeatureMapStore;
}

/** Which model a panel shows, and the run it reads checkpoints from (none: untrained weights). */
export interface InspectionTarget {
  modelFile: string;
  runDir?: string;
  /** Feature Maps: the dataset sample to open on, and the run's checkpoint (the Evaluation view's gallery). */
  sample?: number;
  checkpoint?: 'best' | 'last';
}

/** Each panel's command (its id and title in commands.ts) and the name its tab and log lines use. */
export const COMMAND_TITLES: Record<InspectionKind, { command: CommandId; title: string; tab: string }> = {
  modelSummary: { command: COMMANDS.showSummary.id, title: COMMANDS.showSummary.title, tab: 'Summary' },
  featureMaps: { command: COMMANDS.showFeatureMaps.id, title: COMMANDS.showFeatureMaps.title, tab: 'Feature Maps' },
  filters: { command: COMMANDS.showFilters.id, title: COMMANDS.showFilters.title, tab: 'Filters' },
  equivariance: { command: COMMANDS.probeEquivariance.id, title: COMMANDS.probeEquivariance.title, tab: 'Equivariance' },
};

/**
 * What a command argument names: a model file (Uri or path), a run folder (Uri or path, or a Runs view
 * item with `runDir`), `{ modelFile }`; else the active editor's model file; else a pick. Undefined when
 * there is none or the user cancelled (told).
 */
export async function resolveTarget(arg: unknown, title: string): Promise<InspectionTarget | undefined> {
  const fromPath = (p: string): InspectionTarget | undefined => {
    if (isModelFile(p)) return { modelFile: path.resolve(p) };
    if (fs.existsSync(path.join(p, RUN_FILE))) {
      const record = readRunRecord(p);
      return { modelFile: path.resolve(record.modelFile), runDir: path.resolve(p) };
    }
    return undefined;
  };
  try {
    if (arg instanceof vscode.Uri && arg.scheme === 'file') {
      const t = fromPath(arg.fsPath);
      if (t) return t;
    } else if (typeof arg === 'string' && arg.trim()) {
      const t = fromPath(arg.trim());
      if (t) return t;
    } else if (typeof arg === 'object' && arg !== null) {
      const a = arg as { runDir?: unknown; modelFile?: unknown; uri?: unknown; resourceUri?: unknown };
      if (typeof a.runDir === 'string') {
        const t = fromPath(a.runDir);
        const { sample, checkpoint } = arg as { sample?: unknown; checkpoint?: unknown };
        const at = typeof sample === 'number' && Number.isInteger(sample) && sample >= 0 ? { sample } : {};
        return t && { ...t, ...at, ...(checkpoint === 'best' || checkpoint === 'last' ? { checkpoint } : {}) };
      }
      if (typeof a.modelFile === 'string' && isModelFile(a.modelFile)) return { modelFile: path.resolve(a.modelFile) };
      const uri = a.uri ?? a.resourceUri;
      if (uri instanceof vscode.Uri && uri.scheme === 'file') {
        const t = fromPath(uri.fsPath);
        if (t) return t;
      }
      // A Uri that went through JSON (a command link in a hover): { scheme, path, fsPath, ... }.
      const j = arg as { scheme?: unknown; fsPath?: unknown; path?: unknown };
      if (j.scheme === 'file' && (typeof j.fsPath === 'string' || typeof j.path === 'string')) {
        const t = fromPath(typeof j.fsPath === 'string' ? j.fsPath : vscode.Uri.file(j.path as string).fsPath);
        if (t) return t;
      }
    }
  } catch (err) {
    void vscode.window.showErrorMessage(`${title}: ${errorMessage(err)}`);
    return undefined;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.scheme === 'file' && isModelFile(active.path)) return { modelFile: active.fsPath };
  const files = await vscode.workspace.findFiles(MODEL_FILE_GLOB, MODEL_FILE_EXCLUDE, 500);
  const candidates: ModelCandidate[] = files
    .filter((uri) => uri.scheme === 'file')
    .map((uri) => ({ fsPath: uri.fsPath, relativePath: vscode.workspace.asRelativePath(uri, true) }));
  if (!candidates.length) {
    void vscode.window.showInformationMessage(`${title}: open a *.model.ts or *.model.js file, or add one to the workspace.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(modelPickEntries(candidates), { title: `Deep Learning: ${title}`, placeHolder: 'Model file to inspect' });
  return picked && { modelFile: picked.fsPath };
}

/** The model file's latest run in the runs folder, if any. */
export function latestRun(modelFile: string): string | undefined {
  const { runsDir } = trainingSettings(vscode.Uri.file(modelFile));
  const run = listRuns(runsDir).find((r) => path.resolve(r.record.modelFile) === path.resolve(modelFile));
  return run?.runDir;
}

/** The run a context shows: its id, how it ended, whether it has a best checkpoint. */
export function runInfo(runDir: string): InspectContext['run'] {
  try {
    const record = readRunRecord(runDir);
    return { runDir, label: path.basename(runDir), status: effectiveStatus(record), hasBest: fs.existsSync(path.join(runDir, CHECKPOINTS_DIR, 'best')) };
  } catch {
    return { runDir, label: path.basename(runDir), status: 'unreadable', hasBest: false };
  }
}

/** Opens the model file (in the editor group it is shown in, else the first) with the cursor on `line` (1-based). */
export async function revealLine(modelFile: string, line: number): Promise<void> {
  const uri = vscode.Uri.file(modelFile);
  const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const at = new vscode.Range(line - 1, 0, line - 1, 0);
  await vscode.window.showTextDocument(uri, { viewColumn: shown?.viewColumn ?? vscode.ViewColumn.One, selection: at, preserveFocus: false });
}

/** A dataset from the same pick Train Model offers; undefined when cancelled. */
export async function pickDataset(modelFile: string, title: string): Promise<string | undefined> {
  const entries = datasetPickEntries(defaultDataset(vscode.Uri.file(modelFile)));
  const picked = await vscode.window.showQuickPick(
    entries.map((e) => ({ label: e.label, description: e.description, detail: e.detail, value: e.value })),
    { title: `Deep Learning: ${title}`, placeHolder: 'Dataset to take samples from' },
  );
  if (!picked) return undefined;
  if (picked.value !== BROWSE_DATASET) return picked.value;
  const chosen = await vscode.window.showOpenDialog({ title: 'Dataset', openLabel: 'Use This Dataset', canSelectFiles: true, canSelectFolders: true, canSelectMany: false });
  return chosen?.[0]?.fsPath;
}


/** The error a page shows: TensorFlow.js's message, and the model file's line when the engine names it. */
export function pageError(err: unknown, modelFile: string): { message: string; line?: number } {
  const model = modelErrorOf(err);
  if (model) {
    const sameFile = path.resolve(model.file) === path.resolve(modelFile);
    const where = sameFile ? '' : ` (in ${path.basename(model.file)}${model.line ? `:${model.line}` : ''})`;
    return sameFile && model.line ? { message: model.message, line: model.line } : { message: model.message + where };
  }
  return { message: errorMessage(err).replace(/^Request \S+ failed with message: /, '') };
}

/**
 * One inspection panel: its webview, the model (and run) it shows, validated messages in, typed messages
 * out. Subclasses load their data and handle their page's actions.
 */
export abstract class InspectionPanel<Update, Action extends { type: string }> {
  protected target: InspectionTarget;
  /** Dataset chosen in the page (Dataset…), instead of the run's or the default. */
  protected dataOverride: string | undefined;
  private readonly described = new Map<string, { count?: number; classes: string[] }>();
  private readonly disposables: vscode.Disposable[] = [];
  protected generation = 0;

  constructor(
    readonly kind: InspectionKind,
    readonly panel: vscode.WebviewPanel,
    target: InspectionTarget,
    protected readonly deps: InspectionDeps,
    parse: (message: unknown, problem: (why: string) => void) => Action | undefined,
  ) {
    this.target = target;
    const webview = panel.webview;
    setPanelPage(panel, deps.extensionUri, kind, { placeholder: 'Loading…', dataImages: true });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => {
        const message = parse(raw, (why) => deps.log.warn(`${COMMAND_TITLES[kind].tab} view: ignored a message that is not one (${why}): ${JSON.stringify(raw)?.slice(0, 200)}`));
        if (!message) return;
        if (message.type === 'reveal') {
          void revealLine(this.target.modelFile, (message as unknown as { line: number }).line).catch((err) =>
            deps.log.warn(`Could not reveal line: ${errorMessage(err)}`),
          );
          return;
        }
        void this.handle(message).catch((err) => deps.log.error(`${COMMAND_TITLES[kind].tab} view: ${errorMessage(err)}`));
      }),
    );
    panel.onDidDispose(() => this.disposeListeners());
  }

  get modelFile(): string {
    return this.target.modelFile;
  }

  /** Shown again for a (possibly other) run of the same model. */
  retarget(target: InspectionTarget): void {
    if (target.runDir && target.runDir !== this.target.runDir) {
      this.target = target;
      void this.handle({ type: 'ready' } as Action);
    }
  }

  protected abstract handle(message: Action): Promise<void>;

  protected post(update: Update): void {
    void this.panel.webview.postMessage(update);
  }

  protected listen(d: vscode.Disposable): void {
    this.disposables.push(d);
  }

  private disposeListeners(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  protected get title(): string {
    return path.basename(this.target.modelFile);
  }

  /** The dataset samples come from: the page's choice, the run's, or dlLab.defaultDataset. */
  protected get data(): string {
    if (this.dataOverride) return this.dataOverride;
    if (this.target.runDir) {
      try {
        return readRunRecord(this.target.runDir).data;
      } catch {
        // an unreadable run: fall back to the default dataset
      }
    }
    return defaultDataset(vscode.Uri.file(this.target.modelFile));
  }

  /** What the request names: the run (and the dataset the page chose), or the model file alone. */
  protected source(checkpoint: CheckpointChoice): ModelSource {
    if (this.target.runDir) return { runDir: this.target.runDir, checkpoint, ...(this.dataOverride ? { data: this.dataOverride } : {}) };
    return { modelFile: this.target.modelFile, checkpoint: 'untrained', data: this.data };
  }

  protected defaultCheckpoint(): CheckpointChoice {
    return this.target.runDir ? (this.target.checkpoint ?? 'last') : 'untrained';
  }

  /** The context the page picks from; the dataset's size and classes come from the engine (cached). */
  protected async context(extra: Partial<InspectContext> = {}): Promise<InspectContext> {
    const data = this.data;
    let facts = this.described.get(data);
    if (!facts) {
      try {
        const summary = await (await this.deps.engine.get()).describeData(data);
        facts = { count: summary.count, classes: summary.classes };
      } catch (err) {
        this.deps.log.warn(`${COMMAND_TITLES[this.kind].tab} view: could not describe ${data}: ${errorMessage(err)}`);
        facts = { classes: [] };
      }
      this.described.set(data, facts);
    }
    return {
      title: this.title,
      modelFile: this.target.modelFile,
      ...(this.target.runDir ? { run: runInfo(this.target.runDir) } : {}),
      data,
      ...(facts.count !== undefined ? { count: facts.count } : {}),
      classes: facts.classes,
      checkpoint: this.defaultCheckpoint(),
      ...extra,
    };
  }

  /** Sends a protocol request to the engine (starting it if needed). */
  protected request<P, R>(pick: (protocol: EngineProtocol) => RequestType<P, R, void>, params: P): Promise<R> {
    return this.deps.engine.request(pick, params);
  }

  /** Asks the user for another dataset (the page's Dataset… button). True when one was chosen. */
  protected async chooseData(): Promise<boolean> {
    const chosen = await pickDataset(this.target.modelFile, COMMAND_TITLES[this.kind].title);
    if (!chosen) return false;
    this.dataOverride = chosen;
    return true;
  }
}
