/** Shared by the template and snippet tests: build a model file's text, summarise it, train one step. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backends';
import { loadModelFile } from '../../src/engine/model/modelFile';
import { buildWithLines, summarizeModel } from '../../src/engine/model/summary';
import { lossFunction, makeOptimizer, trainableVariables, trainStep } from '../../src/engine/training/step';
import { tempDir } from '../helpers';

tf.env().set('PROD', true);

let dir: string | undefined;
let counter = 0;

/** Writes `text` to a fresh `*.model.ts` (or .js) file and returns its path. */
export function writeModelFile(name: string, text: string, ext = 'ts'): string {
  dir ??= tempDir('dl-lab-templates-');
  const file = path.join(dir, `${name.replace(/[^\w-]/g, '_')}-${counter++}.model.${ext}`);
  fs.writeFileSync(file, text);
  return file;
}

/** Builds the file for a shape and number of classes, summarises it, disposes the model. */
export async function summarize(file: string, inputShape: number[], numClasses: number) {
  const loaded = await loadModelFile(file);
  const { model, lineOf } = buildWithLines(loaded, { inputShape, numClasses });
  try {
    return summarizeModel(model, lineOf);
  } finally {
    model.dispose();
  }
}

let backendReady: Promise<unknown> | undefined;

/**
 * One training step (the trainer's own `trainStep`, Adam, the file's loss) on a seeded random batch of
 * `batch` samples; returns the loss, the model's output shape and the range of its outputs after the step.
 * The target follows the file's `training.task`: one-hot classes, the input itself ('reconstruction', MSE
 * unless named) or a per-pixel fraction ('fpi', BCE unless named). On the wasm backend with the engine's
 * training kernels.
 */
export async function trainOneStep(file: string, inputShape: number[], numClasses: number, batch = 2): Promise<{ loss: number; output: (number | null)[]; range: [number, number] }> {
  backendReady ??= initBackend('wasm');
  await backendReady;
  const loaded = await loadModelFile(file);
  const model = loaded.build({ inputShape, numClasses });
  const optimizer = makeOptimizer({ optimizer: 'adam', learningRate: 1e-3, momentum: 0 });
  const task = loaded.training.task;
  try {
    const fallback = task === 'reconstruction' ? 'mse' : task === 'fpi' ? 'bce' : 'categoricalCrossentropy';
    const lossName = typeof loaded.training.loss === 'string' ? loaded.training.loss : fallback;
    const x = tf.randomUniform([batch, ...inputShape], 0, 1, 'float32', 7);
    const labels = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % numClasses), 'int32');
    const y =
      task === 'reconstruction' ? x.clone()
      : task === 'fpi' ? tf.randomUniform([batch, inputShape[0], inputShape[1], 1], 0, 1, 'float32', 8)
      : tf.oneHot(labels, numClasses).asType('float32');
    const out = trainStep(model, optimizer, lossFunction(lossName), x, y, trainableVariables(model), 0, task === 'reconstruction' || task === 'fpi' ? null : undefined);
    const loss = (await out.loss.data())[0];
    const predicted = model.predict(x) as tf.Tensor;
    const range: [number, number] = [(await predicted.min().data())[0], (await predicted.max().data())[0]];
    tf.dispose([x, labels, y, out.loss, out.correct, predicted]);
    return { loss, output: model.outputs[0].shape, range };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
