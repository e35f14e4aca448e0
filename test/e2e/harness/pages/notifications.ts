/**
 * Notifications: the toasts in the bottom right corner and the notification center. Info toasts hide
 * by themselves after a few seconds, so a poller records every notification shown since the workbench
 * opened; waitFor() looks at that history as well as at what is on screen.
 */
import type { Locator, Page } from 'playwright-core';
import { ms } from '../env';

export type Severity = 'error' | 'warning' | 'info' | 'unknown';

export interface NotificationInfo {
  message: string;
  severity: Severity;
  /** Button labels. */
  buttons: string[];
  /** A progress bar is running (withProgress notifications). */
  progress: boolean;
  /** When the poller first saw it. */
  firstSeen: number;
}

export class Notifications {
  private readonly seen = new Map<string, NotificationInfo>();
  private polling: NodeJS.Timeout | undefined;
  readonly toasts: Locator;

  constructor(private readonly page: Page) {
    this.toasts = page.locator('.notifications-toasts .notification-list-item');
  }

  /** Starts recording the notifications shown (the Workbench does it once the page loads). */
  startRecording(intervalMs = 200): void {
    if (this.polling) return;
    const tick = async () => {
      try {
        for (const n of await this.visible()) {
          const key = `${n.severity}|${n.message}`;
          const known = this.seen.get(key);
          if (known) known.progress = n.progress;
          else this.seen.set(key, n);
        }
      } catch {
        // The page is navigating or closing.
      }
      if (this.polling) this.polling = setTimeout(tick, intervalMs);
    };
    this.polling = setTimeout(tick, 0);
  }

  stopRecording(): void {
    if (this.polling) clearTimeout(this.polling);
    this.polling = undefined;
  }

  /** Every notification seen so far, in order. */
  history(): NotificationInfo[] {
    return [...this.seen.values()].sort((a, b) => a.firstSeen - b.firstSeen);
  }

  /** Notifications on screen now: toasts, and the notification center's list when it is open. */
  async visible(): Promise<NotificationInfo[]> {
    const items = this.page.locator('.notifications-toasts .notification-list-item, .notifications-center.visible .notification-list-item');
    return items.evaluateAll((elements) =>
      elements.map((el: any) => {
        const icon = el.querySelector('.notification-list-item-icon');
        const iconClass: string = icon ? String(icon.className) : '';
        const severity = /codicon-error/.test(iconClass)
          ? 'error'
          : /codicon-warning/.test(iconClass)
            ? 'warning'
            : /codicon-info/.test(iconClass)
              ? 'info'
              : 'unknown';
        const progress = el.querySelector('.monaco-progress-container');
        const progressVisible = !!progress && progress.offsetParent !== null && /active|infinite|discrete/.test(String(progress.className));
        return {
          message: (el.querySelector('.notification-list-item-message')?.textContent ?? '').trim(),
          severity,
          buttons: Array.from(el.querySelectorAll('.notification-list-item-buttons-container .monaco-button')).map((b: any) =>
            String(b.textContent ?? '').trim(),
          ),
          progress: progressVisible,
          firstSeen: Date.now(),
        };
      }),
    ) as Promise<NotificationInfo[]>;
  }

  /**
   * Waits for a notification whose message matches (seen since the workbench opened, or on screen now),
   * and returns it. Fails with the notifications that were shown instead.
   */
  async waitFor(
    pattern: string | RegExp,
    options: { timeout?: number; severity?: Severity; progress?: boolean; failOn?: RegExp } = {},
  ): Promise<NotificationInfo> {
    const timeout = options.timeout ?? ms(30_000);
    const deadline = Date.now() + timeout;
    const matches = (n: NotificationInfo) =>
      (typeof pattern === 'string' ? n.message.includes(pattern) : pattern.test(n.message)) &&
      (options.severity === undefined || n.severity === options.severity) &&
      (options.progress === undefined || n.progress === options.progress);
    for (;;) {
      const now = await this.visible().catch(() => []);
      for (const n of now) {
        const key = `${n.severity}|${n.message}`;
        if (!this.seen.has(key)) this.seen.set(key, n);
      }
      const found = now.find(matches) ?? this.history().find(matches);
      if (found) return found;
      if (options.failOn) {
        const bad = this.history().find((n) => options.failOn!.test(n.message) || n.severity === 'error');
        if (bad) {
          throw new Error(`Waiting for a notification matching ${pattern}, got ${bad.severity} notification: "${bad.message}"`);
        }
      }
      if (Date.now() > deadline) {
        throw new Error(
          `No notification matching ${pattern}${options.severity ? ` (${options.severity})` : ''} within ${timeout / 1000} s. ` +
            `Notifications shown: ${this.describe()}`,
        );
      }
      await this.page.waitForTimeout(200);
    }
  }

  /** Clicks a button of the visible notification whose message matches. */
  async clickButton(pattern: string | RegExp, button: string): Promise<void> {
    const item = this.page
      .locator('.notification-list-item')
      .filter({ has: this.page.locator('.notification-list-item-message', { hasText: pattern }) })
      .first();
    await item.hover();
    await item.locator('.notification-list-item-buttons-container .monaco-button', { hasText: button }).first().click();
  }

  /** Opens the notification center (every notification not dismissed). */
  async openCenter(): Promise<void> {
    const center = this.page.locator('.notifications-center');
    if (await center.isVisible()) return;
    await this.page.locator('.statusbar-item[id="status.notifications"] a, .statusbar-item[id="status.notifications"]').first().click();
    await center.waitFor({ state: 'visible', timeout: ms(5_000) });
  }

  /** One line per notification seen: for failure messages. */
  describe(): string {
    const all = this.history();
    if (all.length === 0) return '(none)';
    return all.map((n) => `\n  [${n.severity}${n.progress ? ', progress' : ''}] ${n.message}`).join('');
  }
}
