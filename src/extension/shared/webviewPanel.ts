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
