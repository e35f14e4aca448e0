/**
 * The export request: a run's checkpoint (last or best) as an ONNX file, or as a TensorFlow.js folder
 * (model.json + weights.bin, as the checkpoint holds them, with the run's normalization.json). Keras files
 * have no maintained writer in Node.js: that format answers with the command that converts the
 * TensorFlow.js folder.
 *
 * The ONNX model is built from the model file with the checkpoint's weights (inspection/source's
 * openModel, as feature maps are), so that a layer it cannot convert is named with its line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINTS_DIR, readRunRecord, writeFileAtomic } from '../../runs/runFolder';
import { openModel } from '../inspection/source';
import { readCheckpointState, readCheckpointWeights, resolveCheckpointDir } from '../training/checkpoint';
import { displayPath } from '../model/modelFile';
import { toOnnx } from './onnx';
import { OPSET } from './onnxProto';
import { checkExportParams, kerasAdvice } from './formats';
import type { ExportParams, ExportResult } from '../../protocol/engineTypes';

export async function exportRun(params: ExportParams, engineVersion: string): Promise<ExportResult> {
  const problem = checkExportParams(params);
  if (problem) throw new Error(problem);
  if (params.format === 'keras') throw new Error(kerasAdvice(params.runDir));
  const runDir = path.resolve(params.runDir);
  const record = readRunRecord(runDir); // names the file when unreadable
  const checkpoint = params.checkpoint ?? 'last';
  const dir = resolveCheckpointDir(path.join(runDir, CHECKPOINTS_DIR, checkpoint));
  if (!dir) throw new Error(`run ${record.id} has no "${checkpoint}" checkpoint (${path.join(runDir, CHECKPOINTS_DIR, checkpoint)})${checkpoint === 'best' ? '; export last instead' : ''}`);
  const epoch = readCheckpointState(dir)?.epoch ?? null;
  const out = path.resolve(params.out);
  const base = { format: params.format, runDir, runId: record.id, checkpoint, epoch, modelFile: record.modelFile };

  if (params.format === 'tfjs') {
    if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new Error(`${out} is a file; the TensorFlow.js format is a folder (model.json, weights.bin)`);
    // Verified as a resume verifies it (checksums, size, finite weights), then written as one weights file.
    const { json, specs, data } = readCheckpointWeights(dir);
    fs.mkdirSync(out, { recursive: true });
    const modelJson = { ...json, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
    writeFileAtomic(path.join(out, 'weights.bin'), new Uint8Array(data));
    writeFileAtomic(path.join(out, 'model.json'), JSON.stringify(modelJson));
    const files = [path.join(out, 'model.json'), path.join(out, 'weights.bin')];
    const normalization = path.join(runDir, 'normalization.json');
    if (fs.existsSync(normalization)) {
      writeFileAtomic(path.join(out, 'normalization.json'), fs.readFileSync(normalization));
      files.push(path.join(out, 'normalization.json'));
    }
    return { ...base, out, files, bytes: files.reduce((n, f) => n + fs.statSync(f).size, 0) };
  }

  if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw new Error(`${out} is a folder; give the .onnx file to write`);
  const inspect = await openModel({ runDir, checkpoint }, { needData: false });
  const { scale, mean, std } = inspect.normalization;
  const normalisation = `x = (pixel * ${scale} - mean[c]) / std[c], mean ${JSON.stringify(mean)}, std ${JSON.stringify(std)}`;
  const onnx = await toOnnx(inspect.model, {
    modelFile: inspect.modelFile,
    lineOf: inspect.lineOf,
    nameOf: inspect.nameOf,
    producerVersion: engineVersion,
    description: `${path.basename(inspect.modelFile)}, run ${record.id}, checkpoint ${checkpoint} (epoch ${epoch ?? '?'}). Input NHWC float32, normalised as in training: ${normalisation}.`,
    metadata: {
      'dl-lab.run': record.id,
      'dl-lab.checkpoint': checkpoint,
      'dl-lab.modelFile': displayPath(inspect.modelFile),
      'dl-lab.normalization': JSON.stringify({ scale, mean, std }),
      'dl-lab.classes': JSON.stringify(inspect.classNames),
    },
  });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  writeFileAtomic(out, onnx.bytes);
  return { ...base, out, files: [out], bytes: onnx.bytes.byteLength, onnx: { opset: OPSET, nodes: onnx.nodes, inputs: onnx.inputs, outputs: onnx.outputs, normalization: { scale, mean, std } } };
}
