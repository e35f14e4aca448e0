/**
 * The Problems panel: opening it from the command palette, and reading the problems it lists.
 */
import type { Locator, Page } from 'playwright-core';
import { ms } from '../env';
import type { CommandPalette } from './quickInput';

/** Command titles that show the Problems panel (they differ between VS Code versions). */
const SHOW_PROBLEMS = ['View: Focus on Problems View', 'Problems: Focus on Problems View', 'View: Toggle Problems (Errors, Warnings, Infos)'];

export class ProblemsPanel {
  constructor(
    private readonly page: Page,
    private readonly palette: CommandPalette,
  ) {}

  get view(): Locator {
    return this.page.locator('.part.panel .markers-panel').first();
  }

  /** Shows the panel (the first of the known command titles that the palette offers). */
  async show(): Promise<void> {
    if (await this.view.isVisible().catch(() => false)) return;
    const errors: string[] = [];
    for (const title of SHOW_PROBLEMS) {
      try {
        await this.palette.run(title, ms(4_000));
        await this.view.waitFor({ state: 'visible', timeout: ms(10_000) });
        return;
      } catch (err) {
        errors.push((err as Error).message);
        await this.page.keyboard.press('Escape');
      }
    }
    throw new Error(`The Problems panel could not be shown: ${errors.join('; ')}`);
  }

  /** The rows the panel lists now: file rows ('lenet.model.ts examples 1') and problem rows (message, source, position). */
  async rows(): Promise<string[]> {
    const texts = await this.view.locator('.monaco-list-row').allTextContents().catch(() => []);
    return texts.map((t) => t.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim());
  }

  /** Waits until some row matches (or, with `absent`, until none does), and returns the rows then. */
  async waitFor(pattern: RegExp, options: { absent?: boolean; timeout?: number } = {}): Promise<string[]> {
    const deadline = Date.now() + (options.timeout ?? ms(30_000));
    for (;;) {
      const rows = await this.rows();
      if (rows.some((r) => pattern.test(r)) !== Boolean(options.absent)) return rows;
      if (Date.now() > deadline) {
        throw new Error(`The Problems panel ${options.absent ? 'still lists' : 'lists no'} ${pattern}; it lists ${JSON.stringify(rows)}`);
      }
      await this.page.waitForTimeout(300);
    }
  }
}
