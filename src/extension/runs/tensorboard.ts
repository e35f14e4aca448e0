/**
 * Deep Learning: Open in TensorBoard. Every run writes TensorBoard event files (src/runs/tensorboard); this
 * starts `tensorboard --logdir <runs folder>` in a terminal when TensorBoard is installed (else says how to
 * install it), waits until it answers, and opens VS Code's Simple Browser on it. One TensorBoard per runs
 * folder: opening again shows the one already running; it stops with its terminal or the extension.
 */
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findTensorboard, INSTALL_HINT, tensorboardArgs } from '../../runs/tensorboard/launch';
import { workspaceRunsDirs } from '../shared/config';
import { runDirOf } from './runsModel';

/** How long TensorBoard may take to serve its first page (it loads TensorFlow's stubs and scans the runs). */
const START_TIMEOUT_MS = 60_000;
const COPY_INSTALL = 'Copy Install Command';

interface Running {
  runsDir: string;
  terminal: vscode.Terminal;
  url: string;
}

export class TensorBoardLauncher implements vscode.Disposable {
  private running: Running | undefined;
  /** Listens for the TensorBoard terminal's closing once there is one. */
  private closed: vscode.Disposable | undefined;

  /** The command: on the runs folder of the run given (a Runs view row), else the workspace's (picked when several). */
  async open(arg?: unknown): Promise<void> {
    const given = runDirOf(arg);
    const runsDir = given ? path.dirname(given) : await pickRunsDir();
    if (!runsDir) return;
    if (this.running?.runsDir !== runsDir || this.running.terminal.exitStatus !== undefined) {
      const started = await this.start(runsDir);
      if (!started) return;
    }
    const uri = await vscode.env.asExternalUri(vscode.Uri.parse(this.running!.url));
    await vscode.commands.executeCommand('simpleBrowser.show', uri.toString());
  }

  private async start(runsDir: string): Promise<boolean> {
    this.running?.terminal.dispose();
    this.running = undefined;
    const executable = findTensorboard();
    if (!executable) {
      const choice = await vscode.window.showWarningMessage(
        `TensorBoard is not installed (no tensorboard on the PATH). Install it with "${INSTALL_HINT}", then open it again.`,
        COPY_INSTALL,
      );
      if (choice === COPY_INSTALL) await vscode.env.clipboard.writeText(INSTALL_HINT);
      return false;
    }
    this.closed ??= vscode.window.onDidCloseTerminal((terminal) => {
      if (terminal === this.running?.terminal) this.running = undefined;
    });
    const port = await freePort();
    // The terminal runs TensorBoard itself (no shell): its log shows there, and closing it stops TensorBoard.
    const terminal = vscode.window.createTerminal({ name: 'TensorBoard', shellPath: executable, shellArgs: tensorboardArgs(runsDir, port) });
    terminal.show(true);
    const running = { runsDir, terminal, url: `http://localhost:${port}/` };
    this.running = running;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Starting TensorBoard on ${runsDir}` }, () =>
      waitUntilServing(running),
    );
    return true;
  }

  dispose(): void {
    this.closed?.dispose();
    this.running?.terminal.dispose();
  }
}

async function pickRunsDir(): Promise<string | undefined> {
  const dirs = workspaceRunsDirs();
  if (dirs.length === 0) {
    void vscode.window.showInformationMessage('Open a folder first: TensorBoard shows the runs of the workspace.');
    return undefined;
  }
  if (dirs.length === 1) return dirs[0];
  return (await vscode.window.showQuickPick(dirs.map((dir) => ({ label: dir })), { title: 'Open which runs folder in TensorBoard?' }))?.label;
}

/** A port nobody listens on now, for TensorBoard's --port. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once TensorBoard answers; fails when its process ended first or it is not up in time. */
async function waitUntilServing({ terminal, url }: Running): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (terminal.exitStatus !== undefined) {
      throw new Error(`TensorBoard exited (code ${terminal.exitStatus.code ?? 'unknown'}) before it served ${url}: see its terminal`);
    }
    const ok = await fetch(url).then((res) => res.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`TensorBoard did not answer at ${url} within ${START_TIMEOUT_MS / 1000} s: see its terminal`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
