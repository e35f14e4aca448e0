/**
 * `dl-lab export <run-dir|run-id> --format onnx|tfjs|keras --out PATH [--checkpoint last|best]`: the engine
 * writes the run's checkpoint as an ONNX file or a TensorFlow.js folder (src/engine/export). Keras has no
 * writer in Node.js: that format says how to convert the TensorFlow.js folder, without starting an engine.
 */
import * as path from 'node:path';
import { checkExportParams, kerasAdvice } from '../engine/export/formats';
import { EXPORT_CHECKPOINTS, EXPORT_FORMATS, type ExportFormat, type ExportResult } from '../protocol/engineTypes';
import { ExportRequest } from '../protocol/engineRequests';
import { printable } from '../util/text';
// The same shared machinery (src/cli/main.ts) and run lookup as dl-lab eval.
import { type EvalContext as ExportContext, findRun } from './eval';

export interface ExportOptions {
  format?: string;
  out?: string;
  checkpoint?: string;
  json?: boolean;
}

export async function exportCommand(args: string[], options: ExportOptions, ctx: ExportContext): Promise<number> {
  const example = 'e.g. dl-lab export runs/<run> --format onnx --out model.onnx';
  if (args.length > 1) throw ctx.usage(`export takes one run, got: ${args.join(' ')}`);
  const given = args[0];
  const runDir = findRun(given, 'export', ctx);
  if (options.format === undefined) throw ctx.usage(`export needs --format ${EXPORT_FORMATS.join('|')}, ${example}`);
  const problem = checkExportParams({ format: options.format, checkpoint: options.checkpoint });
  if (problem) throw ctx.usage(`--${problem}`);
  const format = options.format as ExportFormat;
  if (format === 'keras') throw new Error(kerasAdvice(given));
  if (!options.out) throw ctx.usage(`export needs --out PATH: ${format === 'onnx' ? 'the .onnx file to write' : 'the folder to write model.json and weights.bin into'}`);
  if (format === 'onnx' && !/\.onnx$/i.test(options.out)) throw ctx.usage(`--out must name a .onnx file, got "${printable(options.out)}"`);

  const client = ctx.newClient();
  try {
    const result = await client.sendRequest(ExportRequest, {
      runDir,
      format,
      out: path.resolve(options.out),
      ...(options.checkpoint ? { checkpoint: options.checkpoint as (typeof EXPORT_CHECKPOINTS)[number] } : {}),
    });
    if (options.json) console.log(JSON.stringify(result, null, 2));
    else printResult(result);
    return 0;
  } finally {
    await client.dispose();
  }
}

function printResult(r: ExportResult): void {
  const shown = (p: string) => path.relative(process.cwd(), p) || p;
  const size = r.bytes >= 1e6 ? `${(r.bytes / 1e6).toFixed(1)} MB` : `${(r.bytes / 1e3).toFixed(1)} kB`;
  const from = `run ${printable(r.runId)}, checkpoint ${r.checkpoint}${r.epoch !== null ? ` (epoch ${r.epoch})` : ''}`;
  if (!r.onnx) {
    console.log(`wrote ${shown(r.out)}/ (TensorFlow.js: ${r.files.map((f) => path.basename(f)).join(', ')}; ${size}) from ${from}`);
    return;
  }
  console.log(`wrote ${shown(r.out)} (ONNX opset ${r.onnx.opset}, ${r.onnx.nodes} nodes, ${size}) from ${from}`);
  const dims = (shape: (number | string)[]) => `[${shape.join(', ')}]`;
  const { scale, mean, std } = r.onnx.normalization;
  for (const i of r.onnx.inputs) console.log(`input  ${i.name} ${dims(i.shape)} float32, NHWC, normalised as in training: (pixel * ${+scale.toPrecision(6)} - mean) / std, mean ${dims(mean.map((m) => +m.toPrecision(4)))}, std ${dims(std.map((s) => +s.toPrecision(4)))}`);
  for (const o of r.onnx.outputs) console.log(`output ${o.name} ${dims(o.shape)}`);
}
