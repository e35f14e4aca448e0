/** The New Model from Template command's pieces that need no VS Code, and its bundle's dependencies. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { findTemplate } from '../../src/templates/catalogue';
import { modelFileName, parseShape, templatePickItems, validateClassesInput, validateShapeInput } from '../../src/templates/quickPick';
import { ROOT } from '../helpers';

describe('New Model from Template', () => {
  it('offers every template with a one-line description, its parameters and MACs', () => {
    const items = templatePickItems();
    const vgg16 = items.find((i) => i.template.id === 'vgg16')!;
    assert.equal(vgg16.label, 'VGG-16');
    assert.equal(vgg16.description, '138.4M params · 15.5G MACs at 224×224×3, 1000 classes');
    assert.match(vgg16.detail, /thirteen 3x3 conv layers/);
    assert.equal(items.find((i) => i.template.id === 'lenet5')!.description, '61.7K params · 416.5K MACs at 28×28×1, 10 classes');
    // Image templates say what comes out instead of classes.
    assert.equal(items.find((i) => i.template.id === 'conv-autoencoder')!.description, '111.5K params · 608.4K MACs at 28×28×1, 28×28×1 reconstructions');
    assert.equal(items.find((i) => i.template.id === 'fpi-unet')!.description, '116.8K params · 19.0M MACs at 28×28×1, 28×28×1 maps of foreign fractions');
    assert.ok(items.every((i) => !i.detail.includes('\n')));
  });

  it('checks the input shape and classes as they are typed', () => {
    const alexnet = findTemplate('alexnet')!;
    assert.equal(validateShapeInput('224,224,3', alexnet), undefined);
    assert.equal(validateShapeInput('224x224x3', alexnet), undefined);
    assert.match(validateShapeInput('32,32,3', alexnet)!, /at least 64x64.*alexnet-small/);
    assert.match(validateShapeInput('224,,3', alexnet)!, /e\.g\. 224,224,3/);
    assert.deepEqual(parseShape('28, 28, 1'), [28, 28, 1]);
    assert.equal(validateClassesInput('10'), undefined);
    assert.ok(validateClassesInput('0'));
    assert.ok(validateClassesInput('2.5'));
  });

  it('names the file after the template, without overwriting one', () => {
    const taken = new Set(['resnet18.model.ts', 'resnet18-2.model.ts']);
    assert.equal(modelFileName(findTemplate('resnet18')!, (n) => taken.has(n)), 'resnet18-3.model.ts');
  });

  it('is registered in the manifest, and its code pulls in no TensorFlow.js', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const command = manifest.contributes.commands.find((c: { command: string }) => c.command === 'dlLab.newModel');
    assert.equal(`${command.category}: ${command.title}`, 'Deep Learning: New Model from Template...');
    // Registered by the Models area with the command table's id (test/extension/commands.test.ts checks the table).
    assert.match(fs.readFileSync(path.join(ROOT, 'src', 'extension', 'models', 'modelCommands.ts'), 'utf8'), /registerCommand\(COMMANDS\.newModel\.id/);
    const result = await esbuild.build({
      entryPoints: [path.join(ROOT, 'src', 'extension', 'models', 'newModelCommand.ts')],
      bundle: true, write: false, platform: 'node', format: 'cjs', external: ['vscode'], metafile: true, logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(!inputs.some((i) => i.includes('@tensorflow')), inputs.filter((i) => i.includes('node_modules')).join(', '));
  });
});
