/**
 * Show Model Summary: per layer its name, type, output shape, parameters, MACs and receptive field, from
 * the engine's model/summary (no training), rebuilt when the model file is saved. A row click reveals the
 * layer's line.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseModelSummaryAction, type ModelSummaryAction, type ModelSummaryUpdate } from '../../protocol/webview';
import { InspectionPanel, pageError, type InspectionDeps, type InspectionTarget } from './inspectionPanel';

/** Saves in quick succession (format on save, then save) rebuild once. */
const SAVE_DEBOUNCE_MS = 300;

export class ModelSummaryPanel extends InspectionPanel<ModelSummaryUpdate, ModelSummaryAction> {
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(panel: vscode.WebviewPanel, target: InspectionTarget, deps: InspectionDeps) {
    super('modelSummary', panel, target, deps, parseModelSummaryAction);
    this.listen(
      vscode.workspace.onDidSaveTextDocument((document: vscode.TextDocument) => {
        if (path.resolve(document.uri.fsPath) !== path.resolve(this.modelFile)) return;
        clearTimeout(this.saveTimer);
        this.saveTimer = setTimeout(() => void this.load(), SAVE_DEBOUNCE_MS);
      }),
    );
    this.listen({ dispose: () => clearTimeout(this.saveTimer) });
  }

  protected async handle(message: ModelSummaryAction): Promise<void> {
    if (message.type === 'ready' || message.type === 'refresh') await this.load();
  }

  /** Builds the model in the engine; a newer load wins over an older one. */
  async load(): Promise<void> {
    const generation = ++this.generation;
    const title = this.title;
    this.post({ type: 'loading', title });
    try {
      const summary = await this.request((p) => p.ModelSummaryRequest, { modelFile: this.modelFile, data: this.data });
      if (generation === this.generation) this.post({ type: 'summary', title, summary });
    } catch (err) {
      const e = pageError(err, this.modelFile);
      this.deps.log.warn(`Model summary of ${this.modelFile}: ${e.message}`);
      if (generation === this.generation) this.post({ type: 'error', title, ...e });
    }
  }
}
