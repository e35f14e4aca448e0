/**
 * The training dashboards: `Deep Learning: Open Dashboard` (dlLab.openDashboard) and `Compare Runs`
 * (dlLab.compareRuns), the dashboard that opens beside the model file when Train Model starts a run, the
 * panels restored after a window reload (a webview panel serializer; the page keeps its run folders in its
 * state), and Stop from a dashboard.
 *
 * One panel per set of runs: opening the same run again reveals its panel. The panel opened for a run
 * that Train Model started follows the next run Train Model starts, so they do not pile up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseDashboardState, type DashboardRun } from '../../protocol/webview';
import { listRuns, type RunSummary } from '../../runs/runFolder';
import { COMMANDS } from '../shared/commands';
import { workspaceRunsDirs } from '../shared/config';
import type { CurrentRun } from '../training/currentRun';
import type { EngineHost } from '../engine/engineHost';
import { stopRunAnywhere } from '../runs/stopRun';
import { DASHBOARD_VIEW_TYPE, DashboardPanel } from './dashboardPanel';

export interface DashboardDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  engine: Pick<EngineHost, 'loaded' | 'event' | 'onEngineExit'>;
  currentRun: Pick<CurrentRun, 'session'>;
}

/** A run folder from a command argument: a path, a Uri, or a tree item with `runDir` (or an array of them). */
export function runDirsFromArg(arg: unknown): string[] {
  const one = (a: unknown): string | undefined => {
    if (typeof a === 'string' && a) return a;
    if (a instanceof vscode.Uri) return a.fsPath;
    if (typeof a === 'object' && a !== null) {
      const o = a as Record<string, unknown>;
      if (typeof o.runDir === 'string' && o.runDir) return o.runDir;
      if (typeof o.run === 'object' && o.run !== null && typeof (o.run as Record<string, unknown>).runDir === 'string') {
        return (o.run as { runDir: string }).runDir;
      }
      if (typeof o.fsPath === 'string' && o.fsPath) return o.fsPath;
    }
    return undefined;
  };
  const list = Array.isArray(arg) ? arg : [arg];
  return [...new Set(list.map(one).filter((d): d is string => d !== undefined).map((d) => path.resolve(d)))];
}

const key = (runDirs: readonly string[]) => [...runDirs].map((d) => path.resolve(d)).sort().join('\n');

export class Dashboards implements vscode.Disposable {
  private readonly panels = new Set<DashboardPanel>();
  /** The panel that follows the runs Train Model starts. */
  private following: DashboardPanel | undefined;
  /** Runs folders this window has trained into (listed with the configured ones). */
  private readonly knownRunsDirs = new Set<string>();
  private lastRunDir: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: DashboardDeps) {
    const { engine } = deps;
    this.disposables.push(
      engine.event((p) => p.TrainStartedNotification)((p) => {
        this.knownRunsDirs.add(path.dirname(p.runDir));
        this.lastRunDir = p.runDir;
        for (const panel of this.panels) panel.handleStarted(p);
        this.openForNewRun(p.runDir);
      }),
      engine.event((p) => p.TrainProgressNotification)((p) => {
        for (const panel of this.panels) panel.handleProgress(p);
      }),
      engine.event((p) => p.TrainEventNotification)((p) => {
        for (const panel of this.panels) panel.handleEvent(p);
      }),
      engine.event((p) => p.TrainFinishedNotification)((p) => {
        for (const panel of this.panels) panel.handleFinished(p);
      }),
      engine.onEngineExit(() => {
        for (const panel of this.panels) panel.handleEngineExit();
      }),
    );
  }

  /** The open panels (tests). */
  get open(): readonly DashboardPanel[] {
    return [...this.panels];
  }

  /** Opens (or reveals) the dashboard of these runs, beside the editor, keeping the focus where it is. */
  show(runDirs: readonly string[]): DashboardPanel | undefined {
    const dirs = runDirs.filter((d) => {
      if (fs.existsSync(path.join(d, 'run.json'))) return true;
      void vscode.window.showErrorMessage(`${d} is not a run folder (it has no run.json).`);
      return false;
    });
    if (!dirs.length) return undefined;
    const wanted = key(dirs);
    for (const panel of this.panels) {
      if (key(panel.runDirs) === wanted) {
        // Where it is (Beside would move an open panel into yet another group), keeping the focus.
        panel.panel.reveal(undefined, true);
        return panel;
      }
    }
    const webviewPanel = vscode.window.createWebviewPanel(
      DASHBOARD_VIEW_TYPE,
      'Dashboard',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'webviews')],
        // The charts are the page's state: keep them while the tab is hidden (it catches up when shown).
        retainContextWhenHidden: true,
      },
    );
    return this.adopt(webviewPanel, dirs);
  }

  /** A panel VS Code restored after a reload, with the page's saved state. */
  restore(webviewPanel: vscode.WebviewPanel, state: unknown): void {
    const parsed = parseDashboardState(state);
    const dirs = (parsed?.runDirs ?? []).filter((d) => fs.existsSync(path.join(d, 'run.json')));
    if (!dirs.length) {
      this.deps.log.warn('Dashboard: a restored panel had no run folder that still exists; closing it');
      webviewPanel.dispose();
      return;
    }
    this.adopt(webviewPanel, dirs);
  }

  private adopt(webviewPanel: vscode.WebviewPanel, runDirs: readonly string[]): DashboardPanel {
    const panel = new DashboardPanel(webviewPanel, runDirs, { extensionUri: this.deps.extensionUri, log: this.deps.log, stop: (run) => this.stop(run) });
    this.panels.add(panel);
    panel.onDidClose(() => {
      this.panels.delete(panel);
      if (this.following === panel) this.following = undefined;
    });
    return panel;
  }

  /** Train Model started a run: its dashboard opens beside the model file (or the one following runs moves to it). */
  private openForNewRun(runDir: string): void {
    for (const panel of this.panels) {
      if (panel.shows(runDir)) return; // already shown (e.g. a compare that includes it)
    }
    if (this.following) {
      this.following.setRuns([runDir]);
      this.following.panel.reveal(undefined, true);
      return;
    }
    this.following = this.show([runDir]);
  }

  /** dlLab.openDashboard: the argument's run, else the run training now, else the last one, else a pick. */
  async openDashboard(arg?: unknown): Promise<DashboardPanel | undefined> {
    let dirs = runDirsFromArg(arg);
    if (!dirs.length) {
      const current = this.deps.currentRun.session?.runDir ?? this.lastRunDir;
      if (current) dirs = [current];
    }
    if (!dirs.length) {
      const picked = await this.pickRuns(false);
      if (!picked) return undefined;
      dirs = picked;
    }
    return this.show(dirs);
  }

  /** dlLab.compareRuns: the runs given (two or more), else a multi-select pick. */
  async compareRuns(arg?: unknown): Promise<DashboardPanel | undefined> {
    let dirs = runDirsFromArg(arg);
    if (dirs.length < 2) {
      const picked = await this.pickRuns(true, dirs);
      if (!picked) return undefined;
      dirs = picked;
    }
    return this.show(dirs);
  }

  /** The runs of the workspace's runs folders (and those this window trained into), newest first. */
  listRuns(): RunSummary[] {
    const dirs = new Set(this.knownRunsDirs);
    for (const dir of workspaceRunsDirs()) dirs.add(dir);
    const runs = [...dirs].flatMap((d) => listRuns(d));
    return runs.sort((a, b) => b.record.startTime.localeCompare(a.record.startTime));
  }

  private async pickRuns(many: boolean, preselected: readonly string[] = []): Promise<string[] | undefined> {
    const runs = this.listRuns();
    if (!runs.length) {
      void vscode.window.showInformationMessage('No runs yet: train a model first (Deep Learning: Train Model).');
      return undefined;
    }
    const items = runs.map((r) => ({
      label: r.record.id,
      description: `${path.basename(r.record.modelFile)} · ${r.status} · ${r.record.epochsCompleted}/${r.record.config?.epochs ?? '?'} epochs`,
      detail: r.record.lastMetrics
        ? Object.entries(r.record.lastMetrics).map(([k, v]) => `${k} ${Number(v).toPrecision(4)}`).join('  ')
        : r.record.data,
      picked: preselected.includes(path.resolve(r.runDir)),
      runDir: r.runDir,
    }));
    if (!many) {
      const picked = await vscode.window.showQuickPick(items, { title: 'Deep Learning: Open Dashboard', placeHolder: 'Run to show', matchOnDescription: true });
      return picked ? [picked.runDir] : undefined;
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Deep Learning: Compare Runs',
      placeHolder: 'Runs to overlay (pick two or more)',
      canPickMany: true,
      matchOnDescription: true,
    });
    if (!picked?.length) return undefined;
    return picked.map((p) => p.runDir);
  }

  /** Stop from a dashboard: see stopRunAnywhere. */
  stop(run: DashboardRun): Promise<void> {
    return stopRunAnywhere(this.deps, run);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    for (const panel of [...this.panels]) panel.dispose();
    this.panels.clear();
  }
}

/** Registers the commands, the serializer and the auto-open on Train Model. */
export function registerDashboards(deps: DashboardDeps): vscode.Disposable {
  const dashboards = new Dashboards(deps);
  return vscode.Disposable.from(
    dashboards,
    vscode.commands.registerCommand(COMMANDS.openDashboard.id, (arg?: unknown) => dashboards.openDashboard(arg)),
    vscode.commands.registerCommand(COMMANDS.compareRuns.id, (arg?: unknown, selected?: unknown) =>
      // From a tree view's context menu with a multi-selection, VS Code passes (clicked, selected[]).
      dashboards.compareRuns(Array.isArray(selected) && selected.length > 1 ? selected : arg),
    ),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => dashboards.restore(panel, state),
    }),
  );
}
