/**
 * The sample and checkpoint controls shared by the feature maps and equivariance pages: a sample by index,
 * the first of a class, or a random one (a new seed each time), and the checkpoint (last, best,
 * untrained; only untrained without a run).
 */
import type { CheckpointChoice } from '../../src/protocol/engine';
import type { InspectContext, PageSampleChoice } from '../../src/protocol/webview';
import { numberField, select } from './dom';

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

/** Checkpoint, "Sample by" and index or class: `changed` runs after each choice (the page then asks again). */
export function sampleControls(ctx: InspectContext, state: SampleState, changed: (rebuild: boolean) => void): HTMLElement[] {
  const controls: HTMLElement[] = [
    select('Checkpoint', checkpointOptions(ctx), state.checkpoint, (v) => {
      state.checkpoint = v as CheckpointChoice;
      changed(false);
    }, 'checkpoint'),
    select(
      'Sample by',
      [['index', 'index'], ...(ctx.classes.length ? ([['class', 'class']] as [string, string][]) : []), ['random', 'random']],
      state.mode,
      (v) => {
        state.mode = v as SampleState['mode'];
        if (state.mode === 'random') state.seed = 1 + Math.floor(Math.random() * 1_000_000);
        changed(true);
      },
      'sample-mode',
    ),
  ];
  if (state.mode === 'index') {
    const max = ctx.count ? ctx.count - 1 : 1_000_000;
    controls.push(numberField(ctx.count ? `Index (0–${max})` : 'Index', state.index, 0, max, (v) => {
      state.index = v;
      changed(false);
    }, 'sample-index'));
  } else if (state.mode === 'class') {
    controls.push(select('Class', ctx.classes.map((c, i) => [String(i), c] as [string, string]), String(state.classIndex), (v) => {
      state.classIndex = Number(v);
      changed(false);
    }, 'sample-class'));
  }
  return controls;
}
