/**
 * Compare Sweep against the VS Code stub and the real dashboards: from a run of a sweep it opens Compare on
 * exactly that sweep's runs, whose dashboard runs carry their settings (the sweep chart's axes); from the
 * palette, or a run no sweep started, it offers the sweeps newest first with their settings and best run;
 * a sweep of one run, or none at all, is said instead of comparing nothing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readRunRecord, writeRunRecord } from '../../src/runs/runFolder';
import { writeRun } from './fixtures/runFolders';
import { fakeEngineHost } from './fakeEngineHost';
import * as stub from './vscodeStub';
import { useVscodeStub } from './useVscodeStub';

const { ui } = stub;
const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lab-sweeps-'));
const runsDir = path.join(ws, 'runs');
const log = { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => ui.log.push(`[error] ${m}`), show() {}, dispose() {} };
const disposables: { dispose(): unknown }[] = [];

/** A completed run; with `sweep`, one that dl-lab sweep started with these settings. */
function sweepRun(id: string, minute: number, valAcc: number[], sweep?: { id: string; params: Record<string, number | string> }): string {
  const runDir = writeRun(runsDir, id, { model: path.join(ws, 'lenet.model.ts'), status: 'completed', valAcc, start: new Date(Date.UTC(2026, 11, 8, 3, minute)).toISOString() });
  if (sweep) writeRunRecord(runDir, { ...readRunRecord(runDir), sweep });
  return runDir;
}

const compares = () => ui.commandsRun.filter((c) => c.command === 'dlLab.compareRuns').map((c) => c.args[0]);

before(() => {
  useVscodeStub();
  ui.folder = ws;
  const { registerDashboards } = require('../../src/extension/dashboard/dashboards');
  const { registerSweeps } = require('../../src/extension/sweeps/sweepCommands');
  const { host } = fakeEngineHost(undefined, undefined);
  disposables.push(registerDashboards({ extensionUri: stub.Uri.file('/ext'), log, engine: host, currentRun: { session: undefined } }), registerSweeps({ log }));
});

after(() => {
  for (const d of disposables) d.dispose();
  fs.rmSync(ws, { recursive: true, force: true });
});

describe('Compare Sweep', () => {
  let a: string[] = [];
  let plain = '';
  before(() => {
    a = [1, 2, 3].map((i) => sweepRun(`a${i}`, i, [0.5, 0.6 + i / 10], { id: 'sweep-a', params: { learningRate: i / 1000, optimizer: 'adam' } }));
    sweepRun('b1', 10, [0.4], { id: 'sweep-b', params: { batchSize: 32 } });
    sweepRun('b2', 11, [0.45], { id: 'sweep-b', params: { batchSize: 64 } });
    sweepRun('c1', 20, [0.7], { id: 'sweep-c', params: { batchSize: 32 } });
    plain = sweepRun('plain', 30, [0.99]);
  });

  it("from a run of a sweep, compares that sweep's runs, which the dashboard gets with their settings", async () => {
    ui.reset();
    await stub.commands.executeCommand('dlLab.compareSweep', { runDir: a[1] });
    assert.deepEqual(compares(), [a], 'the three runs of sweep-a, in the order they started');
    const panel = stub.webviewPanels.at(-1)!;
    panel.receive({ type: 'ready' });
    const runs = panel.webview.posted.map((m) => JSON.parse(m)).find((m) => m.type === 'runs')?.runs;
    assert.deepEqual(
      runs.map((r: { runId: string; sweep: unknown }) => [r.runId, r.sweep]),
      [1, 2, 3].map((i) => [`a${i}`, { id: 'sweep-a', params: { learningRate: i / 1000, optimizer: 'adam' } }]),
    );
  });

  it('from the palette, offers the sweeps newest first with their settings and best run', async () => {
    ui.reset();
    let offered: { label: string; description?: string; detail?: string }[] = [];
    ui.pickAnswers.push((items) => {
      offered = items;
      return items.find((i) => i.label === 'sweep-b');
    });
    await stub.commands.executeCommand('dlLab.compareSweep');
    assert.deepEqual(offered.map((i) => [i.label, i.description]), [
      ['sweep-c', '1 run · lenet.model.ts · batchSize'],
      ['sweep-b', '2 runs · lenet.model.ts · batchSize'],
      ['sweep-a', '3 runs · lenet.model.ts · learningRate, optimizer'],
    ]);
    assert.equal(offered[2].detail, 'best val_acc 0.9000: learningRate=0.003 optimizer=adam (a3)');
    assert.deepEqual(compares(), [[path.join(runsDir, 'b1'), path.join(runsDir, 'b2')]]);
  });

  it('from a run no sweep started, offers the sweeps; Escape compares nothing', async () => {
    ui.reset();
    ui.pickAnswers.push(() => undefined);
    await stub.commands.executeCommand('dlLab.compareSweep', { runDir: plain });
    assert.equal(ui.pickAnswers.length, 0, 'the pick was shown');
    assert.deepEqual(compares(), []);
  });

  it('says so for a sweep of one run, and when there are no sweeps', async () => {
    ui.reset();
    await stub.commands.executeCommand('dlLab.compareSweep', { runDir: path.join(runsDir, 'c1') });
    assert.deepEqual(compares(), []);
    assert.match(ui.shown.at(-1)!.message, /^Sweep sweep-c has only one run in .*runs: there is nothing to compare\.$/);

    ui.reset();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lab-no-sweeps-'));
    ui.folder = empty;
    try {
      await stub.commands.executeCommand('dlLab.compareSweep');
      assert.match(ui.shown.at(-1)!.message, /^No sweeps in the runs folder yet: start one with dl-lab sweep/);
      assert.deepEqual(compares(), []);
    } finally {
      ui.folder = ws;
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('Runs view rows of a sweep', () => {
  it("say the run's settings, which tell a sweep's runs apart, and its sweep in the tooltip", () => {
    const { runDescription, runTooltipMarkdown } = require('../../src/extension/runs/runsModel');
    const runDir = sweepRun('row', 40, [0.8], { id: 'sweep-row', params: { learningRate: 0.001, optimizer: 'sgd' } });
    const summary = { runDir, status: 'completed', record: readRunRecord(runDir) };
    assert.equal(runDescription(summary, { name: 'val_acc', value: 0.8, epoch: 1 }), 'epoch 1/5 · best val_acc 0.800 · learningRate=0.001 optimizer=sgd');
    assert.match(runTooltipMarkdown(summary, undefined), /^sweep: sweep-row: learningRate=0\.001 optimizer=sgd {2}$/m);
    const plain = { runDir: path.join(runsDir, 'plain'), status: 'completed', record: readRunRecord(path.join(runsDir, 'plain')) };
    assert.equal(runDescription(plain, undefined), 'epoch 1/5');
    assert.doesNotMatch(runTooltipMarkdown(plain, undefined), /^sweep:/m);
  });
});
