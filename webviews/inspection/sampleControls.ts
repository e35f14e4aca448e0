/** The sample and checkpoint controls shared by the feature maps and equivariance pages. */
import type { CheckpointChoice } from '../../src/protocol/engineTypes';
import type { InspectContext } from '../../src/protocol/webview';
import { select } from '../shared/controls';
import { numberField } from './dom';
import { checkpointOptions, type SampleState } from './sample';

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
