/**
 * The model's inner life in the model file's editor: an inlay hint at the end of each layer line (output
 * shape and parameters), an error diagnostic on the line of a model that does not build, a CodeLens above
 * the default export (Train · Summary · Feature Maps · Filters) and a hover on layer lines (the numbers, and
 * a strip of the layer's feature maps when the Feature Maps view has computed some).
 *
 * The summaries come from ModelInsights (modelInsights.ts), which asks the engine only for model files shown
 * in an editor, again on save (debounced), and never in Restricted Mode (building a model runs its code).
 * Registering is cheap: nothing loads the JSON-RPC library or pngjs until they are needed.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { COMMANDS, type CommandId } from '../shared/commands';
import type { LayerSummary, ModelSummary, ModelSummaryParams } from '../../protocol/engineTypes';
import { defaultDataset, insightEnabled, settingChanged } from '../shared/config';
import type { EngineHost } from '../engine/engineHost';
import { isModelFile } from '../models/modelFiles';
import { findDefaultExportLine } from './defaultExport';
import type { FeatureMapStore } from './featureMapStore';
import { emptyOutputWarning, formatMacs, formatParams, formatShape, hintLabel, hintTooltip, layersByLine } from './hintText';
import { DEFAULT_DEBOUNCE_MS, type FileInsight, ModelInsights } from './modelInsights';

export const DIAGNOSTIC_SOURCE = 'Deep Learning Lab';
export const LENSES: { title: string; command: CommandId; tooltip: string }[] = [
  { title: 'Train', command: COMMANDS.train.id, tooltip: 'Train this model' },
  { title: 'Summary', command: COMMANDS.showSummary.id, tooltip: 'Layers, output shapes, parameters, MACs and receptive fields' },
  { title: 'Feature Maps', command: COMMANDS.showFeatureMaps.id, tooltip: "Every layer's output for a sample" },
  { title: 'Filters', command: COMMANDS.showFilters.id, tooltip: 'The learned kernels of each convolution' },
];
const SELECTOR: vscode.DocumentSelector = [
  { language: 'typescript', pattern: '**/*.model.ts' },
  { language: 'javascript', pattern: '**/*.model.js' },
];

export interface EditorInsightsDeps {
  engine: Pick<EngineHost, 'request' | 'event'>;
  log: vscode.LogOutputChannel;
  featureMaps: FeatureMapStore;
}

/**
 * A summary's line (1-based) in the document as it is now: the same line if unchanged, else the nearest line
 * with its text at or after `minLine` (lines are mapped in order, so that two identical layer lines keep
 * their order when lines are added above them).
 */
export function currentLine(
  saved: readonly string[],
  line1: number,
  document: Pick<vscode.TextDocument, 'lineCount' | 'lineAt'>,
  minLine = 0,
): number | undefined {
  const index = line1 - 1;
  const text = saved[index];
  if (text === undefined) return undefined;
  const matches = (i: number) => i >= minLine && i < document.lineCount && document.lineAt(i).text === text;
  if (matches(index)) return index;
  // Edited since the last save: look around (a layer line is rarely repeated).
  if (!text.trim()) return undefined;
  for (let d = 1; d < 200; d++) {
    if (matches(index - d)) return index - d;
    if (matches(index + d)) return index + d;
  }
  return undefined;
}

function isModelDocument(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' && isModelFile(document.uri.fsPath);
}

/** The range of a line's text without its indentation (the whole line when it is blank). */
function textRange(text: string, line: number): vscode.Range {
  const start = text.length - text.trimStart().length;
  const end = text.trimEnd().length;
  return end > start ? new vscode.Range(line, start, line, end) : new vscode.Range(line, 0, line, text.length);
}

export class EditorInsights implements vscode.Disposable {
  readonly insights: ModelInsights;
  readonly diagnostics = vscode.languages.createDiagnosticCollection('dl-lab');
  private readonly hintsChanged = new vscode.EventEmitter<void>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  /** Dataset of the last run started per model file in this window. */
  private readonly lastRunData = new Map<string, string>();
  /** Files that got a diagnostic from each model file (a build error can sit in an imported file). */
  private readonly diagnosed = new Map<string, vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: EditorInsightsDeps) {
    this.insights = new ModelInsights({
      summarize: async (params: ModelSummaryParams): Promise<ModelSummary> => {
        // The protocol's request objects load vscode-jsonrpc: only once a model file is shown.
        return deps.engine.request((p) => p.ModelSummaryRequest, params);
      },
      mtime: (file) => {
        try {
          return fs.statSync(file).mtimeMs;
        } catch {
          return undefined;
        }
      },
      readText: (file) => {
        try {
          return fs.readFileSync(file, 'utf8');
        } catch {
          return undefined;
        }
      },
      datasetFor: (file) => {
        const last = this.lastRunData.get(file);
        return last ? { data: last, origin: 'lastRun' } : { data: defaultDataset(vscode.Uri.file(file)), origin: 'setting' };
      },
      canStart: () => vscode.workspace.isTrusted,
      log: (level, message) => deps.log[level](message),
    });
    this.disposables.push(
      this.diagnostics,
      this.hintsChanged,
      this.lensesChanged,
      this.insights.onDidChange((file) => {
        this.updateDiagnostics(file);
        this.hintsChanged.fire();
      }),
      deps.engine.event((p) => p.TrainStartedNotification)((p) => {
        if (this.lastRunData.get(p.modelFile) === p.data) return;
        this.lastRunData.set(p.modelFile, p.data);
        if (this.insights.files.includes(p.modelFile)) this.insights.ensure(p.modelFile);
      }),
      vscode.window.onDidChangeVisibleTextEditors((editors) => this.followVisible(editors)),
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (isModelDocument(document)) return this.insights.refresh(document.uri.fsPath);
        // A model may import the saved file: rebuild the model files being followed.
        if (document.uri.scheme === 'file' && /\.(m|c)?[tj]sx?$/.test(document.uri.fsPath)) {
          for (const file of this.insights.files) this.insights.refresh(file);
        }
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (isModelDocument(document)) this.insights.forget(document.uri.fsPath);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.followVisible(vscode.window.visibleTextEditors)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (settingChanged(e, 'inlayHints.enabled')) this.hintsChanged.fire();
        if (settingChanged(e, 'codeLens.enabled')) this.lensesChanged.fire();
        if (settingChanged(e, 'defaultDataset')) for (const file of this.insights.files) this.insights.ensure(file);
      }),
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.model.{ts,js}', true, true, false);
    this.disposables.push(watcher, watcher.onDidDelete((uri) => this.insights.forget(uri.fsPath)));
    this.disposables.push(
      vscode.languages.registerInlayHintsProvider(SELECTOR, {
        onDidChangeInlayHints: this.hintsChanged.event,
        provideInlayHints: (document, range) => this.provideInlayHints(document, range),
      }),
      vscode.languages.registerCodeLensProvider(SELECTOR, {
        onDidChangeCodeLenses: this.lensesChanged.event,
        provideCodeLenses: (document) => this.provideCodeLenses(document),
      }),
      vscode.languages.registerHoverProvider(SELECTOR, {
        provideHover: (document, position) => this.provideHover(document, position),
      }),
    );
    // Model files already shown: asked for after a debounce, not during activation.
    this.followVisible(vscode.window.visibleTextEditors, DEFAULT_DEBOUNCE_MS);
  }

  private followVisible(editors: readonly vscode.TextEditor[], delayMs = 0): void {
    for (const editor of editors) if (isModelDocument(editor.document)) this.insights.ensure(editor.document.uri.fsPath, delayMs);
  }

  /** The layers each line of the document made, in the document's current lines. */
  layerLines(document: vscode.TextDocument): { line: number; layers: LayerSummary[]; insight: Extract<FileInsight, { kind: 'summary' }> }[] {
    const insight = this.insights.get(document.uri.fsPath);
    if (insight?.kind !== 'summary') return [];
    const out: { line: number; layers: LayerSummary[]; insight: Extract<FileInsight, { kind: 'summary' }> }[] = [];
    let next = 0;
    for (const [line1, layers] of layersByLine(insight.summary)) {
      const line = currentLine(insight.lines, line1, document, next);
      if (line === undefined) continue;
      out.push({ line, layers, insight });
      next = line + 1;
    }
    return out;
  }

  provideInlayHints(document: vscode.TextDocument, range: vscode.Range): vscode.InlayHint[] {
    if (!isModelDocument(document)) return [];
    this.insights.ensure(document.uri.fsPath);
    if (!insightEnabled('inlayHints.enabled', document.uri)) return [];
    const hints: vscode.InlayHint[] = [];
    for (const { line, layers, insight } of this.layerLines(document)) {
      if (line < range.start.line || line > range.end.line) continue;
      const hint = new vscode.InlayHint(document.lineAt(line).range.end, hintLabel(layers));
      hint.paddingLeft = true;
      hint.tooltip = new vscode.MarkdownString(hintTooltip(layers, insight.summary, insight.source));
      hints.push(hint);
    }
    return hints;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!isModelDocument(document) || !insightEnabled('codeLens.enabled', document.uri)) return [];
    const line = findDefaultExportLine(document.getText());
    if (line === undefined) return [];
    const range = new vscode.Range(line, 0, line, 0);
    return LENSES.map((l) => new vscode.CodeLens(range, { title: l.title, command: l.command, tooltip: l.tooltip, arguments: [document.uri] }));
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!isModelDocument(document)) return undefined;
    const entry = this.layerLines(document).find((l) => l.line === position.line);
    if (!entry) return undefined;
    const maps = this.deps.featureMaps.get(document.uri.fsPath);
    const md = new vscode.MarkdownString(undefined, true);
    // Only the link below may run a command; the image is Markdown (no HTML needed).
    md.isTrusted = { enabledCommands: [COMMANDS.showFeatureMaps.id] };
    // Layers are matched by the line that made them and their order on it, not by name: the maps may come
    // from an earlier version of the file, where an inserted layer shifted the numbered names.
    const sourceLine = entry.layers[0]?.line;
    const mapsOnLine = maps?.layers.filter((m) => m.line !== null && m.line === sourceLine) ?? [];
    for (const [i, layer] of entry.layers.entries()) {
      const field = typeof layer.receptiveField === 'number' ? ` · receptive field ${layer.receptiveField}×${layer.receptiveField}` : '';
      md.appendMarkdown(`**${escapeMarkdown(layer.name)}** · ${escapeMarkdown(layer.type)} · ${formatShape(layer.outputShape)} · ${formatParams(layer.params)} · ${formatMacs(layer.macs)} MACs${field}\n\n`);
      const map = mapsOnLine[i]?.type === layer.type ? mapsOnLine[i] : undefined;
      if (map) {
        try {
          const { drawFeatureMapStrip, pngDataUri } = await import('./featureMapStrip');
          const strip = drawFeatureMapStrip(map);
          md.appendMarkdown(`![feature maps](${pngDataUri(strip.png)})\n\n`);
          md.appendMarkdown(`_${strip.shown < strip.channels ? `first ${strip.shown} of ${strip.channels} channels` : `${strip.channels} channels`}_\n\n`);
        } catch (err) {
          this.deps.log.warn(`feature maps of ${layer.name} could not be drawn: ${(err as Error).message}`);
        }
      }
    }
    if (maps) {
      const s = maps.sample;
      const which = s.index !== null ? `sample #${s.index}` : s.file ? `image ${s.file}` : 'the sample';
      md.appendMarkdown(`_For ${escapeMarkdown(which)}${s.className ? ` (${escapeMarkdown(s.className)})` : ''}, ${maps.checkpoint} weights._ `);
    }
    const args = encodeURIComponent(JSON.stringify([document.uri]));
    md.appendMarkdown(`[${maps ? 'Open feature maps' : 'Show feature maps'}](command:dlLab.showFeatureMaps?${args})`);
    return new vscode.Hover(md, document.lineAt(entry.line).range);
  }

  private updateDiagnostics(modelFile: string): void {
    const insight = this.insights.get(modelFile);
    const previous = this.diagnosed.get(modelFile);
    this.diagnosed.delete(modelFile);
    if (previous) this.rebuildDiagnostics(previous);
    // The model file itself: its warnings (empty outputs) come and go with its summaries.
    if (insight?.kind !== 'error') {
      this.rebuildDiagnostics(vscode.Uri.file(modelFile));
      return;
    }
    const uri = vscode.Uri.file(insight.error.file);
    this.diagnosed.set(modelFile, uri);
    this.rebuildDiagnostics(uri);
    if (uri.fsPath !== modelFile) this.rebuildDiagnostics(vscode.Uri.file(modelFile));
  }

  /** A file's diagnostics: one per model file whose build failed there. */
  private rebuildDiagnostics(uri: vscode.Uri): void {
    const list: vscode.Diagnostic[] = [];
    for (const [modelFile, target] of this.diagnosed) {
      if (target.fsPath !== uri.fsPath) continue;
      const insight = this.insights.get(modelFile);
      if (insight?.kind !== 'error') continue;
      const { error } = insight;
      const lines = error.file === modelFile ? insight.lines : readLines(error.file);
      let line = error.line !== undefined ? error.line - 1 : undefined;
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
      if (line === undefined) line = findDefaultExportLine(lines.join('\n')) ?? 0;
      if (open && error.file === modelFile) line = currentLine(lines, line + 1, open) ?? line;
      const text = open && line < open.lineCount ? open.lineAt(line).text : (lines[line] ?? '');
      const diagnostic = new vscode.Diagnostic(textRange(text, line), error.message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = DIAGNOSTIC_SOURCE;
      list.push(diagnostic);
    }
    const own = this.insights.get(uri.fsPath);
    if (own?.kind === 'summary') {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
      // The first layer that empties the data (those after it are empty because of it).
      const layer = own.summary.layers.find((l) => emptyOutputWarning(l) !== undefined);
      const message = layer && emptyOutputWarning(layer);
      if (layer && message && layer.line !== null) {
        const line = open ? currentLine(own.lines, layer.line, open) ?? layer.line - 1 : layer.line - 1;
        const text = open && line < open.lineCount ? open.lineAt(line).text : (own.lines[line] ?? '');
        const diagnostic = new vscode.Diagnostic(textRange(text, line), message, vscode.DiagnosticSeverity.Warning);
        diagnostic.source = DIAGNOSTIC_SOURCE;
        list.push(diagnostic);
      }
    }
    if (list.length) this.diagnostics.set(uri, list);
    else this.diagnostics.delete(uri);
  }

  dispose(): void {
    this.insights.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** Layer and class names come from user code: shown as text, not Markdown. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

function readLines(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').split(/\r?\n/);
  } catch {
    return [];
  }
}

/** Registers the providers; called at activation (cheap: no engine, no JSON-RPC, no pngjs). */
export function registerEditorInsights(deps: EditorInsightsDeps): EditorInsights {
  return new EditorInsights(deps);
}
