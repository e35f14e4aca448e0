import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TRAINING, resolveTrainingConfig } from '../../src/engine/training/config';

describe('training configuration', () => {
  it('layers defaults, the model file and the caller, in that order', () => {
    const config = resolveTrainingConfig({ epochs: 5, batchSize: 64, optimizer: 'SGD', momentum: 0.9 }, 'a.model.ts', { epochs: 2 });
    assert.equal(config.epochs, 2);
    assert.equal(config.batchSize, 64);
    assert.equal(config.optimizer, 'sgd');
    assert.equal(config.momentum, 0.9);
    assert.equal(config.learningRate, DEFAULT_TRAINING.learningRate);
  });

  it('names the setting, its origin and what was expected', () => {
    assert.throws(() => resolveTrainingConfig({ batchSize: 0 }, 'a.model.ts', {}), /a\.model\.ts: training\.batchSize is 0; expected a positive integer/);
    assert.throws(() => resolveTrainingConfig({}, 'a.model.ts', { learningRate: -1 }), /option\.learningRate is -1; expected a positive number/);
    assert.throws(() => resolveTrainingConfig({ optimiser: 'adam' }, 'a.model.ts', {}), /a\.model\.ts: training\.optimiser: unknown setting/);
    assert.throws(() => resolveTrainingConfig({ optimizer: 'lbfgs' }, 'a.model.ts', {}), /expected one of adam, sgd, rmsprop/);
  });
});
