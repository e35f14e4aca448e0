/**
 * Deep Learning: Train Model on examples/lenet.model.ts with synthetic:shapes, as a user does it: open the
 * model file, run the command from the palette, pick the dataset, watch the progress notification and the
 * status bar, see the run complete, and read the engine's log in the output channel.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { delay } from '../harness/codeServer';
import { e2eEnv, ms } from '../harness/env';
import { engineProcesses } from '../harness/processes';
import { scenario } from '../harness/scenario';
import { COMMANDS, COMPLETED, DATASET, ENGINE_LOG_LINE, MODEL_FILE, NOT_COMPLETED, OUTPUT_CHANNEL, TRAIN_EPOCHS } from './expectations';

/** The example with fewer epochs: the scenario is about the UI, not about accuracy. */
function shortenedModelFile(): string {
  const source = fs.readFileSync(path.join(e2eEnv().repoRoot, MODEL_FILE), 'utf8');
  const shortened = source.replace(/(\bepochs\s*:\s*)\d+/, `$1${TRAIN_EPOCHS}`);
  assert.notEqual(shortened, source, `${MODEL_FILE} declares no epochs to shorten`);
  return shortened;
}

scenario(
  'trains lenet.model.ts on synthetic:shapes to completion',
  {
    workspace: { copy: ['examples'], files: { [MODEL_FILE]: shortenedModelFile() } },
    trusted: true,
    timeout: 8 * 60_000,
  },
  async ({ workbench, server, step }) => {
    await step('wait for activation', () => workbench.waitForExtensionActivation());
    await step('open the model file', () => workbench.editors.open(MODEL_FILE));
    await step('run Train Model', () => workbench.commandPalette.run(COMMANDS.train.title));
    await step(`pick the dataset ${DATASET}`, () => workbench.quickInput.pick(DATASET, ms(30_000)));

    await step('a progress notification follows the run', () =>
      workbench.notifications.waitFor(/^Training lenet\.model\.ts/, { timeout: ms(60_000), failOn: NOT_COMPLETED }),
    );

    await step('the status bar shows the run, and an engine process trains it', async () => {
      const deadline = Date.now() + ms(120_000);
      let sawStatus = '';
      let sawEngine = false;
      while (!(sawStatus && sawEngine)) {
        if (!sawStatus) {
          const texts = await workbench.statusBar.texts();
          sawStatus = texts.find((t) => /epoch \d+\/\d+|starting lenet|completed/.test(t)) ?? '';
        }
        sawEngine ||= engineProcesses(server.extensionsDir).length > 0;
        if (Date.now() > deadline) {
          throw new Error(`status bar item: ${sawStatus || JSON.stringify(await workbench.statusBar.texts())}; engine process seen: ${sawEngine}`);
        }
        await delay(200);
      }
    });

    const done = await step('a notification says the run completed', () =>
      workbench.notifications.waitFor(COMPLETED, { timeout: ms(5 * 60_000), failOn: NOT_COMPLETED }),
    );
    assert.notEqual(done.severity, 'error');
    // All the epochs ran: "(2 epochs, 8s)" or "(2/2 epochs, …)".
    assert.match(done.message, new RegExp(`(?<![\\d/])${TRAIN_EPOCHS}(/${TRAIN_EPOCHS})? epochs\\b`), done.message);

    await step('the status bar says completed', () => workbench.statusBar.waitFor(/completed/, ms(15_000)));

    await step('the engine log is in the "Deep Learning Lab" output channel', async () => {
      await workbench.commandPalette.run(COMMANDS.showEngineLog.title);
      await workbench.output.waitForChannel(OUTPUT_CHANNEL);
      await workbench.output.waitForText(ENGINE_LOG_LINE, ms(15_000));
      const log = server.outputChannelLog(OUTPUT_CHANNEL);
      assert.match(log, ENGINE_LOG_LINE, 'engine lines in the output channel log file');
      assert.match(log, COMPLETED, 'the output channel records the completed run');
    });
  },
);
