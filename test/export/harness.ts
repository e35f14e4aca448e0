/**
 * Shared by the export tests: seeded random weights (BatchNorm statistics included, so that its
 * normalisation is not the identity), and ONNX Runtime's outputs for exported models (test/export/runOnnx.py,
 * one Python process for a batch of models) to compare with TensorFlow.js's.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src/engine/util/random';
import { pythonWith } from '../python';

export const ONNX_PYTHON_MODULES = ['onnx', 'onnxruntime', 'numpy'];
export const onnxPython = () => pythonWith(ONNX_PYTHON_MODULES);

/**
 * Weights drawn from U(-0.5, 0.5), variances and gammas from U(0.5, 1.5); with `only`, just the weights
 * whose name matches (the others keep their initialisation). Returns the model.
 */
export function randomizeWeights(model: tf.LayersModel, seed = 1, only?: RegExp): tf.LayersModel {
  const random = mulberry32(seed);
  const current = model.getWeights();
  const weights = model.weights.map((w, i) => {
    if (only && !only.test(w.originalName)) return current[i].clone();
    const positive = /moving_variance|gamma/.test(w.originalName);
    const values = Float32Array.from({ length: w.shape.reduce((a: number, b) => a * (b ?? 1), 1) }, () => (positive ? 0.5 + random() : random() - 0.5));
    return tf.tensor(values, w.shape as number[]);
  });
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

/** BatchNorm's statistics, gamma and beta made non-trivial; the other weights keep the model's seeded initialisation. */
export const BATCH_NORM_WEIGHTS = /gamma|beta|moving_mean|moving_variance/;

/** A seeded input of `shape` (batch first) in [-1, 1]. */
export function randomInput(shape: number[], seed = 2): tf.Tensor {
  const random = mulberry32(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1), shape);
}

export interface OnnxCase {
  name: string;
  onnx: Uint8Array;
  input: tf.Tensor;
}

export interface OnnxResult {
  case: string;
  error?: string;
  opset?: number;
  shape?: number[];
  output?: Float32Array;
}

/** Checks and runs each case with ONNX Runtime (one Python process); outputs by case name. */
export function runOnnx(python: string, dir: string, cases: OnnxCase[]): Map<string, OnnxResult> {
  fs.mkdirSync(dir, { recursive: true });
  for (const c of cases) {
    const base = path.join(dir, c.name);
    fs.writeFileSync(`${base}.onnx`, c.onnx);
    fs.writeFileSync(`${base}.json`, JSON.stringify({ shape: c.input.shape }));
    fs.writeFileSync(`${base}.input.bin`, c.input.dataSync() as Float32Array);
  }
  const stdout = execFileSync(python, [path.join(__dirname, 'runOnnx.py'), dir], { encoding: 'utf8', timeout: 300_000 });
  const results = new Map<string, OnnxResult>();
  for (const line of stdout.split('\n').filter((l) => l.trim())) {
    const r = JSON.parse(line) as OnnxResult;
    if (!r.error) {
      const bytes = fs.readFileSync(path.join(dir, `${r.case}.output.bin`));
      r.output = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
    results.set(r.case, r);
  }
  return results;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return a.length === b.length ? max : Infinity;
}

/**
 * A model file with a layer the exporter has no conversion for (Conv1D) on line 5; trains on 28x28x1 data.
 * Written to `dir`; returns its path.
 */
export function writeConv1dModel(dir: string): string {
  const file = path.join(dir, 'conv1d.model.ts');
  fs.writeFileSync(
    file,
    [
      "import * as tf from '@tensorflow/tfjs';",
      'export default function model({ inputShape, numClasses }: { inputShape: number[]; numClasses: number }) {',
      '  return tf.sequential({ layers: [',
      '    tf.layers.reshape({ inputShape, targetShape: [784, 1] }),',
      '    tf.layers.conv1d({ filters: 2, kernelSize: 5, strides: 4 }),',
      '    tf.layers.flatten(),',
      "    tf.layers.dense({ units: numClasses, activation: 'softmax' }),",
      '  ] });',
      '}',
    ].join('\n'),
  );
  return file;
}
