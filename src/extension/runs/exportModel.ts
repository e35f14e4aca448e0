/**
 * The Runs view's Export Model: a quick pick of the format (ONNX, TensorFlow.js, Keras), then a save dialog,
 * then the engine's export/run request writes the run's best checkpoint (else its last), as `dl-lab export`
 * does. Keras has no writer in Node.js: it says how to convert the TensorFlow.js folder, and offers to
 * export that folder or to copy the command.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type ExportFormat, type ExportResult, KERAS_CONVERSION } from '../../protocol/engineTypes';
import type { EngineHost } from '../engine/engineHost';
import { exportPlan } from './runsModel';

export interface ExportModelDeps {
  engine: Pick<EngineHost, 'request'>;
}

interface FormatItem extends vscode.QuickPickItem {
  format: ExportFormat;
}

export const EXPORT_FORMAT_ITEMS: readonly FormatItem[] = [
  { label: 'ONNX', description: '.onnx file (opset 17) for ONNX Runtime and other ONNX tools', format: 'onnx' },
  { label: 'TensorFlow.js', description: 'folder with model.json and weights.bin, for tf.loadLayersModel', format: 'tfjs' },
  { label: 'Keras', description: 'converted from the TensorFlow.js folder with tensorflowjs_converter (Python)', format: 'keras' },
];

export const KERAS_EXPORT_TFJS = 'Export TensorFlow.js Folder...';
export const KERAS_COPY_COMMAND = 'Copy Command';

/** Resolves with what was written (the .onnx file or the folder), or undefined when the user cancelled. */
export async function exportModel(deps: ExportModelDeps, runDir: string): Promise<string | undefined> {
  const { which } = exportPlan(runDir); // throws, naming the folder, when the run has no checkpoint yet
  const runId = path.basename(runDir);
  const picked = await vscode.window.showQuickPick(EXPORT_FORMAT_ITEMS, { title: `Export ${runId} (${which} checkpoint)`, placeHolder: 'Format' });
  if (!picked) return undefined;
  let format = picked.format;
  if (format === 'keras') {
    const choice = await vscode.window.showInformationMessage(
      `No maintained writer of Keras files exists for Node.js. Export the TensorFlow.js folder (as model-tfjs), then convert it with Python (pip install tensorflowjs): ${KERAS_CONVERSION}`,
      KERAS_EXPORT_TFJS,
      KERAS_COPY_COMMAND,
    );
    if (choice === KERAS_COPY_COMMAND) await vscode.env.clipboard.writeText(KERAS_CONVERSION);
    if (choice !== KERAS_EXPORT_TFJS) return undefined;
    format = 'tfjs';
  }
  const out = await destination(runDir, format);
  if (!out) return undefined;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Exporting ${runId} (${which} checkpoint) as ${format === 'onnx' ? 'ONNX' : 'TensorFlow.js'}` },
    () => deps.engine.request((p) => p.ExportRequest, { runDir, format, checkpoint: which, out }),
  );
  const reveal = 'Reveal';
  void vscode.window.showInformationMessage(exportedMessage(result), reveal).then((c) => {
    if (c === reveal) void revealPath(format === 'onnx' ? path.dirname(out) : out);
  });
  return out;
}

/** Where to write: a .onnx file, or a folder (asking before replacing a model.json there). */
async function destination(runDir: string, format: ExportFormat): Promise<string | undefined> {
  const runId = path.basename(runDir);
  // Beside the runs folder: the workspace, usually.
  const near = path.dirname(path.dirname(runDir));
  const uri = await vscode.window.showSaveDialog(
    format === 'onnx'
      ? { title: `Export ${runId} as ONNX`, defaultUri: vscode.Uri.file(path.join(near, `${runId}.onnx`)), filters: { 'ONNX model': ['onnx'] }, saveLabel: 'Export' }
      : { title: `Export ${runId} as a TensorFlow.js folder (model.json, weights.bin)`, defaultUri: vscode.Uri.file(path.join(near, `${runId}-tfjs`)), saveLabel: 'Export' },
  );
  if (!uri) return undefined;
  let out = uri.fsPath;
  if (format === 'onnx') return /\.onnx$/i.test(out) ? out : `${out}.onnx`;
  if (fs.existsSync(path.join(out, 'model.json'))) {
    const replace = 'Replace';
    const choice = await vscode.window.showWarningMessage(`${out} already holds a model.json. Replace it?`, { modal: true }, replace);
    if (choice !== replace) return undefined;
  }
  return out;
}

export function exportedMessage(r: ExportResult): string {
  const what = `Exported ${r.runId} (${r.checkpoint} checkpoint${r.epoch !== null ? `, epoch ${r.epoch}` : ''}) to ${r.out}`;
  if (!r.onnx) return `${what}: ${r.files.map((f) => path.basename(f)).join(', ')}. Load it with tf.loadLayersModel.`;
  const input = r.onnx.inputs[0];
  return `${what}: ONNX opset ${r.onnx.opset}, ${r.onnx.nodes} nodes. Input ${input.name} [${input.shape.join(', ')}] NHWC float32, normalised as in training (the file's metadata dl-lab.normalization holds scale, mean and std).`;
}

/** The Explorer when the folder is in the workspace, else the OS file manager on a local desktop. */
async function revealPath(dir: string): Promise<void> {
  const uri = vscode.Uri.file(dir);
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else if (vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName) await vscode.commands.executeCommand('revealFileInOS', uri);
  else void vscode.window.showInformationMessage(dir);
}
