/**
 * One Evaluation view: a run's evaluation report beside the code. It shows the saved report
 * (runs/<id>/eval/<split>-<checkpoint>.json) when there is one, so reopening needs no engine, else asks the
 * engine (eval/run, which saves it). The page asks for a cell's samples; their pictures and probabilities
 * come from the engine's inspect/featureMaps (the sample's image and the model's prediction), asked for
 * the output layer only after the first, so a thumbnail costs one forward pass.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EvalParams, EvalReport, FeatureMapsParams } from '../../protocol/engineTypes';
import { parseEvaluationAction, type EvaluationAction, type EvaluationContext, type EvaluationImage, type EvaluationUpdate } from '../../protocol/webview';
import { CHECKPOINTS_DIR, effectiveStatus, readRunRecord } from '../../runs/runFolder';
import type { EngineHost } from '../engine/engineHost';
import { COMMANDS } from '../shared/commands';
import { errorMessage } from '../shared/log';
import { setPanelPage } from '../shared/webviewPanel';
import { cellSamples, confidentMistakes, defaultSavedReport, readReport, reportFile, savedReports, summaryOf, type ReportChoice } from './evaluationModel';

export interface EvaluationDeps {
  extensionUri: vscode.Uri;
  engine: Pick<EngineHost, 'request'>;
  log: vscode.LogOutputChannel;
}

/** Thumbnails are posted to the page this many at a time. */
const IMAGE_BATCH = 8;

export class EvaluationPanel {
  private report: EvalReport | undefined;
  /** Bumped by each evaluation asked for: an older answer is not shown over a newer one. */
  private evaluation = 0;
  /** Bumped by each new set of thumbnails wanted: older loads stop. */
  private imageGeneration = 0;
  private readonly images = new Map<number, EvaluationImage>();
  private imagesFailed = false;
  /** The model's output layer (the first thumbnail's last layer): later thumbnails ask for it alone. */
  private outputLayer: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly runDir: string,
    private readonly deps: EvaluationDeps,
  ) {
    setPanelPage(panel, deps.extensionUri, 'evaluation', { placeholder: 'Loading the evaluation…' });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseEvaluationAction(raw, (why) => deps.log.warn(`Evaluation view: ignored a message that is not one (${why}): ${JSON.stringify(raw)?.slice(0, 200)}`));
        if (message) void this.handle(message).catch((err) => deps.log.error(`Evaluation view: ${errorMessage(err)}`));
      }),
    );
    panel.onDidDispose(() => {
      this.imageGeneration++;
      for (const d of this.disposables.splice(0)) d.dispose();
    });
  }

  get runId(): string {
    return path.basename(this.runDir);
  }

  async handle(message: EvaluationAction): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.post({ type: 'context', context: this.context() });
        const saved = defaultSavedReport(this.runDir);
        return saved ? this.showSaved(saved) : this.evaluate(undefined);
      }
      case 'show': {
        const choice = { split: message.split, checkpoint: message.checkpoint };
        return fs.existsSync(reportFile(this.runDir, choice)) ? this.showSaved(choice) : this.evaluate(choice);
      }
      case 'rerun':
        return this.evaluate({ split: message.split, checkpoint: message.checkpoint });
      case 'cell':
        return this.gallery(message.label, message.predicted);
      case 'openSample':
        // On the checkpoint evaluated, so that its probabilities are the ones the gallery showed.
        await vscode.commands.executeCommand(COMMANDS.showFeatureMaps.id, { runDir: this.runDir, sample: message.index, ...(this.report ? { checkpoint: this.report.checkpoint } : {}) });
        return;
    }
  }

  private context(): EvaluationContext {
    let model = '';
    let status = 'unreadable';
    try {
      const record = readRunRecord(this.runDir);
      model = path.basename(record.modelFile);
      status = effectiveStatus(record);
    } catch {
      // The panel still shows saved reports of a run whose run.json went bad.
    }
    return { runId: this.runId, runDir: this.runDir, model, status, hasBest: fs.existsSync(path.join(this.runDir, CHECKPOINTS_DIR, 'best')), saved: savedReports(this.runDir) };
  }

  private async showSaved(choice: ReportChoice): Promise<void> {
    const file = reportFile(this.runDir, choice);
    this.evaluation++;
    try {
      this.show(readReport(file), true);
    } catch (err) {
      this.deps.log.warn(`Evaluation view: ${errorMessage(err)}`);
      this.post({ type: 'error', message: errorMessage(err) });
    }
  }

  /** Asks the engine (which saves the report); `choice` undefined: the engine's default split and checkpoint. */
  private async evaluate(choice: ReportChoice | undefined): Promise<void> {
    const asked = ++this.evaluation;
    if (!vscode.workspace.isTrusted) {
      this.post({ type: 'error', message: 'Evaluating runs the model file’s code, which Restricted Mode does not allow: trust this workspace to evaluate (saved reports still open).' });
      return;
    }
    const what = choice ? `the ${choice.split} split (${choice.checkpoint} checkpoint)` : 'the held-out split';
    this.post({ type: 'loading', message: `Evaluating run ${this.runId} on ${what}…` });
    const params: EvalParams = { runDir: this.runDir, ...(choice ?? {}) };
    try {
      const report = await this.deps.engine.request((p) => p.EvalRequest, params);
      if (asked !== this.evaluation) return;
      this.post({ type: 'context', context: this.context() });
      this.show(report, false);
    } catch (err) {
      if (asked !== this.evaluation) return;
      const message = errorMessage(err).replace(/^Request \S+ failed with message: /, '');
      this.deps.log.warn(`Evaluation of ${this.runId}: ${message}`);
      this.post({ type: 'error', message });
    }
  }

  private show(report: EvalReport, fromFile: boolean): void {
    const previous = this.report;
    this.report = report;
    // The pictures stay; the probabilities belong to the checkpoint (and data) evaluated.
    if (previous && (previous.checkpoint !== report.checkpoint || previous.data !== report.data)) this.images.clear();
    const summary = summaryOf(report, fromFile);
    this.post({ type: 'report', report: summary });
    void this.loadImages(summary.mistakes.map((s) => s.index));
  }

  private async gallery(label: number, predicted: number): Promise<void> {
    const report = this.report;
    if (!report || label >= report.classes.length || predicted >= report.classes.length) return;
    const cell = cellSamples(report.samples, label, predicted);
    this.post({ type: 'gallery', label, predicted, total: cell.total, samples: cell.samples });
    await this.loadImages([...cell.samples.map((s) => s.index), ...confidentMistakes(report.samples).map((s) => s.index)]);
  }

  /** The pictures of these samples not sent yet, from the engine, posted a few at a time. */
  private async loadImages(indices: number[]): Promise<void> {
    const generation = ++this.imageGeneration;
    const report = this.report;
    if (!report || this.imagesFailed || !vscode.workspace.isTrusted) return;
    const known = [...new Set(indices)].filter((i) => this.images.has(i)).map((i) => this.images.get(i)!);
    if (known.length) this.post({ type: 'images', images: known });
    const wanted = [...new Set(indices)].filter((i) => !this.images.has(i));
    let batch: EvaluationImage[] = [];
    const flush = () => {
      if (batch.length && generation === this.imageGeneration) this.post({ type: 'images', images: batch });
      batch = [];
    };
    let runData: string | undefined;
    try {
      runData = readRunRecord(this.runDir).data;
    } catch {
      runData = undefined;
    }
    for (const index of wanted) {
      if (generation !== this.imageGeneration || report !== this.report) break;
      const params: FeatureMapsParams = {
        runDir: this.runDir,
        checkpoint: report.checkpoint,
        sample: { kind: 'index', index },
        ...(this.outputLayer ? { layers: [this.outputLayer] } : {}),
        ...(report.data !== runData ? { data: report.data } : {}),
      };
      try {
        const result = await this.deps.engine.request((p) => p.FeatureMapsRequest, params);
        this.outputLayer ??= result.layers.at(-1)?.layer;
        const image: EvaluationImage = { index, image: result.sample.image, probabilities: (result.prediction?.probabilities ?? []).map((p) => (Number.isFinite(p) ? p : null)) };
        if (report !== this.report) break;
        this.images.set(index, image);
        batch.push(image);
        if (batch.length >= IMAGE_BATCH) flush();
      } catch (err) {
        // No pictures, but the numbers still stand: said once in the log.
        this.imagesFailed = true;
        this.deps.log.warn(`Evaluation view: no sample pictures for run ${this.runId}: ${errorMessage(err).replace(/^Request \S+ failed with message: /, '')}`);
        break;
      }
    }
    flush();
  }

  private post(update: EvaluationUpdate): void {
    void this.panel.webview.postMessage(update);
  }
}
