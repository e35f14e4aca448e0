/**
 * The VS Code workbench in Chromium (Debian's /usr/bin/chromium, driven by playwright-core), with page
 * objects for what a scenario does: the command palette, quick picks, notifications, tree views, webviews,
 * editors and their inlay hints, the Output panel and the status bar.
 */
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { CodeServer } from './codeServer';
import { e2eEnv, ms } from './env';
import { Editors } from './pages/editor';
import { Notifications } from './pages/notifications';
import { OutputPanel, StatusBar } from './pages/panels';
import { CommandPalette, QuickInput } from './pages/quickInput';
import { TreeView } from './pages/treeView';
import { Webview } from './pages/webview';

/** Chromium as root in a container, on a closed network: no sandbox, no GPU, no background traffic. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--metrics-recording-only',
  '--password-store=basic',
  '--use-mock-keychain',
];

export class Workbench {
  readonly quickInput: QuickInput;
  readonly commandPalette: CommandPalette;
  readonly notifications: Notifications;
  readonly editors: Editors;
  readonly output: OutputPanel;
  readonly statusBar: StatusBar;
  /** Browser console messages (warnings and errors), for failure reports. */
  readonly console: string[] = [];

  private constructor(
    readonly browser: Browser,
    readonly page: Page,
    readonly server: CodeServer,
  ) {
    this.quickInput = new QuickInput(page);
    this.commandPalette = new CommandPalette(page, this.quickInput);
    this.notifications = new Notifications(page);
    this.editors = new Editors(page, this.quickInput, this.commandPalette);
    this.output = new OutputPanel(page, this.commandPalette, this.quickInput);
    this.statusBar = new StatusBar(page);
  }

  /** Opens code-server's workbench on the scenario's workspace and waits until it is ready. */
  static async open(server: CodeServer): Promise<Workbench> {
    const env = e2eEnv();
    const browser = await chromium.launch({
      executablePath: env.chromium,
      headless: !env.headed,
      args: CHROMIUM_ARGS,
      timeout: ms(60_000),
    });
    try {
      const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
      const page = await context.newPage();
      const workbench = new Workbench(browser, page, server);
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') {
          workbench.console.push(`[${message.type()}] ${message.text()}`);
        }
      });
      page.on('pageerror', (error) => workbench.console.push(`[pageerror] ${error.message}`));
      await page.goto(server.url, { waitUntil: 'domcontentloaded', timeout: ms(60_000) });
      await workbench.waitReady();
      workbench.notifications.startRecording();
      return workbench;
    } catch (error) {
      await browser.close().catch(() => undefined);
      throw error;
    }
  }

  /** The workbench is laid out, the workspace folder is open and the extension host is connected. */
  private async waitReady(): Promise<void> {
    const timeout = ms(90_000);
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
    await this.page.locator('.part.statusbar').waitFor({ state: 'visible', timeout });
    // The Explorer lists the workspace once the remote file system is up.
    await this.page.locator('.part.sidebar .explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout });
  }

  /**
   * Waits until the extension under test is active: its commands reach the palette and the extension
   * host log records its activation. Throws with the log's activation errors, if any.
   */
  async waitForExtensionActivation(timeout = ms(60_000)): Promise<void> {
    const id = e2eEnv().extensionId;
    const deadline = Date.now() + timeout;
    for (;;) {
      const log = this.server.extensionHostLog();
      const failed = activationErrors(log, id);
      if (failed.length) throw new Error(`The extension failed to activate:\n${failed.join('\n')}`);
      if (new RegExp(`ExtensionService#_doActivateExtension ${id.replace(/\./g, '\\.')}\\b`, 'i').test(log)) return;
      if (Date.now() > deadline) {
        throw new Error(`The extension host log does not record ${id} activating within ${timeout / 1000} s:\n${log.slice(-3000)}`);
      }
      await this.page.waitForTimeout(300);
    }
  }

  /** A tree view in the side bar or panel, by its title; opened with 'View: Open View...' if not shown. */
  async treeView(title: string): Promise<TreeView> {
    const view = new TreeView(this.page, title);
    if (!(await view.pane.isVisible())) {
      await this.commandPalette.run('View: Open View...');
      await this.quickInput.type(title);
      await this.quickInput.pick(new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i'));
    }
    await view.waitVisible();
    return view;
  }

  /** The Explorer's file tree: the view titled after the workspace folder. */
  async explorer(): Promise<TreeView> {
    if (!(await this.page.locator('.part.sidebar .explorer-folders-view').isVisible())) {
      await this.commandPalette.run('View: Show Explorer');
    }
    const view = new TreeView(this.page, path.basename(this.server.workspaceDir));
    await view.waitVisible();
    return view;
  }

  /** A webview by the title of its editor tab or view. */
  webview(title: string | RegExp, timeout?: number): Promise<Webview> {
    return Webview.find(this.page, title, timeout);
  }

  /** The modal dialog on screen (e.g. "Command '…' resulted in an error"), as 'message — detail'; '' when none. */
  async dialog(): Promise<string> {
    const box = this.page.locator('.monaco-dialog-box').first();
    if (!(await box.isVisible().catch(() => false))) return '';
    const message = ((await box.locator('.dialog-message-text').first().textContent().catch(() => '')) ?? '').trim();
    const detail = ((await box.locator('.dialog-message-detail').first().textContent().catch(() => '')) ?? '').trim();
    return detail ? `${message} — ${detail}` : message;
  }

  /** Is the workbench in Restricted Mode (the status bar / banner says so)? */
  async restrictedMode(): Promise<boolean> {
    return this.page
      .locator('.part.statusbar .statusbar-item, .monaco-workbench .banner')
      .filter({ hasText: /Restricted Mode/i })
      .first()
      .isVisible();
  }

  async screenshot(file: string): Promise<void> {
    await this.page.screenshot({ path: file, timeout: ms(15_000) });
  }

  async close(): Promise<void> {
    this.notifications.stopRecording();
    await this.browser.close().catch(() => undefined);
  }
}

/** Lines of the extension host log that report the extension failing to activate or throwing. */
export function activationErrors(log: string, extensionId: string): string[] {
  const id = extensionId.toLowerCase();
  return log
    .split('\n')
    .filter((line) => {
      const l = line.toLowerCase();
      return (
        l.includes(id) &&
        (/\[error\]/.test(l) || /activating extension .* failed/.test(l) || /failed to activate/.test(l) || /cannot find module/.test(l))
      );
    });
}
