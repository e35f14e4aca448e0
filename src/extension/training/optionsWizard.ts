/**
 * Train Model with Options... (dlLab.trainWithOptions): the steps that ask for epochs, batch size,
 * learning rate, optimizer and backend; trainOptions.ts checks and turns the answers into overrides.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BACKEND_CHOICES, OPTIMIZERS, type BackendChoice, type OptimizerName } from '../../protocol/engineTypes';
import { backendSettingText } from '../shared/config';
import { trainOptionsFrom, validateBatchSize, validateEpochs, validateLearningRate, type TrainOptionAnswers } from './trainOptions';

const KEEP = "the model file's";

/** The option steps; undefined when the user pressed Escape. */
export async function askTrainOptions(modelFile: vscode.Uri): Promise<ReturnType<typeof trainOptionsFrom> | undefined> {
  const name = path.basename(modelFile.fsPath);
  const total = 5;
  const title = (n: number) => `Train ${name} with Options (${n}/${total})`;
  const answers: TrainOptionAnswers = {};
  const input = async (n: number, prompt: string, placeHolder: string, validateInput: (t: string) => string | undefined) =>
    vscode.window.showInputBox({ title: title(n), prompt, placeHolder, validateInput, ignoreFocusOut: true });

  answers.epochs = await input(1, 'Epochs (empty: the model file\'s)', 'e.g. 10', validateEpochs);
  if (answers.epochs === undefined) return undefined;
  answers.batchSize = await input(2, 'Batch size (empty: the model file\'s)', 'e.g. 64', validateBatchSize);
  if (answers.batchSize === undefined) return undefined;
  answers.learningRate = await input(3, 'Learning rate (empty: the model file\'s)', 'e.g. 0.001', validateLearningRate);
  if (answers.learningRate === undefined) return undefined;

  const optimizer = await vscode.window.showQuickPick(
    [{ label: KEEP, description: 'keep the optimizer of the model file', value: '' as OptimizerName | '' }, ...OPTIMIZERS.map((o) => ({ label: o, description: '', value: o }))],
    { title: title(4), placeHolder: 'Optimizer', ignoreFocusOut: true },
  );
  if (!optimizer) return undefined;
  answers.optimizer = optimizer.value;

  const setting = backendSettingText(modelFile);
  const backend = await vscode.window.showQuickPick(
    [{ label: 'setting', description: `dlLab.backend: ${setting}`, value: '' as BackendChoice | '' }, ...BACKEND_CHOICES.map((b) => ({ label: b, description: '', value: b }))],
    { title: title(5), placeHolder: 'Backend', ignoreFocusOut: true },
  );
  if (!backend) return undefined;
  answers.backend = backend.value;

  const options = trainOptionsFrom(answers);
  return options;
}
