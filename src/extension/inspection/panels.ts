/**
 * The inspection commands (dlLab.showSummary, dlLab.showFeatureMaps, dlLab.showFilters,
 * dlLab.probeEquivariance) and their panels beside the editor, keeping focus there: one panel per kind and
 * model file, revealed (and pointed at the run given) when asked again. Each command takes a model file
 * (Uri or path), a run folder, or nothing (the active editor's model file, else a pick).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EquivariancePanel } from './equivariancePanel';
import { FeatureMapsPanel } from './featureMapsPanel';
import { FiltersPanel } from './filtersPanel';
import { COMMAND_TITLES, InspectionPanel, latestRun, resolveTarget, type InspectionDeps, type InspectionKind, type InspectionTarget } from './inspectionPanel';
import { ModelSummaryPanel } from './modelSummaryPanel';
import { createBesidePanel, ViewsByKey } from '../shared/webviewPanel';

const MANAGE_TRUST = 'Manage Workspace Trust';

type AnyPanel = InspectionPanel<unknown, { type: string }>;
type PanelFactory = (panel: vscode.WebviewPanel, target: InspectionTarget, deps: InspectionDeps) => AnyPanel;

const FACTORIES: Record<InspectionKind, PanelFactory> = {
  modelSummary: (panel, target, deps) => new ModelSummaryPanel(panel, target, deps) as unknown as AnyPanel,
  featureMaps: (panel, target, deps) => new FeatureMapsPanel(panel, target, deps) as unknown as AnyPanel,
  filters: (panel, target, deps) => new FiltersPanel(panel, target, deps) as unknown as AnyPanel,
  equivariance: (panel, target, deps) => new EquivariancePanel(panel, target, deps) as unknown as AnyPanel,
};

/** The open panels, one per kind and model file. */
export class InspectionPanels implements vscode.Disposable {
  private readonly open = new ViewsByKey<AnyPanel>();

  constructor(
    private readonly deps: InspectionDeps,
    private readonly factories: Record<InspectionKind, PanelFactory> = FACTORIES,
  ) {}

  /** The panel of this kind for this model, if open. */
  get(kind: InspectionKind, modelFile: string): AnyPanel | undefined {
    return this.open.get(`${kind}\0${path.resolve(modelFile)}`);
  }

  async show(kind: InspectionKind, arg: unknown): Promise<AnyPanel | undefined> {
    const { title, tab } = COMMAND_TITLES[kind];
    if (!vscode.workspace.isTrusted) {
      // Building a model runs its file's code, as training does.
      this.deps.log.warn(`${title} refused: the workspace is in Restricted Mode`);
      void vscode.window
        .showWarningMessage(`${title} is unavailable in Restricted Mode: model files are code, and inspecting a model runs it. Trust this workspace to inspect models.`, MANAGE_TRUST)
        .then((choice) => choice === MANAGE_TRUST && vscode.commands.executeCommand('workbench.trust.manage'));
      return undefined;
    }
    const target = await resolveTarget(arg, title);
    if (!target) return undefined;
    // The model's latest run: its checkpoints, and its dataset (the summary's input shape and classes).
    if (!target.runDir) target.runDir = latestRun(target.modelFile);
    const key = `${kind}\0${path.resolve(target.modelFile)}`;
    const existing = this.open.reveal(key);
    if (existing) {
      existing.retarget(target);
      return existing;
    }
    // Kept while hidden: the maps and charts took the engine time to compute.
    const panel = createBesidePanel(`dlLab.${kind}`, `${tab}: ${path.basename(target.modelFile)}`, this.deps.extensionUri);
    return this.open.add(key, this.factories[kind](panel, target, this.deps));
  }

  dispose(): void {
    this.open.dispose();
  }
}

/** Registers the four commands; the returned disposable closes their panels too. */
export function registerInspectionPanels(deps: InspectionDeps): vscode.Disposable {
  const panels = new InspectionPanels(deps);
  const kinds = Object.keys(COMMAND_TITLES) as InspectionKind[];
  return vscode.Disposable.from(
    panels,
    ...kinds.map((kind) => vscode.commands.registerCommand(COMMAND_TITLES[kind].command, (arg?: unknown) => panels.show(kind, arg))),
  );
}
