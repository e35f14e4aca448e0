/**
 * In Restricted Mode (an untrusted workspace) Train is refused with a message that says why and what to
 * do, and no engine process starts.
 */
import assert from 'node:assert/strict';
import { delay } from '../harness/codeServer';
import { ms } from '../harness/env';
import { engineProcesses } from '../harness/processes';
import { scenario } from '../harness/scenario';
import { COMMANDS, ENGINE_LOG_LINE, MODEL_FILE, OUTPUT_CHANNEL, RESTRICTED_REFUSAL } from './expectations';

scenario('refuses to train in an untrusted workspace', { workspace: { copy: ['examples'] }, trusted: false }, async ({ workbench, server, step }) => {
  await step('the workspace is in Restricted Mode', async () => {
    const deadline = Date.now() + ms(20_000);
    while (!(await workbench.restrictedMode())) {
      if (Date.now() > deadline) throw new Error(`Not in Restricted Mode; status bar: ${JSON.stringify(await workbench.statusBar.texts())}`);
      await delay(250);
    }
  });

  await step('wait for activation', () => workbench.waitForExtensionActivation());
  await step('open the model file', () => workbench.editors.open(MODEL_FILE));
  await step('run Train Model', () => workbench.commandPalette.run(COMMANDS.train.title));

  const refusal = await step('the refusal is shown', () => workbench.notifications.waitFor(RESTRICTED_REFUSAL, { timeout: ms(20_000) }));
  assert.equal(refusal.severity, 'warning');
  assert.ok(refusal.buttons.some((b) => /trust/i.test(b)), `the refusal offers to manage trust: ${JSON.stringify(refusal.buttons)}`);

  await step('no model or dataset pick was offered', async () => {
    assert.equal(await workbench.quickInput.isOpen(), false, `a quick pick opened: ${await workbench.quickInput.title()}`);
  });

  await step('no engine process starts', async () => {
    // Give a wrongly started engine time to show up.
    await delay(ms(3_000));
    assert.deepEqual(engineProcesses(server.extensionsDir).map((p) => p.command), []);
    const log = server.outputChannelLog(OUTPUT_CHANNEL);
    assert.match(log, /Training refused/i, `the output channel says training was refused:\n${log}`);
    assert.doesNotMatch(log, ENGINE_LOG_LINE, 'the output channel has engine log lines');
  });
});
