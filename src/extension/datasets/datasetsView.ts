/**
 * The Datasets view (`dlLab.datasets`, in the "Deep Learning" activity-bar container): the built-in
 * datasets and the workspace's, found by the `dlLab.datasetGlobs` setting (IDX pairs and CIFAR batches
 * grouped into one dataset per folder, descriptor files, CSV/NPY/NPZ, and folders of class sub-folders of
 * images), each described as "10,000 × 28×28×1 · 10 classes"; children are its splits and classes with
 * counts. Context menu: Preview Dataset, Train a Model on This Dataset, Copy Dataset Spec.
 *
 * Describing reads the data, which can take seconds, so the engine process does it (data/describe), lazily:
 * when a dataset row is shown or expanded, one dataset at a time, cached until a file watcher sees its
 * files change (debounced). Describing runs no user code, so the view works in Restricted Mode too; the
 * engine process it needs only reads files there. Training from the view stays refused in Restricted Mode
 * (dlLab.train's own gate).
 *
 * The grouping of found files into datasets and the rows' texts are pure (datasetsModel.ts); the commands
 * are datasetCommands.ts's.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DatasetSummary } from '../../protocol/engineTypes';
import { COMMANDS, paletteTitle, VIEW_ITEMS, VIEWS } from '../shared/commands';
import { datasetGlobPatterns, restrictedDataFolders, runsDirSetting, settingChanged } from '../shared/config';
import type { EngineHost } from '../engine/engineHost';
import { errorMessage } from '../shared/log';
import { excludeGlob } from '../shared/settings';
import { countText, describeSummary, fmt, groupDatasetFiles, summaryTooltip, type FoundKind } from './datasetsModel';

export const BUILTIN_DATASETS = ['synthetic:shapes'];
/** Files looked at per glob: enough to find the datasets, not to count their images (the engine does). */
const MAX_FILES_PER_GLOB = 5000;
const REFRESH_DEBOUNCE_MS = 700;

// ---------------------------------------------------------------------------------------------------
// The tree

export interface DatasetNode {
  type: 'dataset';
  spec: string;
  label: string;
  builtin: boolean;
  kind?: FoundKind;
}

interface DetailNode {
  type: 'split' | 'class' | 'message';
  parent?: DatasetNode;
  label: string;
  description?: string;
  tooltip?: string;
  icon?: string;
  command?: vscode.Command;
}

export type DatasetsNode = DatasetNode | DetailNode;

interface Description {
  summary?: DatasetSummary;
  error?: string;
  pending?: Promise<void>;
}

export class DatasetsProvider implements vscode.TreeDataProvider<DatasetsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DatasetsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  private readonly descriptions = new Map<string, Description>();
  private readonly nodes = new Map<string, DatasetNode>();
  private found: Promise<DatasetNode[]> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private watchers: vscode.Disposable[] = [];
  private watching = false;
  private pendingPaths = new Set<string>();
  private rescan = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly engine: Pick<EngineHost, 'get'>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  // --- TreeDataProvider

  getTreeItem(node: DatasetsNode): vscode.TreeItem {
    if (node.type !== 'dataset') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.description = node.description;
      item.tooltip = node.tooltip;
      if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon);
      item.command = node.command;
      item.contextValue = `dlLab.dataset.${node.type}`;
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `dataset:${node.spec}`;
    item.contextValue = VIEW_ITEMS.dataset;
    item.iconPath = new vscode.ThemeIcon(node.builtin ? 'beaker' : 'database');
    const d = this.descriptions.get(node.spec);
    if (d?.summary) {
      item.description = describeSummary(d.summary);
      item.tooltip = summaryTooltip(node.spec, d.summary);
    } else if (d?.error) {
      item.description = '⚠ cannot read';
      item.tooltip = `${node.spec}\n${d.error}`;
    } else {
      item.description = 'reading…';
      item.tooltip = node.spec;
      void this.describe(node);
    }
    return item;
  }

  async getChildren(node?: DatasetsNode): Promise<DatasetsNode[]> {
    if (!node) {
      this.startWatching();
      return this.roots();
    }
    if (node.type !== 'dataset') return [];
    await this.describe(node);
    const d = this.descriptions.get(node.spec);
    if (!d?.summary) {
      return [{ type: 'message', parent: node, label: d?.error ?? 'Not described', icon: 'warning', tooltip: d?.error }];
    }
    const s = d.summary;
    const children: DatasetsNode[] = [];
    for (const [split, count] of Object.entries(s.splits)) {
      children.push({ type: 'split', parent: node, label: split, description: countText(count, s.count), icon: 'split-horizontal', tooltip: `${split} split: ${fmt(count)} samples` });
    }
    s.classes.forEach((name, k) =>
      children.push({ type: 'class', parent: node, label: name, description: countText(s.classCounts[k], s.count), icon: 'symbol-enum-member', tooltip: `class ${k} "${name}": ${fmt(s.classCounts[k])} samples` }),
    );
    return children;
  }

  getParent(node: DatasetsNode): DatasetsNode | undefined {
    return node.type === 'dataset' ? undefined : node.parent;
  }

  // --- Datasets

  /** The datasets listed (built-in first), searching the workspace on first use. */
  async datasets(): Promise<DatasetNode[]> {
    this.found ??= this.search();
    return this.found;
  }

  /** The summary, if the dataset has been described. */
  summary(spec: string): DatasetSummary | undefined {
    return this.descriptions.get(spec)?.summary;
  }

  /** Searches again and describes again (the view's Refresh). */
  refresh(): void {
    this.descriptions.clear();
    this.found = undefined;
    this.changed.fire(undefined);
  }

  private async roots(): Promise<DatasetsNode[]> {
    const datasets = await this.datasets();
    const roots: DatasetsNode[] = [...datasets];
    if (!datasets.some((d) => !d.builtin)) {
      roots.push({
        type: 'message',
        label: vscode.workspace.workspaceFolders?.length ? 'No datasets in this workspace' : 'Open a folder to see its datasets',
        description: 'dlLab.datasetGlobs',
        icon: 'info',
        tooltip:
          'Datasets are found by the dlLab.datasetGlobs setting: IDX files, CIFAR batches, *.dataset.json descriptors, CSV, NPY/NPZ, ' +
          'and folders with one sub-folder of images per class. Click to edit the setting.',
        command: { title: 'Edit dlLab.datasetGlobs', command: 'workbench.action.openSettings', arguments: ['dlLab.datasetGlobs'] },
      });
    }
    return roots;
  }

  private node(spec: string, label: string, builtin: boolean, kind?: FoundKind): DatasetNode {
    let node = this.nodes.get(spec);
    if (!node) {
      node = { type: 'dataset', spec, label, builtin, kind };
      this.nodes.set(spec, node);
    }
    node.label = label;
    node.kind = kind;
    return node;
  }

  private async search(): Promise<DatasetNode[]> {
    const builtin = BUILTIN_DATASETS.map((spec) => this.node(spec, spec, true));
    const folders = vscode.workspace.workspaceFolders?.filter((f) => f.uri.scheme === 'file') ?? [];
    if (!folders.length) return builtin;
    const globs = datasetGlobPatterns();
    const exclude = excludeGlob(runsDirSetting());
    const files: string[] = [];
    try {
      const results = await Promise.all(globs.map((glob) => vscode.workspace.findFiles(glob, exclude, MAX_FILES_PER_GLOB)));
      for (const uris of results) for (const uri of uris) if (uri.scheme === 'file') files.push(uri.fsPath);
    } catch (err) {
      this.log.warn(`Datasets view: searching the workspace failed: ${errorMessage(err)}`);
    }
    const found = groupDatasetFiles(files).map((d) => this.node(d.spec, vscode.workspace.asRelativePath(vscode.Uri.file(d.spec), folders.length > 1) || '.', false, d.kind));
    return [...builtin, ...found];
  }

  /** Asks the engine, one dataset at a time; updates the row when done. */
  private describe(node: DatasetNode): Promise<void> {
    const known = this.descriptions.get(node.spec);
    if (known?.pending) return known.pending;
    if (known) return Promise.resolve();
    const entry: Description = {};
    const pending = (this.queue = this.queue.then(async () => {
      try {
        const supervisor = await this.engine.get();
        entry.summary = await supervisor.describeData(node.spec, restrictedDataFolders());
      } catch (err) {
        entry.error = errorMessage(err);
        this.log.warn(`Datasets view: ${node.spec}: ${entry.error}`);
      } finally {
        entry.pending = undefined;
      }
      if (this.descriptions.get(node.spec) === entry) this.changed.fire(node);
    }));
    entry.pending = pending;
    this.descriptions.set(node.spec, entry);
    return pending;
  }

  // --- Watching

  private startWatching(): void {
    if (this.watching) return;
    this.watching = true;
    for (const glob of datasetGlobPatterns()) {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      this.watchers.push(
        watcher,
        watcher.onDidCreate((uri) => this.fileChanged(uri, true)),
        watcher.onDidDelete((uri) => this.fileChanged(uri, true)),
        watcher.onDidChange((uri) => this.fileChanged(uri, false)),
      );
    }
  }

  private stopWatching(): void {
    for (const d of this.watchers) d.dispose();
    this.watchers = [];
    this.watching = false;
  }

  /** Settings that change what is found: search again, watch the new globs. */
  settingsChanged(): void {
    if (this.watching) {
      this.stopWatching();
      this.startWatching();
    }
    this.refresh();
  }

  private fileChanged(uri: vscode.Uri, structural: boolean): void {
    if (uri.scheme !== 'file' || /[\\/](node_modules|\.git)[\\/]/.test(uri.fsPath)) return;
    this.pendingPaths.add(uri.fsPath);
    this.rescan ||= structural;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), REFRESH_DEBOUNCE_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const paths = [...this.pendingPaths];
    this.pendingPaths.clear();
    const touched = (spec: string) => paths.some((p) => p === spec || p.startsWith(spec + path.sep) || path.dirname(p) === path.dirname(spec));
    let any = false;
    for (const spec of [...this.descriptions.keys()]) {
      if (spec.startsWith('synthetic:') || !touched(spec)) continue;
      this.descriptions.delete(spec);
      any = true;
    }
    if (this.rescan) {
      this.rescan = false;
      this.found = undefined;
      this.changed.fire(undefined);
    } else if (any) {
      this.changed.fire(undefined);
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.stopWatching();
    this.changed.dispose();
  }
}
