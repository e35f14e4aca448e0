/**
 * The Models view (dlLab.models) and its commands: Refresh Models, the rows' Train and Summary (which hand
 * the model file to Train Model and Show Model Summary, as the editor does), New Model from Template... and
 * Open Example.
 */
import * as vscode from 'vscode';
import { COMMANDS, VIEWS } from '../shared/commands';
import { settingChanged } from '../shared/config';
import { guardedCommand } from '../shared/registerCommand';
import { ModelsProvider, type ModelFileNode } from './modelsView';
import { newModelFromTemplate, type NewModelDeps } from './newModelCommand';
import { openExample } from './openExample';

export interface ModelsViewDeps extends NewModelDeps {
  extensionUri: vscode.Uri;
}

export interface ModelsView extends vscode.Disposable {
  models: ModelsProvider;
}

export function registerModelsView(deps: ModelsViewDeps): ModelsView {
  const models = new ModelsProvider(deps.engine, deps.log);
  const view = vscode.window.createTreeView(VIEWS.models, { treeDataProvider: models, showCollapseAll: true });
  const disposable = vscode.Disposable.from(
    models,
    view,
    vscode.commands.registerCommand(COMMANDS.newModel.id, () => newModelFromTemplate(deps)),
    guardedCommand(deps.log, COMMANDS.openExample.id, () => openExample(deps.extensionUri)),
    guardedCommand(deps.log, COMMANDS.refreshModels.id, () => models.refresh()),
    // The Models view's inline actions hand their commands the model file's Uri, as the editor does.
    guardedCommand(deps.log, COMMANDS.trainModelFile.id, (arg) => vscode.commands.executeCommand(COMMANDS.train.id, modelUriOf(arg))),
    guardedCommand(deps.log, COMMANDS.modelFileSummary.id, (arg) => vscode.commands.executeCommand(COMMANDS.showSummary.id, modelUriOf(arg))),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settingChanged(e, 'modelGlob', 'runsDir', 'defaultDataset')) models.settingsChanged();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => models.settingsChanged()),
  );
  return { models, dispose: () => disposable.dispose() };
}

function modelUriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const node = arg as Partial<ModelFileNode> | undefined;
  return node?.uri instanceof vscode.Uri ? node.uri : undefined;
}
