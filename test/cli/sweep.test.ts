/**
 * `dl-lab sweep` through the real CLI and engine: a 2x2 grid trains four runs with the settings asked for,
 * grouped by one sweep id in each run.json, which `dl-lab runs --sweep` lists (and nothing else); --parallel 2
 * trains two at a time and leaves no engine behind; Ctrl-C stops every run cleanly; a failed run does not stop
 * the others; random draws repeat with --seed; bad flags are one line and start nothing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { trainingSettingCheck } from '../../src/cli/sweepCheck';
import { readMetrics, type RunRecord } from '../../src/runs/runFolder';
import { parseSweepSpec, randomRuns } from '../../src/sweeps/spec';
import { alive, jsonLines, LENET, reapedAfterTests, runCli, startTraining, tempDir, TINY, waitFor } from '../helpers';

const DATA = 'synthetic:shapes?count=600';
const engines = reapedAfterTests();

function runRecords(runsDir: string): RunRecord[] {
  if (!fs.existsSync(runsDir)) return [];
  const records = fs.readdirSync(runsDir).map((d) => JSON.parse(fs.readFileSync(path.join(runsDir, d, 'run.json'), 'utf8')) as RunRecord);
  for (const r of records) if (r.pid) engines.push(r.pid);
  return records;
}

/** The most runs that were training at one moment, from run.json's start and end times. */
function mostAtOnce(records: RunRecord[]): number {
  const edges = records.flatMap((r) => [[Date.parse(r.startTime), 1], [Date.parse(r.endTime!), -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, delta] of edges) most = Math.max(most, (now += delta));
  return most;
}

describe('dl-lab sweep', () => {
  it('trains a 2x2 grid as four runs of one sweep, which dl-lab runs --sweep lists exactly', async () => {
    const runsDir = tempDir();
    const result = await runCli(['sweep', LENET, '--grid', 'learningRate=1e-3,3e-3', '--grid', 'batchSize=32,64', '--epochs', '1', '--data', DATA, '--runs-dir', runsDir]);
    assert.equal(result.code, 0, result.stderr);
    const id = /^sweep (sweep-\S+): 4 runs of .*lenet\.model\.ts on synthetic:shapes\?count=600 \(grid of learningRate x batchSize\), one at a time$/m.exec(result.stdout)?.[1];
    assert.ok(id, result.stdout);

    const records = runRecords(runsDir);
    assert.equal(records.length, 4);
    assert.deepEqual(
      records.map((r) => r.sweep).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [
        { id, params: { learningRate: 0.001, batchSize: 32 } },
        { id, params: { learningRate: 0.001, batchSize: 64 } },
        { id, params: { learningRate: 0.003, batchSize: 32 } },
        { id, params: { learningRate: 0.003, batchSize: 64 } },
      ],
    );
    for (const r of records) {
      assert.equal(r.status, 'completed');
      // The engine trained with the swept values, over the model file's own.
      assert.equal(r.config.learningRate, r.sweep!.params.learningRate);
      assert.equal(r.config.batchSize, r.sweep!.params.batchSize);
      assert.equal(r.config.epochs, 1);
    }

    // The summary table: one row per run, with its best val_acc from metrics.jsonl.
    const bestAcc = (r: RunRecord) => Math.max(...readMetrics(path.join(runsDir, r.id)).filter((m) => m.kind === 'epoch').map((m) => m.val_acc!));
    for (const r of records) {
      const row = new RegExp(`^\\d  ${r.sweep!.params.learningRate} +${r.sweep!.params.batchSize} +completed +${bestAcc(r).toFixed(4)} +\\d\\.\\d{4} +${r.id}$`, 'm');
      assert.match(result.stdout, row);
    }
    assert.match(result.stdout, new RegExp(`^sweep ${id} completed: 4 completed; dl-lab runs --sweep ${id}$`, 'm'));

    // Runs of another sweep and plain runs share the folder; only this sweep's are listed.
    for (const [name, sweep] of [['other-sweep', { id: 'sweep-other', params: { learningRate: 0.1 } }], ['plain', undefined]] as const) {
      fs.mkdirSync(path.join(runsDir, name));
      const record = { ...records[0], id: name, sweep };
      fs.writeFileSync(path.join(runsDir, name, 'run.json'), JSON.stringify(record));
    }
    const listed = await runCli(['runs', '--sweep', id, '--runs-dir', runsDir, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const list = JSON.parse(listed.stdout);
    assert.equal(list.sweepId, id);
    assert.deepEqual(list.runs.map((r: { runId: string }) => r.runId).sort(), records.map((r) => r.id).sort());
    for (const r of list.runs) {
      const record = records.find((x) => x.id === r.runId)!;
      assert.deepEqual(r.params, record.sweep!.params);
      assert.equal(r.best.val_acc, bestAcc(record));
    }
    const text = await runCli(['runs', '--sweep', id, '--runs-dir', runsDir]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^run +learningRate +batchSize +status +epochs +best val_acc +best val_loss$/m);
    assert.equal(text.stdout.trim().split('\n').length, 1 + 1 + 4, text.stdout);
    assert.doesNotMatch(text.stdout, /other-sweep|plain/);

    // The plain listing says each run's sweep too (null for a run no sweep started).
    const all = await runCli(['runs', '--runs-dir', runsDir, '--json']);
    const sweepOf = new Map((JSON.parse(all.stdout) as { runId: string; sweep: { id: string } | null }[]).map((r) => [r.runId, r.sweep?.id ?? null]));
    assert.deepEqual([...sweepOf.values()].sort(), [id, id, id, id, 'sweep-other', null].sort());

    const unknown = await runCli(['runs', '--sweep', 'sweep-nope', '--runs-dir', runsDir]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, `dl-lab: no runs of sweep "sweep-nope" in ${runsDir}\n`);
  });

  it('--parallel 2 trains two runs at a time, each in its own engine sharing the cores, and leaves no process behind', async () => {
    const runsDir = tempDir();
    const result = await runCli(['sweep', TINY, '--grid', 'learningRate=1e-3,3e-3', '--grid', 'batchSize=32,64', '--epochs', '2', '--data', DATA, '--runs-dir', runsDir, '--parallel', '2', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const events = jsonLines(result.stdout);
    const end = events.at(-1)!;
    assert.equal(end.event, 'end');
    assert.equal(end.status, 'completed');
    assert.deepEqual(end.runs.map((r: { index: number; status: string }) => [r.index, r.status]), [[1, 'completed'], [2, 'completed'], [3, 'completed'], [4, 'completed']]);
    assert.equal(events.filter((e) => e.event === 'epoch').length, 8);

    const records = runRecords(runsDir);
    assert.equal(records.length, 4);
    assert.equal(new Set(records.map((r) => r.pid)).size, 4, 'one engine process per run');
    assert.equal(mostAtOnce(records), 2);
    // Without --threads (or DL_LAB_THREADS), the two engines share the cores instead of each taking all of them.
    if (!process.env.DL_LAB_THREADS) {
      const threads = Math.max(1, Math.floor(os.availableParallelism() / 2));
      assert.equal(events[0].threads, threads);
      for (const r of records) if (r.backend?.name === 'wasm') assert.match(r.backend.reason, new RegExp(`wasm \\(SIMD, ${threads} threads?\\)`));
    }
    for (const r of records) assert.equal(alive(r.pid!), false, `engine ${r.pid} of ${r.id} is still alive`);
  });

  it('Ctrl-C stops every run after its batch, keeps what they wrote, starts no more and leaves no process', async () => {
    const runsDir = tempDir();
    // Detached: the sweep leads its own process group, as a terminal's foreground job, and Ctrl-C reaches the group.
    const sweep = startTraining([TINY, '--grid', 'learningRate=1e-3,2e-3,3e-3', '--epochs', '50', '--data', DATA, '--runs-dir', runsDir, '--parallel', '2'], { command: 'sweep', detached: true });
    const events = sweep.events;
    // Both runs have an epoch (and so a checkpoint) behind them.
    await waitFor(() => new Set(events().filter((e) => e.event === 'epoch').map((e) => e.index)).size === 2, 60_000, 'an epoch of both runs');
    runRecords(runsDir); // the engines, reaped after the tests should this one fail
    process.kill(-sweep.child.pid!, 'SIGINT');
    assert.equal(await sweep.closed, 1, sweep.stderr());

    const end = events().at(-1)!;
    assert.equal(end.event, 'end');
    assert.equal(end.status, 'stopped');
    assert.deepEqual(end.runs.map((r: { status: string }) => r.status), ['stopped', 'stopped', 'not started']);
    assert.equal(end.runs[2].runDir, null);
    const records = runRecords(runsDir);
    assert.equal(records.length, 2, 'the third run never started');
    for (const r of records) {
      assert.equal(r.status, 'stopped');
      assert.ok(r.epochsCompleted >= 1 && r.epochsCompleted < 50, `${r.id}: ${r.epochsCompleted} epochs`);
      assert.ok(fs.existsSync(path.join(runsDir, r.id, 'checkpoints', 'last', 'model.json')), `${r.id} keeps its last checkpoint`);
      assert.ok(readMetrics(path.join(runsDir, r.id)).some((m) => m.kind === 'epoch'), `${r.id} keeps its metrics`);
      assert.equal(alive(r.pid!), false, `engine ${r.pid} of ${r.id} is still alive`);
    }
  });

  it('goes on after a failed run and says which failed', async () => {
    const dir = tempDir();
    const model = path.join(dir, 'monitor.model.js');
    fs.writeFileSync(
      model,
      `import * as tf from '@tensorflow/tfjs';
export const training = { epochs: 1, callbacks: { modelCheckpoint: { monitor: 'val_acc' } } };
export default ({ inputShape, numClasses }) => tf.sequential({ layers: [tf.layers.flatten({ inputShape }), tf.layers.dense({ units: numClasses, activation: 'softmax' })] });
`,
    );
    const runsDir = path.join(dir, 'runs');
    // validationSplit 0 leaves val_acc, the model file's monitor, without data: that run fails, the next trains.
    const result = await runCli(['sweep', model, '--grid', 'validationSplit=0,0.2', '--data', DATA, '--runs-dir', runsDir]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^1  0 +failed +- +- +\S+$/m);
    assert.match(result.stdout, /^2  0\.2 +completed +0\.\d{4} +\d\.\d{4} +\S+$/m);
    assert.match(result.stdout, /^#1 failed: \S*monitor\.model\.js: training\.callbacks\.modelCheckpoint\.monitor is "val_acc", but this run has no validation data/m);
    assert.match(result.stdout, /^sweep \S+ failed: 1 failed, 1 completed; /m);
    assert.deepEqual(runRecords(runsDir).map((r) => r.status).sort(), ['completed', 'failed']);
  });

  it('draws --random runs from the ranges with --seed, as the library does', async () => {
    const runsDir = tempDir();
    const args = ['--range', 'learningRate=1e-4..1e-2:log', '--range', 'batchSize=16..64'];
    const result = await runCli(['sweep', TINY, '--random', '2', ...args, '--seed', '5', '--epochs', '1', '--data', DATA, '--runs-dir', runsDir, '--backend', 'cpu', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const expected = randomRuns(parseSweepSpec([], ['learningRate=1e-4..1e-2:log', 'batchSize=16..64'], trainingSettingCheck), 2, 5, trainingSettingCheck);
    const header = jsonLines(result.stdout)[0];
    assert.equal(header.event, 'sweep');
    assert.deepEqual(header.runs, expected);
    const records = runRecords(runsDir);
    assert.deepEqual(records.map((r) => r.sweep!.params).sort((a, b) => Number(a.learningRate) - Number(b.learningRate)), [...expected].sort((a, b) => Number(a.learningRate) - Number(b.learningRate)));
    for (const r of records) {
      assert.equal(r.config.seed, 5, '--seed also seeds training');
      assert.equal(r.config.learningRate, r.sweep!.params.learningRate);
    }
  });

  it('refuses bad flags in one line, before any run folder exists', async () => {
    const runsDir = path.join(tempDir(), 'runs');
    const cases: [string[], string][] = [
      [['--grid', 'learningRate=1e-3,abc'], '--grid learningRate=1e-3,abc: training.learningRate is "abc"; expected a positive number'],
      [['--grid', 'dropout=0.1,0.2'], '--grid dropout=0.1,0.2: training.dropout: unknown setting (known: '],
      [['--random', '3', '--range', 'learningRate=0..1:log'], '--range learningRate=0..1:log: a :log range needs a low end > 0, got 0'],
      [['--range', 'learningRate=1e-4..1e-2'], '--range learningRate=...: a range is drawn from, not enumerated; add --random N'],
      [['--grid', 'learningRate=1e-3', '--lr', '0.1'], 'learningRate is swept and also set by --lr; give it once'],
      [['--grid', 'learningRate=1e-3', '--parallel', '0'], '--parallel must be a positive whole number, got "0"'],
      [['--grid', 'learningRate=1e-3', '--threads', 'x'], '--threads must be a positive integer, got "x"'],
      [['--grid', 'learningRate=1e-3', '--resume', 'runs/x'], 'sweep starts new runs; to continue one of them, use dl-lab train --resume RUN_DIR'],
      [[], 'a sweep needs --grid KEY=V1,V2,... or --random N with --range KEY=LOW..HIGH'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['sweep', LENET, ...args, '--runs-dir', runsDir]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      const [first, second, ...more] = result.stderr.split('\n');
      assert.ok(first.startsWith(`dl-lab: ${message}`), `${args.join(' ')}: ${first}`);
      assert.equal(second, '(run dl-lab --help for usage)');
      assert.deepEqual(more, ['']);
      assert.equal(result.stdout, '');
    }
    const missing = await runCli(['sweep', 'nope.model.ts', '--grid', 'learningRate=1e-3', '--runs-dir', runsDir]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^dl-lab: nope\.model\.ts: no such model file\n/);
    assert.equal(fs.existsSync(runsDir), false, 'no runs folder');
  });
});
