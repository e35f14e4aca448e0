/** A webview panel's page: its bundle from dist/webviews/ under webviewHtml.ts's Content-Security-Policy. */
import * as vscode from 'vscode';
import { nonce, webviewHtml, type WebviewPage } from './webviewHtml';

/** Shows `bundle` (dist/webviews/<bundle>.js and .css) in `panel`, titled as the panel. */
export function setPanelPage(
  panel: vscode.WebviewPanel,
  extensionUri: vscode.Uri,
  bundle: string,
  page: Pick<WebviewPage, 'placeholder' | 'dataImages' | 'live'>,
): void {
  const webview = panel.webview;
  const root = vscode.Uri.joinPath(extensionUri, 'dist', 'webviews');
  webview.html = webviewHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, `${bundle}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, `${bundle}.css`)).toString(),
    nonce: nonce(),
    title: panel.title,
    ...page,
  });
}

/**
 * A view beside the editor that leaves the focus there (inspection and evaluation views): scripts on,
 * resources from dist/webviews/ only, kept while its tab is hidden (what it shows took the engine time).
 */
export function createBesidePanel(viewType: string, title: string, extensionUri: vscode.Uri): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(
    viewType,
    title,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webviews')], retainContextWhenHidden: true },
  );
}

/** Open views by key (a model file, a run): one each, revealed beside when asked again, forgotten when closed. */
export class ViewsByKey<T extends { panel: vscode.WebviewPanel }> implements vscode.Disposable {
  private readonly open = new Map<string, T>();

  get(key: string): T | undefined {
    return this.open.get(key);
  }

  /** The open view for `key`, revealed beside without taking the focus; undefined when there is none. */
  reveal(key: string): T | undefined {
    const existing = this.open.get(key);
    existing?.panel.reveal(vscode.ViewColumn.Beside, true);
    return existing;
  }

  add(key: string, view: T): T {
    this.open.set(key, view);
    view.panel.onDidDispose(() => this.open.delete(key));
    return view;
  }

  dispose(): void {
    for (const view of [...this.open.values()]) view.panel.dispose();
    this.open.clear();
  }
}
