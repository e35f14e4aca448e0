import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrainProgressParams } from '../../src/protocol/engineTypes';
import {
  describeEngine,
  formatDuration,
  formatMetrics,
  formatValue,
  outcomeMessage,
  progressFraction,
  progressMessage,
  statusBarText,
} from '../../src/extension/shared/format';

const batch = (over: Partial<TrainProgressParams> = {}): TrainProgressParams => ({
  runId: 'r',
  kind: 'batch',
  epoch: 2,
  epochs: 3,
  batch: 120,
  batchesPerEpoch: 844,
  step: 964,
  loss: 0.41234,
  samplesPerSec: 2345.4,
  time: 0,
  ...over,
});

test('values: 3 decimals, exponent form for tiny ones', () => {
  assert.equal(formatValue(0.41234), '0.412');
  assert.equal(formatValue(0), '0.000');
  assert.equal(formatValue(0.000123), '1.23e-4');
  assert.equal(formatValue(NaN), 'NaN');
  assert.equal(formatValue(undefined), '–');
});

test('metrics: most telling first, missing ones left out', () => {
  assert.equal(formatMetrics({ loss: 0.17, acc: 0.951, val_loss: 0.214, val_acc: 0.93 }), 'val_acc 0.930 · val_loss 0.214 · acc 0.951 · loss 0.170');
  assert.equal(formatMetrics({ loss: 0.5 }), 'loss 0.500');
  assert.equal(formatMetrics(undefined), '');
});

test('durations', () => {
  assert.equal(formatDuration(42_400), '42s');
  assert.equal(formatDuration(65_000), '1m 05s');
  assert.equal(formatDuration(3_720_000), '1h 02m');
});

test('status bar text while training, stopping and after the run', () => {
  assert.equal(statusBarText({ phase: 'training', backend: 'wasm', epoch: 2, epochs: 3, loss: 0.4123 }), '$(pulse) wasm · epoch 2/3 · loss 0.412');
  assert.equal(statusBarText({ phase: 'training' }), '$(pulse) engine');
  assert.equal(statusBarText({ phase: 'starting', model: 'lenet.model.ts' }), '$(sync~spin) Deep Learning: starting lenet.model.ts');
  assert.equal(statusBarText({ phase: 'stopping', backend: 'cpu', epoch: 1, epochs: 5 }), '$(debug-stop) cpu · epoch 1/5 · stopping');
  assert.equal(
    statusBarText({
      phase: 'finished',
      outcome: { status: 'completed', backend: 'wasm', metrics: { loss: 0.2, val_acc: 0.93 }, epochsDone: 3, epochs: 3, durationMs: 1 },
    }),
    '$(check) wasm · completed · val_acc 0.930',
  );
  assert.equal(statusBarText({ phase: 'finished', outcome: { status: 'failed', epochsDone: 0, durationMs: 1 } }), '$(error) Deep Learning · failed');
});

test('progress message and fraction', () => {
  assert.equal(progressMessage(batch()), 'Epoch 2/3 · batch 120/844 · loss 0.412 · 2,345 samples/s');
  assert.equal(progressMessage(batch(), { loss: 0.5, val_acc: 0.9 }), 'Epoch 2/3 · batch 120/844 · loss 0.412 · 2,345 samples/s · last epoch val_acc 0.900');
  assert.equal(
    progressMessage(batch({ kind: 'epoch', metrics: { loss: 0.3, acc: 0.8 }, samplesPerSec: 0 })),
    'Epoch 2/3 · loss 0.412 · last epoch acc 0.800',
  );
  assert.equal(progressFraction(batch({ epoch: 1, batch: 422 })), 422 / (3 * 844));
  assert.equal(progressFraction(batch({ kind: 'epoch', epoch: 3, batch: 844 })), 1);
  // A resumed run that starts at epoch 3 of 4: half-way through epoch 3 is a quarter of the session.
  assert.equal(progressFraction(batch({ epoch: 3, epochs: 4, batch: 422 }), 3), 0.25);
});

test('outcome messages', () => {
  const base = { runId: '20261127-224501-lenet-3f9c', runDir: '/w/runs/20261127-224501-lenet-3f9c', epochs: 3, durationMs: 65_000 };
  assert.equal(
    outcomeMessage({ ...base, status: 'completed', epochsDone: 3, metrics: { loss: 0.17, val_acc: 0.93 } }),
    'Run 20261127-224501-lenet-3f9c completed: val_acc 0.930 · loss 0.170 (3 epochs, 1m 05s)',
  );
  assert.equal(
    outcomeMessage({ ...base, status: 'stopped', epochsDone: 1, metrics: { loss: 0.5 } }),
    'Run 20261127-224501-lenet-3f9c stopped after epoch 1 of 3: loss 0.500 (1m 05s)',
  );
  assert.equal(outcomeMessage({ ...base, status: 'stopped', epochsDone: 0 }), 'Run 20261127-224501-lenet-3f9c stopped during its first epoch (1m 05s)');
  assert.equal(outcomeMessage({ ...base, status: 'failed', epochsDone: 0, error: 'lenet.model.ts:12: boom' }), 'Run 20261127-224501-lenet-3f9c failed: lenet.model.ts:12: boom');
  assert.equal(outcomeMessage({ status: 'failed', epochsDone: 0, durationMs: 0, error: 'no engine' }), 'Training could not start: no engine');
  assert.match(outcomeMessage({ ...base, status: 'interrupted', epochsDone: 1, error: 'the training engine stopped unexpectedly (exit code 3)' }), /^Run .* was interrupted: the training engine stopped unexpectedly \(exit code 3\)\. Its folder/);
});

test('engine description', () => {
  assert.equal(
    describeEngine({
      engineVersion: '0.1.0', tfjsVersion: '4.22.0', pid: 42, node: 'v20.1.0',
      backends: [{ name: 'tensorflow', available: false }, { name: 'wasm', available: true }, { name: 'cpu', available: true }],
    }),
    'engine 0.1.0 (pid 42, Node v20.1.0, TensorFlow.js 4.22.0); backends: wasm, cpu',
  );
});
