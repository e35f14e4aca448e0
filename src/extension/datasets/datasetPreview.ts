/**
 * Preview Dataset: a webview beside the editor ("Preview: <name>") with the dataset's summary, a grid of
 * samples per class, a histogram of the classes, and a row of augmented versions of one sample; Shuffle
 * asks for other samples (a new seed). The engine reads the data and renders the PNGs (data/preview);
 * this side only passes them on. One panel per dataset: previewing it again reveals it.
 *
 * The page (webviews/datasetPreview/, bundled to dist/webviews/) runs under a strict Content-Security-
 * Policy: nothing by default, its script by nonce, its stylesheet from the bundle folder, images as data:
 * URLs; it may load nothing else from disk (localResourceRoots: dist/webviews). Messages both ways are
 * typed and validated in src/protocol/webview.ts.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../shared/commands';
import { setPanelPage } from '../shared/webviewPanel';
import { parseDatasetPreviewAction, type DatasetPreviewUpdate } from '../../protocol/webview';
import type { EngineHost } from '../engine/engineHost';
import { restrictedDataFolders } from '../shared/config';
import { errorMessage } from '../shared/log';

export const PREVIEW_VIEW_TYPE = 'dlLab.datasetPreview';
const PER_CLASS = 10;
const AUGMENTED = 8;

export interface PreviewDeps {
  extensionUri: vscode.Uri;
  engine: Pick<EngineHost, 'get'>;
  log: vscode.LogOutputChannel;
}

class PreviewPanel {
  private seed = 0;
  private generation = 0;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly spec: string,
    private readonly name: string,
    private readonly deps: PreviewDeps,
  ) {
    const webview = panel.webview;
    setPanelPage(panel, deps.extensionUri, 'datasetPreview', { placeholder: 'Reading the dataset…', dataImages: true });
    webview.onDidReceiveMessage((raw: unknown) => {
      const message = parseDatasetPreviewAction(raw, (why) => deps.log.warn(`Dataset preview: ignored a message that is not one (${why}): ${JSON.stringify(raw)?.slice(0, 200)}`));
      if (!message) return;
      switch (message.type) {
        case 'ready':
          void this.load();
          break;
        case 'shuffle':
          this.seed = 1 + Math.floor(Math.random() * 1_000_000);
          void this.load();
          break;
        case 'train':
          void vscode.commands.executeCommand(COMMANDS.train.id, { data: this.spec });
          break;
        case 'copySpec':
          void vscode.commands.executeCommand(COMMANDS.copyDatasetSpec.id, this.spec);
          break;
      }
    });
  }

  private post(update: DatasetPreviewUpdate): void {
    void this.panel.webview.postMessage(update);
  }

  /** Asks the engine for samples with the current seed; a newer request wins over an older one. */
  async load(): Promise<void> {
    const generation = ++this.generation;
    this.post({ type: 'loading', name: this.name, seed: this.seed });
    try {
      const supervisor = await this.deps.engine.get();
      const within = restrictedDataFolders();
      const preview = await supervisor.previewData({ data: this.spec, perClass: PER_CLASS, augmented: AUGMENTED, seed: this.seed, ...(within ? { within } : {}) });
      if (generation === this.generation) this.post({ type: 'preview', name: this.name, spec: this.spec, preview });
    } catch (err) {
      const message = errorMessage(err);
      this.deps.log.warn(`Dataset preview of ${this.spec}: ${message}`);
      if (generation === this.generation) this.post({ type: 'error', name: this.name, message });
    }
  }
}

/** The open previews, one per dataset. */
export class DatasetPreviews implements vscode.Disposable {
  private readonly panels = new Map<string, PreviewPanel>();

  constructor(private readonly deps: PreviewDeps) {}

  show(spec: string, name: string): void {
    const open = this.panels.get(spec);
    if (open) {
      open.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      PREVIEW_VIEW_TYPE,
      `Preview: ${name}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'webviews')],
        // Keeps the samples when the tab is hidden and shown again (they came from the engine, which may be busy).
        retainContextWhenHidden: true,
      },
    );
    const preview = new PreviewPanel(panel, spec, name, this.deps);
    this.panels.set(spec, preview);
    panel.onDidDispose(() => this.panels.delete(spec));
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.panel.dispose();
    this.panels.clear();
  }
}
