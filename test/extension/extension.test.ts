// The bundled extension (esbuild, as scripts/build.mjs bundles it) activated against vscodeStub.ts, with
// fixtures/fakeEngine.js as its engine: activation cost, Restricted Mode, and the Train command's flows.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as esbuild from 'esbuild';
import { COMMANDS } from '../../src/extension/shared/commands';
import type { RunOutcome } from '../../src/extension/shared/format';
import * as vscode from './vscodeStub';
import { useVscodeStub } from './useVscodeStub';

const { ui } = vscode;
const root = path.resolve(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lab-extension-'));
const extensionDir = path.join(tmp, 'extension');
const workspace = path.join(tmp, 'workspace');
const marker = path.join(tmp, 'engine-starts.txt');
const lenet = path.join(workspace, 'examples', 'lenet.model.ts');
const other = path.join(workspace, 'models', 'other.model.js');

let extension: { activate(context: unknown): void; deactivate(): Promise<void> | undefined };
const context = { subscriptions: [] as { dispose(): unknown }[], extensionUri: vscode.Uri.file(extensionDir), extension: { packageJSON: { version: '0.1.0' } } };

const engineStarts = () => (fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim().split('\n').length : 0);
const train = (...args: unknown[]) => vscode.commands.executeCommand('dlLab.train', ...args) as Promise<RunOutcome | undefined>;
const until = async <T>(what: () => T | undefined | false, timeoutMs = 5000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = what();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

before(async () => {
  fs.mkdirSync(path.join(extensionDir, 'dist'), { recursive: true });
  fs.mkdirSync(path.dirname(lenet), { recursive: true });
  fs.mkdirSync(path.dirname(other), { recursive: true });
  fs.writeFileSync(lenet, 'export default () => null;\n');
  fs.writeFileSync(other, 'module.exports = () => null;\n');
  await esbuild.build({
    entryPoints: [path.join(root, 'src/extension/extension.ts')],
    outfile: path.join(extensionDir, 'dist', 'extension.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    logLevel: 'error',
  });
  fs.writeFileSync(
    path.join(extensionDir, 'dist', 'engine.js'),
    `require('fs').appendFileSync(${JSON.stringify(marker)}, process.pid + '\\n');\nrequire(${JSON.stringify(path.join(__dirname, 'fixtures', 'fakeEngine.js'))});\n`,
  );
  // `require('vscode')` in the bundle gets the stub.
  useVscodeStub();
  ui.folder = workspace;
  extension = require(path.join(extensionDir, 'dist', 'extension.js'));
});

after(async () => {
  await extension?.deactivate();
  for (const d of context.subscriptions) d.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('activation registers the commands and the Datasets view, starts no engine, and logs its duration', () => {
  const start = performance.now();
  extension.activate(context);
  const ms = performance.now() - start;
  assert.ok(ms < 100, `activation took ${ms} ms`);
  const line = ui.log.find((l) => l.startsWith('[debug] Deep Learning Lab 0.1.0 activated in'));
  assert.ok(line, ui.log.join('\n'));
  assert.equal(engineStarts(), 0);
  assert.equal(ui.statusBar.visible, false);
  assert.deepEqual(ui.commandsRun.map((c) => c.command), ['setContext']);
  // Every command of the table (checked against package.json by commands.test.ts) is registered, and no other.
  assert.deepEqual(vscode.registeredCommands().sort(), Object.values(COMMANDS).map((c) => c.id).sort());
  assert.deepEqual(ui.treeViews, ['dlLab.datasets', 'dlLab.runs', 'dlLab.models'], 'the Datasets, Runs and Models views are registered');
  assert.deepEqual(ui.log.filter((l) => l.startsWith('[error]')), []);
});

test('Restricted Mode: Train and Restart Engine are refused with the reason, and no engine starts', async () => {
  ui.reset();
  ui.trusted = false;
  ui.activeFile = lenet;
  ui.messageAnswer = (s) => (s.items.includes('Manage Workspace Trust') ? 'Manage Workspace Trust' : undefined);
  assert.equal(await train(), undefined);
  await vscode.commands.executeCommand('dlLab.restartEngine');
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(
    ui.shown.map((s) => [s.kind, s.message, s.items]),
    [
      ['warning', 'Training is unavailable in Restricted Mode: model files are code, and training runs them. Trust this workspace to train.', ['Manage Workspace Trust']],
      ['warning', 'Training is unavailable in Restricted Mode: model files are code, and training runs them. Trust this workspace to train.', ['Manage Workspace Trust']],
    ],
  );
  assert.ok(ui.commandsRun.some((c) => c.command === 'workbench.trust.manage'));
  assert.equal(ui.progress.length, 0);
  assert.equal(engineStarts(), 0);
  ui.trusted = true;
  ui.trustGranted.fire();
  assert.ok(ui.log.includes('[info] Workspace trusted: training is available'));
});

test('Train on the active model file with synthetic:shapes runs to completion', async () => {
  ui.reset();
  ui.activeFile = lenet;
  let picks: string[] = [];
  ui.pickAnswers.push((items) => ((picks = items.map((i) => i.label)), items[0]));
  ui.messageAnswer = (s) => (s.message.includes('completed') ? 'Reveal Run Folder' : undefined);
  const statusTexts = new Set<string>();
  const sampler = setInterval(() => statusTexts.add(ui.statusBar.text), 5);
  const outcome = await train();
  clearInterval(sampler);

  assert.deepEqual(picks, ['synthetic:shapes', '$(folder-opened) Choose a File or Folder…']);
  assert.equal(outcome?.status, 'completed');
  assert.equal(path.dirname(outcome!.runDir!), path.join(workspace, 'runs'));
  assert.equal(engineStarts(), 1);

  const [progress] = ui.progress;
  assert.equal(progress.title, 'Training lenet.model.ts');
  assert.equal(progress.cancellable, true);
  assert.equal(progress.reports[0].message, 'Starting the training engine…');
  assert.ok(progress.reports.some((r) => /^Epoch [123]\/3 · batch [1-4]\/4 · loss \d\.\d{3} · 1,234 samples\/s/.test(r.message ?? '')), JSON.stringify(progress.reports));
  const total = progress.reports.reduce((sum, r) => sum + (r.increment ?? 0), 0);
  assert.ok(total > 80 && total <= 100, `progress reached ${total}%`);

  assert.ok([...statusTexts].some((t) => /^\$\(pulse\) cpu · epoch [123]\/3 · loss \d\.\d{3}$/.test(t)), [...statusTexts].join('\n'));
  assert.equal(ui.statusBar.text, '$(check) cpu · completed · val_acc 0.930');

  await until(() => ui.commandsRun.find((c) => c.command === 'revealInExplorer'));
  const done = ui.shown.find((s) => s.kind === 'info')!;
  assert.match(done.message, new RegExp(`^Run ${outcome!.runId} completed: val_acc 0.930 · val_loss 0.200 · acc 0.800 · loss 0.167 \\(3 epochs, \\d+s\\)$`));
  assert.deepEqual(done.items, ['Reveal Run Folder', 'Show Log']);
  const reveal = ui.commandsRun.find((c) => c.command === 'revealInExplorer')!;
  assert.equal((reveal.args[0] as vscode.Uri).fsPath, outcome!.runDir);
  assert.ok(ui.log.some((l) => l === '[info] [engine] training lenet.model.ts on synthetic:shapes'), ui.log.join('\n'));
  assert.deepEqual(
    ui.commandsRun.filter((c) => c.command === 'setContext').map((c) => c.args),
    [['dlLab.training', true], ['dlLab.training', false]],
  );
});

test('Cancel in the progress notification stops the run; a second Train meanwhile is refused', async () => {
  ui.reset();
  ui.settings['dlLab.defaultDataset'] = 'slow';
  const running = train();
  const progress = await until(() => ui.progress[0]?.reports.some((r) => r.message?.startsWith('Epoch')) && ui.progress[0]);

  assert.equal(await train(), undefined);
  const busy = ui.shown.find((s) => s.message.includes('is still training'))!;
  assert.match(busy.message, /^Run run-\d+-\d+ is still training \(epoch 1\/3\)\. Train one model at a time/);
  assert.deepEqual(busy.items, ['Stop Run', 'Reveal Run Folder', 'Show Log']);

  progress.cancel();
  assert.equal(ui.statusBar.text, '$(debug-stop) cpu · epoch 1/3 · stopping');
  const outcome = await running;
  assert.equal(outcome?.status, 'stopped');
  assert.equal(JSON.parse(fs.readFileSync(path.join(outcome!.runDir!, 'run.json'), 'utf8')).status, 'stopped');
  assert.ok(ui.shown.some((s) => s.kind === 'info' && /^Run .* stopped during its first epoch/.test(s.message)));
  delete ui.settings['dlLab.defaultDataset'];
});

test('an engine crash: the run is marked interrupted, the user is told, the next Train restarts the engine', async () => {
  ui.reset();
  ui.activeFile = undefined;
  ui.modelFiles = [lenet, other];
  ui.settings['dlLab.defaultDataset'] = 'crash';
  let modelPick: string[] = [];
  ui.pickAnswers.push((items) => ((modelPick = items.map((i) => i.label)), items[1]));
  const outcome = await train();
  assert.deepEqual(modelPick, ['lenet.model.ts', 'other.model.js']);
  assert.equal(outcome?.status, 'interrupted');
  assert.equal(path.basename(outcome!.runDir!).length > 0, true);
  const warning = await until(() => ui.shown.find((s) => s.kind === 'warning'));
  assert.equal(
    warning.message,
    `The training engine stopped unexpectedly (exit code 3). Run ${outcome!.runId} was marked interrupted. It restarts on the next request.`,
  );
  assert.deepEqual(warning.items, ['Show Log']);
  assert.equal(ui.shown.length, 1, 'one message, not two');
  assert.equal(JSON.parse(fs.readFileSync(path.join(outcome!.runDir!, 'run.json'), 'utf8')).status, 'interrupted');
  assert.equal(ui.statusBar.text, '$(debug-disconnect) cpu · interrupted');

  ui.reset();
  delete ui.settings['dlLab.defaultDataset'];
  const starts = engineStarts();
  ui.pickAnswers.push((items) => items.find((i) => i.label === 'other.model.js'), (items) => items[0]);
  const again = await train();
  assert.equal(again?.status, 'completed', 'the last model file comes first in the pick');
  assert.equal(engineStarts(), starts + 1);
});

test('Restart Engine starts a fresh engine and says what it is', async () => {
  ui.reset();
  const starts = engineStarts();
  await vscode.commands.executeCommand('dlLab.restartEngine');
  assert.equal(engineStarts(), starts + 1);
  assert.match(ui.shown[0].message, /^Training engine restarted: engine 0\.0\.0-fake \(pid \d+, Node v\d+.*\); backends: cpu$/);
});

test('a model that fails to load: an error with the engine message', async () => {
  ui.reset();
  ui.activeFile = lenet;
  ui.settings['dlLab.defaultDataset'] = 'reject';
  const outcome = await train();
  assert.equal(outcome?.status, 'failed');
  const error = await until(() => ui.shown.find((s) => s.kind === 'error'));
  assert.equal(error.message, `Training could not start: ${lenet}: cannot load the model`);
  assert.deepEqual(error.items, ['Show Log']);
  delete ui.settings['dlLab.defaultDataset'];
});

test('Stop Training with nothing running says so', async () => {
  ui.reset();
  await vscode.commands.executeCommand('dlLab.stopTraining');
  assert.deepEqual(ui.shown.map((s) => s.message), ['No run is training.']);
});
