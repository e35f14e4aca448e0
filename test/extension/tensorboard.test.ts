/**
 * Deep Learning: Open in TensorBoard, against the VS Code stub with terminals that run their process:
 * without TensorBoard on the PATH it says how to install it (and copies the command); with the real
 * TensorBoard (where Python has it) it starts `tensorboard --logdir <runs folder>` in a terminal, opens the
 * Simple Browser on a URL that serves the runs' scalars, reuses that TensorBoard, and stops it with the
 * extension; a TensorBoard that exits at once is an error naming its exit code.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RunLogs } from '../../src/runs/tensorboard/runLogs';
import { alive } from '../helpers';
import { pythonWith, skipUnlessPython } from '../python';
import { fakeEngineHost } from './fakeEngineHost';
import * as stub from './vscodeStub';
import { useVscodeStub } from './useVscodeStub';

const { ui } = stub;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lab-tensorboard-'));
const ws = path.join(tmp, 'ws');
const runsDir = path.join(ws, 'runs');
const log = { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => ui.log.push(`[error] ${m}`), show() {}, dispose() {} };

/** Terminals as VS Code runs them with a shellPath: the process itself, its exit status once it ends. */
interface StubTerminal {
  options: { name: string; shellPath: string; shellArgs: string[] };
  child: ChildProcess;
  exitStatus: { code: number | undefined } | undefined;
  show(): void;
  dispose(): void;
}
const terminals: StubTerminal[] = [];
const terminalClosed = new stub.EventEmitter<StubTerminal>();
const browsed: string[] = [];

const variant = {
  ...stub,
  Uri: { file: stub.Uri.file, joinPath: stub.Uri.joinPath, parse: (text: string) => ({ toString: () => text }) },
  window: {
    ...stub.window,
    onDidCloseTerminal: terminalClosed.event,
    createTerminal(options: StubTerminal['options']): StubTerminal {
      const child = spawn(options.shellPath, options.shellArgs, { stdio: 'ignore' });
      const terminal: StubTerminal = {
        options,
        child,
        exitStatus: undefined,
        show() {},
        dispose() {
          child.kill();
          terminalClosed.fire(terminal);
        },
      };
      child.on('exit', (code) => (terminal.exitStatus = { code: code ?? undefined }));
      terminals.push(terminal);
      return terminal;
    },
  },
  env: { ...stub.env, asExternalUri: async (uri: unknown) => uri },
};

let views: { dispose(): void } | undefined;
const openInTensorBoard = (...args: unknown[]) => stub.commands.executeCommand('dlLab.openInTensorBoard', ...args);
const originalPath = process.env.PATH;

/** A folder holding only an executable `tensorboard` with this shell script body. */
function binWith(script: string): string {
  const bin = fs.mkdtempSync(path.join(tmp, 'bin-'));
  fs.writeFileSync(path.join(bin, 'tensorboard'), `#!/bin/sh\n${script}\n`);
  fs.chmodSync(path.join(bin, 'tensorboard'), 0o755);
  return bin;
}

before(() => {
  useVscodeStub(variant);
  ui.folder = ws;
  ui.trusted = true;
  ui.settings = {};
  // A run with TensorBoard logs, as the trainer writes them.
  const logs = new RunLogs(path.join(runsDir, '20260101-100000-lenet-aaaa'));
  for (let epoch = 1; epoch <= 2; epoch++) logs.epoch({ kind: 'epoch', epoch, step: epoch * 10, time: Date.now(), loss: 1 / epoch, val_loss: 1.5 / epoch });
  logs.close();
  stub.commands.registerCommand('simpleBrowser.show', (url: unknown) => void browsed.push(String(url)));
  const { registerRunsView } = require('../../src/extension/runs/runCommands');
  views = registerRunsView({ log, engine: fakeEngineHost().host });
});

after(() => {
  views?.dispose();
  process.env.PATH = originalPath;
  for (const t of terminals) t.child.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('Open in TensorBoard', () => {
  it('says how to install TensorBoard when it is not on the PATH, and copies the command on request', async () => {
    ui.reset();
    process.env.PATH = fs.mkdtempSync(path.join(tmp, 'empty-'));
    ui.messageAnswer = (shown) => (shown.kind === 'warning' ? shown.items[0] : undefined);
    await openInTensorBoard();
    assert.equal(terminals.length, 0, 'nothing started');
    const warning = ui.shown.find((s) => s.kind === 'warning');
    assert.ok(warning, JSON.stringify(ui.shown));
    assert.match(warning.message, /TensorBoard is not installed \(no tensorboard on the PATH\)\. Install it with "pip install tensorboard"/);
    assert.deepEqual(warning.items, ['Copy Install Command']);
    assert.equal(ui.clipboard, 'pip install tensorboard');
    assert.deepEqual(browsed, []);
  });

  it('a TensorBoard that exits at once is an error with its exit code; no browser opens', async () => {
    ui.reset();
    process.env.PATH = binWith('exit 3');
    await openInTensorBoard();
    const error = ui.shown.find((s) => s.kind === 'error');
    assert.ok(error, JSON.stringify(ui.shown));
    assert.match(error.message, /^TensorBoard exited \(code 3\) before it served http:\/\/localhost:\d+\/: see its terminal$/);
    assert.deepEqual(browsed, []);
  });

  it('starts tensorboard --logdir <runs> in a terminal, opens the Simple Browser on it, reuses it, and stops it with the extension', { skip: skipUnlessPython(['tensorboard']) }, async () => {
    ui.reset();
    const before = terminals.length;
    process.env.PATH = `${binWith(`exec "${pythonWith(['tensorboard'])}" -m tensorboard.main "$@"`)}${path.delimiter}${originalPath}`;
    await openInTensorBoard();
    assert.deepEqual(ui.shown.filter((s) => s.kind === 'error'), []);
    assert.equal(terminals.length, before + 1);
    const terminal = terminals.at(-1)!;
    assert.equal(terminal.options.name, 'TensorBoard');
    assert.equal(path.basename(terminal.options.shellPath), 'tensorboard');
    const [logdirFlag, logdir, portFlag, port] = terminal.options.shellArgs;
    assert.deepEqual([logdirFlag, logdir, portFlag], ['--logdir', runsDir, '--port']);
    assert.deepEqual(browsed, [`http://localhost:${port}/`]);
    // What the browser shows: the run's train and validation scalars.
    const tags = (await (await fetch(`${browsed[0]}data/plugin/scalars/tags`)).json()) as Record<string, Record<string, unknown>>;
    assert.ok('epoch_loss' in tags['20260101-100000-lenet-aaaa/tensorboard/train'], JSON.stringify(tags));
    assert.ok('epoch_loss' in tags['20260101-100000-lenet-aaaa/tensorboard/validation'], JSON.stringify(tags));

    // Again, from a run's row: the same runs folder, so the same TensorBoard.
    await openInTensorBoard({ runDir: path.join(runsDir, '20260101-100000-lenet-aaaa') });
    assert.equal(terminals.length, before + 1, 'no second TensorBoard');
    assert.deepEqual(browsed, [browsed[0], browsed[0]]);

    views!.dispose();
    views = undefined;
    const pid = terminal.child.pid!;
    for (const start = Date.now(); alive(pid) && Date.now() - start < 10_000; ) await new Promise((r) => setTimeout(r, 100));
    assert.ok(!alive(pid), 'TensorBoard stopped with the extension');
  });
});
