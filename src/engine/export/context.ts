/** What a layer's conversion gets: the graph, the layer's config and weights, its inputs and output shape. */
import { ExportError, type GraphBuilder, type Shape, type Value } from './graph';

export interface Weight {
  /** TensorFlow.js's shape. */
  shape: number[];
  data: Float32Array;
}

export interface LayerContext {
  g: GraphBuilder;
  className: string;
  /** layer.getConfig(). */
  config: Record<string, unknown>;
  inputs: Value[];
  /** This call's output shape (TensorFlow.js's, batch first). */
  outputShape: Shape;
  /** The weights by their short name (`kernel`, `bias`, `gamma`, `moving_mean`, ...). */
  weights: Map<string, Weight>;
}

/** Converts one call of a layer; returns its output. */
export type Converter = (ctx: LayerContext) => Value;

export function weight(ctx: LayerContext, name: string): Weight {
  const w = ctx.weights.get(name);
  if (!w) throw new ExportError(`it has no weight "${name}" (it has ${[...ctx.weights.keys()].join(', ') || 'none'})`);
  return w;
}

export function optionalWeight(ctx: LayerContext, name: string): Weight | undefined {
  return ctx.weights.get(name);
}

export function single(ctx: LayerContext): Value {
  if (ctx.inputs.length !== 1) throw new ExportError(`expected one input, got ${ctx.inputs.length}`);
  return ctx.inputs[0];
}

/** A number from the config, checked. */
export function num(ctx: LayerContext, key: string, fallback?: number): number {
  const v = ctx.config[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ExportError(`its ${key} is ${JSON.stringify(v)}; expected a number`);
  return v;
}

/** A pair from the config: `3` or `[3, 3]`. */
export function pair(ctx: LayerContext, key: string, fallback?: number): [number, number] {
  const v = ctx.config[key] ?? fallback;
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[1]];
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return [v[0], v[0]];
  throw new ExportError(`its ${key} is ${JSON.stringify(v)}; expected a number or two`);
}

/** Channels-last only: TensorFlow.js's Keras layers also take channelsFirst, which models here never use. */
export function checkChannelsLast(ctx: LayerContext): void {
  const format = ctx.config.dataFormat;
  if (format !== undefined && format !== 'channelsLast') throw new ExportError(`its dataFormat is ${JSON.stringify(format)}; only channelsLast is exported`);
}

/** A value with the same layout as `like` (elementwise results). */
export function same(like: Value, name: string, shape = like.shape): Value {
  return { name, shape, channelsFirst: like.channelsFirst };
}
