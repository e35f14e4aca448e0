/**
 * The sweep chart's data: an axis per swept setting then the best val_loss and val_acc, log scale for
 * settings spanning decades, categories for names, each run's position on every axis, and the best run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parallelCoordinates, type SweepRunResult } from '../../src/sweeps/parallelCoordinates';
import { bestMetrics } from '../../src/sweeps/results';

const run = (runId: string, params: SweepRunResult['params'], val_acc: number | null, val_loss: number | null): SweepRunResult => ({ runId, params, best: { val_acc, val_loss } });

describe('sweep parallel coordinates', () => {
  const runs = [
    run('a', { learningRate: 1e-4, batchSize: 32, optimizer: 'adam' }, 0.5, 1.2),
    run('b', { learningRate: 1e-3, batchSize: 64, optimizer: 'sgd' }, 0.9, 0.4),
    run('c', { learningRate: 1e-2, batchSize: 32, optimizer: 'adam' }, 0.7, 0.8),
  ];
  const chart = parallelCoordinates(runs);

  it('has an axis per setting, in the order swept, then the metrics', () => {
    assert.deepEqual(chart.axes.map((a) => [a.key, a.label, a.scale, a.metric]), [
      ['learningRate', 'learningRate', 'log', false],
      ['batchSize', 'batchSize', 'linear', false],
      ['optimizer', 'optimizer', 'category', false],
      ['val_loss', 'best val_loss', 'linear', true],
      ['val_acc', 'best val_acc', 'linear', true],
    ]);
    assert.deepEqual(chart.axes[0].ticks, [{ at: 0, label: '1e-4' }, { at: 0.5, label: '0.001' }, { at: 1, label: '0.01' }]);
    assert.deepEqual(chart.axes[2].ticks, [{ at: 0, label: 'adam' }, { at: 1, label: 'sgd' }]);
    // A metric: linear, ticked evenly rather than at every run's value.
    assert.deepEqual(chart.axes[3].ticks.map((t) => t.label), ['0.4', '0.6', '0.8', '1', '1.2']);
    assert.equal(parallelCoordinates([run('x', {}, 0.9, 0.1), run('y', {}, 0.5, 2)]).axes[0].scale, 'linear', 'val_loss spanning 20x stays linear');
  });

  it('places each run on every axis, bottom (0) to top (1)', () => {
    const b = chart.lines.find((l) => l.runId === 'b')!;
    assert.equal(b.positions[0], 0.5, 'log scale: 1e-3 halfway between 1e-4 and 1e-2');
    assert.deepEqual(b.positions.slice(1), [1, 1, 0, 1]);
    assert.deepEqual(b.values, ['0.001', '64', 'sgd', '0.4', '0.9']);
    const c = chart.lines.find((l) => l.runId === 'c')!;
    assert.deepEqual(c.positions.slice(3), [0.5, 0.5]);
    assert.equal(chart.bestRunId, 'b');
  });

  it('leaves out what a run lacks, and an axis no run has', () => {
    const withFailure = parallelCoordinates([...runs, run('d', { learningRate: 1e-3, batchSize: 32, optimizer: 'sgd' }, null, null)]);
    const d = withFailure.lines.find((l) => l.runId === 'd')!;
    assert.deepEqual(d.positions.slice(3), [null, null]);
    assert.deepEqual(d.values.slice(3), ['-', '-']);
    const noValidation = parallelCoordinates([run('x', { momentum: 0 }, null, null), run('y', { momentum: 0.9 }, null, null)]);
    assert.deepEqual(noValidation.axes.map((a) => a.key), ['momentum']);
    assert.equal(noValidation.axes[0].scale, 'linear', 'a range from 0 is linear');
    assert.equal(noValidation.bestRunId, undefined);
  });

  it('centres a setting every run shares, and ticks the ends and three between for many values', () => {
    const same = parallelCoordinates([run('x', { epochs: 5 }, 0.1, 1), run('y', { epochs: 5 }, 0.2, 1)]);
    assert.deepEqual(same.lines.map((l) => l.positions[0]), [0.5, 0.5]);
    const many = parallelCoordinates(Array.from({ length: 10 }, (_, i) => run(String(i), { momentum: i / 10 }, null, null)));
    assert.deepEqual(many.axes[0].ticks.map((t) => t.label), ['0', '0.225', '0.45', '0.675', '0.9']);
  });

  it('takes the best of the points the dashboard has, as of metrics.jsonl', () => {
    const points = [
      { kind: 'batch' as const, val_acc: undefined, val_loss: undefined },
      { kind: 'epoch' as const, val_acc: 0.6, val_loss: 0.9 },
      { kind: 'epoch' as const, val_acc: 0.8, val_loss: 1.1 },
      { kind: 'epoch' as const, val_acc: NaN, val_loss: 0.7 },
    ];
    assert.deepEqual(bestMetrics(points), { val_acc: 0.8, val_loss: 0.7 });
    assert.deepEqual(bestMetrics([]), { val_acc: null, val_loss: null });
  });
});
