/**
 * A page's side of its webview: VS Code's API, acquired once (VS Code allows one call per page) and typed
 * by the page's messages from src/protocol/webview.ts, and the extension's messages. Only types come from
 * the protocol (`import type` in the pages), so that no schema library lands in a page bundle: the
 * extension checks what a page sends, and only the extension can post to a page (what it posts is held to
 * the same schemas by its tests).
 */

export interface WebviewApi<Action, State = never> {
  postMessage(message: Action): void;
  /** What the page kept with setState before it was hidden or reloaded; undefined on its first load. */
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<Action, State>(): WebviewApi<Action, State>;

/** Call once per page: `Action` is what the page posts, `State` what it keeps across reloads. */
export function webviewApi<Action, State = never>(): WebviewApi<Action, State> {
  return acquireVsCodeApi() as WebviewApi<Action, State>;
}

/** Hands `handle` each message from the extension (typed by the protocol; see above). */
export function onMessages<Update>(handle: (update: Update) => void): void {
  window.addEventListener('message', (event: MessageEvent) => handle(event.data as Update));
}
