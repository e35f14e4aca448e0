/**
 * What the scenarios that look at a trained run share: examples/lenet-relu.model.ts shortened to one epoch
 * (a few seconds on MNIST's 10,000 images), with extra training settings, trained from the Command Palette
 * on MNIST, and its row found in the Runs view.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATASETS, e2eEnv, ms } from '../harness/env';
import type { TreeItem } from '../harness/pages/treeView';
import type { ScenarioContext } from '../harness/scenario';
import { COMMANDS, COMPLETED, NOT_COMPLETED } from './expectations';

export const MNIST = path.join(DATASETS, 'mnist');

/** The LeNet (ReLU) example's source with `epochs: 1` and `settings` (e.g. `normalClasses: [0, 1]`) after it. */
export function oneEpochLenet(settings = ''): string {
  const source = fs.readFileSync(path.join(e2eEnv().repoRoot, 'examples', 'lenet-relu.model.ts'), 'utf8');
  const changed = source.replace(/(\bepochs\s*:\s*)\d+,/, `$11,${settings ? `\n  ${settings},` : ''}`);
  assert.notEqual(changed, source, 'lenet-relu.model.ts declares no epochs to change');
  return changed;
}

/** Trains `modelFile` (a workspace path) on MNIST from the palette, then returns its run's row in the Runs view. */
export async function trainedRun({ workbench, step }: Pick<ScenarioContext, 'workbench' | 'step'>, modelFile: string): Promise<TreeItem> {
  await step('train it on MNIST, once the extension is active', async () => {
    await workbench.waitForExtensionActivation();
    await workbench.editors.open(modelFile);
    await workbench.commandPalette.run(COMMANDS.train.title);
    await workbench.quickInput.pick(MNIST, ms(30_000));
    await workbench.notifications.waitFor(COMPLETED, { timeout: ms(5 * 60_000), failOn: NOT_COMPLETED });
  });
  return step('the run in the Runs view', async () => {
    const container = workbench.page.locator('.part.activitybar .action-item a[aria-label^="Deep Learning"]').first();
    await container.waitFor({ state: 'visible', timeout: ms(30_000) });
    await container.click();
    const runs = await workbench.treeView('Runs');
    await runs.item(path.basename(modelFile), ms(60_000));
    return runs.item(/^\d\d:\d\d:\d\d$/, ms(60_000));
  });
}
