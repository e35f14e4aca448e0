/**
 * The training commands: Train Model (dlLab.train), Stop Training (dlLab.stopTraining), Train Model with
 * Options... (dlLab.trainWithOptions) and Resume Run (dlLab.resumeRun), all through trainCommand.ts's
 * trainModel.
 */
import * as vscode from 'vscode';
import type { RunsProvider } from '../runs/runsView';
import { COMMANDS } from '../shared/commands';
import { guardedCommand } from '../shared/registerCommand';
import { askTrainOptions } from './optionsWizard';
import { resumeRun } from './resumeRun';
import { stopTraining, trainModel, type TrainDeps } from './trainCommand';

/** `runs`: the Runs view, where Resume Run from the palette finds the resumable runs (no view: no Resume Run). */
export function registerTrainingCommands(deps: TrainDeps, runs: RunsProvider | undefined): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMANDS.train.id, (arg?: unknown) => trainModel(deps, arg)),
    vscode.commands.registerCommand(COMMANDS.stopTraining.id, () => stopTraining(deps)),
    guardedCommand(deps.log, COMMANDS.trainWithOptions.id, (arg) => trainModel(deps, arg, { ask: (modelFile) => askTrainOptions(modelFile) })),
    ...(runs ? [guardedCommand(deps.log, COMMANDS.resumeRun.id, (arg) => resumeRun(deps, runs, arg))] : []),
  );
}
