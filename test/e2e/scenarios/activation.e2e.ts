/**
 * The extension activates in a workspace with a model file, with no error in the extension host log, and
 * its commands are in the command palette.
 */
import assert from 'node:assert/strict';
import { activationErrors } from '../harness/workbench';
import { scenario } from '../harness/scenario';
import { COMMANDS, MODEL_FILE, PALETTE_COMMANDS } from './expectations';

scenario('activates with no error in the extension host log', { workspace: { copy: ['examples'] }, trusted: true }, async ({ workbench, server, env, step }) => {
  await step('wait for activation (workspaceContains:**/*.model.ts)', () => workbench.waitForExtensionActivation());

  await step('the Explorer shows the model file', async () => {
    const explorer = await workbench.explorer();
    const examples = await explorer.item('examples');
    assert.ok((await examples.children()).includes(MODEL_FILE.split('/').pop()!));
  });

  await step('the commands are in the command palette', async () => {
    // One search per command: the palette renders only the rows that fit, and "Deep Learning:" lists more.
    for (const command of [...PALETTE_COMMANDS, COMMANDS.stopTraining]) {
      const listed = await workbench.commandPalette.find(command.title);
      if (command === COMMANDS.stopTraining) assert.ok(!listed.includes(command.title), 'Stop Training is listed while no run trains');
      else assert.ok(listed.includes(command.title), `"${command.title}" missing from the palette, which lists ${JSON.stringify(listed)}`);
    }
  });

  await step('no error in the extension host log', async () => {
    const log = server.extensionHostLog();
    assert.deepEqual(activationErrors(log, env.extensionId), []);
    const errors = log.split('\n').filter((line) => /\[error\]/i.test(line) && line.toLowerCase().includes(env.extensionId.toLowerCase()));
    assert.deepEqual(errors, [], 'extension host log errors mentioning the extension');
  });

  await step('no error notification', async () => {
    const errors = workbench.notifications.history().filter((n) => n.severity === 'error');
    assert.deepEqual(errors, []);
  });
});
