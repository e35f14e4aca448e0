import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { LENET, runCli, tempDir } from '../helpers';

/** 1-based line numbers of the example's lines that contain `text`. */
function linesOf(file: string, text: string): number[] {
  return fs.readFileSync(file, 'utf8').split('\n').flatMap((l, i) => (l.includes(text) ? [i + 1] : []));
}

describe('dl-lab summary and dl-lab new', () => {
  it('summarises the LeNet-5 example: per-layer shapes, parameters, MACs and the line that made each layer', async () => {
    const result = await runCli(['summary', LENET, '--input-shape', '28,28,1', '--classes', '10', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    // LeCun et al. 1998 with our layout: C1 156 + C3 2,416 + C5 48,120 + F6 10,164 + output 850.
    assert.equal(report.totalParams, 61_706);
    assert.equal(report.trainableParams, 61_706);
    assert.deepEqual(report.inputShape, [28, 28, 1]);
    const conv1 = report.layers[0];
    assert.equal(conv1.type, 'Conv2D');
    assert.deepEqual(conv1.outputShape, [null, 28, 28, 6]);
    assert.equal(conv1.params, 156);
    // One MAC per weight use: 28*28 positions x 6 filters x 5*5*1 taps.
    assert.equal(conv1.macs, 28 * 28 * 6 * 25);
    assert.equal(report.layers[1].macs, 0, 'pooling counts 0');
    assert.equal(report.totalMacs, 117_600 + 10 * 10 * 16 * 5 * 5 * 6 + 400 * 120 + 120 * 84 + 84 * 10);
    assert.deepEqual(
      report.layers.map((l: { line: number }) => l.line),
      [
        ...linesOf(LENET, 'filters: 6'),
        ...linesOf(LENET, 'averagePooling2d').slice(0, 1),
        ...linesOf(LENET, 'filters: 16'),
        ...linesOf(LENET, 'averagePooling2d').slice(1),
        ...linesOf(LENET, 'flatten'),
        ...linesOf(LENET, 'tf.layers.dense'),
      ],
    );
    for (const key of ['name', 'type', 'outputShape', 'params', 'macs', 'line']) assert.ok(key in conv1, key);
  });

  it('takes the shape and classes from --data (synthetic:shapes: 28x28x1, 6 classes), and prints a table', async () => {
    const result = await runCli(['summary', LENET, '--data', 'synthetic:shapes']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /input 28x28x1, 6 classes \(from synthetic:shapes\)/);
    assert.match(result.stdout, /conv2d\S*\s+Conv2D\s+\[batch, 28, 28, 6\]\s+156\s+117,600\s+\d+/);
    // The output layer has 84*6+6 parameters instead of 850.
    assert.match(result.stdout, /total params 61,366 \(trainable 61,366, non-trainable 0\)/);
  });

  it('new vgg16 then summary at 224x224x3, 1000 classes: 138,357,544 parameters (torchvision.models.vgg16)', async () => {
    const file = path.join(tempDir(), 'vgg16.model.ts');
    const made = await runCli(['new', 'vgg16', '--input-shape', '224,224,3', '--classes', '1000', '--out', file]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /wrote .*vgg16\.model\.ts \(VGG-16\)/);
    const result = await runCli(['summary', file, '--input-shape', '224,224,3', '--classes', '1000', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.totalParams, 138_357_544);
    assert.equal(report.trainableParams, 138_357_544);
    assert.equal(report.totalMacs, 15_470_264_320);
  });

  it('new resnet18 then summary: 11,689,512 trainable parameters (torchvision.models.resnet18; BatchNorm statistics are buffers there)', async () => {
    const file = path.join(tempDir(), 'resnet18.model.ts');
    assert.equal((await runCli(['new', 'resnet18', '--input-shape', '224,224,3', '--classes', '1000', '--out', file])).code, 0);
    const result = await runCli(['summary', file, '--input-shape', '224,224,3', '--classes', '1000', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.trainableParams, 11_689_512);
    // + the moving mean and variance of 4,800 BatchNorm channels.
    assert.equal(report.totalParams, 11_689_512 + 2 * 4_800);
    assert.deepEqual(report.outputShape, [null, 1000]);
  });

  it('new --list names every template with its counts; --json too', async () => {
    const text = await runCli(['new', '--list']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /vgg16\s+138\.4M\s+15\.5G\s+224x224x3, 1000 classes/);
    // Image-output templates say what comes out instead of a class count.
    assert.match(text.stdout, /conv-autoencoder\s+111\.5K\s+608\.4K\s+28x28x1, 28x28x1 reconstructions/);
    assert.match(text.stdout, /fpi-unet\s+116\.8K\s+19\.0M\s+28x28x1, 28x28x1 maps of foreign fractions/);
    const json = await runCli(['new', '--list', '--json']);
    const list = JSON.parse(json.stdout);
    assert.deepEqual(
      list.map((t: { id: string }) => t.id),
      ['lenet5', 'alexnet', 'alexnet-small', 'vgg11', 'vgg16', 'googlenet', 'resnet18', 'resnet34', 'resnet50', 'densenet121', 'autoencoder', 'conv-autoencoder', 'fpi-unet'],
    );
    assert.equal(list.find((t: { id: string }) => t.id === 'resnet18').params, 11_689_512);
  });

  it('says what is wrong with its arguments', async () => {
    const dir = tempDir();
    const cases: [string[], RegExp, number][] = [
      [['new', 'nope', '--out', path.join(dir, 'a.model.ts')], /unknown template "nope"; known: lenet5, alexnet/, 2],
      [['new', 'vgg16'], /new needs --out FILE/, 2],
      [['new', 'alexnet', '--input-shape', '32,32,3', '--out', path.join(dir, 'b.model.ts')], /alexnet needs inputs of at least 64x64, got 32x32; alexnet-small takes 32x32/, 2],
      [['new', 'lenet5', '--out', LENET], /exists; use --force to overwrite it/, 1],
      [['summary', LENET, '--input-shape', '28,28,1'], /--input-shape and --classes go together/, 2],
      [['summary', LENET, '--input-shape', '28,a,1', '--classes', '3'], /--input-shape must be positive integers/, 2],
    ];
    for (const [args, message, code] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });
});
