/**
 * The sample and checkpoint choices of the feature maps and equivariance pages: a sample by index, the
 * first of a class, or a random one (a new seed each time), and the checkpoint (last, best, untrained;
 * only untrained without a run). Pure; the controls are in sampleControls.ts.
 */
import type { CheckpointChoice } from '../../src/protocol/engineTypes';
import type { InspectContext, PageSampleChoice } from '../../src/protocol/webview';

export interface SampleState {
  mode: 'index' | 'class' | 'random';
  index: number;
  classIndex: number;
  seed: number;
  checkpoint: CheckpointChoice;
}

export function sampleChoice(s: SampleState): PageSampleChoice {
  switch (s.mode) {
    case 'index':
      return { kind: 'index', index: s.index };
    case 'class':
      return { kind: 'class', classIndex: s.classIndex };
    case 'random':
      return { kind: 'random', seed: s.seed };
  }
}

/** The checkpoints a context offers, as [value, text]. */
export function checkpointOptions(ctx: Pick<InspectContext, 'run'>): [CheckpointChoice, string][] {
  if (!ctx.run) return [['untrained', 'untrained (no run yet)']];
  const options: [CheckpointChoice, string][] = [['last', 'last']];
  if (ctx.run.hasBest) options.push(['best', 'best']);
  options.push(['untrained', 'untrained']);
  return options;
}

/** The checkpoint to use: the state's when the context offers it, else the context's. */
export function validCheckpoint(ctx: InspectContext, wanted: CheckpointChoice): CheckpointChoice {
  return checkpointOptions(ctx).some(([v]) => v === wanted) ? wanted : ctx.checkpoint;
}

/** The checkpoint after a new context: the context's own the first time, then the user's while it is offered. */
export function contextCheckpoint(previous: InspectContext | undefined, next: InspectContext, wanted: CheckpointChoice): CheckpointChoice {
  return validCheckpoint(next, previous ? wanted : next.checkpoint);
}
