/**
 * The Runs view against the VS Code stub, on real run folders written to a temp dir the way the trainer
 * writes them (writeRunRecord, metrics.jsonl appended line by line): grouping by model, status icons and
 * descriptions, the config tooltip, a dead engine's run shown interrupted, a run written by "the CLI"
 * appearing after the debounce, live epochs from engine notifications, and the texts' pure logic.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrainFinishedParams, TrainProgressParams, TrainStartedParams } from '../../src/protocol/engineTypes';
import type { RunRecord } from '../../src/runs/runFolder';
import { runLabel } from '../../src/extension/runs/runsModel';
import { writeRun } from './fixtures/runFolders';
import * as stub from './vscodeStub';
import { fakeEngineHost } from './fakeEngineHost';
import { useVscodeStub } from './useVscodeStub';

let view: typeof import('../../src/extension/runs/runsView');
let model: typeof import('../../src/extension/runs/runsModel');

before(() => {
  useVscodeStub();
  view = require('../../src/extension/runs/runsView');
  model = require('../../src/extension/runs/runsModel');
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lab-runs-view-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A pid that names no process: one that has exited. */
const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;

function fakeEvents() {
  const { host, emitter, exit } = fakeEngineHost();
  return {
    started: emitter((p) => p.TrainStartedNotification),
    progress: emitter((p) => p.TrainProgressNotification),
    finished: emitter((p) => p.TrainFinishedNotification),
    exited: exit,
    events: host,
  };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Runs view', () => {
  const lenet = path.join(tmp, 'ws', 'examples', 'lenet.model.ts');
  const relu = path.join(tmp, 'ws', 'examples', 'lenet-relu.model.ts');

  it('groups runs by model file, newest first, with status icons, descriptions and the config tooltip', () => {
    const runsDir = path.join(tmp, 'runs-a');
    writeRun(runsDir, '20260101-100000-lenet-aaaa', { model: lenet, status: 'completed', valAcc: [0.81, 0.93, 0.9, 0.92, 0.91], start: '2026-01-01T10:00:00.000Z' });
    writeRun(runsDir, '20260101-110000-lenet-bbbb', { model: lenet, status: 'stopped', valAcc: [0.5, 0.7], start: '2026-01-01T11:00:00.000Z' });
    writeRun(runsDir, '20260101-120000-lenet-cccc', { model: lenet, status: 'running', valAcc: [0.6], start: '2026-01-01T12:00:00.000Z' });
    writeRun(runsDir, '20260101-090000-lenet-relu-dddd', { model: relu, status: 'failed', error: 'lenet-relu.model.ts:12:5: boom', start: '2026-01-01T09:00:00.000Z' });
    writeRun(runsDir, '20260101-080000-lenet-relu-eeee', { model: relu, status: 'running', pid: deadPid, valAcc: [0.4], start: '2026-01-01T08:00:00.000Z' });
    fs.mkdirSync(path.join(runsDir, 'not-a-run'));

    const { events } = fakeEvents();
    const provider = new view.RunsProvider(events, () => [runsDir]);
    const groups = provider.getChildren();
    assert.deepEqual(groups.map((g) => (g as { label: string }).label), ['lenet-relu.model.ts', 'lenet.model.ts']);
    const groupItems = groups.map((g) => provider.getTreeItem(g));
    assert.deepEqual(groupItems.map((i) => i.description), ['2 runs', '3 runs']);

    const runs = groups.flatMap((g) => provider.getChildren(g));
    const items = runs.map((r) => provider.getTreeItem(r));
    const rows = items.map((i) => [i.label, (i.iconPath as stub.ThemeIcon).id, (i.iconPath as stub.ThemeIcon).color?.id, i.description, i.contextValue]);
    // Labels are the start times in local time (the runs are from another day: date and minutes).
    const at = (iso: string) => runLabel({ id: '', startTime: iso });
    assert.deepEqual(rows, [
      [at('2026-01-01T09:00:00.000Z'), 'error', 'testing.iconFailed', 'epoch 0/5', 'dlLab.run.failed'],
      [at('2026-01-01T08:00:00.000Z'), 'warning', 'list.warningForeground', 'epoch 1/5 · best val_acc 0.400', 'dlLab.run.interrupted'],
      [at('2026-01-01T12:00:00.000Z'), 'sync~spin', 'charts.blue', 'epoch 2/5 · best val_acc 0.600', 'dlLab.run.running'],
      [at('2026-01-01T11:00:00.000Z'), 'debug-stop', 'charts.yellow', 'epoch 2/5 · best val_acc 0.700', 'dlLab.run.stopped'],
      [at('2026-01-01T10:00:00.000Z'), 'pass', 'testing.iconPassed', 'epoch 5/5 · best val_acc 0.930', 'dlLab.run.completed'],
    ]);
    assert.match(String(items[4].label), /^Jan 1 \d\d:\d\d$|^Dec 31 2025 \d\d:\d\d$|^Jan 1 2026 \d\d:\d\d$/);
    assert.match(items[4].accessibilityInformation!.label, /^run 20260101-100000-lenet-aaaa, completed, /);
    assert.equal(provider.getParent(runs[0]), groups[0]);

    const tooltip = (items[4].tooltip as stub.MarkdownString).value;
    assert.match(tooltip, /^\*\*20260101-100000-lenet-aaaa\*\* · completed\n/);
    assert.match(tooltip, /\| batchSize \| `64` \|/);
    assert.match(tooltip, /\| optimizer \| `adam` \|/);
    assert.match(tooltip, /best: val\\_acc 0\.930 \(epoch 2\)/);
    assert.match((items[0].tooltip as stub.MarkdownString).value, /error: lenet-relu\.model\.ts:12:5: boom/);
    // A click opens the run's dashboard (the dashboard's command takes the run folder).
    assert.deepEqual(items[4].command, { title: 'Open Dashboard', command: 'dlLab.openDashboard', arguments: [path.join(runsDir, '20260101-100000-lenet-aaaa')] });
    provider.dispose();
  });

  it('a run folder whose run.json is torn is shown, with the reason, after the runs it does not hide', () => {
    const runsDir = path.join(tmp, 'runs-torn');
    writeRun(runsDir, '20260101-100000-lenet-good', { model: lenet, status: 'completed', valAcc: [0.8] });
    fs.mkdirSync(path.join(runsDir, '20260101-110000-lenet-torn'));
    fs.writeFileSync(path.join(runsDir, '20260101-110000-lenet-torn', 'run.json'), '{"id": "20260101-110000-lenet-torn", "sta');
    const { events } = fakeEvents();
    const provider = new view.RunsProvider(events, () => [runsDir]);
    const roots = provider.getChildren();
    assert.deepEqual(roots.map((r) => r.type), ['group', 'unreadable']);
    const item = provider.getTreeItem(roots[1]);
    assert.deepEqual([item.label, item.description, item.contextValue], ['20260101-110000-lenet-torn', 'unreadable run.json', 'dlLab.unreadableRun']);
    assert.match(String(item.tooltip), /20260101-110000-lenet-torn\/run\.json: not valid JSON/);
    assert.deepEqual(provider.getChildren(roots[1]), []);
    provider.dispose();
  });

  it('a run the CLI writes appears after the debounce; one burst of changes makes one refresh', async () => {
    const runsDir = path.join(tmp, 'ws', 'runs');
    fs.mkdirSync(runsDir, { recursive: true });
    stub.ui.folder = path.join(tmp, 'ws');
    stub.ui.watchers.length = 0;
    const { events } = fakeEvents();
    const provider = new view.RunsProvider(events, () => [runsDir], 300);
    let refreshes = 0;
    provider.onDidChangeTreeData(() => refreshes++);
    assert.deepEqual(provider.getChildren(), []);
    const watchers = stub.ui.watchers;
    assert.deepEqual(
      watchers.map((w) => [(w.glob as unknown as stub.RelativePattern).pattern, ((w.glob as unknown as stub.RelativePattern).base as stub.Uri).fsPath]),
      [['runs/*/run.json', stub.ui.folder], ['runs/*', stub.ui.folder]],
      'watched relative to the workspace folder',
    );

    const dir = writeRun(runsDir, '20260102-100000-lenet-ffff', { model: lenet, status: 'running', valAcc: [] });
    const uri = stub.Uri.file(path.join(dir, 'run.json'));
    watchers[1].create.fire(stub.Uri.file(dir));
    watchers[0].create.fire(uri);
    await wait(100);
    watchers[0].change.fire(uri);
    assert.equal(refreshes, 0, 'nothing before the debounce');
    await wait(150);
    assert.equal(refreshes, 0, 'each change restarts the debounce');
    await wait(250);
    assert.equal(refreshes, 1);
    const [group] = provider.getChildren();
    const [run] = provider.getChildren(group);
    assert.equal(provider.getTreeItem(run).description, 'epoch 1/5');

    // The CLI's next epoch: run.json and metrics.jsonl grow; read again after the debounce.
    writeRun(runsDir, '20260102-100000-lenet-ffff', { model: lenet, status: 'completed', epochs: 2, valAcc: [0.5, 0.75] });
    watchers[0].change.fire(uri);
    await wait(400);
    assert.equal(refreshes, 2);
    const [again] = provider.getChildren(provider.getChildren()[0]);
    assert.equal(provider.getTreeItem(again).description, 'epoch 2/2 · best val_acc 0.750');
    assert.equal((provider.getTreeItem(again).iconPath as stub.ThemeIcon).id, 'pass');

    // The folder deleted (to the trash, from elsewhere): the row goes.
    fs.rmSync(dir, { recursive: true });
    watchers[1].del.fire(stub.Uri.file(dir));
    await wait(400);
    assert.deepEqual(provider.getChildren(), []);
    provider.dispose();
  });

  it("engine notifications: this window's run shows its live epoch, and refreshes when it ends", async () => {
    const runsDir = path.join(tmp, 'runs-live');
    const dir = writeRun(runsDir, '20260103-100000-lenet-gggg', { model: lenet, status: 'running', epochs: 4, valAcc: [0.5] });
    const ev = fakeEvents();
    const provider = new view.RunsProvider(ev.events, () => [runsDir], 50);
    let refreshes = 0;
    provider.onDidChangeTreeData(() => refreshes++);
    const row = () => provider.getTreeItem(provider.getChildren(provider.getChildren()[0])[0]);
    assert.equal(row().description, 'epoch 2/4 · best val_acc 0.500');
    const progress = (kind: 'batch' | 'epoch', epoch: number): TrainProgressParams => ({
      runId: '20260103-100000-lenet-gggg', kind, epoch, epochs: 4, batch: 2, batchesPerEpoch: 10, step: 12, loss: 0.3, samplesPerSec: 100, time: Date.now(),
    });
    ev.progress.fire(progress('batch', 3));
    await wait(100);
    assert.equal(refreshes, 0, 'batches of a listed run do not refresh the view');
    assert.equal(row().description, 'epoch 3/4 · best val_acc 0.500', 'the live epoch');
    ev.progress.fire(progress('epoch', 3));
    await wait(100);
    assert.equal(refreshes, 1);
    writeRun(runsDir, '20260103-100000-lenet-gggg', { model: lenet, status: 'stopped', epochs: 4, valAcc: [0.5, 0.6, 0.8] });
    ev.finished.fire({ runId: '20260103-100000-lenet-gggg', runDir: dir, status: 'stopped' });
    await wait(100);
    assert.equal(refreshes, 2);
    assert.equal(row().description, 'epoch 3/4 · best val_acc 0.800');
    assert.equal(row().contextValue, 'dlLab.run.stopped');

    // A run in a runs folder the view did not list (a model file outside the workspace) is added.
    const elsewhere = path.join(tmp, 'elsewhere-runs');
    const other = writeRun(elsewhere, '20260103-110000-x-hhhh', { model: path.join(tmp, 'x.model.ts'), status: 'running' });
    ev.started.fire({ runId: '20260103-110000-x-hhhh', runDir: other } as TrainStartedParams);
    await wait(100);
    assert.deepEqual(provider.getChildren().map((g) => (g as { label: string }).label), ['lenet.model.ts', 'x.model.ts']);
    provider.dispose();
  });
});

describe('Runs view texts', () => {
  it('the best metric is read incrementally, and a torn last line waits for the next read', () => {
    const dir = path.join(tmp, 'metrics');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'metrics.jsonl');
    fs.writeFileSync(file, JSON.stringify({ kind: 'epoch', epoch: 1, val_acc: 0.5, loss: 1 }) + '\n{"kind":"epoch","epoch":2,"val_a');
    const cache = new model.RunMetricsCache();
    assert.deepEqual(cache.best(dir), { name: 'val_acc', value: 0.5, epoch: 1 });
    fs.appendFileSync(file, 'cc":0.9,"loss":0.4}\n' + JSON.stringify({ kind: 'batch', epoch: 3, step: 9, loss: 0.1 }) + '\n');
    assert.deepEqual(cache.best(dir), { name: 'val_acc', value: 0.9, epoch: 2 });
    assert.equal(cache.lastEpoch(dir), 2);
    // No validation split: best accuracy; no accuracy: lowest loss.
    fs.writeFileSync(file, JSON.stringify({ kind: 'epoch', epoch: 1, loss: 0.7 }) + '\n' + JSON.stringify({ kind: 'epoch', epoch: 2, loss: 0.3 }) + '\n');
    const fresh = new model.RunMetricsCache();
    assert.deepEqual(fresh.best(dir), { name: 'loss', value: 0.3, epoch: 2 });
  });

  it('command arguments: a run folder, a row, a multi-selection', () => {
    assert.equal(model.runDirOf('/r/a'), '/r/a');
    assert.equal(model.runDirOf({ runDir: '/r/b' }), '/r/b');
    assert.equal(model.runDirOf(42), undefined);
    assert.deepEqual(model.runDirsOf({ runDir: '/r/a' }, [{ runDir: '/r/a' }, { runDir: '/r/b' }]), ['/r/a', '/r/b']);
    assert.deepEqual(model.runDirsOf({ runDir: '/r/a' }), ['/r/a']);
    assert.deepEqual(model.runDirsOf(undefined, undefined, [{ runDir: '/r/c' }]), ['/r/c']);
    assert.deepEqual(model.runDirsOf(['/r/a', '/r/b']), ['/r/a', '/r/b']);
  });

  it('two model files with the same name are told apart by their folder', () => {
    const run = (modelFile: string, id: string) => ({ runDir: `/r/${id}`, status: 'completed' as const, record: { id, modelFile, startTime: id } as RunRecord });
    const groups = model.groupRunsByModel([run('/a/net.model.ts', '1'), run('/b/net.model.ts', '2'), run('/a/net.model.ts', '3')]);
    assert.deepEqual(groups.map((g) => [g.label, g.runs.map((r) => r.record.id)]), [['net.model.ts (a)', ['3', '1']], ['net.model.ts (b)', ['2']]]);
  });

  it('labels runs by start time: seconds today, the date before, the year when another', () => {
    const now = new Date(2026, 10, 28, 15, 0, 0);
    assert.equal(runLabel({ id: 'x', startTime: new Date(2026, 10, 28, 14, 5, 31).toISOString() }, now), '14:05:31');
    assert.equal(runLabel({ id: 'x', startTime: new Date(2026, 10, 27, 22, 45, 9).toISOString() }, now), 'Nov 27 22:45');
    assert.equal(runLabel({ id: 'x', startTime: new Date(2025, 0, 3, 8, 7, 0).toISOString() }, now), 'Jan 3 2025 08:07');
    assert.equal(runLabel({ id: 'old-run', startTime: 'not a date' }, now), 'old-run');
  });
});
