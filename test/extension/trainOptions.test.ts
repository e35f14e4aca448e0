/**
 * Train Model with Options...: validation of typed values (messages name the value and the range), the
 * overrides an answer makes (empty keeps the model file's value), and the epochs a completed run resumes to.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OPTIMIZERS } from '../../src/protocol/engineTypes';
import {
  describeOptions,
  trainOptionsFrom,
  validateBatchSize,
  validateEpochs,
  validateLearningRate,
  validateResumeEpochs,
} from '../../src/extension/training/trainOptions';

describe('Train Model with Options', () => {
  it('validates each value, and an empty answer is always fine', () => {
    for (const v of ['', ' ', '1', '10', '100000', '+3', '1e2']) assert.equal(validateEpochs(v), undefined, v);
    for (const v of ['0', '-1', '2.5', 'ten', '100001', '1,000', 'NaN', 'Infinity']) assert.match(validateEpochs(v)!, /^Epochs must be a whole number from 1 to 100,000, got "/, v);
    for (const v of ['1', '64', '65536']) assert.equal(validateBatchSize(v), undefined, v);
    for (const v of ['0', '65537', '3.5', 'big']) assert.match(validateBatchSize(v)!, /^Batch size must be a whole number/, v);
    for (const v of ['0.001', '1e-3', '.5', '3']) assert.equal(validateLearningRate(v), undefined, v);
    for (const v of ['0', '-0.1', '10', '1e3', 'fast', '0x1']) assert.match(validateLearningRate(v)!, /^Learning rate must be a number above 0 and below 10/, v);
  });

  it('makes overrides of what was typed only, and the backend apart from them', () => {
    assert.deepEqual(trainOptionsFrom({ epochs: '3', batchSize: '', learningRate: ' 1e-3 ', optimizer: 'sgd', backend: '' }), {
      overrides: { epochs: 3, learningRate: 0.001, optimizer: 'sgd' },
      backend: undefined,
    });
    assert.deepEqual(trainOptionsFrom({ batchSize: '32', backend: 'wasm' }), { overrides: { batchSize: 32 }, backend: 'wasm' });
    assert.deepEqual(trainOptionsFrom({}), { overrides: {}, backend: undefined });
    assert.throws(() => trainOptionsFrom({ epochs: '0' }), /Epochs must be/);
    assert.throws(() => trainOptionsFrom({ optimizer: 'adagrad' as never }), /Optimizer must be one of adam, sgd, rmsprop, got "adagrad"/);
    assert.throws(() => trainOptionsFrom({ backend: 'webgl' as never }), /Backend must be one of auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu, got "webgl"/);
    assert.equal(describeOptions(trainOptionsFrom({ epochs: '3', batchSize: '32', learningRate: '0.01', optimizer: 'rmsprop', backend: 'cpu' })), 'epochs 3, batch 32, lr 0.01, rmsprop, backend cpu');
  });

  it("the optimizers offered are the protocol's", () => {
    for (const optimizer of OPTIMIZERS) assert.deepEqual(trainOptionsFrom({ optimizer }).overrides, { optimizer });
  });

  it('a completed run resumes to a larger total only', () => {
    assert.equal(validateResumeEpochs('8', 5), undefined);
    assert.equal(validateResumeEpochs('5', 5), 'The run has trained 5 epochs: type a larger total');
    assert.equal(validateResumeEpochs('', 5), 'Type the total number of epochs to train to');
    assert.match(validateResumeEpochs('x', 5)!, /^Epochs must be/);
  });
});
