/**
 * Probe Shift Equivariance: shift a sample by 0..v pixels and chart, per layer, how far its output is
 * from shifting along (the engine's inspect/equivariance), and how much the class probabilities change.
 */
import * as vscode from 'vscode';
import type { CheckpointChoice, EquivarianceParams } from '../../protocol/engineTypes';
import { parseEquivarianceAction, type EquivarianceAction, type EquivarianceUpdate, type PageSampleChoice } from '../../protocol/webview';
import { InspectionPanel, pageError, type InspectionDeps, type InspectionTarget } from './inspectionPanel';

type Probe = Extract<EquivarianceAction, { type: 'probe' }>;

export class EquivariancePanel extends InspectionPanel<EquivarianceUpdate, EquivarianceAction> {
  private last: Omit<Probe, 'type'> | undefined;

  constructor(panel: vscode.WebviewPanel, target: InspectionTarget, deps: InspectionDeps) {
    super('equivariance', panel, target, deps, parseEquivarianceAction);
  }

  protected async handle(message: EquivarianceAction): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.post({ type: 'context', context: await this.context() });
        const sample: PageSampleChoice = { kind: 'index', index: 0 };
        await this.probe({ sample, checkpoint: this.defaultCheckpoint(), maxShift: 8, axis: 'x', mode: 'cyclic' });
        return;
      }
      case 'probe': {
        const { type: _, ...probe } = message;
        await this.probe(probe);
        return;
      }
      case 'pickData':
        if (!(await this.chooseData())) return;
        this.post({ type: 'context', context: await this.context() });
        if (this.last) await this.probe({ ...this.last, sample: { kind: 'index', index: 0 } });
        return;
    }
  }

  async probe(p: Omit<Probe, 'type'>): Promise<void> {
    this.last = p;
    const generation = ++this.generation;
    const checkpoint: CheckpointChoice = this.target.runDir ? p.checkpoint : 'untrained';
    const shifts = Array.from({ length: p.maxShift + 1 }, (_, i) => i);
    this.post({ type: 'loading', message: `Shifting the sample by 0–${p.maxShift} px along ${p.axis} (${p.mode})…` });
    try {
      const params: EquivarianceParams = { ...this.source(checkpoint), sample: p.sample, shifts, axis: p.axis, mode: p.mode };
      const result = await this.request((q) => q.EquivarianceRequest, params);
      if (generation === this.generation) this.post({ type: 'result', result });
    } catch (err) {
      const e = pageError(err, this.modelFile);
      this.deps.log.warn(`Equivariance probe of ${this.modelFile}: ${e.message}`);
      if (generation === this.generation) this.post({ type: 'error', ...e });
    }
  }
}
