/**
 * Texts of the layer-line insights: the inlay hint at the end of a layer line (`→ 14×14×6 · 156 params`),
 * its tooltip and the hover's numbers. Pure (no `vscode`), unit-tested in test/extension/inspectionHints.test.ts.
 */
import type { LayerSummary, ModelSummary } from '../../protocol/engineTypes';

/** 1234567 → "1,234,567" (fixed locale: the hints read the same on every machine). */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** MACs in a short form: 117,600 → "117.6K", 15,470,264,320 → "15.47G". */
export function formatMacs(n: number): string {
  const units: [number, string][] = [[1e9, 'G'], [1e6, 'M'], [1e3, 'K']];
  for (const [scale, unit] of units) {
    if (n >= scale) return `${Number((n / scale).toPrecision(4))}${unit}`;
  }
  return String(Math.round(n));
}

/**
 * A layer's output shape per sample: [null, 14, 14, 6] → "14×14×6"; several outputs are joined with ", ".
 * Unknown dimensions (null after the batch axis) read "?".
 */
export function formatShape(shape: LayerSummary['outputShape']): string {
  if (shape.length > 0 && Array.isArray(shape[0])) return (shape as (number | null)[][]).map(formatShape).join(', ');
  const dims = (shape as (number | null)[]).slice(1);
  return dims.length ? dims.map((d) => (d === null ? '?' : String(d))).join('×') : 'scalar';
}

export function formatParams(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'param' : 'params'}`;
}

/** The layers a summary maps to each model-file line (layers without a line are left out), by line. */
export function layersByLine(summary: Pick<ModelSummary, 'layers'>): Map<number, LayerSummary[]> {
  const byLine = new Map<number, LayerSummary[]>();
  for (const layer of summary.layers) {
    if (layer.line === null || layer.line === undefined) continue;
    const list = byLine.get(layer.line);
    if (list) list.push(layer);
    else byLine.set(layer.line, [layer]);
  }
  return new Map([...byLine].sort((a, b) => a[0] - b[0]));
}

/**
 * The inlay hint of one line: `→ 28×28×6 · 156 params`, or for a line that created several layers (a loop,
 * a helper called several times) `→ 3 layers · 14×14×6 … 7×7×16 · 2,872 params` (first and last output).
 */
export function hintLabel(layers: readonly LayerSummary[]): string {
  if (layers.length === 0) return '';
  const params = layers.reduce((sum, l) => sum + l.params, 0);
  const first = formatShape(layers[0].outputShape);
  if (layers.length === 1) return `→ ${first} · ${formatParams(params)}`;
  const last = formatShape(layers[layers.length - 1].outputShape);
  const shapes = first === last ? first : `${first} … ${last}`;
  return `→ ${layers.length} layers · ${shapes} · ${formatParams(params)}`;
}

/** Where the input shape and classes of the summary came from, for the tooltips. */
export interface ShapeSource {
  /** The dataset asked for. */
  data: string;
  /** Why that one: the setting, or the last run of this model in this window. */
  origin: 'setting' | 'lastRun';
  /** Set when that dataset could not be read and synthetic:shapes stood in. */
  fallbackReason?: string;
}

export function describeSource(summary: Pick<ModelSummary, 'inputShape' | 'numClasses'>, source: ShapeSource): string {
  const shape = `${summary.inputShape.join('×')} input, ${summary.numClasses} classes`;
  if (source.fallbackReason) {
    return `${shape} from synthetic:shapes: ${source.data} could not be read (${source.fallbackReason})`;
  }
  const why = source.origin === 'lastRun' ? 'the dataset of its last run' : 'the `dlLab.defaultDataset` setting';
  return `${shape} from ${source.data} (${why})`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A Markdown table of layers: name, type, output, parameters, MACs, and receptive field when known. */
export function layerTable(layers: readonly LayerSummary[]): string {
  const withField = layers.some((l) => typeof l.receptiveField === 'number');
  const head = ['Layer', 'Type', 'Output', 'Params', 'MACs', ...(withField ? ['Receptive field'] : [])];
  const rows = layers.map((l) => [
    escapeCell(l.name),
    escapeCell(l.type),
    formatShape(l.outputShape),
    formatCount(l.params) + (l.trainableParams !== l.params ? ` (${formatCount(l.trainableParams)} trainable)` : ''),
    formatMacs(l.macs),
    ...(withField ? [typeof l.receptiveField === 'number' ? `${l.receptiveField}×${l.receptiveField}` : '–'] : []),
  ]);
  const align = head.map((_, i) => (i >= 3 ? '--:' : ':--'));
  return [head, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** The tooltip of a line's hint (Markdown): every layer the line made, and where the shape came from. */
export function hintTooltip(layers: readonly LayerSummary[], summary: Pick<ModelSummary, 'inputShape' | 'numClasses'>, source: ShapeSource): string {
  const title = layers.length === 1 ? '**1 layer** on this line' : `**${layers.length} layers** on this line`;
  return `${title}\n\n${layerTable(layers)}\n\n_${describeSource(summary, source)}._`;
}

/**
 * Why a layer's output is empty (a 0 in its shape), or undefined when it is not: TensorFlow.js builds a
 * 5x5 'valid' convolution on a 4x4 input to a 0x0 output without complaint, and the layers after it see
 * no data at all.
 */
export function emptyOutputWarning(layer: LayerSummary): string | undefined {
  const shapes = (Array.isArray(layer.outputShape[0]) ? layer.outputShape : [layer.outputShape]) as (number | null)[][];
  if (!shapes.some((shape) => shape.slice(1).some((d) => d === 0))) return undefined;
  return `${layer.name} (${layer.type}) outputs ${formatShape(layer.outputShape)}: an empty tensor. Its input is smaller than its window (kernel or pool size), so the layers after it get no data; use a smaller kernel, 'same' padding, or fewer downsampling steps before it.`;
}

