/**
 * A minimal stand-in for the `vscode` module, enough to activate the bundled extension in plain Node and
 * drive its commands: it records what the extension shows (messages, progress, status bar, log) and
 * answers quick picks and messages as a test scripts them. Not VS Code: the e2e harness checks the real one.
 */
import * as path from 'node:path';

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  event = (listener: Listener<T>) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(e: T) {
    for (const l of [...this.listeners]) l(e);
  }
  dispose() {
    this.listeners.clear();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  static file(p: string) {
    return new Uri('file', path.resolve(p));
  }
  static joinPath(base: Uri, ...parts: string[]) {
    return new Uri(base.scheme, path.join(base.fsPath, ...parts));
  }
  get path() {
    return this.fsPath.split(path.sep).join('/');
  }
  toString() {
    return `${this.scheme}://${this.path}`;
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class TreeItem {
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  resourceUri?: Uri;
  id?: string;
  contextValue?: string;
  command?: unknown;
  constructor(
    readonly label: string,
    readonly collapsibleState: number,
  ) {}
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

export class RelativePattern {
  constructor(
    readonly base: Uri | { uri: Uri },
    readonly pattern: string,
  ) {}
}

export const ConfigurationTarget = { Global: 1, Workspace: 2, WorkspaceFolder: 3 };

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };

export const Disposable = {
  from: (...d: { dispose(): unknown }[]) => ({ dispose: () => d.forEach((x) => x.dispose()) }),
};

/** A file system watcher the stub hands out; tests fire its events. */
export interface StubWatcher {
  glob: string;
  create: EventEmitter<Uri>;
  change: EventEmitter<Uri>;
  del: EventEmitter<Uri>;
}

export const StatusBarAlignment = { Left: 1, Right: 2 };
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 };
export const UIKind = { Desktop: 1, Web: 2 };

export interface Shown {
  kind: 'info' | 'warning' | 'error';
  message: string;
  items: string[];
  modal: boolean;
}

export interface ProgressRecord {
  title?: string;
  cancellable?: boolean;
  reports: { message?: string; increment?: number }[];
  cancel: () => void;
  done: boolean;
}

/** What the extension did, and how the "user" answers. */
export const ui = {
  trusted: true,
  folder: '',
  settings: {} as Record<string, unknown>,
  modelFiles: [] as string[],
  activeFile: undefined as string | undefined,
  shown: [] as Shown[],
  log: [] as string[],
  commandsRun: [] as { command: string; args: unknown[] }[],
  progress: [] as ProgressRecord[],
  statusBar: { text: '', tooltip: '' as unknown, visible: false, command: '' as unknown },
  /** Answers the next quick pick: picks the item this returns (undefined: the user pressed Escape). */
  pickAnswers: [] as ((items: { label: string }[]) => { label: string } | undefined)[],
  /** Answers the next input box with what this returns (undefined: Escape); without one, Escape. */
  inputAnswers: [] as ((options: { title?: string; prompt?: string; value?: string; validateInput?: (t: string) => unknown }) => string | undefined)[],
  /** Answers showOpenDialog / showSaveDialog (undefined: cancelled). */
  openDialogAnswer: (): Uri[] | undefined => undefined,
  saveDialogAnswer: (): Uri | undefined => undefined,
  /** Files opened with showTextDocument, the clipboard, settings written with update(), tree views' selections. */
  opened: [] as string[],
  /** The options of each showTextDocument (viewColumn, selection: where a line was revealed). */
  openedOptions: [] as unknown[],
  clipboard: '',
  updates: [] as { key: string; value: unknown; target: unknown }[],
  selections: new Map<string, unknown[]>(),
  /** Answers messages: the item to click, or undefined. */
  messageAnswer: (_shown: Shown): string | undefined => undefined,
  trustGranted: new EventEmitter<void>(),
  /** Ids of the tree views created, and the file watchers handed out. */
  treeViews: [] as string[],
  watchers: [] as StubWatcher[],
  /** Fire with `{ affectsConfiguration }` to announce a settings change. */
  configChanged: new EventEmitter<unknown>(),
  /** Language feature providers registered, and the diagnostic collections created. */
  providers: [] as { kind: 'inlayHints' | 'codeLens' | 'hover'; selector: unknown; provider: any }[],
  diagnostics: new Map<string, DiagnosticCollection>(),
  visibleEditors: new EventEmitter<unknown[]>(),
  saved: new EventEmitter<unknown>(),
  closed: new EventEmitter<unknown>(),
  reset() {
    this.shown = [];
    this.log = [];
    this.commandsRun = [];
    this.progress = [];
    this.pickAnswers = [];
    this.inputAnswers = [];
    this.opened = [];
    this.openedOptions = [];
    this.updates = [];
    this.messageAnswer = () => undefined;
  },
};

const commands = new Map<string, (...args: unknown[]) => unknown>();

function show(kind: Shown['kind']) {
  return (message: string, ...rest: unknown[]) => {
    let modal = false;
    if (rest.length && typeof rest[0] === 'object' && rest[0] !== null) modal = Boolean((rest.shift() as { modal?: boolean }).modal);
    const shown: Shown = { kind, message, items: rest as string[], modal };
    ui.shown.push(shown);
    return Promise.resolve(ui.messageAnswer(shown));
  };
}

function channel(name: string) {
  const at = (level: string) => (message: string) => ui.log.push(`[${level}] ${message}`);
  return { name, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), show() {}, dispose() {} };
}

export const window = {
  get activeTextEditor() {
    return ui.activeFile ? { document: { uri: Uri.file(ui.activeFile) } } : undefined;
  },
  visibleTextEditors: [] as unknown[],
  onDidChangeVisibleTextEditors: ui.visibleEditors.event,
  createOutputChannel: (name: string) => channel(name),
  createStatusBarItem: () => {
    const item = {
      name: '',
      backgroundColor: undefined as unknown,
      get text() { return ui.statusBar.text; },
      set text(v: string) { ui.statusBar.text = v; },
      get tooltip() { return ui.statusBar.tooltip; },
      set tooltip(v: unknown) { ui.statusBar.tooltip = v; },
      get command() { return ui.statusBar.command; },
      set command(v: unknown) { ui.statusBar.command = v; },
      show: () => (ui.statusBar.visible = true),
      hide: () => (ui.statusBar.visible = false),
      dispose: () => (ui.statusBar.visible = false),
    };
    return item;
  },
  showInformationMessage: show('info'),
  showWarningMessage: show('warning'),
  showErrorMessage: show('error'),
  showQuickPick: async (items: { label: string }[]) => {
    const answer = ui.pickAnswers.shift();
    return answer ? answer(await items) : items[0];
  },
  showOpenDialog: async () => ui.openDialogAnswer(),
  showSaveDialog: async () => ui.saveDialogAnswer(),
  showInputBox: async (options: { title?: string; prompt?: string; value?: string; validateInput?: (t: string) => unknown }) => ui.inputAnswers.shift()?.(options),
  showTextDocument: async (uri: Uri, options?: unknown) => {
    ui.opened.push(uri.fsPath);
    ui.openedOptions.push(options);
    return { document: { uri } };
  },
  createTreeView: (id: string) => {
    ui.treeViews.push(id);
    return {
      get selection() {
        return ui.selections.get(id) ?? [];
      },
      dispose() {},
    };
  },
  setStatusBarMessage: () => ({ dispose() {} }),
  withProgress: async <R>(
    options: { title?: string; cancellable?: boolean },
    task: (progress: { report(v: object): void }, token: { isCancellationRequested: boolean; onCancellationRequested: (l: Listener<void>) => { dispose(): void } }) => Promise<R>,
  ): Promise<R> => {
    const cancelled = new EventEmitter<void>();
    const token = { isCancellationRequested: false, onCancellationRequested: cancelled.event };
    const record: ProgressRecord = {
      title: options.title,
      cancellable: options.cancellable,
      reports: [],
      cancel: () => {
        token.isCancellationRequested = true;
        cancelled.fire();
      },
      done: false,
    };
    ui.progress.push(record);
    try {
      return await task({ report: (v) => record.reports.push(v) }, token);
    } finally {
      record.done = true;
    }
  },
};

export const workspace = {
  get isTrusted() {
    return ui.trusted;
  },
  get workspaceFolders() {
    return ui.folder ? [{ uri: Uri.file(ui.folder), name: path.basename(ui.folder), index: 0 }] : undefined;
  },
  textDocuments: [] as unknown[],
  onDidGrantWorkspaceTrust: ui.trustGranted.event,
  onDidChangeConfiguration: ui.configChanged.event,
  onDidSaveTextDocument: ui.saved.event,
  onDidCloseTextDocument: ui.closed.event,
  getConfiguration: (section: string) => ({
    get: (key: string) => ui.settings[`${section}.${key}`],
    update: async (key: string, value: unknown, target: unknown) => {
      ui.updates.push({ key: `${section}.${key}`, value, target });
      ui.settings[`${section}.${key}`] = value;
    },
  }),
  getWorkspaceFolder: (uri: Uri) =>
    ui.folder && (uri.fsPath === ui.folder || uri.fsPath.startsWith(ui.folder + path.sep)) ? workspace.workspaceFolders![0] : undefined,
  findFiles: async () => ui.modelFiles.map((f) => Uri.file(f)),
  asRelativePath: (uri: Uri) => (ui.folder ? path.relative(ui.folder, uri.fsPath) : uri.fsPath),
  createFileSystemWatcher: (glob: string) => {
    const w: StubWatcher = { glob, create: new EventEmitter<Uri>(), change: new EventEmitter<Uri>(), del: new EventEmitter<Uri>() };
    ui.watchers.push(w);
    return { onDidCreate: w.create.event, onDidChange: w.change.event, onDidDelete: w.del.event, dispose() {} };
  },
  onDidChangeWorkspaceFolders: new EventEmitter<unknown>().event,
  /** Deletes for real; `useTrash` is recorded (tests check that the trash was asked for). */
  fs: {
    trashed: [] as string[],
    delete: async (uri: Uri, options?: { recursive?: boolean; useTrash?: boolean }) => {
      if (options?.useTrash) workspace.fs.trashed.push(uri.fsPath);
      (await import('node:fs')).rmSync(uri.fsPath, { recursive: !!options?.recursive });
    },
  },
};

// --- Language features: what the inlay hint, CodeLens, hover and diagnostics code needs.
export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c!, d!) : (b as Position);
  }
}

export class MarkdownString {
  isTrusted?: unknown;
  supportHtml?: boolean;
  constructor(
    public value = '',
    readonly supportThemeIcons = false,
  ) {}
  appendMarkdown(text: string) {
    this.value += text;
    return this;
  }
}

export class InlayHint {
  paddingLeft?: boolean;
  tooltip?: unknown;
  constructor(
    readonly position: Position,
    readonly label: string,
    readonly kind?: number,
  ) {}
}

export class CodeLens {
  constructor(
    readonly range: Range,
    readonly command?: { title: string; command: string; tooltip?: string; arguments?: unknown[] },
  ) {}
}

export class Hover {
  constructor(
    readonly contents: MarkdownString,
    readonly range?: Range,
  ) {}
}

export const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 };

export class Diagnostic {
  source?: string;
  constructor(
    readonly range: Range,
    readonly message: string,
    readonly severity = DiagnosticSeverity.Error,
  ) {}
}

/** Diagnostics by file path. */
export class DiagnosticCollection {
  readonly byFile = new Map<string, Diagnostic[]>();
  constructor(readonly name: string) {}
  set(uri: Uri, diagnostics: Diagnostic[]) {
    this.byFile.set(uri.fsPath, diagnostics);
  }
  delete(uri: Uri) {
    this.byFile.delete(uri.fsPath);
  }
  clear() {
    this.byFile.clear();
  }
  dispose() {
    this.byFile.clear();
  }
}

function registerProvider(kind: 'inlayHints' | 'codeLens' | 'hover') {
  return (selector: unknown, provider: unknown) => {
    const entry = { kind, selector, provider };
    ui.providers.push(entry);
    return { dispose: () => ui.providers.splice(ui.providers.indexOf(entry), 1) };
  };
}

export const languages = {
  registerInlayHintsProvider: registerProvider('inlayHints'),
  registerCodeLensProvider: registerProvider('codeLens'),
  registerHoverProvider: registerProvider('hover'),
  createDiagnosticCollection: (name: string) => {
    const collection = new DiagnosticCollection(name);
    ui.diagnostics.set(name, collection);
    return collection;
  },
};

export const env = {
  uiKind: UIKind.Web,
  remoteName: undefined,
  clipboard: {
    writeText: async (text: string) => void (ui.clipboard = text),
    readText: async () => ui.clipboard,
  },
};

/** VS Code's own commands the extension runs: recorded, and otherwise no-ops here. */
const BUILTIN_COMMANDS = new Set(['setContext', 'revealInExplorer', 'revealFileInOS', 'vscode.open', 'workbench.trust.manage']);

export const commandsApi = {
  registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
    commands.set(id, fn);
    return { dispose: () => commands.delete(id) };
  },
  /** As VS Code does, fails for a command nobody registered (a typo, or a registration a test left out). */
  executeCommand: async (command: string, ...args: unknown[]) => {
    ui.commandsRun.push({ command, args });
    const fn = commands.get(command);
    if (fn) return fn(...args);
    if (!BUILTIN_COMMANDS.has(command)) throw new Error(`command '${command}' not found`);
    return undefined;
  },
};
export { commandsApi as commands };

/** The ids registered now (the extension's, and any a test added). */
export function registeredCommands(): string[] {
  return [...commands.keys()];
}

// --- Webview panels (dashboard tests): the panels created and the serializers registered. A test reads
// what the extension posted to a panel, posts into it as its page would, and hides or shows it.
export const ViewColumn = { Active: -1, Beside: -2, One: 1, Two: 2, Three: 3 };

export class StubWebviewPanel {
  visible = true;
  disposed = false;
  readonly revealed: { viewColumn: unknown; preserveFocus?: boolean }[] = [];
  private readonly received = new EventEmitter<unknown>();
  private readonly viewState = new EventEmitter<{ webviewPanel: StubWebviewPanel }>();
  private readonly disposedEmitter = new EventEmitter<void>();
  readonly onDidChangeViewState = this.viewState.event;
  readonly onDidDispose = this.disposedEmitter.event;
  readonly webview = {
    html: '',
    options: {} as unknown,
    cspSource: 'https://stub.vscode-cdn.net',
    /** Messages posted to the page, as JSON text (what crosses to the webview). */
    posted: [] as string[],
    asWebviewUri: (uri: Uri) => uri,
    postMessage: async (message: unknown) => {
      this.webview.posted.push(JSON.stringify(message));
      return true;
    },
    onDidReceiveMessage: this.received.event,
  };

  constructor(
    readonly viewType: string,
    public title: string,
    readonly showOptions: unknown,
    readonly options: unknown,
  ) {}

  /** The page posts `message` to the extension. */
  receive(message: unknown): void {
    this.received.fire(message);
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    this.viewState.fire({ webviewPanel: this });
  }

  reveal(viewColumn?: unknown, preserveFocus?: boolean): void {
    this.revealed.push({ viewColumn, preserveFocus });
    if (!this.visible) this.setVisible(true);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposedEmitter.fire();
  }
}

export const webviewPanels: StubWebviewPanel[] = [];
export const panelSerializers = new Map<string, { deserializeWebviewPanel(panel: StubWebviewPanel, state: unknown): Promise<void> | void }>();

Object.assign(window, {
  createWebviewPanel: (viewType: string, title: string, showOptions: unknown, options: unknown) => {
    const panel = new StubWebviewPanel(viewType, title, showOptions, options);
    webviewPanels.push(panel);
    return panel;
  },
  registerWebviewPanelSerializer: (viewType: string, serializer: { deserializeWebviewPanel(panel: StubWebviewPanel, state: unknown): Promise<void> }) => {
    panelSerializers.set(viewType, serializer);
    return { dispose: () => panelSerializers.delete(viewType) };
  },
});
