/** Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate (broadcasting as TensorFlow.js). */
import { type Converter, type LayerContext } from './context';
import { attr, ExportError, physicalAxis, type Value } from './graph';

/** The inputs' names in one layout: channels-first when all are rank 4 and one already is, else TensorFlow.js's. */
function aligned(ctx: LayerContext): { names: string[]; like: Value } {
  const { inputs, g } = ctx;
  if (inputs.length < 2) throw new ExportError(`expected at least two inputs, got ${inputs.length}`);
  const first = inputs.every((v) => v.shape.length === 4) && inputs.some((v) => v.channelsFirst);
  const names = inputs.map((v) => (first ? g.channelsFirst(v) : g.channelsLast(v)));
  return { names, like: { name: '', shape: ctx.outputShape, channelsFirst: first } };
}

function fold(op: string): Converter {
  return (ctx) => {
    const { names, like } = aligned(ctx);
    const out = names.slice(1).reduce((acc, name) => ctx.g.op(op, [acc, name]), names[0]);
    return { ...like, name: out };
  };
}

export const mergeLayers: Record<string, Converter> = {
  Add: fold('Add'),
  Multiply: fold('Mul'),
  Maximum: fold('Max'),
  Minimum: fold('Min'),
  Subtract: (ctx) => {
    if (ctx.inputs.length !== 2) throw new ExportError(`expected two inputs, got ${ctx.inputs.length}`);
    return fold('Sub')(ctx);
  },
  Average: (ctx) => {
    const sum = fold('Add')(ctx);
    return { ...sum, name: ctx.g.op('Mul', [sum.name, ctx.g.scalar('k', 1 / ctx.inputs.length)]) };
  },
  Concatenate: (ctx) => {
    const { names, like } = aligned(ctx);
    const axis = typeof ctx.config.axis === 'number' ? ctx.config.axis : -1;
    return { ...like, name: ctx.g.op('Concat', names, [attr.int('axis', physicalAxis(like, axis))]) };
  },
};
