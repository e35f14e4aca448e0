/**
 * `dl-lab bench`, inspection: the time from an inspect/featureMaps request to its data (every layer's
 * maps of one sample, encoded, across the IPC channel and parsed), measured by the client of a real engine
 * process, median of several requests after one warm-up (the warm-up bundles the model file, loads the
 * data and builds the model: `firstMs`). It runs in the CLI, the
 * engine's client, since what it times is the round trip (src/engine/bench measures inside the engine).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { findTemplate, renderTemplate } from '../templates/catalogue';
import { median } from '../util/stats';
import type { FeatureMapsParams, FeatureMapsResult, InspectBenchResult } from '../protocol/engineTypes';

/** A small VGG for 32x32 images: three blocks of two 3x3 convolutions (32, 64, 128) and max-pooling. */
const VGG = `import * as tf from '@tensorflow/tfjs';
export default function vggSmall({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {
  const model = tf.sequential({ name: 'vgg_small' });
  model.add(tf.layers.inputLayer({ inputShape }));
  for (const filters of [32, 64, 128]) {
    model.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }));
    model.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  }
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 256, activation: 'relu' }));
  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax' }));
  return model;
}
`;

const REQUESTS = 9;

/** A 32x32 RGB test card: gradients and a disk, so the maps have something to show. */
function testCard(file: string): void {
  const png = new PNG({ width: 32, height: 32 });
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      const o = 4 * (y * 32 + x);
      const disk = (x - 16) ** 2 + (y - 14) ** 2 < 64;
      png.data[o] = x * 8;
      png.data[o + 1] = disk ? 230 : y * 6;
      png.data[o + 2] = disk ? 40 : 128;
      png.data[o + 3] = 255;
    }
  }
  fs.writeFileSync(file, PNG.sync.write(png));
}

export async function benchFeatureMaps(send: (params: FeatureMapsParams) => Promise<FeatureMapsResult>): Promise<InspectBenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lab-bench-'));
  try {
    // LeNet-5 as `dl-lab new lenet` writes it (tanh, average pooling).
    fs.writeFileSync(path.join(dir, 'lenet.model.ts'), renderTemplate(findTemplate('lenet5')!));
    fs.writeFileSync(path.join(dir, 'vgg-small.model.ts'), VGG);
    const card = path.join(dir, 'card.png');
    testCard(card);
    const cases: { name: string; targetMs: number; params: (i: number) => FeatureMapsParams }[] = [
      {
        name: 'LeNet-5, 28x28x1 (synthetic:shapes)',
        targetMs: 100,
        params: (i) => ({ modelFile: path.join(dir, 'lenet.model.ts'), data: 'synthetic:shapes', sample: { kind: 'index', index: i } }),
      },
      {
        name: 'VGG-style (3 blocks, 32-64-128), 32x32x3 (an image file)',
        targetMs: 300,
        params: () => ({ modelFile: path.join(dir, 'vgg-small.model.ts'), inputShape: [32, 32, 3], numClasses: 10, sample: { kind: 'image', file: card } }),
      },
    ];
    const results: InspectBenchResult[] = [];
    for (const c of cases) {
      let t = performance.now();
      let result = await send(c.params(0));
      const firstMs = performance.now() - t;
      const times: number[] = [];
      const engine: number[] = [];
      let bytes = 0;
      for (let i = 1; i <= REQUESTS; i++) {
        t = performance.now();
        result = await send(c.params(i));
        times.push(performance.now() - t);
        engine.push(result.ms);
        bytes = JSON.stringify(result).length;
      }
      results.push({ name: c.name, medianMs: median(times), firstMs, engineMs: median(engine), targetMs: c.targetMs, requests: REQUESTS, layers: result.layers.length, bytes });
    }
    return results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const INSPECT_BENCH_HEADER = ['feature maps of one sample', 'median ms', 'target', 'engine ms', 'first ms', 'layers', 'KB'];

export function inspectBenchRows(results: InspectBenchResult[]): string[][] {
  return results.map((r) => [
    r.name,
    r.medianMs.toFixed(1),
    `< ${r.targetMs} ms ${r.medianMs < r.targetMs ? '(met)' : '(MISSED)'}`,
    r.engineMs.toFixed(1),
    r.firstMs.toFixed(0),
    String(r.layers),
    (r.bytes / 1024).toFixed(0),
  ]);
}
