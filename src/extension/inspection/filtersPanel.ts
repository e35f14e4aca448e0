/**
 * Show Learned Filters: the kernels of every convolution and their weight histograms, for two checkpoints
 * side by side (untrained against last by default when the model has a run).
 */
import * as vscode from 'vscode';
import type { CheckpointChoice, FiltersResult } from '../../protocol/engineTypes';
import { parseFiltersAction, type FiltersAction, type FiltersUpdate } from '../../protocol/webview';
import { InspectionPanel, pageError, type InspectionDeps, type InspectionTarget } from './inspectionPanel';

export class FiltersPanel extends InspectionPanel<FiltersUpdate, FiltersAction> {
  constructor(panel: vscode.WebviewPanel, target: InspectionTarget, deps: InspectionDeps) {
    super('filters', panel, target, deps, parseFiltersAction);
  }

  protected async handle(message: FiltersAction): Promise<void> {
    if (message.type === 'ready') {
      this.post({ type: 'context', context: await this.context() });
      await this.load('untrained', this.target.runDir ? 'last' : null);
    } else if (message.type === 'compare') {
      await this.load(message.left, this.target.runDir ? message.right : null);
    }
  }

  async load(left: CheckpointChoice, right: CheckpointChoice | null): Promise<void> {
    const generation = ++this.generation;
    this.post({ type: 'loading', message: `Reading the ${right ? `${left} and ${right}` : left} weights…` });
    try {
      const get = (checkpoint: CheckpointChoice) => this.request((p) => p.FiltersRequest, { ...this.source(checkpoint) });
      // One after the other: the engine builds one model at a time anyway.
      const l: FiltersResult = await get(left);
      const r: FiltersResult | undefined = right ? await get(right) : undefined;
      if (generation === this.generation) this.post(r ? { type: 'filters', left: l, right: r } : { type: 'filters', left: l });
    } catch (err) {
      const e = pageError(err, this.modelFile);
      this.deps.log.warn(`Filters of ${this.modelFile}: ${e.message}`);
      if (generation === this.generation) this.post({ type: 'error', ...e });
    }
  }
}
