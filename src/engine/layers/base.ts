/**
 * What every layer of the `dl-lab` library shares: registration under a stable, prefixed class name (so a
 * checkpoint's model.json names `DlLabGelu`, never a minified constructor name), and the single-input
 * unwrapping that tf.layers.Layer#call leaves to subclasses.
 */
import * as tf from '@tensorflow/tfjs';

/** Prefix of every class name this library registers; keeps them apart from TensorFlow.js's own. */
export const CLASS_PREFIX = 'DlLab';

type LayerClass = tf.serialization.SerializableConstructor<tf.serialization.Serializable> & { className: string };

const registered: LayerClass[] = [];

/** Registers a layer class with TensorFlow.js's serialisation, so tf.loadLayersModel can rebuild it. */
export function register<T extends LayerClass>(cls: T): T {
  if (!cls.className.startsWith(CLASS_PREFIX)) throw new Error(`class name ${cls.className} lacks the ${CLASS_PREFIX} prefix`);
  tf.serialization.registerClass(cls);
  registered.push(cls);
  return cls;
}

/** Class names registered so far (every module of the library registers on import). */
export function registeredClassNames(): string[] {
  return registered.map((c) => c.className);
}

/** The one input of a single-input layer. */
export function single(inputs: tf.Tensor | tf.Tensor[], layer: string): tf.Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1) throw new Error(`${layer} takes one input, got ${inputs.length}`);
    return inputs[0];
  }
  return inputs;
}

export type Shape = tf.Shape;

/** The one shape of a single-input layer. */
export function singleShape(shape: Shape | Shape[]): Shape {
  return Array.isArray(shape[0]) ? (shape as Shape[])[0] : (shape as Shape);
}

/** Normalises a possibly negative axis against a rank. */
export function normaliseAxis(axis: number, rank: number, layer: string): number {
  const a = axis < 0 ? rank + axis : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${layer}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

export function checkNumber(value: unknown, name: string, layer: string, test: (v: number) => boolean, expected: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !test(value)) {
    throw new Error(`${layer}: ${name} is ${JSON.stringify(value)}; expected ${expected}`);
  }
  return value;
}
