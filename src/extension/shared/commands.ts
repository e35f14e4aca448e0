/**
 * Every command, view and context key the extension contributes, declared once: registrations, menus'
 * arguments, CodeLens and status bar commands use these constants, never a string literal.
 * test/extension/commands.test.ts checks this table against package.json's `contributes` both ways
 * (commands with their titles, menus, keybindings, views), and test/extension/extension.test.ts that
 * activation registers exactly these commands. No imports: free of `vscode`.
 *
 * A new command: add it here and to package.json's contributes.commands (same id and title), then register
 * it in its area's commands module.
 */

/** The category every command shows under in the Command Palette. */
export const COMMAND_CATEGORY = 'Deep Learning';

export const COMMANDS = {
  newModel: { id: 'dlLab.newModel', title: 'New Model from Template...' },
  train: { id: 'dlLab.train', title: 'Train Model' },
  stopTraining: { id: 'dlLab.stopTraining', title: 'Stop Training' },
  showEngineLog: { id: 'dlLab.showEngineLog', title: 'Show Engine Log' },
  openDashboard: { id: 'dlLab.openDashboard', title: 'Open Dashboard' },
  compareRuns: { id: 'dlLab.compareRuns', title: 'Compare Runs' },
  compareSweep: { id: 'dlLab.compareSweep', title: 'Compare Sweep' },
  restartEngine: { id: 'dlLab.restartEngine', title: 'Restart Engine' },
  previewDataset: { id: 'dlLab.previewDataset', title: 'Preview Dataset' },
  trainOnDataset: { id: 'dlLab.trainOnDataset', title: 'Train a Model on This Dataset' },
  copyDatasetSpec: { id: 'dlLab.copyDatasetSpec', title: 'Copy Dataset Spec' },
  refreshDatasets: { id: 'dlLab.refreshDatasets', title: 'Refresh Datasets' },
  showSummary: { id: 'dlLab.showSummary', title: 'Show Model Summary' },
  showFeatureMaps: { id: 'dlLab.showFeatureMaps', title: 'Show Feature Maps' },
  showFilters: { id: 'dlLab.showFilters', title: 'Show Learned Filters' },
  probeEquivariance: { id: 'dlLab.probeEquivariance', title: 'Probe Shift Equivariance' },
  trainWithOptions: { id: 'dlLab.trainWithOptions', title: 'Train Model with Options...' },
  resumeRun: { id: 'dlLab.resumeRun', title: 'Resume Run' },
  selectBackend: { id: 'dlLab.selectBackend', title: 'Select Backend' },
  openExample: { id: 'dlLab.openExample', title: 'Open Example' },
  refreshRuns: { id: 'dlLab.refreshRuns', title: 'Refresh Runs' },
  refreshModels: { id: 'dlLab.refreshModels', title: 'Refresh Models' },
  stopRun: { id: 'dlLab.stopRun', title: 'Stop' },
  deleteRun: { id: 'dlLab.deleteRun', title: 'Delete' },
  revealRun: { id: 'dlLab.revealRun', title: 'Reveal in Explorer' },
  exportModel: { id: 'dlLab.exportModel', title: 'Export Model...' },
  copyRunConfig: { id: 'dlLab.copyRunConfig', title: 'Copy Config' },
  compareSelectedRuns: { id: 'dlLab.compareSelectedRuns', title: 'Compare Selected Runs' },
  openInTensorBoard: { id: 'dlLab.openInTensorBoard', title: 'Open in TensorBoard' },
  detectAnomalies: { id: 'dlLab.detectAnomalies', title: 'Detect Anomalies' },
  evaluateRun: { id: 'dlLab.evaluateRun', title: 'Evaluate Run' },
  trainModelFile: { id: 'dlLab.trainModelFile', title: 'Train' },
  modelFileSummary: { id: 'dlLab.modelFileSummary', title: 'Summary' },
} as const satisfies Record<string, { id: `dlLab.${string}`; title: string }>;

export type CommandName = keyof typeof COMMANDS;
export type CommandId = (typeof COMMANDS)[CommandName]['id'];

/** The title as the Command Palette shows it: `Deep Learning: Preview Dataset`. */
export function paletteTitle(name: CommandName): string {
  return `${COMMAND_CATEGORY}: ${COMMANDS[name].title}`;
}

/** The ids of the tree views (package.json contributes.views). */
export const VIEWS = {
  datasets: 'dlLab.datasets',
  models: 'dlLab.models',
  runs: 'dlLab.runs',
} as const;

/** Context keys the extension sets (`when` clauses read them). */
export const CONTEXT_KEYS = {
  /** A run of this window is training: menus show Stop Training instead of Train Model. */
  training: 'dlLab.training',
} as const;

/** The tree items' `contextValue`s that menus' `viewItem` clauses match. */
export const VIEW_ITEMS = {
  modelFile: 'dlLab.modelFile',
  dataset: 'dlLab.dataset',
  runGroup: 'dlLab.runGroup',
  unreadableRun: 'dlLab.unreadableRun',
  /** A run's item: `dlLab.run.<status>`. */
  run: (status: string) => `dlLab.run.${status}`,
} as const;
