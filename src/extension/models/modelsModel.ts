/**
 * What the Models view shows, free of `vscode` (tested in test/extension/modelsView.test.ts): a layer's
 * row ("Conv2D · 28×28×6 · 156 params"), its tooltip, the model's row, and a build error's text.
 */
import type { LayerSummary, ModelErrorData, ModelSummary } from '../../protocol/engineTypes';
import { formatParams } from '../../templates/catalogue';

const fmt = (n: number) => n.toLocaleString('en-US');

/** `28×28×6` (batch dimension dropped); several outputs joined with `, `. */
export function formatShape(shape: LayerSummary['outputShape']): string {
  if (shape.length && Array.isArray(shape[0])) return (shape as (number | null)[][]).map(formatShape).join(', ');
  const dims = (shape as (number | null)[]).slice(1);
  return dims.length ? dims.map((d) => (d === null ? '?' : String(d))).join('×') : 'scalar';
}

/** `Conv2D · 28×28×6 · 156 params`. */
export function layerDescription(layer: LayerSummary): string {
  return `${layer.type} · ${formatShape(layer.outputShape)} · ${fmt(layer.params)} params`;
}

export function layerTooltip(layer: LayerSummary, fileName: string): string {
  const lines = [`${layer.name} (${layer.type})`, `output ${formatShape(layer.outputShape)}`, `${fmt(layer.params)} parameters`];
  if (layer.trainableParams !== layer.params) lines.push(`${fmt(layer.trainableParams)} trainable`);
  if (layer.macs) lines.push(`${fmt(layer.macs)} MACs per sample`);
  lines.push(layer.line ? `${fileName}:${layer.line} (click to go there)` : 'created outside this file');
  return lines.join('\n');
}

/** The model file's row once built, short for a narrow sidebar: `61.7K params · 28×28×1 → 10`. */
export function modelDescription(summary: Pick<ModelSummary, 'totalParams' | 'inputShape' | 'numClasses'>): string {
  return `${formatParams(summary.totalParams)} params · ${summary.inputShape.join('×')} → ${summary.numClasses}`;
}

/** The model file's tooltip once built: where it is, and the exact counts. */
export function modelTooltip(file: string, summary: Pick<ModelSummary, 'totalParams' | 'trainableParams' | 'totalMacs' | 'inputShape' | 'numClasses'> | undefined): string {
  if (!summary) return file;
  return [
    file,
    `${fmt(summary.totalParams)} parameters (${fmt(summary.trainableParams)} trainable), ${fmt(summary.totalMacs)} MACs per sample`,
    `for ${summary.inputShape.join('×')} inputs and ${summary.numClasses} classes`,
  ].join('\n');
}

/** The ModelErrorData of a failed request, if the error carries one (a vscode-jsonrpc ResponseError). */
export function modelErrorData(err: unknown): ModelErrorData | undefined {
  const data = (err as { data?: unknown } | null)?.data as Partial<ModelErrorData> | undefined;
  return data && typeof data === 'object' && typeof data.message === 'string' ? (data as ModelErrorData) : undefined;
}

/** `cannot build: Input 0 is incompatible with layer …` and the line to reveal, when known. */
export function buildErrorText(err: unknown): { label: string; line?: number; detail: string } {
  const data = modelErrorData(err);
  const raw = data?.message ?? (err instanceof Error ? err.message : String(err));
  // Engine messages say "file:line:col: error while building the model: …"; the row says it once, short.
  const message = raw.replace(/^.*?:\d+(:\d+)?:\s*/, '').replace(/^error while building the model:\s*/i, '');
  const line = data?.line ?? lineFromMessage(raw);
  return { label: `cannot build: ${message}`, line, detail: raw };
}

function lineFromMessage(message: string): number | undefined {
  const m = /\.model\.[jt]s:(\d+)(?::\d+)?:/.exec(message);
  return m ? Number(m[1]) : undefined;
}
