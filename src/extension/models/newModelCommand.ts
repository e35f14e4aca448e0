/**
 * `Deep Learning: New Model from Template...`: pick an architecture (with its parameters and MACs, from
 * the catalogue: no TensorFlow.js here), the input shape and classes (typed, the template's own, or a
 * dataset's as the engine describes it), where to save; writes a ready-to-train `*.model.ts` and opens it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkInput, referenceLabel, renderTemplate, type TemplateInfo } from '../../templates/catalogue';
import { modelFileName, parseShape, templatePickItems, validateClassesInput, validateShapeInput } from '../../templates/quickPick';
import { restrictedDataFolders } from '../shared/config';
import type { EngineHost } from '../engine/engineHost';
import { errorMessage } from '../shared/log';
import { pickDataset } from './pickers';

const TITLE = 'Deep Learning: New Model from Template';

export interface NewModelDeps {
  engine: EngineHost;
  log: vscode.LogOutputChannel;
}

/** Returns the file written, or undefined when cancelled. */
export async function newModelFromTemplate(deps: NewModelDeps): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showQuickPick(templatePickItems(), {
    title: TITLE,
    placeHolder: 'Architecture (parameters and MACs at its usual input size)',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  const template = picked.template;
  const data = await pickShape(deps, template);
  if (!data) return undefined;
  try {
    checkInput(template, data.inputShape);
  } catch (err) {
    void vscode.window.showErrorMessage(errorMessage(err));
    return undefined;
  }

  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const defaultUri = folder
    ? vscode.Uri.joinPath(folder, modelFileName(template, (name) => fs.existsSync(path.join(folder.fsPath, name))))
    : undefined;
  const target = await vscode.window.showSaveDialog({ title: TITLE, defaultUri, saveLabel: 'Create Model File', filters: { 'Model files': ['ts'] } });
  if (!target) return undefined;
  const text = renderTemplate(template, data);
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  deps.log.info(`New model file ${target.fsPath} from the template ${template.id}, for ${data.inputShape.join('x')} and ${data.numClasses} classes`);
  await vscode.window.showTextDocument(target);
  return target;
}

async function pickShape(deps: NewModelDeps, template: TemplateInfo): Promise<{ inputShape: number[]; numClasses: number } | undefined> {
  const ref = template.reference;
  const choice = await vscode.window.showQuickPick(
    [
      { label: referenceLabel(template, '×'), description: `${template.title}'s usual input`, value: 'reference' as const },
      // An image model (autoencoder, FPI) has no classes to ask for.
      { label: template.task ? 'Enter Input Shape…' : 'Enter Input Shape and Classes…', value: 'enter' as const },
      { label: 'From a Dataset…', detail: 'synthetic:shapes, or a dataset file or folder: its image shape and classes', value: 'dataset' as const },
    ],
    { title: TITLE, placeHolder: 'The data the model is for' },
  );
  if (!choice) return undefined;
  if (choice.value === 'reference') return { inputShape: [...ref.inputShape], numClasses: ref.numClasses };
  if (choice.value === 'enter') {
    const shapeText = await vscode.window.showInputBox({
      title: TITLE,
      prompt: 'Input shape: height, width, channels',
      value: ref.inputShape.join(','),
      validateInput: (text) => validateShapeInput(text, template),
    });
    if (shapeText === undefined) return undefined;
    if (template.task) return { inputShape: parseShape(shapeText)!, numClasses: ref.numClasses };
    const classesText = await vscode.window.showInputBox({ title: TITLE, prompt: 'Number of classes', value: String(ref.numClasses), validateInput: validateClassesInput });
    if (classesText === undefined) return undefined;
    return { inputShape: parseShape(shapeText)!, numClasses: Number(classesText.trim()) };
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(process.cwd());
  const spec = await pickDataset(folder);
  if (!spec) return undefined;
  try {
    const summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Reading ${spec}…` },
      // Restricted Mode confines the read to the workspace, as in the Datasets view.
      async () => (await deps.engine.get()).describeData(spec, restrictedDataFolders()),
    );
    return { inputShape: summary.shape, numClasses: summary.classes.length };
  } catch (err) {
    void vscode.window.showErrorMessage(`Cannot read ${spec}: ${errorMessage(err)}`);
    return undefined;
  }
}
