/**
 * One training dashboard: a webview panel (webviews/dashboard/) that charts one run, or several overlaid
 * (Compare). Its points come from each run's metrics.jsonl, read from where the last read stopped, so
 * that only new points ever cross to the page (an `append` per run), never a whole series again.
 *
 * When to read: an engine notification for one of its runs (runs of this window), a change in the run
 * folder (fs.watch; runs of the CLI or of another window), and a slow poll while a run is running (for
 * file systems that do not report changes); all coalesced into one flush. A hidden panel reads nothing:
 * when it is shown again, one flush sends what it missed. A page that (re)loads says `ready` and gets the
 * whole history, read afresh from the files.
 */
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { setPanelPage } from '../shared/webviewPanel';
import { COMMANDS } from '../shared/commands';
import type { TrainEventParams, TrainFinishedParams, TrainProgressParams, TrainStartedParams } from '../../protocol/engineTypes';
import { parseDashboardAction, type DashboardRun, type DashboardUpdate } from '../../protocol/webview';
import { effectiveStatus, readRunRecord } from '../../runs/runFolder';
import { stepsPerEpoch } from '../../../webviews/dashboard/series';
import { estimateTimeLeft, MetricsTail, runsCsv } from './metricsFeed';

export const DASHBOARD_VIEW_TYPE = 'dlLab.dashboard';
/** Notifications and file events within this time make one read and one post. */
export const FLUSH_DELAY_MS = 100;
/** Re-read running runs this often even when nothing says so (network drives, missed watch events). */
export const POLL_MS = 2_000;
const MAX_SAMPLES = 120;

export interface DashboardPanelDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** Stops a run however it can be reached from here (dashboards.ts). */
  stop(run: DashboardRun): Promise<void>;
}

export function dashboardTitle(runs: readonly { runId: string; model: string }[]): string {
  if (runs.length === 1) return `Dashboard: ${runs[0].model.replace(/\.model\.[jt]s$/, '')} · ${runs[0].runId}`;
  return `Compare: ${runs.length} runs`;
}

/** What the panel knows of one run, and where it stopped reading its metrics. */
class RunTrack {
  readonly tail: MetricsTail;
  info: DashboardRun;
  /** (time, step) of recent progress, oldest first: the pace for the time-left estimate. */
  samples: { time: number; step: number }[] = [];
  watcher: fs.FSWatcher | undefined;
  recordStale = true;
  lastPostedInfo = '';

  constructor(readonly runDir: string) {
    this.tail = new MetricsTail(runDir);
    this.info = {
      runId: path.basename(runDir), runDir, model: '', data: '', status: 'running', startTime: 0, stoppable: false,
    };
  }

  addSample(time: number, step: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && (step <= last.step || time < last.time)) {
      if (step < last.step) this.samples = []; // a resumed or rewritten run: the pace starts over
      else return;
    }
    this.samples.push({ time, step });
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
  }

  /** run.json: status, backend, epochs, start. Throws when it cannot be read. */
  reloadRecord(): void {
    const record = readRunRecord(this.runDir);
    const status = effectiveStatus(record);
    const i = this.info;
    this.info = {
      ...i,
      runId: record.id || i.runId,
      model: path.basename(record.modelFile ?? ''),
      data: record.data ?? '',
      status,
      backend: record.backend?.name ?? i.backend,
      epochs: record.config?.epochs ?? i.epochs,
      epoch: status === 'running' ? Math.max(i.epoch ?? 0, record.epochsCompleted) : record.epochsCompleted,
      startTime: Date.parse(record.startTime) || i.startTime,
      error: record.error,
      sweep: record.sweep,
      stoppable: status === 'running' && (!record.hostname || record.hostname === hostname() || i.stoppable),
    };
    if (status !== 'running') {
      delete this.info.timeLeftSec;
      this.info.stoppable = false;
    }
    this.recordStale = false;
  }

  updateEstimate(): void {
    if (this.info.status !== 'running') {
      delete this.info.timeLeftSec;
      return;
    }
    const left = estimateTimeLeft(this.samples, this.info);
    if (left === undefined) delete this.info.timeLeftSec;
    else this.info.timeLeftSec = Math.round(left);
  }
}

export class DashboardPanel implements vscode.Disposable {
  private tracks: RunTrack[] = [];
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly closed = new vscode.EventEmitter<void>();
  /** Fired once, when the panel has been closed. */
  readonly onDidClose = this.closed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    runDirs: readonly string[],
    private readonly deps: DashboardPanelDeps,
  ) {
    const webview = panel.webview;
    const root = vscode.Uri.joinPath(deps.extensionUri, 'dist', 'webviews');
    webview.options = { enableScripts: true, localResourceRoots: [root] };
    this.setRuns(runDirs);
    setPanelPage(panel, deps.extensionUri, 'dashboard', {
      placeholder: 'Reading the run…',
      // The charts grow several times a second: announcing each change would drown a screen reader.
      live: false,
    });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      // Shown again: one append of what it missed while hidden.
      panel.onDidChangeViewState(() => {
        if (panel.visible) this.schedule(0);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get runDirs(): string[] {
    return this.tracks.map((t) => t.runDir);
  }

  get runs(): DashboardRun[] {
    return this.tracks.map((t) => t.info);
  }

  /** Shows these runs (the page drops the others' points; the new ones get their history). */
  setRuns(runDirs: readonly string[]): void {
    for (const t of this.tracks) t.watcher?.close();
    this.tracks = [...new Set(runDirs.map((d) => path.resolve(d)))].map((d) => new RunTrack(d));
    for (const track of this.tracks) {
      try {
        track.reloadRecord();
      } catch (err) {
        this.deps.log.warn(`Dashboard: ${(err as Error).message}`);
      }
      this.watch(track);
    }
    this.panel.title = dashboardTitle(this.tracks.map((t) => ({ runId: t.info.runId, model: t.info.model || 'run' })));
    if (this.ready) {
      this.post({ type: 'runs', runs: this.runs });
      for (const t of this.tracks) t.lastPostedInfo = JSON.stringify(t.info);
    }
    this.schedule(0);
    this.updatePoll();
  }

  private watch(track: RunTrack): void {
    try {
      track.watcher = fs.watch(track.runDir, { persistent: false }, (_event, file) => {
        if (file === 'run.json' || file === null) track.recordStale = true;
        this.schedule();
      });
      track.watcher.on('error', () => {
        track.watcher?.close();
        track.watcher = undefined;
      });
    } catch {
      // The folder may not exist yet, or the file system does not watch: the poll covers it.
    }
  }

  private updatePoll(): void {
    const running = this.tracks.some((t) => t.info.status === 'running');
    if (running && !this.poll && !this.disposed) {
      this.poll = setInterval(() => {
        for (const t of this.tracks) if (t.info.status === 'running') t.recordStale = true;
        this.schedule();
      }, POLL_MS);
      this.poll.unref?.();
    } else if (!running && this.poll) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }

  private track(runId: string): RunTrack | undefined {
    return this.tracks.find((t) => t.info.runId === runId);
  }

  /** Whether this panel shows the run. */
  shows(runIdOrDir: string): boolean {
    return this.tracks.some((t) => t.info.runId === runIdOrDir || t.runDir === path.resolve(runIdOrDir));
  }

  // --- Engine notifications (runs of this window): header facts now, points from the file.

  handleStarted(p: TrainStartedParams): void {
    const t = this.track(p.runId);
    if (!t) return;
    t.info = { ...t.info, status: 'running', backend: p.backend.name, epochs: p.config.epochs, data: p.data, model: path.basename(p.modelFile), stoppable: true };
    t.recordStale = true;
    this.schedule();
    this.updatePoll();
  }

  handleProgress(p: TrainProgressParams): void {
    const t = this.track(p.runId);
    if (!t) return;
    t.info = {
      ...t.info, status: 'running', epoch: p.epoch, epochs: p.epochs, batchesPerEpoch: p.batchesPerEpoch,
      samplesPerSec: p.samplesPerSec, stoppable: true,
    };
    if (p.learningRate !== undefined && Number.isFinite(p.learningRate)) t.info.learningRate = p.learningRate;
    t.addSample(p.time, p.step);
    this.schedule();
  }

  handleEvent(p: TrainEventParams): void {
    if (!this.track(p.runId)) return;
    this.schedule();
  }

  handleFinished(p: TrainFinishedParams): void {
    const t = this.track(p.runId);
    if (!t) return;
    t.info = { ...t.info, status: p.status, stoppable: false, ...(p.error ? { error: p.error } : {}) };
    t.recordStale = true;
    this.schedule();
  }

  /** The engine process ended: its runs' records say how they ended. */
  handleEngineExit(): void {
    for (const t of this.tracks) t.recordStale = true;
    this.schedule(500);
  }

  // --- Posting

  private schedule(delay = FLUSH_DELAY_MS): void {
    if (this.disposed) return;
    if (this.timer) {
      if (delay > 0) return; // one is coming
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delay);
  }

  /**
   * Reads what is new in each run and posts it: one append per run with new points, and the run's header
   * when it changed. Nothing while the page is not listening or the panel is hidden.
   */
  flush(): void {
    if (this.disposed || !this.ready || !this.panel.visible) return;
    for (const t of this.tracks) {
      if (t.recordStale) {
        try {
          t.reloadRecord();
        } catch {
          // being written, or gone: keep what is known
        }
      }
      const read = t.tail.read();
      if (read.reset) this.post({ type: 'reset', runId: t.info.runId });
      if (read.points.length || read.markers.length) {
        this.post({ type: 'append', runId: t.info.runId, points: read.points, markers: read.markers });
        const last = read.points[read.points.length - 1];
        if (last) {
          for (const p of read.points) t.addSample(p.time, p.step);
          if (t.info.status === 'running') t.info.epoch = Math.max(t.info.epoch ?? 0, last.epoch);
        }
        if (read.samplesPerSec !== undefined) t.info.samplesPerSec = read.samplesPerSec;
        t.info.batchesPerEpoch ??= stepsPerEpoch(read.points);
      }
      t.updateEstimate();
      const info = JSON.stringify(t.info);
      if (info !== t.lastPostedInfo) {
        t.lastPostedInfo = info;
        this.post({ type: 'run', run: t.info });
      }
    }
    this.updatePoll();
  }

  private post(update: DashboardUpdate): void {
    void this.panel.webview.postMessage(update);
  }

  private async receive(raw: unknown): Promise<void> {
    const message = parseDashboardAction(raw, (why) => this.deps.log.warn(`Dashboard: ignored a message that is not one (${why}): ${JSON.stringify(raw)?.slice(0, 200)}`));
    if (!message) return;
    switch (message.type) {
      case 'ready':
        // A new page: it has nothing. Everything again, from the files.
        this.ready = true;
        for (const t of this.tracks) {
          t.tail.rewind();
          t.lastPostedInfo = JSON.stringify(t.info);
        }
        this.post({ type: 'runs', runs: this.runs });
        this.flush();
        break;
      case 'stop': {
        const t = this.track(message.runId);
        if (t) await this.deps.stop(t.info);
        break;
      }
      case 'evaluate': {
        const t = this.track(message.runId);
        if (t) await vscode.commands.executeCommand(COMMANDS.evaluateRun.id, t.runDir);
        break;
      }
      case 'exportPng':
        await this.save(Buffer.from(message.png, 'base64'), 'png', { 'PNG image': ['png'] });
        break;
      case 'exportCsv':
        await this.save(Buffer.from(runsCsv(this.tracks.map((t) => ({ runId: t.info.runId, runDir: t.runDir }))), 'utf8'), 'csv', {
          'CSV (comma-separated values)': ['csv'],
        });
        break;
    }
  }

  private async save(data: Uint8Array, ext: string, filters: Record<string, string[]>): Promise<void> {
    const first = this.tracks[0];
    const name = this.tracks.length === 1 ? `${first.info.runId}.${ext}` : `compare-${this.tracks.length}-runs.${ext}`;
    const defaultUri = vscode.Uri.file(path.join(first ? first.runDir : process.cwd(), name));
    const target = await vscode.window.showSaveDialog({ defaultUri, filters, title: ext === 'png' ? 'Save the charts as PNG' : 'Save the metrics as CSV' });
    if (!target) return;
    try {
      await vscode.workspace.fs.writeFile(target, data);
      this.deps.log.info(`Dashboard: saved ${target.fsPath}`);
    } catch (err) {
      void vscode.window.showErrorMessage(`Could not save ${target.fsPath}: ${(err as Error).message}`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.poll) clearInterval(this.poll);
    for (const t of this.tracks) t.watcher?.close();
    for (const d of this.disposables) d.dispose();
    this.closed.fire();
    this.closed.dispose();
    this.panel.dispose();
  }
}
