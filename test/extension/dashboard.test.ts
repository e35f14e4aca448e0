/**
 * The training dashboard against the VS Code stub, with a replayed run: a metrics.jsonl written epoch by
 * epoch while the "engine" notifies progress. Only new points cross to the page (the bytes posted per
 * epoch stay flat as the run grows); a hidden panel posts nothing and catches up in one append when shown;
 * a page that reloads gets the whole history; the serializer restores the runs from the page's state;
 * messages of a bad shape are dropped both ways; Stop reaches the engine; the status bar opens the run's
 * dashboard. Also the pure logic: debiased EMA, time left, CSV, the tail reader.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrainProgressParams } from '../../src/protocol/engineTypes';
import { parseDashboardAction, parseDashboardState, parseDashboardUpdate, type DashboardUpdate } from '../../src/protocol/webview';
import type { RunRecord } from '../../src/runs/runFolder';
import { Ema, formatDuration, smooth, stepsPerEpoch, xOf } from '../../webviews/dashboard/series';
import * as stub from './vscodeStub';
import { fakeEngineHost } from './fakeEngineHost';
import { useVscodeStub } from './useVscodeStub';

type Dashboards = typeof import('../../src/extension/dashboard/dashboards');
type Feed = typeof import('../../src/extension/dashboard/metricsFeed');
type Panel = typeof import('../../src/extension/dashboard/dashboardPanel');
let dashboards: Dashboards;
let feed: Feed;
let panelModule: Panel;

before(() => {
  useVscodeStub();
  dashboards = require('../../src/extension/dashboard/dashboards');
  feed = require('../../src/extension/dashboard/metricsFeed');
  panelModule = require('../../src/extension/dashboard/dashboardPanel');
});

const root = fs.mkdtempSync(path.join(tmpdir(), 'dl-dashboard-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const warnings: string[] = [];
const log = { trace() {}, debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} } as never;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | false, timeout = 5_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function fakeEngine() {
  const stops: string[] = [];
  const { host, emitter } = fakeEngineHost(undefined, { stopTraining: async (runId: string) => (stops.push(runId), { stopping: true }) });
  const emitters = { progress: emitter((p) => p.TrainProgressNotification) };
  return { engine: host, emitters, stops };
}

/** A run folder whose run.json says it is running in this process. */
function makeRun(name: string, epochs = 20): { runDir: string; runId: string } {
  const runDir = path.join(root, name);
  fs.mkdirSync(runDir, { recursive: true });
  const record: RunRecord = {
    id: name, modelFile: '/ws/lenet.model.ts', data: 'synthetic:shapes',
    config: { epochs, batchSize: 64 } as RunRecord['config'],
    backend: { requested: 'auto', name: 'wasm', reason: 'test' }, status: 'running', startTime: new Date(1_700_000_000_000).toISOString(),
    pid: process.pid, hostname: hostname(), epochsCompleted: 0,
  };
  fs.writeFileSync(path.join(runDir, 'run.json'), JSON.stringify(record));
  fs.writeFileSync(path.join(runDir, 'metrics.jsonl'), '');
  return { runDir, runId: name };
}

const BATCHES = 40;
/** One epoch of metrics.jsonl: a batch line per step, then the epoch line (and a callback event on some). */
function epochLines(epoch: number): string {
  const lines: object[] = [];
  for (let b = 1; b <= BATCHES; b++) {
    const step = (epoch - 1) * BATCHES + b;
    lines.push({ kind: 'batch', epoch, step, time: 1_700_000_000_000 + step * 50, loss: 2 / (1 + step / 50), samplesPerSec: 1280 });
  }
  const step = epoch * BATCHES;
  lines.push({ kind: 'epoch', epoch, step, time: 1_700_000_000_000 + step * 50 + 20, loss: 2 / (1 + step / 50), acc: 0.5 + epoch / 50, val_loss: 2.1 / (1 + step / 50), val_acc: 0.48 + epoch / 50, samplesPerSec: 1300 });
  if (epoch % 5 === 0) lines.push({ kind: 'event', event: 'bestCheckpoint', epoch, step, time: 1_700_000_000_000 + step * 50 + 30, message: `val_loss improved at epoch ${epoch}`, metric: 'val_loss', value: 0.3 });
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

function progress(runId: string, epoch: number, epochs = 20): TrainProgressParams {
  const step = epoch * BATCHES;
  return { runId, kind: 'epoch', epoch, epochs, batch: BATCHES, batchesPerEpoch: BATCHES, step, loss: 1, samplesPerSec: 1300, time: Date.now() };
}

const appends = (panel: stub.StubWebviewPanel, from = 0) =>
  panel.webview.posted.slice(from).map((t) => ({ text: t, message: JSON.parse(t) as DashboardUpdate })).filter((m) => m.message.type === 'append');
const pointsIn = (list: { message: DashboardUpdate }[]) =>
  list.flatMap((m) => (m.message.type === 'append' ? m.message.points : []));

describe('dashboard: only new points cross to the page', () => {
  it('posts one append per flush with the points since the last one; bytes per epoch stay flat over 20 epochs', async () => {
    const { engine, emitters } = fakeEngine();
    const d = new dashboards.Dashboards({ extensionUri: stub.Uri.file('/ext') as never, log, engine, currentRun: { session: undefined } as never });
    const { runDir, runId } = makeRun('replay-20');
    d.show([runDir]);
    const panel = stub.webviewPanels[stub.webviewPanels.length - 1];
    assert.equal(panel.viewType, 'dlLab.dashboard');
    assert.deepEqual(panel.showOptions, { viewColumn: stub.ViewColumn.Beside, preserveFocus: true });
    assert.match(panel.webview.html, /default-src 'none'/);
    assert.match(panel.webview.html, /script-src 'nonce-[A-Za-z0-9]{32}'/);
    assert.doesNotMatch(panel.webview.html, /unsafe-inline|unsafe-eval/);
    panel.receive({ type: 'ready' });
    await until('the runs message', () => panel.webview.posted.some((t) => JSON.parse(t).type === 'runs'));

    const bytesPerEpoch: number[] = [];
    for (let epoch = 1; epoch <= 20; epoch++) {
      const before = panel.webview.posted.length;
      fs.appendFileSync(path.join(runDir, 'metrics.jsonl'), epochLines(epoch));
      emitters.progress.fire(progress(runId, epoch));
      await until(`epoch ${epoch}'s points`, () => pointsIn(appends(panel, before)).some((p) => p.kind === 'epoch' && p.epoch === epoch));
      await sleep(panelModule.FLUSH_DELAY_MS + 20); // anything else coming (e.g. from the file watcher)
      bytesPerEpoch.push(appends(panel, before).reduce((n, m) => n + Buffer.byteLength(m.text), 0));
    }
    const all = pointsIn(appends(panel));
    assert.equal(all.length, 20 * (BATCHES + 1), 'every point once, none twice');
    assert.deepEqual(all.map((p) => p.step), [...all.map((p) => p.step)].sort((a, b) => a - b));
    const markers = appends(panel).flatMap((m) => (m.message.type === 'append' ? m.message.markers : []));
    assert.deepEqual(markers.map((m) => m.epoch), [5, 10, 15, 20]);
    // Flat: the 20th epoch costs what the 2nd did (markers make a few hundred bytes of difference).
    const ratio = bytesPerEpoch[19] / bytesPerEpoch[1];
    assert.ok(ratio > 0.9 && ratio < 1.15, `bytes per epoch: ${bytesPerEpoch.join(', ')}`);
    assert.ok(bytesPerEpoch[19] < 2 * 41 * 200, `an epoch of 41 points posts ${bytesPerEpoch[19]} bytes`);

    // The header knows the run: status, epoch, steps per epoch, throughput.
    const header = panel.webview.posted.map((t) => JSON.parse(t)).filter((m) => m.type === 'run').at(-1);
    assert.equal(header.run.status, 'running');
    assert.equal(header.run.epoch, 20);
    assert.equal(header.run.batchesPerEpoch, BATCHES);
    assert.equal(header.run.stoppable, true);
    d.dispose();
    assert.ok(panel.disposed);
  });

  it('a hidden panel posts nothing, and catches up with one append when shown again', async () => {
    const { engine, emitters } = fakeEngine();
    const d = new dashboards.Dashboards({ extensionUri: stub.Uri.file('/ext') as never, log, engine, currentRun: { session: undefined } as never });
    const { runDir, runId } = makeRun('hidden');
    fs.appendFileSync(path.join(runDir, 'metrics.jsonl'), epochLines(1));
    d.show([runDir]);
    const panel = stub.webviewPanels[stub.webviewPanels.length - 1];
    panel.receive({ type: 'ready' });
    await until('the history', () => pointsIn(appends(panel)).length === BATCHES + 1);

    panel.setVisible(false);
    const hiddenAt = panel.webview.posted.length;
    for (let epoch = 2; epoch <= 4; epoch++) {
      fs.appendFileSync(path.join(runDir, 'metrics.jsonl'), epochLines(epoch));
      emitters.progress.fire(progress(runId, epoch));
      await sleep(panelModule.FLUSH_DELAY_MS + 30);
    }
    assert.equal(panel.webview.posted.length, hiddenAt, 'nothing posted while hidden');

    panel.setVisible(true);
    await until('the catch-up', () => appends(panel, hiddenAt).length > 0);
    await sleep(panelModule.FLUSH_DELAY_MS + 30);
    const caughtUp = appends(panel, hiddenAt);
    assert.equal(caughtUp.length, 1, 'one append');
    assert.deepEqual(
      [...new Set(pointsIn(caughtUp).map((p) => p.epoch))],
      [2, 3, 4],
    );
    assert.equal(pointsIn(caughtUp).length, 3 * (BATCHES + 1));

    // A page that reloads has nothing: it gets the whole history again, in one append.
    const reloadAt = panel.webview.posted.length;
    panel.receive({ type: 'ready' });
    await until('the history again', () => appends(panel, reloadAt).length > 0);
    assert.equal(pointsIn(appends(panel, reloadAt)).length, 4 * (BATCHES + 1));
    d.dispose();
  });

  it('restores a panel from the page state after a reload; a state without runs closes it', async () => {
    const { engine } = fakeEngine();
    const d = new dashboards.Dashboards({ extensionUri: stub.Uri.file('/ext') as never, log, engine, currentRun: { session: undefined } as never });
    const a = makeRun('restored-a');
    const b = makeRun('restored-b');
    const panel = new stub.StubWebviewPanel('dlLab.dashboard', 'Dashboard', {}, {});
    d.restore(panel as never, { runDirs: [a.runDir, b.runDir], xAxis: 'epoch', logScale: true });
    assert.equal(panel.title, 'Compare: 2 runs');
    panel.receive({ type: 'ready' });
    const runs = await until('runs', () => panel.webview.posted.map((t) => JSON.parse(t)).find((m) => m.type === 'runs'));
    assert.deepEqual(runs.runs.map((r: { runId: string }) => r.runId), ['restored-a', 'restored-b']);
    assert.equal(d.open.length, 1);

    const bad = new stub.StubWebviewPanel('dlLab.dashboard', 'Dashboard', {}, {});
    d.restore(bad as never, { runDirs: 'not a list' });
    assert.ok(bad.disposed);
    const gone = new stub.StubWebviewPanel('dlLab.dashboard', 'Dashboard', {}, {});
    d.restore(gone as never, { runDirs: [path.join(root, 'no-such-run')] });
    assert.ok(gone.disposed);
    d.dispose();
  });

  it('drops messages of a bad shape from the page, and Stop reaches the engine for that run', async () => {
    const { engine, stops } = fakeEngine();
    const d = new dashboards.Dashboards({ extensionUri: stub.Uri.file('/ext') as never, log, engine, currentRun: { session: undefined } as never });
    const { runDir, runId } = makeRun('stop-me');
    d.show([runDir]);
    const panel = stub.webviewPanels[stub.webviewPanels.length - 1];
    warnings.length = 0;
    for (const bad of [{ type: 'stop' }, { type: 'stop', runId: 7 }, { type: 'exportPng', png: 'not base64!' }, { type: 'nuke' }, 'ready', null, { type: 'ready', extra: 1 }]) {
      panel.receive(bad);
    }
    await sleep(20);
    assert.equal(warnings.length, 7, warnings.join('\n'));
    assert.equal(panel.webview.posted.length, 0, 'no ready was accepted');
    assert.deepEqual(stops, []);
    panel.receive({ type: 'stop', runId });
    await until('the stop', () => stops.length === 1);
    assert.deepEqual(stops, [runId]);
    d.dispose();
  });

  it('Open Dashboard takes a path, a tree item with runDir, or an array; the same runs reveal the same panel', async () => {
    assert.deepEqual(dashboards.runDirsFromArg('/a/b'), [path.resolve('/a/b')]);
    assert.deepEqual(dashboards.runDirsFromArg({ runDir: '/a/c', label: 'x' }), [path.resolve('/a/c')]);
    assert.deepEqual(dashboards.runDirsFromArg([{ runDir: '/a/c' }, '/a/d', '/a/c', 42]), [path.resolve('/a/c'), path.resolve('/a/d')]);
    assert.deepEqual(dashboards.runDirsFromArg(undefined), []);

    const { engine } = fakeEngine();
    const d = new dashboards.Dashboards({ extensionUri: stub.Uri.file('/ext') as never, log, engine, currentRun: { session: undefined } as never });
    const a = makeRun('open-a');
    const count = stub.webviewPanels.length;
    const first = await d.openDashboard({ runDir: a.runDir });
    const again = await d.openDashboard(a.runDir);
    assert.equal(first, again);
    assert.equal(stub.webviewPanels.length, count + 1);
    assert.deepEqual(stub.webviewPanels[count].revealed, [{ viewColumn: undefined, preserveFocus: true }], 'revealed where it is, keeping the focus');
    d.dispose();
  });
});

describe('dashboard messages', () => {
  const run = { runId: 'r', runDir: '/r', model: 'm.model.ts', data: 'synthetic:shapes', status: 'running', startTime: 1, stoppable: true };
  it('updates of a bad shape are dropped by the page', () => {
    assert.ok(parseDashboardUpdate({ type: 'runs', runs: [run] }));
    assert.equal(parseDashboardUpdate({ type: 'runs', runs: [{ ...run, status: 'exploded' }] }), undefined);
    assert.ok(parseDashboardUpdate({ type: 'append', runId: 'r', points: [{ kind: 'batch', epoch: 1, step: 3, time: 5, loss: 0.5 }], markers: [] }));
    assert.equal(parseDashboardUpdate({ type: 'append', runId: 'r', points: [{ kind: 'batch', epoch: 1, step: 3, time: 5, loss: null }], markers: [] }), undefined);
    assert.equal(parseDashboardUpdate({ type: 'append', runId: 'r', points: [], markers: [{ kind: 'party', epoch: 1, step: 1, time: 1, message: '' }] }), undefined);
    assert.equal(parseDashboardUpdate({ type: 'append', runId: 'r', points: 'lots', markers: [] }), undefined);
    assert.equal(parseDashboardUpdate({ type: 'run', run: { ...run, startTime: 'yesterday' } }), undefined);
    assert.equal(parseDashboardUpdate({ type: 'reset' }), undefined);
  });
  it('actions and saved state are validated', () => {
    assert.deepEqual(parseDashboardAction({ type: 'exportPng', png: 'iVBORw0KGgo=' }), { type: 'exportPng', png: 'iVBORw0KGgo=' });
    assert.equal(parseDashboardAction({ type: 'exportPng', png: '<svg>' }), undefined);
    assert.deepEqual(parseDashboardState({ runDirs: ['/a'], xAxis: 'time', smoothing: 0.9, logScale: true }), { runDirs: ['/a'], xAxis: 'time', smoothing: 0.9, logScale: true });
    assert.deepEqual(parseDashboardState({ runDirs: ['/a'], xAxis: 'sideways', smoothing: 3 }), { runDirs: ['/a'] });
    assert.equal(parseDashboardState({ runDirs: [] }), undefined);
    assert.equal(parseDashboardState(undefined), undefined);
  });
});

describe('dashboard logic', () => {
  it('smooths with the debiased EMA of TensorBoard', () => {
    // The first value is itself (debiased), then last = w*last + (1-w)*x over 1 - w^t.
    const w = 0.6;
    const xs = [1, 3, 2, 5];
    let last = 0;
    const expected = xs.map((x, i) => ((last = w * last + (1 - w) * x), last / (1 - w ** (i + 1))));
    const got = smooth(xs, w);
    assert.equal(got[0], 1);
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12));
    assert.deepEqual(smooth(xs, 0), xs);
    // A constant series stays constant (no pull towards 0), and NaN passes through without counting.
    assert.deepEqual(smooth([2, 2, 2], 0.99).map((v) => Number(v.toFixed(12))), [2, 2, 2]);
    const ema = new Ema(0.5);
    assert.equal(ema.push(4), 4);
    assert.ok(Number.isNaN(ema.push(NaN)));
    assert.equal(ema.push(4), 4);
    assert.throws(() => new Ema(1), /\[0, 1\)/);
  });

  it('estimates the time left from the recent pace', () => {
    const samples = [0, 10, 20, 30].map((s) => ({ time: 1000 + s * 100, step: s }));
    // 10 steps per second; 100 steps in all, 30 done.
    assert.equal(feed.estimateTimeLeft(samples, { epochs: 2, batchesPerEpoch: 50 }), 7);
    assert.equal(feed.estimateTimeLeft(samples.slice(0, 1), { epochs: 2, batchesPerEpoch: 50 }), undefined);
    assert.equal(feed.estimateTimeLeft(samples, { epochs: 2, batchesPerEpoch: undefined }), undefined);
    // Only the last minute counts: a slow start does not weigh on it.
    const slowStart = [{ time: 0, step: 0 }, { time: 100_000, step: 10 }, { time: 101_000, step: 20 }];
    assert.equal(feed.estimateTimeLeft(slowStart, { epochs: 1, batchesPerEpoch: 30 }), 1);
    assert.equal(formatDuration(75), '1m 15s');
    assert.equal(formatDuration(4000), '1h 06m');
  });

  it('places points on the step, epoch and time axes', () => {
    const run = { startTime: 10_000, stepsPerEpoch: 40 };
    const p = { kind: 'batch', epoch: 2, step: 60, time: 13_000 };
    assert.equal(xOf(p, 'step', run), 60);
    assert.equal(xOf(p, 'epoch', run), 1.5);
    assert.equal(xOf(p, 'time', run), 3);
    assert.equal(xOf(p, 'epoch', { ...run, stepsPerEpoch: undefined }), undefined);
    assert.equal(stepsPerEpoch([{ kind: 'batch', epoch: 1, step: 5, time: 0, loss: 1 }, { kind: 'epoch', epoch: 1, step: 40, time: 0, loss: 1 }]), 40);
  });

  it('writes the metrics and events as CSV', () => {
    const csv = feed.metricsCsv([
      {
        runId: 'r1',
        records: [
          { kind: 'batch', epoch: 1, step: 1, time: 0, loss: 2.5, samplesPerSec: 100 },
          { kind: 'epoch', epoch: 1, step: 2, time: 1000, loss: 2, acc: 0.5, val_loss: 2.1, val_acc: 0.4 },
          { kind: 'event', event: 'lrReduced', epoch: 1, step: 2, time: 1001, message: 'lr 0.01 → 0.005, "plateau"' },
          { something: 'else' },
        ],
      },
    ]);
    assert.equal(
      csv,
      [
        'run,kind,epoch,step,time,loss,acc,val_loss,val_acc,samplesPerSec,event,message',
        'r1,batch,1,1,1970-01-01T00:00:00.000Z,2.5,,,,100,,',
        'r1,epoch,1,2,1970-01-01T00:00:01.000Z,2,0.5,2.1,0.4,,,',
        'r1,event,1,2,1970-01-01T00:00:01.001Z,,,,,,lrReduced,"lr 0.01 → 0.005, ""plateau"""',
        '',
      ].join('\n'),
    );
  });

  it('tails metrics.jsonl: complete lines only, torn lines skipped, a rewritten file starts over', () => {
    const dir = fs.mkdtempSync(path.join(root, 'tail-'));
    const file = path.join(dir, 'metrics.jsonl');
    const tail = new feed.MetricsTail(dir);
    assert.deepEqual(tail.read(), { points: [], markers: [], reset: false }, 'no file yet');
    fs.writeFileSync(file, '{"kind":"batch","epoch":1,"step":1,"time":1,"loss":1}\n{"kind":"batch","ep');
    assert.deepEqual(tail.read().points.map((p) => p.step), [1]);
    fs.appendFileSync(file, 'och":1,"step":2,"time":2,"loss":0.9}\n{torn\n{"kind":"batch","epoch":1,"step":3,"time":3,"loss":null}\n');
    assert.deepEqual(tail.read().points.map((p) => p.step), [2], 'the completed line; a torn one and a NaN loss skipped');
    assert.deepEqual(tail.read().points, []);
    fs.writeFileSync(file, '{"kind":"epoch","epoch":1,"step":9,"time":9,"loss":0.5}\n');
    const again = tail.read();
    assert.equal(again.reset, true);
    assert.deepEqual(again.points.map((p) => p.step), [9]);
  });
});

describe('status bar', () => {
  it('a click opens the running run\'s dashboard', async () => {
    const { TrainingStatusBar } = require('../../src/extension/training/statusBar') as typeof import('../../src/extension/training/statusBar');
    const { RunSession } = require('../../src/extension/training/runSession') as typeof import('../../src/extension/training/runSession');
    const bar = new TrainingStatusBar();
    const session = new RunSession({ modelFile: '/ws/lenet.model.ts', data: 'synthetic:shapes', backend: 'auto' });
    bar.follow(session);
    assert.equal(stub.ui.statusBar.command, 'dlLab.openDashboard');
    session.attach({ runId: 'r1', runDir: '/ws/runs/r1' });
    session.handleProgress({ runId: 'r1', kind: 'batch', epoch: 1, epochs: 2, batch: 1, batchesPerEpoch: 10, step: 1, loss: 1, samplesPerSec: 10, time: 1 });
    assert.deepEqual(stub.ui.statusBar.command, { command: 'dlLab.openDashboard', title: 'Open Dashboard', arguments: ['/ws/runs/r1'] });
    assert.match(String(stub.ui.statusBar.tooltip), /open the training dashboard/);
    bar.dispose();
  });
});
