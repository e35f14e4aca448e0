/**
 * Every template, written as `dl-lab new` writes it, builds at its reference shape with the parameter count
 * of its reference implementation, and the counts and MACs precomputed in the catalogue (shown by the
 * quick pick and `dl-lab new --list`) are the engine's.
 *
 * PyTorch counts BatchNorm's running mean and variance as buffers, not parameters, while TensorFlow.js
 * counts them as non-trainable weights: the references are compared with `trainableParams`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTemplate, TEMPLATES } from '../../src/templates/catalogue';
import { expandSnippet } from '../../src/templates/snippetSyntax';
import { snippetByPrefix } from '../../src/templates/sources';
import { summarize, writeModelFile } from './util';

/**
 * Reference counts: sum(p.numel() for p in model.parameters()) of torchvision's models at 1000 classes
 * (each torchvision number below checked with torchvision 0.14.1, Debian's python3-torchvision).
 */
const REFERENCE: Record<string, { params: number; source: string }> = {
  // LeCun et al. 1998 with our 28x28 layout, 10 classes: C1 156 + C3 2,416 + C5 48,120 + F6 10,164 + output 850.
  lenet5: { params: 61_706, source: 'LeCun et al. 1998 (examples/lenet.model.ts layout)' },
  // torchvision's AlexNet (64/192/384/256/256 filters), not the paper's two-GPU 96/256/384/384/256.
  alexnet: { params: 61_100_840, source: 'torchvision.models.alexnet()' },
  // By hand: convs 1,792 + 110,784 + 663,936 + 884,992 + 590,080, dense 4,195,328 + 1,049,600 + 10,250.
  'alexnet-small': { params: 7_506_762, source: 'counted from the layer list at 32x32x3, 10 classes' },
  vgg11: { params: 132_863_336, source: 'torchvision.models.vgg11()' },
  vgg16: { params: 138_357_544, source: 'torchvision.models.vgg16()' },
  googlenet: { params: 6_624_904, source: 'torchvision.models.googlenet(aux_logits=False, init_weights=False)' },
  resnet18: { params: 11_689_512, source: 'torchvision.models.resnet18()' },
  resnet34: { params: 21_797_672, source: 'torchvision.models.resnet34()' },
  resnet50: { params: 25_557_032, source: 'torchvision.models.resnet50()' },
  densenet121: { params: 7_978_856, source: 'torchvision.models.densenet121()' },
  // Image models at 28x28x1 (MNIST), by hand (weights + biases).
  // Flatten 784 -> dense 128 (100,480) -> 32 (4,128) -> 128 (4,224) -> 784 (101,136), reshaped to 28x28x1.
  autoencoder: { params: 209_968, source: 'counted by hand: dense 784-128-32-128-784' },
  // 3x3 convs 1->16 (160), 16->32 (4,640); dense 1,568->32 (50,208), 32->1,568 (51,744); 3x3 transposed 32->16 (4,624), 16->1 (145).
  'conv-autoencoder': { params: 111_521, source: 'counted by hand: convs 16-32, code 32, transposed convs 16-1' },
  // Two 3x3 convs per level: 1->16->16 (160 + 2,320), 16->32->32 (4,640 + 9,248), 32->64->64 (18,496 + 36,928);
  // up: 2x2 transposed 64->32 (8,224), 3x3 64->32->32 (18,464 + 9,248), 2x2 transposed 32->16 (2,064),
  // 3x3 32->16->16 (4,624 + 2,320); 1x1 16->1 (17).
  'fpi-unet': { params: 116_753, source: 'counted by hand: U-Net 16-32-64 with two skip connections' },
};

/**
 * What comes out: a classifier's one score per class; an autoencoder's image of the input's shape; an FPI
 * model's one foreign fraction per pixel.
 */
function expectedOutput(task: string | undefined, inputShape: number[], numClasses: number): (number | null)[] {
  if (task === 'reconstruction') return [null, ...inputShape];
  if (task === 'fpi') return [null, inputShape[0], inputShape[1], 1];
  assert.equal(task, undefined, 'a template without a task is a classifier');
  return [null, numClasses];
}

describe('model templates at their reference shapes', () => {
  it('cover the reference table', () => {
    assert.deepEqual(TEMPLATES.map((t) => t.id).sort(), Object.keys(REFERENCE).sort());
  });

  for (const template of TEMPLATES) {
    const { inputShape, numClasses } = template.reference;
    it(`${template.id}: ${REFERENCE[template.id].params.toLocaleString('en-US')} trainable parameters at ${inputShape.join('x')}${template.task ? ` (${template.task}: an image out)` : `, ${numClasses} classes`} (${REFERENCE[template.id].source})`, async () => {
      const file = writeModelFile(template.id, renderTemplate(template));
      const summary = await summarize(file, inputShape, numClasses);
      assert.equal(summary.trainableParams, REFERENCE[template.id].params);
      assert.equal(template.params, summary.trainableParams, 'catalogue params');
      assert.equal(template.totalParams, summary.totalParams, 'catalogue totalParams');
      assert.equal(template.macs, summary.totalMacs, 'catalogue MACs');
      assert.deepEqual(summary.outputShape, expectedOutput(template.task, inputShape, numClasses));
      // Every layer the model file creates is traced back to its line.
      assert.ok(summary.layers.every((l) => l.line !== null || l.type === 'InputLayer'), 'every layer has a line');
    });
  }

  it('the image templates say their task to the trainer, and classifiers say none', () => {
    for (const template of TEMPLATES) {
      const text = renderTemplate(template);
      const task = /^\s*task: '(\w+)',$/m.exec(text)?.[1];
      assert.equal(task, template.task, template.id);
      if (template.task) assert.match(text, /activation: 'sigmoid' \}\)/, `${template.id}: a sigmoid output`);
    }
    assert.deepEqual(TEMPLATES.filter((t) => t.task).map((t) => `${t.id}:${t.task}`), ['autoencoder:reconstruction', 'conv-autoencoder:reconstruction', 'fpi-unet:fpi']);
  });

  it('keeps the well-known MACs: VGG-16 15.5G, ResNet-18 1.8G, ResNet-50 4.1G, DenseNet-121 2.8G, AlexNet 0.71G, GoogLeNet 1.5G', () => {
    const macs = Object.fromEntries(TEMPLATES.map((t) => [t.id, t.macs / 1e9]));
    assert.equal(macs.vgg16.toFixed(1), '15.5');
    assert.equal(macs.resnet18.toFixed(1), '1.8');
    assert.equal(macs.resnet50.toFixed(1), '4.1');
    assert.equal(macs.densenet121.toFixed(1), '2.8');
    assert.equal(macs.alexnet.toFixed(2), '0.71');
    assert.equal(macs.googlenet.toFixed(1), '1.5');
  });

  // The deeper choices of the ResNet-50 and DenseNet snippets (no templates of their own).
  const VARIANTS = [
    { snippet: 'dl-resnet50', choice: '3, 4, 23, 3', name: 'ResNet-101', params: 44_549_160, source: 'torchvision.models.resnet101()' },
    { snippet: 'dl-resnet50', choice: '3, 8, 36, 3', name: 'ResNet-152', params: 60_192_808, source: 'torchvision.models.resnet152()' },
    { snippet: 'dl-densenet', choice: '6, 12, 32, 32', name: 'DenseNet-169', params: 14_149_480, source: 'torchvision.models.densenet169()' },
    { snippet: 'dl-densenet', choice: '6, 12, 48, 32', name: 'DenseNet-201', params: 20_013_928, source: 'torchvision.models.densenet201()' },
  ];
  for (const v of VARIANTS) {
    it(`${v.snippet} with [${v.choice}] is ${v.name}: ${v.params.toLocaleString('en-US')} trainable parameters (${v.source})`, async () => {
      const file = writeModelFile(v.name.toLowerCase(), expandSnippet(snippetByPrefix(v.snippet).body, { 1: v.choice }));
      const summary = await summarize(file, [224, 224, 3], 1000);
      assert.equal(summary.trainableParams, v.params);
    });
  }
});
