/**
 * The run commands against the VS Code stub and the REAL engine (dist/engine.js; `npm run build` first):
 * Train Model with Options... trains lenet.model.ts with the typed overrides (run.json says so), then the
 * Runs view's commands act on that real run: Copy Config, Export Model (the TensorFlow.js folder without
 * the optimizer's state, an ONNX file, Keras's conversion command), Resume (a completed run trains to a
 * larger total), Delete (confirmed, to the trash), Compare, Stop of another process's run; Select Backend from the engine's list; Open Example.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunOutcome } from '../../src/extension/shared/format';
import type { RunRecord } from '../../src/runs/runFolder';
import * as stub from './vscodeStub';
import { useVscodeStub } from './useVscodeStub';
import { writeRun } from './fixtures/runFolders';

const { ui } = stub;
const root = path.resolve(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lab-run-commands-'));
const ws = path.join(tmp, 'ws');
const lenet = path.join(ws, 'examples', 'lenet.model.ts');
const runsDir = path.join(ws, 'runs');
const log = { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => ui.log.push(`[error] ${m}`), show() {}, dispose() {} };

let views: import('../../src/extension/runs/runCommands').RunsView;
let engine: import('../../src/extension/engine/engineHost').EngineHost;
const disposables: { dispose(): unknown }[] = [];
let keepAlive: ReturnType<typeof setInterval> | undefined;
const run = <T = unknown>(command: string, ...args: unknown[]) => stub.commands.executeCommand(command, ...args) as Promise<T>;
const record = (dir: string): RunRecord => JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));

before(() => {
  useVscodeStub();
  assert.ok(fs.existsSync(path.join(root, 'dist', 'engine.js')), 'dist/engine.js: run npm run build first');
  fs.mkdirSync(path.dirname(lenet), { recursive: true });
  fs.copyFileSync(path.join(root, 'examples', 'lenet.model.ts'), lenet);
  ui.folder = ws;
  ui.trusted = true;
  // wasm: the fastest backend that always loads (the cpu backend's convolutions are slow).
  ui.settings = { 'dlLab.backend': 'wasm' };
  // The engine client unrefs its child process (it must not hold VS Code open): keep the test alive.
  keepAlive = setInterval(() => undefined, 1000);

  const { CurrentRun } = require('../../src/extension/training/currentRun');
  const { TrainingStatusBar } = require('../../src/extension/training/statusBar');
  const { EngineHost } = require('../../src/extension/engine/engineHost');
  const { registerRunsView } = require('../../src/extension/runs/runCommands');
  const { registerModelsView } = require('../../src/extension/models/modelCommands');
  const { registerTrainingCommands } = require('../../src/extension/training/trainingCommands');
  const { registerEngineCommands } = require('../../src/extension/engine/engineCommands');
  const currentRun = new CurrentRun();
  const statusBar = new TrainingStatusBar();
  // The repository as the installed extension: dist/engine.js and examples/.
  engine = new EngineHost(stub.Uri.file(root), log, currentRun);
  const deps = { log, engine, currentRun, statusBar, extensionUri: stub.Uri.file(root) };
  views = registerRunsView(deps);
  disposables.push(currentRun, statusBar, views, registerModelsView(deps), registerTrainingCommands(deps, views.runs), registerEngineCommands(deps));
});

after(async () => {
  clearInterval(keepAlive);
  await engine?.dispose();
  for (const d of disposables) d.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('run commands, on a real run', () => {
  let runDir = '';

  it('the views are registered', () => {
    assert.ok(ui.treeViews.includes('dlLab.runs') && ui.treeViews.includes('dlLab.models'), JSON.stringify(ui.treeViews));
  });

  it('Train Model with Options...: the typed values are validated, and reach train/start as overrides', async () => {
    ui.reset();
    ui.activeFile = lenet;
    const titles: string[] = [];
    const problems: unknown[] = [];
    const answer = (value: string, bad: string[] = []) => (o: { title?: string; validateInput?: (t: string) => unknown }) => {
      titles.push(o.title ?? '');
      for (const b of bad) problems.push(o.validateInput?.(b));
      assert.equal(o.validateInput?.(value), undefined, `"${value}" is accepted`);
      return value;
    };
    ui.inputAnswers.push(answer('1', ['0', '2.5', 'ten']), answer('256', ['-3']), answer('0.01', ['0', 'fast']));
    const picks: string[][] = [];
    ui.pickAnswers.push(
      (items) => items.find((i) => i.label === 'synthetic:shapes'),
      (items) => (picks.push(items.map((i) => i.label)), items.find((i) => i.label === 'sgd')),
      (items) => (picks.push(items.map((i) => i.label)), items.find((i) => i.label === 'wasm')),
    );
    const outcome = await run<RunOutcome>('dlLab.trainWithOptions');
    assert.equal(outcome?.status, 'completed', JSON.stringify(outcome) + ui.log.join('\n'));
    assert.deepEqual(titles, ['Train lenet.model.ts with Options (1/5)', 'Train lenet.model.ts with Options (2/5)', 'Train lenet.model.ts with Options (3/5)']);
    assert.deepEqual(problems, [
      'Epochs must be a whole number from 1 to 100,000, got "0"',
      'Epochs must be a whole number from 1 to 100,000, got "2.5"',
      'Epochs must be a whole number from 1 to 100,000, got "ten"',
      'Batch size must be a whole number from 1 to 65,536, got "-3"',
      'Learning rate must be a number above 0 and below 10 (e.g. 0.001 or 1e-3), got "0"',
      'Learning rate must be a number above 0 and below 10 (e.g. 0.001 or 1e-3), got "fast"',
    ]);
    assert.deepEqual(picks, [["the model file's", 'adam', 'sgd', 'rmsprop'], ['setting', 'auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']]);
    runDir = outcome!.runDir!;
    assert.equal(path.dirname(runDir), runsDir);
    const r = record(runDir);
    assert.equal(r.status, 'completed');
    assert.deepEqual([r.config.epochs, r.config.batchSize, r.config.learningRate, r.config.optimizer], [1, 256, 0.01, 'sgd']);
    assert.equal(r.config.seed, 42, "what was not typed is the model file's");
    assert.equal(r.backend?.requested, 'wasm');
    assert.equal(r.epochsCompleted, 1);

    // The Runs view lists it, completed.
    views.runs.refresh();
    const node = views.runs.run(runDir)!;
    const item = views.runs.getTreeItem(node);
    assert.equal((item.iconPath as stub.ThemeIcon).id, 'pass');
    assert.match(String(item.description), /^epoch 1\/1 · best val_acc \d\.\d{3}$/);
  });

  it('Escape in any step trains nothing', async () => {
    ui.reset();
    ui.activeFile = lenet;
    ui.inputAnswers.push(() => '3', () => undefined);
    const before = fs.readdirSync(runsDir).length;
    assert.equal(await run('dlLab.trainWithOptions'), undefined);
    assert.equal(fs.readdirSync(runsDir).length, before);
    assert.equal(ui.progress.length, 0);
  });

  it("Copy Config puts run.json's config on the clipboard", async () => {
    ui.clipboard = '';
    await run('dlLab.copyRunConfig', views.runs.run(runDir));
    assert.deepEqual(JSON.parse(ui.clipboard), record(runDir).config);
  });

  it("Export Model writes the TensorFlow.js folder (model.json and its weights, not the optimizer's state) where the save dialog says", async () => {
    ui.reset();
    const dest = path.join(tmp, 'exported');
    fs.mkdirSync(dest);
    ui.pickAnswers.push((items) => items.find((i) => i.label === 'TensorFlow.js'));
    ui.saveDialogAnswer = () => stub.Uri.file(dest);
    // The best checkpoint holds the trainer's state too (the last one, the optimizer's as well).
    const source = fs.readdirSync(path.join(runDir, 'checkpoints', 'best')).sort();
    assert.ok(source.includes('state.json'), `the checkpoint holds more than the model: ${source}`);
    assert.ok(fs.readdirSync(path.join(runDir, 'checkpoints', 'last')).some((f) => f.startsWith('optimizer')));
    assert.equal(await run('dlLab.exportModel', views.runs.run(runDir)), dest);
    const model = JSON.parse(fs.readFileSync(path.join(dest, 'model.json'), 'utf8'));
    const weights = model.weightsManifest.flatMap((g: { paths: string[] }) => g.paths);
    assert.deepEqual(fs.readdirSync(dest).sort(), ['model.json', 'normalization.json', ...weights].sort());
    assert.equal(model.modelTopology.config.name, 'lenet5');
    const message = ui.shown.find((s) => s.message.startsWith('Exported'))!;
    assert.equal(message.message, `Exported ${path.basename(runDir)} (best checkpoint, epoch 1) to ${dest}: model.json, ${weights.join(', ')}, normalization.json. Load it with tf.loadLayersModel.`);

    // Again into the same folder: asks before replacing, and does nothing when not confirmed.
    ui.reset();
    ui.pickAnswers.push((items) => items.find((i) => i.label === 'TensorFlow.js'));
    assert.equal(await run('dlLab.exportModel', views.runs.run(runDir)), undefined);
    assert.deepEqual(ui.shown.map((s) => [s.message, s.modal]), [[`${dest} already holds a model.json. Replace it?`, true]]);
    ui.saveDialogAnswer = () => undefined;
  });

  it('Export Model writes an ONNX file through the engine, and Keras says how to convert (copying the command)', async () => {
    ui.reset();
    const file = path.join(tmp, 'exported-model');
    ui.pickAnswers.push((items) => {
      assert.deepEqual(items.map((i) => i.label), ['ONNX', 'TensorFlow.js', 'Keras']);
      return items[0];
    });
    ui.saveDialogAnswer = () => stub.Uri.file(file);
    assert.equal(await run('dlLab.exportModel', views.runs.run(runDir)), `${file}.onnx`);
    assert.ok(fs.statSync(`${file}.onnx`).size > 100_000, 'the weights are in the file');
    assert.match(ui.shown.find((s) => s.message.startsWith('Exported'))!.message, /^Exported \S+ \(best checkpoint, epoch 1\) to .*exported-model\.onnx: ONNX opset 17, \d+ nodes\. Input input \[batch, 28, 28, 1\] NHWC float32, normalised as in training/);
    assert.equal(ui.progress.length, 1);

    ui.reset();
    ui.clipboard = '';
    ui.pickAnswers.push((items) => items.find((i) => i.label === 'Keras'));
    ui.messageAnswer = (shown) => (shown.items.includes('Copy Command') ? 'Copy Command' : undefined);
    assert.equal(await run('dlLab.exportModel', views.runs.run(runDir)), undefined);
    assert.match(ui.shown[0].message, /^No maintained writer of Keras files exists for Node\.js\. .*tensorflowjs_converter --input_format=tfjs_layers_model --output_format=keras model-tfjs\/model\.json model\.h5$/);
    assert.equal(ui.clipboard, 'tensorflowjs_converter --input_format=tfjs_layers_model --output_format=keras model-tfjs/model.json model.h5');
    assert.equal(ui.progress.length, 0, 'nothing exported');
    ui.saveDialogAnswer = () => undefined;
  });

  it('Resume Run: a completed run trains on to the larger total typed', async () => {
    ui.reset();
    const prompts: string[] = [];
    ui.inputAnswers.push((o) => {
      prompts.push(o.prompt ?? '');
      assert.equal(o.validateInput?.('1'), 'The run has trained 1 epochs: type a larger total');
      return '2';
    });
    const outcome = await run<RunOutcome>('dlLab.resumeRun', views.runs.run(runDir));
    assert.deepEqual(prompts, ['The run completed 1 epochs. Train to how many epochs in total?']);
    assert.equal(outcome?.status, 'completed', JSON.stringify(outcome));
    assert.equal(outcome?.runDir, runDir, 'the same run folder');
    const r = record(runDir);
    assert.deepEqual([r.epochsCompleted, r.config.epochs, r.resumes, r.config.optimizer], [2, 2, 1, 'sgd']);
    assert.equal(ui.progress[0].title, `Resuming ${path.basename(runDir)}`);
  });

  it('Resume Run refuses a run whose run.json names a model file outside the workspace', async () => {
    ui.reset();
    const outside = path.join(tmp, 'elsewhere', 'evil.model.ts');
    fs.mkdirSync(path.dirname(outside), { recursive: true });
    fs.copyFileSync(lenet, outside);
    const dir = writeRun(runsDir, '20260101-000000-evil-stopped', { model: outside, status: 'stopped' });
    try {
      assert.equal(await run('dlLab.resumeRun', views.runs.run(dir)), undefined);
      assert.deepEqual(ui.shown.map((s) => s.message), [
        `Cannot resume 20260101-000000-evil-stopped: its run.json names a model file outside this workspace (${outside}); open the folder that holds it to resume the run.`,
      ]);
      assert.equal(ui.progress.length, 0, 'nothing was trained');
      assert.equal(record(dir).status, 'stopped');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Resume Run from the palette lists the resumable runs, not the running ones', async () => {
    ui.reset();
    writeRun(runsDir, '20260101-000000-lenet-live', { model: lenet, status: 'running' });
    let listed: string[] = [];
    ui.pickAnswers.push((items) => ((listed = items.map((i) => i.label)), undefined));
    assert.equal(await run('dlLab.resumeRun'), undefined);
    assert.deepEqual(listed, [path.basename(runDir)]);
  });

  it('Stop on a run another process trains asks it to stop through its run folder', async () => {
    ui.reset();
    const live = path.join(runsDir, '20260101-000000-lenet-live');
    await run('dlLab.stopRun', views.runs.run(live));
    assert.match(ui.shown[0].message, /^Run 20260101-000000-lenet-live \(engine pid \d+\) stops after the current batch\.$/);
    const request = JSON.parse(fs.readFileSync(path.join(live, 'stop-request'), 'utf8'));
    assert.match(request.by, /^VS Code \(pid \d+ on .+\)$/);
    fs.rmSync(path.join(live, 'stop-request'));
  });

  it('Stop on a run of the dl-lab command line stops it through the run folder: the CLI ends the run as stopped', async () => {
    const cliRuns = path.join(tmp, 'cli-runs');
    const cli = spawn(process.execPath, [path.join(root, 'dist', 'cli.js'), 'train', lenet, '--data', 'synthetic:shapes', '--epochs', '50', '--backend', 'wasm', '--runs-dir', cliRuns], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    cli.stdout.on('data', (d) => (output += d));
    cli.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    try {
      // Training (run.json names the engine's pid) and a few batches in.
      let dir = '';
      for (const deadline = Date.now() + 60_000; ; ) {
        const found = fs.existsSync(cliRuns) ? fs.readdirSync(cliRuns) : [];
        dir = found.length ? path.join(cliRuns, found[0]) : '';
        if (dir && fs.existsSync(path.join(dir, 'metrics.jsonl')) && record(dir).pid) break;
        assert.ok(Date.now() < deadline, 'the CLI run did not start within 60 s');
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(record(dir).status, 'running');
      ui.reset();
      await run('dlLab.stopRun', dir);
      assert.match(ui.shown[0]?.message ?? '', /stops after the current batch/, JSON.stringify(ui.shown));
      assert.equal(await exited, 1, 'the CLI ends, with the status of a run that did not complete');
      assert.equal(record(dir).status, 'stopped');
      assert.match(output, /run stopped/);
      assert.ok(!fs.existsSync(path.join(dir, 'stop-request')), 'the request is cleared, so a resume trains');
    } finally {
      cli.kill('SIGKILL');
    }
  });

  it('Compare hands the selected runs to dlLab.compareRuns; one run is not enough', async () => {
    ui.reset();
    const a = views.runs.run(runDir);
    const b = views.runs.run(path.join(runsDir, '20260101-000000-lenet-live'));
    await run('dlLab.compareSelectedRuns', a, [a, b]);
    const compare = ui.commandsRun.find((c) => c.command === 'dlLab.compareRuns')!;
    assert.deepEqual(compare.args, [[runDir, path.join(runsDir, '20260101-000000-lenet-live')]]);
    ui.reset();
    ui.selections.set('dlLab.runs', [a]);
    await run('dlLab.compareSelectedRuns');
    assert.equal(ui.commandsRun.filter((c) => c.command === 'dlLab.compareRuns').length, 0);
    assert.match(ui.shown[0].message, /^Select two or more runs/);
    ui.selections.delete('dlLab.runs');
  });

  it('Delete asks first (modal); cancelled, nothing is deleted; confirmed, the folder goes to the trash', async () => {
    ui.reset();
    const node = views.runs.run(runDir);
    assert.deepEqual(await run('dlLab.deleteRun', node), []);
    assert.deepEqual(ui.shown.map((s) => [s.kind, s.message, s.modal, s.items]), [['warning', `Delete run ${path.basename(runDir)}?`, true, ['Move to Trash']]]);
    assert.ok(fs.existsSync(runDir), 'cancelled: the folder stays');

    ui.reset();
    ui.messageAnswer = (s) => (s.items.includes('Move to Trash') ? 'Move to Trash' : undefined);
    assert.deepEqual(await run('dlLab.deleteRun', node), [runDir]);
    assert.ok(!fs.existsSync(runDir));
    assert.deepEqual(stub.workspace.fs.trashed, [runDir]);
    assert.equal(views.runs.run(runDir), undefined, 'the view no longer lists it');

    // A running run is not deleted.
    ui.reset();
    const live = path.join(runsDir, '20260101-000000-lenet-live');
    assert.deepEqual(await run('dlLab.deleteRun', views.runs.run(live)), []);
    assert.match(ui.shown[0].message, /is still training: stop it first/);
    assert.ok(fs.existsSync(live));
  });

  it("Select Backend lists the engine's backends with availability and writes dlLab.backend", async () => {
    ui.reset();
    let labels: string[] = [];
    ui.pickAnswers.push((items) => ((labels = items.map((i) => i.label)), items.find((i) => i.label.includes(' cpu'))));
    assert.equal(await run('dlLab.selectBackend'), 'cpu');
    assert.equal(labels[0], '$(sparkle) auto');
    assert.ok(labels.includes('$(check) wasm (current)'), JSON.stringify(labels));
    assert.ok(labels.includes('$(check) cpu'), JSON.stringify(labels));
    assert.deepEqual(ui.updates, [{ key: 'dlLab.backend', value: 'cpu', target: stub.ConfigurationTarget.Workspace }]);

    // An unavailable backend is refused with the engine's reason.
    ui.reset();
    ui.pickAnswers.push((items) => items.find((i) => i.label.includes('tensorflow-gpu')));
    assert.equal(await run('dlLab.selectBackend'), undefined);
    assert.match(ui.shown[0].message, /^tensorflow-gpu is not available here: .+\. dlLab\.backend is unchanged \(cpu\)\.$/);
    assert.deepEqual(ui.updates, []);
    ui.settings['dlLab.backend'] = 'wasm';
  });

  it('Open Example copies the bundled LeNet-5 into the workspace and opens it; again, opens the same file', async () => {
    ui.reset();
    const first = await run<stub.Uri>('dlLab.openExample');
    assert.equal(first.fsPath, path.join(ws, 'lenet.model.ts'));
    assert.equal(fs.readFileSync(first.fsPath, 'utf8'), fs.readFileSync(path.join(root, 'examples', 'lenet.model.ts'), 'utf8'));
    const second = await run<stub.Uri>('dlLab.openExample');
    assert.equal(second.fsPath, first.fsPath);
    assert.deepEqual(ui.opened, [first.fsPath, first.fsPath]);
    // A different file of that name is not overwritten.
    fs.writeFileSync(first.fsPath, '// mine\n');
    const third = await run<stub.Uri>('dlLab.openExample');
    assert.equal(third.fsPath, path.join(ws, 'lenet-2.model.ts'));
    assert.equal(fs.readFileSync(first.fsPath, 'utf8'), '// mine\n');
  });
});
