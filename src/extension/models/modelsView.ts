/**
 * The Models view (`dlLab.models`): the workspace's model files (`dlLab.modelGlob`, node_modules and the
 * runs folder left out), each expandable to its layers: name, type, output shape and parameters, built by
 * the engine without training (model/summary, one file at a time, cached until the file changes). A model
 * that does not build shows the engine's message as its child, and a click goes to the line. A click on a
 * layer reveals the line that created it. Inline actions: Train and Summary.
 *
 * Building runs the model file's code, so in Restricted Mode the layers are not listed (the files are).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelSummary } from '../../protocol/engineTypes';
import { defaultDataset, modelGlob, runsDirSetting } from '../shared/config';
import { excludeGlob } from '../shared/settings';
import type { EngineHost } from '../engine/engineHost';
import { VIEW_ITEMS } from '../shared/commands';
import { errorMessage } from '../shared/log';
import { buildErrorText, layerDescription, layerTooltip, modelDescription, modelTooltip } from './modelsModel';

const MODELS_REFRESH_DEBOUNCE_MS = 500;
const MAX_MODEL_FILES = 500;

export interface ModelFileNode {
  type: 'model';
  uri: vscode.Uri;
  label: string;
  folder: string;
}

export interface LayerNode {
  type: 'layer' | 'error' | 'message';
  parent: ModelFileNode;
  label: string;
  description?: string;
  tooltip?: string;
  line?: number;
  icon: string;
}

export type ModelsNode = ModelFileNode | LayerNode;

interface Built {
  summary?: ModelSummary;
  error?: unknown;
  pending?: Promise<void>;
}

export class ModelsProvider implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private files: Promise<ModelFileNode[]> | undefined;
  private readonly nodes = new Map<string, ModelFileNode>();
  private readonly built = new Map<string, Built>();
  private queue: Promise<void> = Promise.resolve();
  private watcher: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private rescan = false;
  private readonly touched = new Set<string>();

  constructor(
    private readonly engine: Pick<EngineHost, 'request'>,
    private readonly log: Pick<vscode.LogOutputChannel, 'warn' | 'debug'>,
    private readonly debounceMs = MODELS_REFRESH_DEBOUNCE_MS,
  ) {}

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    if (node.type === 'model') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `model:${node.uri.fsPath}`;
      item.resourceUri = node.uri;
      item.contextValue = VIEW_ITEMS.modelFile;
      const b = this.built.get(node.uri.fsPath);
      const where = node.folder && node.folder !== '.' ? node.folder : '';
      item.description = b?.summary ? [modelDescription(b.summary), where].filter(Boolean).join(' · ') : b?.error ? ['⚠ cannot build', where].filter(Boolean).join(' · ') : where;
      item.tooltip = modelTooltip(node.uri.fsPath, b?.summary);
      item.iconPath = new vscode.ThemeIcon('symbol-class');
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.iconPath = new vscode.ThemeIcon(node.icon, node.type === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
    item.contextValue = `dlLab.model.${node.type}`;
    if (node.line) {
      const line = node.line - 1;
      item.command = {
        title: 'Go to Line',
        command: 'vscode.open',
        arguments: [node.parent.uri, { selection: new vscode.Range(line, 0, line, 0), preserveFocus: false }],
      };
    }
    return item;
  }

  async getChildren(node?: ModelsNode): Promise<ModelsNode[]> {
    if (!node) {
      this.startWatching();
      return this.modelFiles();
    }
    if (node.type !== 'model') return [];
    if (!vscode.workspace.isTrusted) {
      return [{ type: 'message', parent: node, label: 'Layers are listed in a trusted workspace', icon: 'shield', tooltip: 'Listing the layers builds the model, which runs the model file\'s code.' }];
    }
    await this.build(node);
    const b = this.built.get(node.uri.fsPath);
    if (b?.summary) {
      return b.summary.layers.map((layer) => ({
        type: 'layer' as const,
        parent: node,
        label: layer.name,
        description: layerDescription(layer),
        tooltip: layerTooltip(layer, node.label),
        line: layer.line ?? undefined,
        icon: 'symbol-field',
      }));
    }
    const e = buildErrorText(b?.error ?? 'not built');
    return [{ type: 'error', parent: node, label: e.label, description: e.line ? `line ${e.line}` : undefined, tooltip: e.detail, line: e.line, icon: 'error' }];
  }

  getParent(node: ModelsNode): ModelsNode | undefined {
    return node.type === 'model' ? undefined : node.parent;
  }

  /** The model files found (searching on first use). */
  modelFiles(): Promise<ModelFileNode[]> {
    this.files ??= this.search();
    return this.files;
  }

  /** The summary of a model file, once built. */
  summary(fsPath: string): ModelSummary | undefined {
    return this.built.get(fsPath)?.summary;
  }

  refresh(): void {
    this.built.clear();
    this.files = undefined;
    this.changed.fire(undefined);
  }

  private async search(): Promise<ModelFileNode[]> {
    const folders = vscode.workspace.workspaceFolders?.filter((f) => f.uri.scheme === 'file') ?? [];
    if (!folders.length) return [];
    let uris: vscode.Uri[] = [];
    try {
      uris = await vscode.workspace.findFiles(modelGlob(), excludeGlob(runsDirSetting()), MAX_MODEL_FILES);
    } catch (err) {
      this.log.warn(`Models view: searching the workspace failed: ${errorMessage(err)}`);
    }
    const seen = new Set<string>();
    const nodes: ModelFileNode[] = [];
    for (const uri of uris) {
      if (uri.scheme !== 'file' || seen.has(uri.fsPath)) continue;
      seen.add(uri.fsPath);
      const rel = vscode.workspace.asRelativePath(uri, folders.length > 1);
      let node = this.nodes.get(uri.fsPath);
      if (!node) {
        node = { type: 'model', uri, label: path.basename(uri.fsPath), folder: '' };
        this.nodes.set(uri.fsPath, node);
      }
      node.folder = path.dirname(rel.split(path.sep).join('/'));
      nodes.push(node);
    }
    return nodes.sort((a, b) => `${a.folder}/${a.label}`.localeCompare(`${b.folder}/${b.label}`));
  }

  /** Builds the model in the engine (one file at a time); refreshes its row when done. */
  private build(node: ModelFileNode): Promise<void> {
    const key = node.uri.fsPath;
    const known = this.built.get(key);
    if (known?.pending) return known.pending;
    if (known) return Promise.resolve();
    const entry: Built = {};
    const pending = (this.queue = this.queue.then(async () => {
      try {
        // Loaded here, not at activation: the protocol module brings the JSON-RPC library with it.
        entry.summary = await this.engine.request((p) => p.ModelSummaryRequest, { modelFile: key, data: defaultDataset(node.uri) });
      } catch (err) {
        entry.error = err;
        this.log.debug(`Models view: ${key}: ${errorMessage(err)}`);
      } finally {
        entry.pending = undefined;
      }
      if (this.built.get(key) === entry) this.changed.fire(node);
    }));
    entry.pending = pending;
    this.built.set(key, entry);
    return pending;
  }

  // --- Watching

  private startWatching(): void {
    if (this.watcher.length) return;
    const watcher = vscode.workspace.createFileSystemWatcher(modelGlob());
    this.watcher.push(
      watcher,
      watcher.onDidCreate((uri) => this.fileChanged(uri, true)),
      watcher.onDidDelete((uri) => this.fileChanged(uri, true)),
      watcher.onDidChange((uri) => this.fileChanged(uri, false)),
    );
  }

  settingsChanged(): void {
    for (const d of this.watcher) d.dispose();
    this.watcher = [];
    this.refresh();
  }

  private fileChanged(uri: vscode.Uri, structural: boolean): void {
    if (uri.scheme !== 'file' || /[\\/]node_modules[\\/]/.test(uri.fsPath)) return;
    this.touched.add(uri.fsPath);
    this.rescan ||= structural;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.debounceMs);
  }

  private flush(): void {
    this.timer = undefined;
    const touched = [...this.touched];
    this.touched.clear();
    // A model file may import another beside it: a change in its folder builds it again.
    for (const key of [...this.built.keys()]) {
      if (touched.some((t) => t === key || path.dirname(t) === path.dirname(key))) this.built.delete(key);
    }
    if (this.rescan) {
      this.rescan = false;
      this.files = undefined;
    }
    this.changed.fire(undefined);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.watcher) d.dispose();
    this.changed.dispose();
  }
}
