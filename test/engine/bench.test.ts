/**
 * `dl-lab bench` beyond LeNet-5: the course-scale networks, any model file, and the PyTorch reference built
 * from a model's layer graph (torchSpec). The PyTorch side runs where a Python can import torch.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backends';
import { runBench } from '../../src/engine/bench/bench';
import { buildResNet20, buildVggSmall } from '../../src/engine/bench/courseNets';
import { startPytorch } from '../../src/engine/bench/pytorch';
import { pythonWith } from '../python';
import { torchSpec, trainableParams } from '../../src/engine/bench/torchSpec';
import { FIXTURES, runCli } from '../helpers';

const torchPython = pythonWith(['torch']);

const BN_CNN = path.join(FIXTURES, 'models', 'bn-cnn.model.ts');

describe('bench: course-scale networks and model files', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('the VGG-style net and ResNet-20 have the parameter counts of their PyTorch counterparts', () => {
    const vgg = buildVggSmall();
    const resnet = buildResNet20();
    try {
      assert.equal(trainableParams(vgg), 815_018);
      assert.equal(trainableParams(resnet), 272_474);
      const spec = torchSpec(resnet);
      assert.equal(spec.nodes.filter((n) => n.kind === 'add').length, 9, 'nine residual additions');
      assert.equal(spec.nodes.filter((n) => n.kind === 'conv2d').length, 21, '19 3x3 convolutions and 2 projections');
      for (const n of spec.nodes) for (const i of n.inputs) assert.ok(i < spec.nodes.indexOf(n), 'inputs come first');
    } finally {
      vgg.dispose();
      resnet.dispose();
    }
  });

  it('a layer the reference cannot build is named', () => {
    const model = tf.sequential({
      layers: [tf.layers.conv2dTranspose({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })],
    });
    try {
      assert.throws(() => torchSpec(model), /layer conv2d_transpose\S* \(Conv2DTranspose\) has no PyTorch counterpart/);
    } finally {
      model.dispose();
    }
  });

  it('measures a model file on its dataset: one entry named by the file, with the profile of a step', async () => {
    const report = await runBench({ modelFile: BN_CNN, dataset: 'synthetic:shapes', backends: ['wasm'], steps: 5, batchSize: 8, pytorch: false }, () => {});
    assert.equal(report.models.length, 1);
    const [m] = report.models;
    assert.equal(m.name, BN_CNN);
    assert.match(m.model, /28x28x1, 6 classes of synthetic:shapes/);
    assert.equal(m.results[0].name, 'wasm');
    assert.ok(m.results[0].samplesPerSec > 0);
    assert.ok(m.profile?.kernels.some((k) => k.kernel === 'DlLabBatchNormTraining' && k.calls === 2), 'two fused BatchNorm layers');
  });

  it('PyTorch builds the VGG-style net with the same parameters and trains it', { skip: torchPython ? false : 'no Python with torch here' }, async () => {
    const vgg = buildVggSmall();
    const spec = torchSpec(vgg);
    vgg.dispose();
    const r = await startPytorch({ batchSize: 4, threads: 1, warmup: 1, spec, numClasses: 10 }, [torchPython!]);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    if (!r.ok) return;
    try {
      assert.equal(r.session.params, 815_018);
      assert.ok((await r.session.window(1)) > 0);
    } finally {
      r.session.close();
    }
  });
});

describe('dl-lab bench arguments', () => {
  it('an unknown network or a model file with --model is one line', async () => {
    const unknown = await runCli(['bench', '--model', 'vgg-small,alexnet']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr.split('\n')[0], /--model: unknown network "alexnet" \(expected lenet5, vgg-small, resnet20\)/);
    const both = await runCli(['bench', BN_CNN, '--model', 'lenet5']);
    assert.equal(both.code, 2);
    assert.match(both.stderr.split('\n')[0], /--model picks built-in networks; with a model file, leave it out/);
    const steps = await runCli(['bench', '--steps', '0']);
    assert.match(steps.stderr.split('\n')[0], /--steps must be a positive integer, got "0"/);
  });
});
