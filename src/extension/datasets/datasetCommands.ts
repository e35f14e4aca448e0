/**
 * The Datasets view's registration and commands: Refresh Datasets, Preview Dataset, Train a Model on This
 * Dataset (dlLab.train with `{ data }`) and Copy Dataset Spec (the `--data` argument), each on a row or,
 * from the palette, on a dataset picked from the view's.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineHost } from '../engine/engineHost';
import { COMMANDS, paletteTitle, VIEWS } from '../shared/commands';
import { settingChanged } from '../shared/config';
import { cliSpec, describeSummary } from './datasetsModel';
import { DatasetsProvider } from './datasetsView';


/** The dataset a command was invoked on: a view row, a spec string, a Uri, or `{ data }`. */
export function datasetArg(arg: unknown): { spec: string; label: string } | undefined {
  if (typeof arg === 'string' && arg.trim()) return { spec: arg.trim(), label: labelOf(arg.trim()) };
  if (arg instanceof vscode.Uri && arg.scheme === 'file') return { spec: arg.fsPath, label: labelOf(arg.fsPath) };
  if (typeof arg === 'object' && arg !== null) {
    const o = arg as { type?: unknown; spec?: unknown; label?: unknown; data?: unknown };
    if (o.type === 'dataset' && typeof o.spec === 'string') return { spec: o.spec, label: typeof o.label === 'string' ? o.label : labelOf(o.spec) };
    if (typeof o.data === 'string' && o.data.trim()) return { spec: o.data.trim(), label: labelOf(o.data.trim()) };
  }
  return undefined;
}

function labelOf(spec: string): string {
  if (spec.startsWith('synthetic:')) return spec;
  return vscode.workspace.asRelativePath(vscode.Uri.file(spec), false) || path.basename(spec);
}

export interface DatasetsViewDeps {
  engine: EngineHost;
  log: vscode.LogOutputChannel;
  /** Opens the preview of a dataset. */
  preview: (spec: string, label: string) => unknown;
}

/** Registers the view and its commands. */
export function registerDatasetsView(deps: DatasetsViewDeps): vscode.Disposable {
  const provider = new DatasetsProvider(deps.engine, deps.log);
  const pick = async (arg: unknown, title: string) => {
    const given = datasetArg(arg);
    if (given) return given;
    const datasets = await provider.datasets();
    const picked = await vscode.window.showQuickPick(
      datasets.map((d) => ({ label: d.label, description: provider.summary(d.spec) && describeSummary(provider.summary(d.spec)!), spec: d.spec })),
      { title, placeHolder: 'Dataset' },
    );
    return picked && { spec: picked.spec, label: picked.label };
  };
  const view = vscode.window.createTreeView(VIEWS.datasets, { treeDataProvider: provider, showCollapseAll: true });
  return vscode.Disposable.from(
    provider,
    view,
    vscode.commands.registerCommand(COMMANDS.refreshDatasets.id, () => provider.refresh()),
    vscode.commands.registerCommand(COMMANDS.previewDataset.id, async (arg?: unknown) => {
      const dataset = await pick(arg, paletteTitle('previewDataset'));
      if (dataset) await deps.preview(dataset.spec, dataset.label);
    }),
    vscode.commands.registerCommand(COMMANDS.trainOnDataset.id, async (arg?: unknown) => {
      const dataset = await pick(arg, paletteTitle('trainOnDataset'));
      if (dataset) return vscode.commands.executeCommand(COMMANDS.train.id, { data: dataset.spec });
    }),
    vscode.commands.registerCommand(COMMANDS.copyDatasetSpec.id, async (arg?: unknown) => {
      const dataset = await pick(arg, paletteTitle('copyDatasetSpec'));
      if (!dataset) return;
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dataset.spec)) ?? vscode.workspace.workspaceFolders?.[0];
      const text = cliSpec(dataset.spec, folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined);
      await vscode.env.clipboard.writeText(text);
      void vscode.window.setStatusBarMessage(`Copied ${text}`, 3000);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settingChanged(e, 'datasetGlobs', 'runsDir')) provider.settingsChanged();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => provider.settingsChanged()),
  );
}
