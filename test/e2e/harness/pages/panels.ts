/**
 * The Output panel and the status bar.
 */
import type { Locator, Page } from 'playwright-core';
import { ms } from '../env';
import type { CommandPalette, QuickInput } from './quickInput';

export class OutputPanel {
  readonly view: Locator;

  constructor(
    private readonly page: Page,
    private readonly palette: CommandPalette,
    private readonly quickInput: QuickInput,
  ) {
    this.view = page.locator('.part.panel .output-view, .part.panel [id="workbench.panel.output"]').first();
  }

  /** Shows the output channel `name` in the Output panel, picked with 'Output: Show Output Channels...'. */
  async show(name: string): Promise<void> {
    await this.palette.run('Output: Show Output Channels...');
    await this.quickInput.pick(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    await this.waitForChannel(name);
  }

  /** Waits until the Output panel is visible with `name` selected. */
  async waitForChannel(name: string, timeout = ms(15_000)): Promise<void> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const selected = await this.selectedChannel();
      if (selected === name && (await this.editor.isVisible())) return;
      if (Date.now() > deadline) throw new Error(`The Output panel does not show "${name}" (it shows "${selected}")`);
      await this.page.waitForTimeout(200);
    }
  }

  /** The channel picked in the panel's drop-down ('' when the panel is hidden). */
  async selectedChannel(): Promise<string> {
    const select = this.page.locator('.part.panel .monaco-select-box, .part.panel select.monaco-select-box').first();
    if (!(await select.isVisible())) return '';
    const title = await select.getAttribute('title');
    if (title) return title.trim();
    return select.evaluate((el: any) => String(el.options?.[el.selectedIndex]?.text ?? el.textContent ?? '').trim());
  }

  get editor(): Locator {
    return this.page.locator('.part.panel .monaco-editor').first();
  }

  /** The lines the panel shows now (the end of the channel: the panel follows new output). */
  async visibleText(): Promise<string> {
    return this.editor.locator('.view-lines').evaluate((el: any) =>
      Array.from(el.querySelectorAll('.view-line') as ArrayLike<any>)
        .sort((a: any, b: any) => parseFloat(a.style.top) - parseFloat(b.style.top))
        .map((line: any) => String(line.textContent ?? '').replace(/\u00a0/g, ' '))
        .join('\n'),
    );
  }

  /** Waits until the visible lines match. */
  async waitForText(pattern: string | RegExp, timeout = ms(30_000)): Promise<string> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const text = await this.visibleText().catch(() => '');
      if (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`The Output panel shows no ${pattern} within ${timeout / 1000} s; it shows:\n${text}`);
      await this.page.waitForTimeout(250);
    }
  }
}

export class StatusBar {
  readonly items: Locator;

  constructor(private readonly page: Page) {
    this.items = page.locator('.part.statusbar .statusbar-item');
  }

  /** Texts of the status bar items, left to right. */
  async texts(): Promise<string[]> {
    return (await this.items.allTextContents()).map((t) => t.trim()).filter(Boolean);
  }

  /** The item whose text matches. */
  item(pattern: string | RegExp): Locator {
    return this.items.filter({ hasText: pattern }).first();
  }

  /** Waits for an item whose text matches, and returns its text. */
  async waitFor(pattern: string | RegExp, timeout = ms(30_000)): Promise<string> {
    try {
      await this.item(pattern).waitFor({ state: 'visible', timeout });
    } catch {
      throw new Error(`No status bar item matching ${pattern} within ${timeout / 1000} s; items: ${JSON.stringify(await this.texts())}`);
    }
    return ((await this.item(pattern).textContent()) ?? '').trim();
  }

  /** The item with this id (an extension's item is `<publisher>.<name>.<itemId>`), if shown. */
  byId(id: string): Locator {
    return this.page.locator(`.part.statusbar .statusbar-item[id="${id}"]`);
  }
}
