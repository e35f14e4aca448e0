/**
 * Training callbacks (issue 5): their configuration and its errors, their decisions, that a changed
 * learning rate is the one the optimizers use, and, end to end through the real CLI and engine process on
 * small synthetic data (cpu backend, a few seconds a run), what a user sees: events in metrics.jsonl and
 * on the command line, checkpoints/best at the monitored best, early stop with the best weights restored,
 * a reduced learning rate, a NaN loss failing the run, and callback state surviving a resume.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backends';
import { loadDataset } from '../../src/engine/data/dataset';
import { readNormalization } from '../../src/engine/data/normalization';
import { selectSplits } from '../../src/engine/data/splits';
import { CallbackRunner, improves, resolveCallbacks } from '../../src/engine/training/callbacks';
import { fileSystemHandler } from '../../src/engine/training/checkpoint';
import { resolveTrainingConfig } from '../../src/engine/training/config';
import { getLearningRate, lossFunction, makeOptimizer, setLearningRate, trainStep } from '../../src/engine/training/step';
import { Batcher, evaluate } from '../../src/engine/training/batcher';
import { expandSnippet } from '../../src/templates/snippetSyntax';
import { snippetByPrefix } from '../../src/templates/sources';
import { jsonLines, readJsonl, runCli, tempDir } from '../helpers';

tf.env().set('PROD', true);

const DATA = 'synthetic:shapes?count=300';

/** A small dense model file with the given `training` export (as JavaScript source). */
function modelFile(dir: string, name: string, training: string): string {
  const file = path.join(dir, `${name}.model.js`);
  fs.writeFileSync(
    file,
    `import * as tf from '@tensorflow/tfjs';\n` +
      `export const training = ${training};\n` +
      `export default function model({ inputShape, numClasses }) {\n` +
      `  return tf.sequential({ layers: [tf.layers.flatten({ inputShape }), tf.layers.dense({ units: 32, activation: 'relu' }), tf.layers.dense({ units: numClasses, activation: 'softmax' })] });\n` +
      `}\n`,
  );
  return file;
}

async function train(args: string[], json = true) {
  const result = await runCli(['train', ...args, '--backend', 'cpu', ...(json ? ['--json'] : [])]);
  return result;
}

function runDirOf(stdout: string): string {
  return jsonLines(stdout).find((e) => e.event === 'run')!.runDir;
}

const readState = (runDir: string, which: string) =>
  JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoints', which, 'state.json'), 'utf8'));

describe('callbacks: configuration', () => {
  it('defaults: ModelCheckpoint on val_loss (loss without validation data) and TerminateOnNaN; the others off; true = defaults', () => {
    const none = resolveCallbacks(undefined, true);
    assert.deepEqual(none.modelCheckpoint, { monitor: 'val_loss', mode: 'min' });
    assert.equal(none.earlyStopping, null);
    assert.equal(none.reduceLROnPlateau, null);
    assert.equal(none.terminateOnNaN, true);
    assert.equal(resolveCallbacks(undefined, false).modelCheckpoint!.monitor, 'loss');
    const on = resolveCallbacks({ earlyStopping: true, reduceLROnPlateau: true, modelCheckpoint: false, terminateOnNaN: false }, true);
    assert.deepEqual(on.earlyStopping, { monitor: 'val_loss', mode: 'min', patience: 3, minDelta: 0, restoreBestWeights: true });
    assert.deepEqual(on.reduceLROnPlateau, { monitor: 'val_loss', mode: 'min', factor: 0.1, patience: 2, minDelta: 0, minLr: 0, cooldown: 0 });
    assert.equal(on.modelCheckpoint, null);
    assert.equal(on.terminateOnNaN, false);
    // mode auto: max for accuracies; Keras' names are accepted.
    const config = resolveTrainingConfig({ callbacks: { modelCheckpoint: { monitor: 'val_accuracy' } } }, 'a.model.ts', {});
    assert.deepEqual(resolveCallbacks(config.callbacks, true).modelCheckpoint, { monitor: 'val_acc', mode: 'max' });
  });

  it('bad settings name the key, where it came from and what was expected', () => {
    const bad = (callbacks: unknown, overrides = {}) => () => resolveTrainingConfig({ callbacks }, 'lenet.model.ts', overrides);
    assert.throws(bad({ earlyStopping: { patience: -1 } }), { message: 'lenet.model.ts: training.callbacks.earlyStopping.patience is -1; expected a positive integer' });
    assert.throws(bad({ earlyStoping: true }), /lenet\.model\.ts: training\.callbacks\.earlyStoping: unknown callback \(known: modelCheckpoint, earlyStopping, reduceLROnPlateau, terminateOnNaN\)/);
    assert.throws(bad({ reduceLROnPlateau: { factor: 2 } }), /training\.callbacks\.reduceLROnPlateau\.factor is 2; expected a number in \(0, 1\)/);
    assert.throws(bad({ reduceLROnPlateau: { patiense: 2 } }), /training\.callbacks\.reduceLROnPlateau\.patiense: unknown option \(known: monitor, mode/);
    assert.throws(bad({ modelCheckpoint: { monitor: 'val_f1' } }), /training\.callbacks\.modelCheckpoint\.monitor is "val_f1"; expected one of loss, acc, val_loss, val_acc/);
    assert.throws(bad({ earlyStopping: { mode: 'lowest' } }), /earlyStopping\.mode is "lowest"; expected one of min, max, auto/);
    assert.throws(bad({ terminateOnNaN: 'yes' }), /training\.callbacks\.terminateOnNaN is "yes"; expected true or false/);
    assert.throws(bad(['earlyStopping']), /lenet\.model\.ts: training\.callbacks is \["earlyStopping"\]; expected an object/);
    assert.throws(bad(undefined, { callbacks: { earlyStopping: { minDelta: -0.1 } } }), /^Error: option\.callbacks\.earlyStopping\.minDelta is -0\.1; expected a number >= 0/);
    // A val_* monitor is refused once it is known that the run has no validation data.
    assert.throws(
      () => resolveCallbacks({ earlyStopping: { monitor: 'val_acc' } }, false, () => 'lenet.model.ts: training'),
      /lenet\.model\.ts: training\.callbacks\.earlyStopping\.monitor is "val_acc", but this run has no validation data/,
    );
  });

  it("overrides merge into the model file's callbacks, per callback", () => {
    const config = resolveTrainingConfig(
      { callbacks: { earlyStopping: { monitor: 'val_acc', patience: 5 }, reduceLROnPlateau: true } },
      'a.model.ts',
      { callbacks: { earlyStopping: { patience: 2 }, reduceLROnPlateau: false } },
    );
    assert.deepEqual(config.callbacks, { earlyStopping: { monitor: 'val_acc', patience: 2 }, reduceLROnPlateau: false });
  });

  it("the dl-training snippet's callbacks block is a valid configuration", () => {
    const code = expandSnippet(snippetByPrefix('dl-training').body);
    const match = /callbacks: (\{[\s\S]*?\n {2}\}),/.exec(code);
    assert.ok(match, 'the snippet has a callbacks block');
    // The snippet is TypeScript object-literal syntax (comments, unquoted keys): evaluate it as JavaScript.
    const callbacks = new Function(`return (${match[1]});`)();
    const config = resolveTrainingConfig({ callbacks }, 'snippet.model.ts', {});
    const resolved = resolveCallbacks(config.callbacks, true);
    assert.ok(resolved.earlyStopping && resolved.reduceLROnPlateau && resolved.modelCheckpoint);
  });
});

describe('callbacks: decisions', () => {
  const epoch = (val_loss: number, val_acc = 0.5) => ({ loss: 1, acc: 0.5, val_loss, val_acc });

  it('EarlyStopping stops after `patience` epochs without an improvement larger than minDelta, and names the best epoch', () => {
    const runner = new CallbackRunner(resolveCallbacks({ earlyStopping: { patience: 2, minDelta: 0.05 } }, true), 0.01);
    assert.equal(runner.onEpochEnd(1, epoch(1.0)).stop, false);
    assert.equal(runner.onEpochEnd(2, epoch(0.97)).stop, false, 'improves by less than minDelta: wait 1');
    const third = runner.onEpochEnd(3, epoch(0.96));
    assert.equal(third.stop, true);
    assert.equal(third.restoreEpoch, 1);
    assert.equal(third.events.find((e) => e.kind === 'earlyStop')!.message, 'val_loss did not improve for 2 epochs: early stop (best epoch 1, val_loss 1, weights restored)');
  });

  it('ReduceLROnPlateau multiplies the rate by factor after patience, waits out the cooldown, stops at minLr', () => {
    const runner = new CallbackRunner(resolveCallbacks({ reduceLROnPlateau: { patience: 1, factor: 0.5, cooldown: 1, minLr: 0.002 } }, true), 0.01);
    const rates = [1, 2, 3, 4, 5, 6, 7].map((e) => runner.onEpochEnd(e, epoch(e === 1 ? 1 : 2)).learningRate);
    // epoch 2: reduce; 3: cooldown; 4: reduce; 5: cooldown; 6: reduce to the floor; 7: at the floor, nothing.
    assert.deepEqual(rates, [undefined, 0.005, undefined, 0.0025, undefined, 0.002, undefined]);
    assert.equal(runner.state().learningRate, 0.002);
  });

  it('ModelCheckpoint in mode max saves at each new highest value; a NaN is never an improvement', () => {
    const runner = new CallbackRunner(resolveCallbacks({ modelCheckpoint: { monitor: 'val_acc', mode: 'max' } }, true), 0.01);
    const saved = [0.3, 0.5, 0.5, 0.4, 0.6, NaN].map((acc, i) => runner.onEpochEnd(i + 1, epoch(1, acc)).saveBest);
    assert.deepEqual(saved, [true, true, false, false, true, false]);
    assert.equal(improves(NaN, null, 'min'), false);
  });

  it('state survives a round trip through JSON (the checkpoint), and is dropped when the monitor changed', () => {
    const config = resolveCallbacks({ earlyStopping: { patience: 3 } }, true);
    const runner = new CallbackRunner(config, 0.01);
    runner.onEpochEnd(1, epoch(1));
    runner.onEpochEnd(2, epoch(2));
    const saved = JSON.parse(JSON.stringify(runner.state()));
    const resumed = new CallbackRunner(config, 0.01, saved);
    assert.equal(resumed.onEpochEnd(3, epoch(2)).stop, false);
    assert.equal(resumed.onEpochEnd(4, epoch(2)).stop, true, 'the wait counter carried over');
    const other = new CallbackRunner(resolveCallbacks({ earlyStopping: { monitor: 'loss' } }, true), 0.01, saved);
    assert.equal(other.state().earlyStopping!.wait, 0);
  });
});

describe('callbacks: the learning rate the optimizers use', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const [name, config] of [
      ['adam', { optimizer: 'adam', momentum: 0 }],
      ['sgd', { optimizer: 'sgd', momentum: 0 }],
      ['sgd with momentum', { optimizer: 'sgd', momentum: 0.9 }],
      ['rmsprop', { optimizer: 'rmsprop', momentum: 0 }],
    ] as const) {
      it(`${name} on ${backend}: after setLearningRate, a step is the step of an optimizer made with that rate`, async () => {
        await initBackend(backend);
        const x = tf.tensor2d([[1, 2, 3, 4], [0, 1, 0, 1], [4, 3, 2, 1]]);
        const y = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
        const loss = lossFunction('categoricalCrossentropy');
        const build = () => {
          const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] });
          return model;
        };
        // Two steps at 0.1, then one at 0.01: the same as 0.1, 0.1, 0.01 with the rate set on the same optimizer.
        const run = (change: (o: tf.Optimizer) => void) => {
          const model = build();
          const optimizer = makeOptimizer({ ...config, learningRate: 0.1 });
          for (let i = 0; i < 2; i++) tf.dispose(Object.values(trainStep(model, optimizer, loss, x, y)));
          change(optimizer);
          tf.dispose(Object.values(trainStep(model, optimizer, loss, x, y)));
          const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
          optimizer.dispose();
          model.dispose();
          return weights;
        };
        const kept = run(() => undefined);
        const reduced = run((o) => setLearningRate(o, 0.01));
        const big = run((o) => setLearningRate(o, 1));
        const diff = (a: number[][], b: number[][]) => Math.max(...a.flat().map((v, i) => Math.abs(v - b.flat()[i])));
        assert.ok(diff(kept, reduced) > 1e-4, 'a smaller rate changes the step');
        // The third step scales with the rate (Adam's and RMSprop's steps too: their state is the same).
        const before = run((o) => setLearningRate(o, 0)); // weights after two steps
        const ratio = diff(big, before) / diff(reduced, before);
        assert.ok(Math.abs(ratio - 100) < 1, `a step at rate 1 is 100 times one at 0.01 (got ${ratio})`);
        const o = makeOptimizer({ ...config, learningRate: 0.1 });
        setLearningRate(o, 0.02);
        assert.equal(getLearningRate(o), 0.02);
        o.dispose();
        tf.dispose([x, y]);
      });
    }
  }
});

describe('callbacks: end to end (dl-lab train, cpu backend)', () => {
  it('EarlyStopping stops after patience epochs and restores the best weights; ReduceLROnPlateau lowers the rate the next epoch trains with', async () => {
    const dir = tempDir();
    // Mode max on a falling training loss: no epoch after the first improves, deterministically.
    const file = modelFile(
      dir,
      'plateau',
      `{ epochs: 10, batchSize: 32, learningRate: 0.01, validationSplit: 0.2, callbacks: {
          earlyStopping: { monitor: 'loss', mode: 'max', patience: 2 },
          reduceLROnPlateau: { monitor: 'loss', mode: 'max', patience: 1, factor: 0.5 } } }`,
    );
    const result = await train([file, '--data', DATA, '--runs-dir', dir]);
    assert.equal(result.code, 0, result.stderr);
    const out = jsonLines(result.stdout);
    assert.equal(out.at(-1)!.status, 'completed', 'an early stop completes the run');
    const runDir = runDirOf(result.stdout);
    const records = readJsonl(path.join(runDir, 'metrics.jsonl'));
    const epochs = records.filter((r) => r.kind === 'epoch');
    assert.deepEqual(epochs.map((r) => r.epoch), [1, 2, 3], 'stopped after epoch 3 (epochs 2 and 3 did not improve)');
    const events = records.filter((r) => r.kind === 'event');
    const stop = events.find((e) => e.event === 'earlyStop')!;
    assert.equal(stop.epoch, 3);
    assert.match(stop.message, /^loss did not improve for 2 epochs: early stop \(best epoch 1, loss [\d.]+, weights restored\)$/);
    assert.ok(events.some((e) => e.event === 'restoredBest' && e.epoch === 3));
    // The same events reached the CLI as notifications.
    assert.deepEqual(
      out.filter((e) => e.event === 'callback').map((e) => `${e.epoch} ${e.kind}`),
      events.map((e) => `${e.epoch} ${e.event}`),
    );

    // ReduceLROnPlateau: reduced after epoch 2, and epoch 3 trained at the new rate.
    const reduced = events.filter((e) => e.event === 'lrReduced');
    assert.deepEqual(reduced.map((e) => [e.epoch, e.learningRate]), [[2, 0.005]]);
    assert.deepEqual(epochs.map((r) => r.learningRate), [0.01, 0.01, 0.005]);
    const batchRates = out.filter((e) => e.event === 'batch').map((e) => [e.epoch, e.learningRate]);
    assert.ok(batchRates.length > 0);
    for (const [e, lr] of batchRates) assert.equal(lr, e === 3 ? 0.005 : 0.01, `epoch ${e} batches report lr ${lr}`);

    // checkpoints/last holds epoch 1's weights: evaluated on the validation split, it gives epoch 1's val_loss.
    const state = readState(runDir, 'last');
    assert.equal(state.epoch, 3);
    assert.equal(state.restoredFromEpoch, 1);
    await initBackend('cpu');
    const model = await tf.loadLayersModel(fileSystemHandler(path.join(runDir, 'checkpoints', 'last', 'model.json')));
    const dataset = await loadDataset(DATA);
    const { val } = selectSplits(dataset, 0.2, 42);
    const { val_loss } = await evaluate(model, lossFunction('categoricalCrossentropy'), new Batcher(dataset, readNormalization(runDir)!), val);
    assert.ok(Math.abs(val_loss - epochs[0].val_loss) < 1e-5, `val_loss of checkpoints/last ${val_loss} = epoch 1's ${epochs[0].val_loss}`);
    assert.ok(Math.abs(val_loss - epochs[2].val_loss) > 1e-3, "and not epoch 3's");
    model.dispose();
  });

  it('ModelCheckpoint with monitor val_acc, mode max saves checkpoints/best at the epoch of the highest val_acc, and the CLI prints each save', async () => {
    const dir = tempDir();
    const file = modelFile(dir, 'best', `{ epochs: 4, batchSize: 32, learningRate: 0.01, validationSplit: 0.2, callbacks: { modelCheckpoint: { monitor: 'val_acc', mode: 'max' } } }`);
    const result = await train([file, '--data', DATA, '--runs-dir', dir], false);
    assert.equal(result.code, 0, result.stderr);
    const runDir = path.join(dir, fs.readdirSync(dir).find((d) => fs.existsSync(path.join(dir, d, 'run.json')))!);
    const records = readJsonl(path.join(runDir, 'metrics.jsonl'));
    const accs = records.filter((r) => r.kind === 'epoch').map((r) => r.val_acc as number);
    const bestEpoch = accs.indexOf(Math.max(...accs)) + 1;
    const best = readState(runDir, 'best');
    assert.equal(best.epoch, bestEpoch, `val_acc per epoch: ${accs}`);
    assert.equal(best.metrics.val_acc, Math.max(...accs));
    assert.equal(best.monitor, 'val_acc');
    // One bestCheckpoint event per new highest value, in the file and on the terminal.
    const expected: number[] = [];
    accs.forEach((a, i) => {
      if (i === 0 || a > Math.max(...accs.slice(0, i))) expected.push(i + 1);
    });
    const saves = records.filter((r) => r.kind === 'event' && r.event === 'bestCheckpoint');
    assert.deepEqual(saves.map((e) => e.epoch), expected);
    assert.ok(saves.every((e) => e.metric === 'val_acc' && typeof e.value === 'number'));
    for (const e of expected) assert.match(result.stdout, new RegExp(`^epoch ${e}: val_acc (improved from [\\d.]+ to )?[\\d.]+: saved checkpoints/best$`, 'm'));
    assert.match(result.stdout, /callbacks +best checkpoint by val_acc \(max\); stop on NaN/);
  });

  it('TerminateOnNaN: a NaN loss fails the run naming the epoch and batch; metrics and the last checkpoint are kept. Turned off, training goes on', async () => {
    const dir = tempDir();
    // One batch per epoch (32 training samples): epoch 1 trains on finite weights, its update at rate 1e30
    // overflows them, and epoch 2's first batch has a NaN loss.
    const training = (extra: string) => `{ epochs: 3, batchSize: 32, optimizer: 'sgd', learningRate: 1e30, validationSplit: 0.2${extra} }`;
    const data = 'synthetic:shapes?count=40';
    const result = await train([modelFile(dir, 'nan', training('')), '--data', data, '--runs-dir', dir]);
    assert.equal(result.code, 1);
    const end = jsonLines(result.stdout).at(-1)!;
    assert.equal(end.status, 'failed');
    assert.match(end.error, /^the loss became NaN at epoch 2, batch 1; lower the learning rate$/);
    const runDir = end.runDir as string;
    const record = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    assert.equal(record.status, 'failed');
    assert.match(record.error, /epoch 2, batch 1/);
    assert.equal(record.epochsCompleted, 1);
    const records = readJsonl(path.join(runDir, 'metrics.jsonl'));
    assert.ok(records.some((r) => r.kind === 'epoch' && r.epoch === 1), 'epoch 1 metrics kept');
    const nonFinite = records.filter((r) => r.kind === 'event' && r.event === 'nonFinite');
    assert.equal(nonFinite.length, 1);
    assert.equal(nonFinite[0].epoch, 2);
    assert.equal(nonFinite[0].step, 2);
    assert.equal(readState(runDir, 'last').epoch, 1, 'the last checkpoint is epoch 1, not the NaN weights');

    const off = await train([modelFile(dir, 'nan-off', training(', callbacks: { terminateOnNaN: false }')), '--data', data, '--runs-dir', dir]);
    assert.equal(off.code, 0, off.stderr);
    const offEvents = jsonLines(off.stdout).filter((e) => e.event === 'callback' && e.kind === 'nonFinite');
    assert.deepEqual(offEvents.map((e) => e.epoch), [2, 3], 'reported once per epoch');
    assert.match(offEvents[0].message, /training goes on \(terminateOnNaN is off\)/);
  });

  it('callback state survives a resume: the wait counters, the reduced rate and the best weights', async () => {
    const dir = tempDir();
    const file = modelFile(
      dir,
      'resume',
      `{ epochs: 2, batchSize: 32, learningRate: 0.01, validationSplit: 0.2, callbacks: {
          earlyStopping: { monitor: 'loss', mode: 'max', patience: 3 },
          reduceLROnPlateau: { monitor: 'loss', mode: 'max', patience: 1, factor: 0.5 } } }`,
    );
    const first = await train([file, '--data', DATA, '--runs-dir', dir]);
    assert.equal(first.code, 0, first.stderr);
    const runDir = runDirOf(first.stdout);
    const resumed = await train(['--resume', runDir, '--epochs', '10']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const records = readJsonl(path.join(runDir, 'metrics.jsonl'));
    // Without the saved state, epoch 3 would be EarlyStopping's new best and the run would stop at epoch 6.
    assert.deepEqual(records.filter((r) => r.kind === 'epoch').map((r) => [r.epoch, r.learningRate]), [
      [1, 0.01],
      [2, 0.01],
      [3, 0.005],
      [4, 0.0025],
    ]);
    const stop = records.find((r) => r.event === 'earlyStop')!;
    assert.equal(stop.epoch, 4);
    assert.match(stop.message, /best epoch 1, .*weights restored/);
    assert.equal(readState(runDir, 'last').restoredFromEpoch, 1);
  });

  it('a bad callback setting fails the run with the key and the file; --early-stopping is checked', async () => {
    const dir = tempDir();
    const bad = await train([modelFile(dir, 'bad', `{ epochs: 1, callbacks: { earlyStopping: { patience: -1 } } }`), '--data', DATA, '--runs-dir', dir]);
    assert.equal(bad.code, 1);
    assert.match(jsonLines(bad.stdout).at(-1)!.error, /bad\.model\.js: training\.callbacks\.earlyStopping\.patience is -1; expected a positive integer/);
    const noVal = await train([modelFile(dir, 'noval', `{ epochs: 1, validationSplit: 0, callbacks: { modelCheckpoint: { monitor: 'val_acc' } } }`), '--data', DATA, '--runs-dir', dir]);
    assert.equal(noVal.code, 1);
    assert.match(jsonLines(noVal.stdout).at(-1)!.error, /noval\.model\.js: training\.callbacks\.modelCheckpoint\.monitor is "val_acc", but this run has no validation data/);
    const flag = await runCli(['train', path.join(dir, 'bad.model.js'), '--early-stopping', '0']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--early-stopping must be an integer >= 1, got "0"/);
  });
});
