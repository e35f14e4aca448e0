/**
 * The @vscode/test-electron suite: the same scenarios as test/e2e (activation, Train on LeNet), driven
 * through the VS Code API from inside the extension host of a downloaded VS Code desktop. For machines
 * that can download VS Code (`npm run test:electron`); CI here runs the code-server scenarios instead.
 * Workspace trust is always off under @vscode/test-electron (it passes --disable-workspace-trust), so the
 * Restricted Mode scenario lives only in test/e2e/scenarios/untrusted.e2e.ts.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS, MODEL_FILE, TRAIN_EPOCHS } from '../../e2e/scenarios/expectations';

// Mocha's TDD interface (ui: 'tdd' in .vscode-test.mjs); declared here so that tsc needs no mocha types.
declare function suite(name: string, body: () => void): void;
declare function test(name: string, body: () => Promise<void>): void;

const EXTENSION_ID = 'deep-learning-lab.deep-learning-lab';

interface RunOutcome {
  status: string;
  epochsDone?: number;
  epochs?: number;
  error?: string;
}

suite('Deep Learning Lab in VS Code desktop', () => {
  test('activates with no error and registers its commands', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    await extension.activate();
    assert.equal(extension.isActive, true);
    const commands = await vscode.commands.getCommands(true);
    for (const command of Object.values(COMMANDS)) assert.ok(commands.includes(command.id), `${command.id} is not registered`);
  });

  test('Train Model on examples/lenet.model.ts with synthetic:shapes completes', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder (.vscode-test.mjs opens .e2e-cache/electron/workspace)');
    const modelFile = vscode.Uri.joinPath(folder.uri, MODEL_FILE);
    await vscode.window.showTextDocument(modelFile);

    // The command asks for the dataset with a quick pick whose first item is the default, synthetic:shapes.
    let settled = false;
    const pending = Promise.resolve(vscode.commands.executeCommand<RunOutcome | undefined>(COMMANDS.train.id, modelFile)).finally(
      () => (settled = true),
    );
    const accept = (async () => {
      for (let i = 0; i < 20 && !settled; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
    })();
    const outcome = await pending;
    await accept;
    assert.ok(outcome, 'Train Model resolved with no outcome (refused or cancelled)');
    assert.equal(outcome.status, 'completed', `the run ended ${outcome.status}: ${outcome.error ?? ''}`);
    assert.equal(outcome.epochsDone, TRAIN_EPOCHS);
  });
});
