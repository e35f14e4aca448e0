/**
 * The Runs view (`dlLab.runs`): the runs of the runs folder(s), grouped by model file, each with its
 * status icon, "epoch k/N · best val_acc", and its config in the tooltip. Read from the run folders
 * (src/runs/runFolder.ts), no engine needed, so runs started from the `dl-lab` CLI show too. It refreshes,
 * debounced, from the engine's notifications (this window's runs, with live epoch progress) and from a
 * file watcher on the runs folder (everyone else's).
 *
 * The texts and grouping are in runsModel.ts (no vscode); the commands in runCommands.ts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunStatus } from '../../protocol/engineTypes';
import { type RunSummary, scanRuns } from '../../runs/runFolder';
import { printable } from '../../util/text';
import { COMMANDS, VIEW_ITEMS } from '../shared/commands';
import { workspaceRunsDirs } from '../shared/config';
import type { EngineHost } from '../engine/engineHost';
import {
  groupRunsByModel,
  runContextValue,
  runDescription,
  runLabel,
  RunMetricsCache,
  runTooltipMarkdown,
  STATUS_ICONS,
  type LiveProgress,
} from './runsModel';

export const RUNS_REFRESH_DEBOUNCE_MS = 300;

export interface RunGroupNode {
  type: 'group';
  modelFile: string;
  label: string;
  runs: RunNode[];
}

export interface RunNode {
  type: 'run';
  /** Commands take the row: `runDir` is what they read (dlLab.openDashboard, dlLab.compareRuns too). */
  runDir: string;
  runId: string;
  status: RunStatus;
  summary: RunSummary;
  group: RunGroupNode;
}

/** A run folder whose run.json is torn or not a run record: shown with the reason, not hidden. */
export interface UnreadableRunNode {
  type: 'unreadable';
  runDir: string;
  error: string;
}

export type RunsNode = RunGroupNode | RunNode | UnreadableRunNode;

export type RunsEvents = Pick<EngineHost, 'event' | 'onEngineExit'>;

export class RunsProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly metrics = new RunMetricsCache();
  private readonly live = new Map<string, LiveProgress>();
  /** Runs folders outside the workspace's that this window trained into (a model file outside the workspace). */
  private readonly extraDirs = new Set<string>();
  private groups: RunGroupNode[] | undefined;
  private unreadable: UnreadableRunNode[] = [];
  private readonly byDir = new Map<string, RunNode>();
  private watchers: vscode.Disposable[] = [];
  private watchedDirs = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    events: RunsEvents,
    private readonly runsDirs: () => string[] = workspaceRunsDirs,
    private readonly debounceMs = RUNS_REFRESH_DEBOUNCE_MS,
  ) {
    this.disposables.push(
      events.event((p) => p.TrainStartedNotification)((p) => {
        this.noteDir(path.dirname(p.runDir));
        this.scheduleRefresh();
      }),
      events.event((p) => p.TrainProgressNotification)((p) => {
        const node = this.byRunId(p.runId);
        this.live.set(p.runId, { epoch: p.epoch, epochs: p.epochs, batch: p.batch, batchesPerEpoch: p.batchesPerEpoch });
        // Epoch ends change the description (and run.json); batches only matter for a run not listed yet.
        if (p.kind === 'epoch' || !node) this.scheduleRefresh();
      }),
      events.event((p) => p.TrainFinishedNotification)((p) => {
        this.live.delete(p.runId);
        this.noteDir(path.dirname(p.runDir));
        this.scheduleRefresh();
      }),
      events.onEngineExit(() => {
        this.live.clear();
        this.scheduleRefresh();
      }),
    );
  }

  // --- TreeDataProvider

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.type === 'unreadable') {
      const item = new vscode.TreeItem(printable(path.basename(node.runDir)), vscode.TreeItemCollapsibleState.None);
      item.id = `run-unreadable:${node.runDir}`;
      item.description = 'unreadable run.json';
      item.tooltip = printable(node.error);
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      item.contextValue = VIEW_ITEMS.unreadableRun;
      item.resourceUri = vscode.Uri.file(node.runDir);
      return item;
    }
    if (node.type === 'group') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `runs-model:${node.modelFile}`;
      item.description = node.runs.length === 1 ? '1 run' : `${node.runs.length} runs`;
      item.tooltip = node.modelFile;
      item.iconPath = new vscode.ThemeIcon('symbol-class');
      item.contextValue = VIEW_ITEMS.runGroup;
      return item;
    }
    const item = new vscode.TreeItem(runLabel(node.summary.record), vscode.TreeItemCollapsibleState.None);
    item.id = `run:${node.runDir}`;
    const best = this.metrics.best(node.runDir);
    item.description = runDescription(node.summary, best, this.live.get(node.runId));
    item.tooltip = new vscode.MarkdownString(runTooltipMarkdown(node.summary, best));
    const { icon, color } = STATUS_ICONS[node.status] ?? STATUS_ICONS.interrupted;
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    // The icon alone says the status to sighted users only.
    item.accessibilityInformation = { label: `run ${node.runId}, ${node.status}, ${item.description}` };
    item.contextValue = runContextValue(node.status);
    item.resourceUri = vscode.Uri.file(node.runDir);
    item.command = { title: COMMANDS.openDashboard.title, command: COMMANDS.openDashboard.id, arguments: [node.runDir] };
    return item;
  }

  getChildren(node?: RunsNode): RunsNode[] {
    if (!node) {
      this.startWatching();
      return [...this.load(), ...this.unreadable];
    }
    return node.type === 'group' ? node.runs : [];
  }

  getParent(node: RunsNode): RunsNode | undefined {
    return node.type === 'run' ? node.group : undefined;
  }

  // --- Runs

  /** Every run listed now (reads the folders if the view has not yet). */
  runs(): RunNode[] {
    return (this.groups ?? this.load()).flatMap((g) => g.runs);
  }

  run(runDir: string): RunNode | undefined {
    if (!this.groups) this.load();
    return this.byDir.get(path.resolve(runDir));
  }

  /** Reads the runs folders again now. */
  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.groups = undefined;
    this.changed.fire(undefined);
  }

  /** Reads them again after the debounce (many changes in a burst make one refresh). */
  scheduleRefresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), this.debounceMs);
  }

  private byRunId(runId: string): RunNode | undefined {
    return this.groups?.flatMap((g) => g.runs).find((r) => r.runId === runId);
  }

  private dirs(): string[] {
    return [...new Set([...this.runsDirs(), ...this.extraDirs])];
  }

  private noteDir(dir: string): void {
    if (this.dirs().includes(dir)) return;
    this.extraDirs.add(dir);
    if (this.watchers.length || this.watchedDirs) this.restartWatching();
  }

  private load(): RunGroupNode[] {
    const scans = this.dirs().map((dir) => scanRuns(dir));
    const runs = scans.flatMap((s) => s.runs);
    this.unreadable = scans.flatMap((s) => s.unreadable.map((u): UnreadableRunNode => ({ type: 'unreadable', ...u })));
    this.byDir.clear();
    this.groups = groupRunsByModel(runs).map((g) => {
      const group: RunGroupNode = { type: 'group', modelFile: g.modelFile, label: g.label, runs: [] };
      group.runs = g.runs.map((summary) => {
        const node: RunNode = { type: 'run', runDir: summary.runDir, runId: summary.record.id ?? path.basename(summary.runDir), status: summary.status, summary, group };
        this.byDir.set(path.resolve(summary.runDir), node);
        return node;
      });
      return group;
    });
    for (const runId of [...this.live.keys()]) if (!this.byRunId(runId)) this.live.delete(runId);
    return this.groups;
  }

  // --- Watching the runs folders (runs the CLI writes)

  private startWatching(): void {
    const dirs = this.dirs();
    const key = dirs.join('\n');
    if (key === this.watchedDirs) return;
    this.stopWatching();
    this.watchedDirs = key;
    for (const dir of dirs) {
      // Inside a workspace folder, a pattern relative to it (the workspace watcher covers it even before the
      // runs folder exists); elsewhere, one based on the runs folder itself.
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dir));
      const rel = folder ? path.relative(folder.uri.fsPath, dir).split(path.sep).join('/') : '';
      const base = folder && rel && !rel.startsWith('..') ? folder.uri : vscode.Uri.file(dir);
      const prefix = base === folder?.uri ? `${rel}/` : '';
      // run.json: a run appears, ends an epoch, ends; `*`: a run folder created or deleted (a deleted folder
      // reports only itself, not its files).
      for (const glob of [`${prefix}*/run.json`, `${prefix}*`]) {
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(base, glob));
        const changed = () => this.scheduleRefresh();
        this.watchers.push(watcher, watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete(changed));
      }
    }
  }

  private stopWatching(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    this.watchedDirs = '';
  }

  private restartWatching(): void {
    this.stopWatching();
    this.startWatching();
  }

  /** `dlLab.runsDir` or the workspace folders changed. */
  settingsChanged(): void {
    if (this.watchedDirs) this.restartWatching();
    this.refresh();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.stopWatching();
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}
