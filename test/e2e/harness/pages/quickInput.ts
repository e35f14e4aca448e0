/**
 * The quick input widget: the command palette, Go to File, and every quick pick an extension shows.
 */
import type { Locator, Page } from 'playwright-core';
import { ms } from '../env';

export class QuickInput {
  readonly widget: Locator;
  readonly input: Locator;
  readonly rows: Locator;

  constructor(private readonly page: Page) {
    this.widget = page.locator('.quick-input-widget');
    this.input = this.widget.locator('.quick-input-box input');
    this.rows = this.widget.locator('.quick-input-list .monaco-list-row');
  }

  async waitOpen(timeout = ms(15_000)): Promise<void> {
    await this.widget.waitFor({ state: 'visible', timeout });
  }

  async isOpen(): Promise<boolean> {
    return this.widget.isVisible();
  }

  /** The title bar text of the open pick (e.g. 'Deep Learning: Train Model'), or ''. */
  async title(): Promise<string> {
    const title = this.widget.locator('.quick-input-title');
    return (await title.isVisible()) ? ((await title.textContent()) ?? '').trim() : '';
  }

  async placeholder(): Promise<string> {
    return (await this.input.getAttribute('placeholder')) ?? '';
  }

  /** Labels of the items shown now. */
  async labels(): Promise<string[]> {
    const labels = await this.rows.locator('.label-name').allTextContents();
    return labels.map((l) => l.trim());
  }

  /** Replaces the filter text. */
  async type(text: string): Promise<void> {
    await this.input.fill(text);
  }

  /** The row whose label matches `label` (a string matches a label that contains it). */
  row(label: string | RegExp): Locator {
    return this.rows.filter({ has: this.page.locator('.label-name', { hasText: label }) }).first();
  }

  /**
   * Waits until the quick pick shows an item whose label matches, and picks it. Fails at once if a modal
   * dialog (such as "Command '…' resulted in an error") comes up instead.
   */
  async pick(label: string | RegExp, timeout = ms(15_000)): Promise<void> {
    const deadline = Date.now() + timeout;
    const row = this.row(label);
    const dialog = this.page.locator('.monaco-dialog-box').first();
    for (;;) {
      if (await row.isVisible().catch(() => false)) break;
      if (await dialog.isVisible().catch(() => false)) {
        const parts = await dialog.locator('.dialog-message-text, .dialog-message-detail').allTextContents().catch(() => []);
        const text = parts.map((p) => p.trim()).filter(Boolean).join(' — ');
        throw new Error(`A dialog came up instead of a quick pick with ${label}: ${text}`);
      }
      if (Date.now() > deadline) {
        if (!(await this.isOpen())) throw new Error(`No quick pick opened within ${timeout / 1000} s (to pick ${label})`);
        throw new Error(
          `The quick pick "${await this.title()}" (${await this.placeholder()}) has no item matching ${label}; ` +
            `it shows: ${JSON.stringify(await this.labels())}`,
        );
      }
      await this.page.waitForTimeout(100);
    }
    // On the label, not the row's centre: a resting pointer can raise the description's hover there, which
    // then takes the click (seen with "synthetic:shapes  default (dlLab.defaultDataset)").
    await row.locator('.label-name').first().click();
  }

  /** Enter: accepts the focused item or the typed text. */
  async accept(): Promise<void> {
    await this.input.press('Enter');
  }

  async close(): Promise<void> {
    if (await this.isOpen()) await this.input.press('Escape');
    await this.widget.waitFor({ state: 'hidden', timeout: ms(5_000) }).catch(() => undefined);
  }
}

/** The command palette: runs commands by the title the user sees, e.g. 'Deep Learning: Train Model'. */
export class CommandPalette {
  constructor(
    private readonly page: Page,
    private readonly quickInput: QuickInput,
  ) {}

  async open(): Promise<void> {
    await this.quickInput.close();
    // F1 opens the command palette without the browser taking the shortcut for itself.
    await this.page.locator('.monaco-workbench').press('F1');
    await this.quickInput.waitOpen();
  }

  /** Titles of the commands that match `filter`, as the palette lists them. */
  async find(filter: string): Promise<string[]> {
    await this.open();
    await this.quickInput.type(`>${filter}`);
    await this.page.waitForTimeout(300); // the list filters as one types
    const labels = await this.quickInput.labels();
    await this.quickInput.close();
    return labels;
  }

  /** Runs the command whose title is exactly `title` (category included). */
  async run(title: string, timeout = ms(20_000)): Promise<void> {
    await this.open();
    await this.quickInput.type(`>${title}`);
    const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const row = this.quickInput.rows.filter({
      has: this.page.locator('.label-name', { hasText: exact }),
    });
    try {
      await row.first().waitFor({ state: 'visible', timeout });
    } catch {
      // Left open: the failure screenshot shows what the palette offers instead.
      const shown = await this.quickInput.labels();
      throw new Error(`The command palette has no command "${title}"; for that filter it lists ${JSON.stringify(shown)}`);
    }
    await row.first().click();
    // The palette closes before the command runs; a quick pick the command opens reuses the widget.
    const deadline = Date.now() + ms(5_000);
    while (Date.now() < deadline) {
      const open = await this.quickInput.isOpen();
      if (!open || !(await this.quickInput.input.inputValue().catch(() => '')).startsWith('>')) break;
      await this.page.waitForTimeout(100);
    }
  }
}
