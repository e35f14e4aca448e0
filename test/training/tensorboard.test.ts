/**
 * TensorBoard event files, read with TensorBoard's own reader (EventAccumulator): a run's epoch_loss for
 * train and validation equals metrics.jsonl's loss and val_loss, every layer weight has a histogram, a
 * resumed run adds a file and leaves the old one as it was, and a record cut short by an interrupted write
 * leaves the earlier ones readable. The CRC-32C is checked against known vectors. Runs go through the real
 * CLI and engine (cpu backend, small synthetic data).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readMetrics } from '../../src/runs/runFolder';
import { crc32c, maskedCrc32c } from '../../src/runs/tensorboard/crc32c';
import { RunLogs } from '../../src/runs/tensorboard/runLogs';
import { jsonLines, runCli, tempDir } from '../helpers';
import { pythonWith, skipUnlessPython } from '../python';
import { histogram } from '../../src/engine/training/weightHistograms';

const skip = skipUnlessPython(['tensorboard']);

/**
 * What TensorBoard reads from one folder of event files: EventAccumulator's scalars and histograms (step,
 * num, bucket sum), and each file's first event's file_version (its own loader, file by file).
 */
interface Read {
  fileVersions: string[];
  scalars: Record<string, [number, number][]>;
  histograms: Record<string, [number, number, number][]>;
}

const READER = `
import glob, json, os, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
ea = EventAccumulator(sys.argv[1], size_guidance={'scalars': 0, 'histograms': 0})
ea.Reload()
tags = ea.Tags()
files = sorted(glob.glob(os.path.join(sys.argv[1], 'events.out.tfevents.*')))
print(json.dumps({
  'fileVersions': [next(iter(EventFileLoader(f).Load())).file_version for f in files],
  'scalars': {t: [[e.step, e.value] for e in ea.Scalars(t)] for t in tags['scalars']},
  'histograms': {t: [[e.step, e.histogram_value.num, sum(e.histogram_value.bucket)] for e in ea.Histograms(t)] for t in tags['histograms']},
}))
`;

function readEvents(dir: string): Read {
  return JSON.parse(execFileSync(pythonWith(['tensorboard'])!, ['-c', READER, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

function modelFile(dir: string): string {
  const file = path.join(dir, 'small.model.js');
  fs.writeFileSync(
    file,
    `import * as tf from '@tensorflow/tfjs';\n` +
      `export const training = { validationSplit: 0.2, batchSize: 32 };\n` +
      `export default function model({ inputShape, numClasses }) {\n` +
      `  return tf.sequential({ layers: [tf.layers.conv2d({ inputShape, filters: 4, kernelSize: 3, activation: 'relu' }), tf.layers.flatten(), tf.layers.dense({ units: numClasses, activation: 'softmax' })] });\n` +
      `}\n`,
  );
  return file;
}

async function train(args: string[]): Promise<string> {
  const r = await runCli(['train', ...args, '--backend', 'cpu', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return jsonLines(r.stdout).find((e) => e.event === 'run')!.runDir;
}

const eventFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.')).sort();
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
/** simple_value is a float32. */
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

describe('TensorBoard event files', () => {
  it('CRC-32C and its mask match the known values', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(0)), 0);
    // RFC 3720 (iSCSI), B.4: 32 bytes of zeros, of ones.
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    // TensorFlow's mask: ((c >>> 15) | (c << 17)) + 0xa282ead8, modulo 2^32.
    const c = 0xe3069283;
    assert.equal(maskedCrc32c(Buffer.from('123456789')), ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) % 2 ** 32);
  });

  it('a weight histogram puts each value in the bucket whose range holds it, and leaves out what is not finite', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 12.9898) * 3);
    const h = histogram([...values, NaN, Infinity]);
    assert.equal(h.num, 1000);
    assert.equal(h.bucket.length, 30);
    assert.equal(h.bucket.reduce((a, b) => a + b), 1000);
    assert.equal(h.bucketLimit.at(-1), h.max);
    for (let i = 0; i < 30; i++) {
      const lower = i === 0 ? -Infinity : h.bucketLimit[i - 1];
      assert.equal(h.bucket[i], values.filter((v) => v > lower && v <= h.bucketLimit[i]).length, `bucket ${i}`);
    }
    assert.ok(Math.abs(h.sum - values.reduce((a, b) => a + b)) < 1e-6);
    assert.deepEqual(histogram([0.5, 0.5]), { min: 0.5, max: 0.5, num: 2, sum: 1, sumSquares: 0.5, bucketLimit: [0.5], bucket: [2] });
    assert.equal(histogram([NaN]).num, 0);
  });

  it('a run writes train/ and validation/ as Keras does; TensorBoard reads metrics.jsonl\'s values, the learning rate, batch losses and a histogram per weight', { skip }, async () => {
    const dir = tempDir();
    const runDir = await train([modelFile(dir), '--data', 'synthetic:shapes?count=240', '--epochs', '2', '--runs-dir', path.join(dir, 'runs')]);
    const epochs = readMetrics(runDir).filter((m) => m.kind === 'epoch');
    assert.equal(epochs.length, 2);
    const trained = readEvents(path.join(runDir, 'tensorboard', 'train'));
    const validation = readEvents(path.join(runDir, 'tensorboard', 'validation'));
    assert.deepEqual(trained.fileVersions, ['brain.Event:2']);
    assert.deepEqual(validation.fileVersions, ['brain.Event:2']);
    const expect = (read: Read, tag: string, key: 'loss' | 'acc' | 'val_loss' | 'val_acc' | 'learningRate') => {
      const got = read.scalars[tag];
      assert.deepEqual(got.map(([step]) => step), [1, 2], `${tag}: one value per epoch`);
      got.forEach(([, value], i) => assert.ok(close(value, epochs[i][key]!), `${tag} at epoch ${i + 1}: ${value} vs metrics.jsonl's ${key} ${epochs[i][key]}`));
    };
    expect(trained, 'epoch_loss', 'loss');
    expect(trained, 'epoch_acc', 'acc');
    expect(trained, 'epoch_learning_rate', 'learningRate');
    expect(validation, 'epoch_loss', 'val_loss');
    expect(validation, 'epoch_acc', 'val_acc');
    assert.deepEqual(Object.keys(validation.scalars).sort(), ['epoch_acc', 'epoch_loss']);
    // Every batch at its global step (192 training samples in batches of 32: 6 a epoch).
    assert.deepEqual(trained.scalars.batch_loss.map(([step]) => step), [...Array(12).keys()].map((i) => i + 1));
    for (const m of readMetrics(runDir).filter((r) => r.kind === 'batch')) {
      assert.ok(close(trained.scalars.batch_loss[m.step - 1][1], m.loss), `batch_loss at step ${m.step}`);
    }
    // Kernel and bias of the convolution and the dense layer, at each epoch, counting every weight.
    const histograms = Object.keys(trained.histograms).sort();
    assert.equal(histograms.length, 4, histograms.join(', '));
    assert.ok(histograms.some((t) => /conv2d.*\/kernel$/.test(t)) && histograms.some((t) => /dense.*\/bias$/.test(t)), histograms.join(', '));
    const kernel = trained.histograms[histograms.find((t) => /conv2d.*\/kernel$/.test(t))!];
    assert.deepEqual(kernel.map(([step, num, counted]) => [step, num, counted]), [[1, 36, 36], [2, 36, 36]]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a resumed run adds new files; the old ones are left byte for byte and every epoch still reads', { skip }, async () => {
    const dir = tempDir();
    const runDir = await train([modelFile(dir), '--data', 'synthetic:shapes?count=120', '--epochs', '2', '--runs-dir', path.join(dir, 'runs')]);
    const trainDir = path.join(runDir, 'tensorboard', 'train');
    const before = eventFiles(trainDir);
    assert.equal(before.length, 1);
    const hash = sha(path.join(trainDir, before[0]));
    await train(['--resume', runDir, '--epochs', '3']);
    const after = eventFiles(trainDir);
    assert.equal(after.length, 2, after.join(', '));
    assert.deepEqual(readEvents(trainDir).fileVersions, ['brain.Event:2', 'brain.Event:2']);
    assert.equal(sha(path.join(trainDir, before[0])), hash, 'the first file is untouched');
    assert.equal(eventFiles(path.join(runDir, 'tensorboard', 'validation')).length, 2);
    const epochs = readMetrics(runDir).filter((m) => m.kind === 'epoch');
    const loss = readEvents(trainDir).scalars.epoch_loss;
    assert.deepEqual(loss.map(([step]) => step), [1, 2, 3]);
    loss.forEach(([, value], i) => assert.ok(close(value, epochs[i].loss)));
    const valLoss = readEvents(path.join(runDir, 'tensorboard', 'validation')).scalars.epoch_loss;
    valLoss.forEach(([, value], i) => assert.ok(close(value, epochs[i].val_loss!)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a last record cut short (an interrupted write) leaves the earlier records readable', { skip }, () => {
    const dir = tempDir();
    const logs = new RunLogs(dir);
    for (let epoch = 1; epoch <= 3; epoch++) {
      logs.epoch({ kind: 'epoch', epoch, step: epoch * 10, time: Date.now(), loss: 1 / epoch, val_loss: 2 / epoch });
      logs.flush(true);
    }
    logs.close();
    const trainDir = path.join(dir, 'tensorboard', 'train');
    const [file] = eventFiles(trainDir);
    const whole = readEvents(trainDir).scalars.epoch_loss;
    assert.deepEqual(whole.map(([step]) => step), [1, 2, 3]);
    // Cut into the last record's data, as a process killed mid-write leaves it.
    fs.truncateSync(path.join(trainDir, file), fs.statSync(path.join(trainDir, file)).size - 7);
    const cut = readEvents(trainDir);
    assert.deepEqual(cut.fileVersions, ['brain.Event:2']);
    assert.deepEqual(cut.scalars.epoch_loss, whole.slice(0, 2));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
