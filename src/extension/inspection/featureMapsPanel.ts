/**
 * Show Feature Maps: the outputs of every layer for one sample (by index, class, at random, or an image
 * file), from the model's latest run (last or best checkpoint) or untrained weights. Each result goes into
 * the FeatureMapStore, so hovering a layer line shows that layer's maps. "Follow run" refreshes at each
 * epoch end of a run of this model.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckpointChoice, SampleChoice, TrainProgressParams, TrainStartedParams } from '../../protocol/engineTypes';
import { parseFeatureMapsAction, type FeatureMapsAction, type FeatureMapsUpdate } from '../../protocol/webview';
import { InspectionPanel, pageError, runInfo, type InspectionDeps, type InspectionTarget } from './inspectionPanel';

export class FeatureMapsPanel extends InspectionPanel<FeatureMapsUpdate, FeatureMapsAction> {
  private checkpoint: CheckpointChoice;
  private sample: SampleChoice = { kind: 'index', index: 0 };
  private following: boolean;
  /** Runs of this model seen starting (follow switches to them). */
  private readonly runIds = new Set<string>();
  private loading: Promise<void> | undefined;
  private pending = false;

  constructor(panel: vscode.WebviewPanel, target: InspectionTarget, deps: InspectionDeps) {
    super('featureMaps', panel, target, deps, parseFeatureMapsAction);
    this.checkpoint = this.defaultCheckpoint();
    // Follow by default when the run shown is training now.
    this.following = target.runDir ? runInfo(target.runDir)?.status === 'running' : false;
    if (target.runDir) this.runIds.add(path.basename(target.runDir));
    if (target.sample !== undefined) this.sample = { kind: 'index', index: target.sample };
    this.listen(deps.engine.event((p) => p.TrainStartedNotification)((p) => this.runStarted(p)));
    this.listen(deps.engine.event((p) => p.TrainProgressNotification)((p) => this.progress(p)));
  }

  /** Shown again; on the sample asked for, if any (the Evaluation view opens a sample of its gallery). */
  override retarget(target: InspectionTarget): void {
    if (target.sample === undefined) return super.retarget(target);
    this.target = target;
    this.sample = { kind: 'index', index: target.sample };
    this.checkpoint = this.defaultCheckpoint();
    void this.sendContext().then(() => this.load());
  }

  protected async handle(message: FeatureMapsAction): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.checkpoint = this.defaultCheckpoint();
        await this.sendContext();
        await this.load();
        return;
      case 'request':
        this.sample = message.sample;
        this.checkpoint = message.checkpoint;
        await this.load();
        return;
      case 'pickImage': {
        const chosen = await vscode.window.showOpenDialog({
          title: 'Image for the feature maps',
          openLabel: 'Show Feature Maps',
          canSelectFiles: true,
          canSelectFolders: false,
          canSelectMany: false,
          filters: { Images: ['png', 'jpg', 'jpeg'] },
        });
        if (!chosen?.[0]) return;
        this.sample = { kind: 'image', file: chosen[0].fsPath };
        this.checkpoint = message.checkpoint;
        await this.load();
        return;
      }
      case 'pickData':
        if (!(await this.chooseData())) return;
        this.sample = { kind: 'index', index: 0 };
        await this.sendContext();
        await this.load();
        return;
      case 'follow':
        this.following = message.on;
        this.deps.log.info(`Feature maps of ${this.title}: ${message.on ? 'following the run (refresh at each epoch end)' : 'no longer following the run'}`);
        return;
    }
  }

  private async sendContext(): Promise<void> {
    this.post({ type: 'context', context: await this.context({ checkpoint: this.checkpoint, following: this.following }) });
  }

  private runStarted(p: TrainStartedParams): void {
    if (path.resolve(p.modelFile) !== path.resolve(this.modelFile)) return;
    this.runIds.add(p.runId);
    if (!this.following) return;
    this.target = { modelFile: this.modelFile, runDir: p.runDir };
    void this.sendContext();
  }

  private progress(p: TrainProgressParams): void {
    if (!this.following || p.kind !== 'epoch' || !this.runIds.has(p.runId)) return;
    // The last checkpoint is written before the epoch's progress is sent.
    if (!this.target.runDir || path.basename(this.target.runDir) !== p.runId) {
      const runsDir = this.target.runDir ? path.dirname(this.target.runDir) : undefined;
      if (runsDir) this.target = { modelFile: this.modelFile, runDir: path.join(runsDir, p.runId) };
    }
    this.checkpoint = 'last';
    void this.sendContext().then(() => this.load());
  }

  /** One request at a time; asks made meanwhile collapse into one more, with the latest choice. */
  async load(): Promise<void> {
    if (this.loading) {
      this.pending = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.pending = false;
        await this.loadOnce();
      } while (this.pending);
    })();
    try {
      await this.loading;
    } finally {
      this.loading = undefined;
    }
  }

  private async loadOnce(): Promise<void> {
    const sample = this.sample;
    const checkpoint = this.target.runDir ? this.checkpoint : 'untrained';
    const what = sample.kind === 'index' ? `sample #${sample.index}` : sample.kind === 'class' ? `the first sample of class ${sample.classIndex}` : sample.kind === 'random' ? 'a random sample' : path.basename(sample.file);
    this.post({ type: 'loading', message: `Computing the feature maps of ${what} (${checkpoint} weights)…` });
    try {
      const result = await this.request((p) => p.FeatureMapsRequest, { ...this.source(checkpoint), sample });
      if (this.pending) return;
      this.post({ type: 'result', result });
      this.deps.featureMaps.set(result);
    } catch (err) {
      const e = pageError(err, this.modelFile);
      this.deps.log.warn(`Feature maps of ${this.modelFile}: ${e.message}`);
      if (!this.pending) this.post({ type: 'error', ...e });
    }
  }
}
