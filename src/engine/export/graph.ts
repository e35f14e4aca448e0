/**
 * Builds an ONNX graph from a TensorFlow.js model's layers.
 *
 * Layout: TensorFlow.js is channels-last (NHWC) and ONNX's convolutions and pools are channels-first
 * (NCHW). Each value keeps its logical (TensorFlow.js) shape and says whether it is held channels-first;
 * a layer asks for the layout it needs (`channelsFirst`, `channelsLast`), and the transpose is made once
 * per value and reused, so a chain of convolutions transposes only at its two ends (the graph's input,
 * and a Flatten or the output).
 */
import { AttributeType, type AttributeMessage, DataType, type NodeMessage, type TensorMessage } from './onnxProto';

export type Shape = (number | null)[];

/** A tensor of the graph: its ONNX name, its TensorFlow.js shape (batch first), and its layout. */
export interface Value {
  name: string;
  shape: Shape;
  /** Rank 4 only: held as NCHW (the shape stays NHWC). */
  channelsFirst: boolean;
}

/** A conversion that cannot be done; the exporter adds the layer's name, class and model-file line. */
export class ExportError extends Error {}

export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const NCHW_TO_NHWC = [0, 2, 3, 1];

export const attr = {
  int: (name: string, i: number): AttributeMessage => ({ name, type: AttributeType.INT, i }),
  float: (name: string, f: number): AttributeMessage => ({ name, type: AttributeType.FLOAT, f }),
  ints: (name: string, ints: number[]): AttributeMessage => ({ name, type: AttributeType.INTS, ints }),
  string: (name: string, s: string): AttributeMessage => ({ name, type: AttributeType.STRING, s: new TextEncoder().encode(s) }),
};

export class GraphBuilder {
  readonly nodes: NodeMessage[] = [];
  readonly initializers: TensorMessage[] = [];
  private readonly used = new Set<string>();
  private readonly transposed = new Map<string, string>();
  /** Prefix of the names made now (the layer being converted) and its description for docString. */
  private scope = '';
  private doc = '';

  /** Names nodes and initializers after `layer` until the next call; `doc` goes into each node's docString. */
  enter(layer: string, doc: string): void {
    this.scope = layer;
    this.doc = doc;
  }

  /** A fresh name under the current layer. */
  fresh(what: string): string {
    const base = this.scope ? `${this.scope}/${what}` : what;
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node; returns its output's name. */
  op(opType: string, inputs: string[], attributes: AttributeMessage[] = []): string {
    const output = this.fresh(opType);
    this.nodes.push({ name: output, opType, input: inputs, output: [output], attribute: attributes, ...(this.doc ? { docString: this.doc } : {}) });
    return output;
  }

  /** A float32 initializer. */
  floats(what: string, dims: number[], data: ArrayLike<number>): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    if (values.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`initializer ${what}: ${values.length} values for shape [${dims.join(', ')}]`);
    const name = this.fresh(what);
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) });
    return name;
  }

  /** An int64 initializer (shapes, pads, axes). */
  int64s(what: string, values: number[]): string {
    const name = this.fresh(what);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: [values.length], dataType: DataType.INT64, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  scalar(what: string, value: number): string {
    return this.floats(what, [], [value]);
  }

  /** The value's name in NCHW (rank 4), transposing once per value. */
  channelsFirst(v: Value): string {
    if (v.shape.length !== 4 || v.channelsFirst) return v.name;
    return this.transpose(v.name, NHWC_TO_NCHW);
  }

  /** The value's name in its TensorFlow.js layout. */
  channelsLast(v: Value): string {
    if (!v.channelsFirst) return v.name;
    return this.transpose(v.name, NCHW_TO_NHWC);
  }

  private transpose(name: string, perm: number[]): string {
    const key = `${name}|${perm.join(',')}`;
    let out = this.transposed.get(key);
    if (!out) {
      out = this.op('Transpose', [name], [attr.ints('perm', perm)]);
      this.transposed.set(key, out);
      // Transposing back gives the original tensor.
      this.transposed.set(`${out}|${inverse(perm).join(',')}`, name);
    }
    return out;
  }
}

function inverse(perm: number[]): number[] {
  const inv: number[] = [];
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Where a TensorFlow.js (channels-last) axis lies in a value's physical layout. */
export function physicalAxis(v: Value, axis: number): number {
  const rank = v.shape.length;
  const a = axis < 0 ? rank + axis : axis;
  if (a < 0 || a >= rank) throw new ExportError(`axis ${axis} is out of range for a tensor of rank ${rank}`);
  return v.channelsFirst ? NHWC_TO_NCHW.indexOf(a) : a;
}

/** Static sizes of a shape, batch left out; an unknown size cannot be exported. */
export function staticDims(shape: Shape, what: string): number[] {
  const dims = shape.slice(1);
  if (dims.some((d) => d === null)) throw new ExportError(`${what} has an unknown size ([${shape.map((d) => d ?? '?').join(', ')}]); export needs a fixed input shape`);
  return dims as number[];
}
