/**
 * A tree view in the side bar (an extension's TreeDataProvider view, or the Explorer) and its items.
 *
 *   const runs = await workbench.treeView('Runs');         // opens it if needed
 *   const item = await runs.item('lenet-2026…');            // waits for it
 *   await item.expand();
 *   expect((await item.children()).length) ...
 *   await item.contextMenu('Open Metrics');
 */
import type { Locator, Page } from 'playwright-core';
import { ms } from '../env';

function exact(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'i');
}

export class TreeView {
  /** The view's pane: header and body. */
  readonly pane: Locator;

  constructor(
    private readonly page: Page,
    readonly title: string,
  ) {
    this.pane = page
      .locator('.part.sidebar .pane, .part.auxiliarybar .pane, .part.panel .pane')
      .filter({ has: page.locator('.pane-header .title', { hasText: exact(title) }) })
      .first();
  }

  get header(): Locator {
    return this.pane.locator('.pane-header').first();
  }

  get rows(): Locator {
    return this.pane.locator('.pane-body .monaco-list-row');
  }

  async waitVisible(timeout = ms(15_000)): Promise<void> {
    await this.pane.waitFor({ state: 'visible', timeout });
    if ((await this.header.getAttribute('aria-expanded')) === 'false') await this.header.click();
  }

  /** Labels of the visible items, in order (tree order, expanded children included). */
  async labels(): Promise<string[]> {
    return (await this.rows.locator('.label-name, .monaco-highlighted-label').first().count()) === 0
      ? []
      : this.rows.evaluateAll((rows) =>
          rows.map((row: any) => String((row.querySelector('.label-name') ?? row.querySelector('.monaco-highlighted-label') ?? row).textContent ?? '').trim()),
        );
  }

  /** The item whose label matches (a string must match the whole label); waits for it to appear. */
  async item(label: string | RegExp, timeout = ms(15_000)): Promise<TreeItem> {
    const pattern = typeof label === 'string' ? exact(label) : label;
    const row = this.rows.filter({ has: this.page.locator('.label-name, .monaco-highlighted-label', { hasText: pattern }) }).first();
    try {
      await row.waitFor({ state: 'visible', timeout });
    } catch {
      throw new Error(`Tree view "${this.title}" shows no item ${pattern}; it shows ${JSON.stringify(await this.labels())}`);
    }
    return new TreeItem(this.page, this, row);
  }

  /** Runs one of the view's title actions (the icons in its header), by its tooltip. */
  async titleAction(tooltip: string | RegExp): Promise<void> {
    await this.header.hover();
    const actions = this.header.locator('.actions .action-label');
    const labels = await actions.evaluateAll((els) => els.map((e: any) => String(e.getAttribute('aria-label') ?? '')));
    const index = labels.findIndex((l) => (typeof tooltip === 'string' ? l === tooltip : tooltip.test(l)));
    if (index < 0) throw new Error(`Tree view "${this.title}" has no title action ${tooltip}; it has ${JSON.stringify(labels)}`);
    await actions.nth(index).click();
  }

  /** The message a view shows instead of items (viewsWelcome content, or TreeView.message). */
  async message(): Promise<string> {
    const text = await this.pane.locator('.pane-body .welcome-view-content, .pane-body .message').allTextContents();
    return text.join('\n').trim();
  }
}

export class TreeItem {
  constructor(
    private readonly page: Page,
    readonly view: TreeView,
    readonly row: Locator,
  ) {}

  async label(): Promise<string> {
    return ((await this.row.locator('.label-name, .monaco-highlighted-label').first().textContent()) ?? '').trim();
  }

  async description(): Promise<string> {
    return ((await this.row.locator('.label-description').first().textContent().catch(() => '')) ?? '').trim();
  }

  /** The tooltip/aria label (VS Code puts the item's label, description and tooltip text there). */
  async ariaLabel(): Promise<string> {
    return (await this.row.getAttribute('aria-label')) ?? '';
  }

  /** true/false for a collapsible item, undefined for a leaf. */
  async expanded(): Promise<boolean | undefined> {
    const value = await this.row.getAttribute('aria-expanded');
    return value === null ? undefined : value === 'true';
  }

  async expand(): Promise<void> {
    if ((await this.expanded()) === false) await this.row.locator('.monaco-tl-twistie').click();
  }

  async collapse(): Promise<void> {
    if ((await this.expanded()) === true) await this.row.locator('.monaco-tl-twistie').click();
  }

  async click(): Promise<void> {
    await this.row.click();
  }

  async doubleClick(): Promise<void> {
    await this.row.dblclick();
  }

  /**
   * Labels of the item's direct children (expands it, and waits up to `timeout` for them to load; an item
   * that still shows none by then has none).
   */
  async children(timeout = ms(5_000)): Promise<string[]> {
    await this.expand();
    const deadline = Date.now() + timeout;
    for (;;) {
      const labels = await this.childLabels();
      if (labels.length > 0 || Date.now() > deadline) return labels;
      await this.page.waitForTimeout(200);
    }
  }

  private async childLabels(): Promise<string[]> {
    const level = Number(await this.row.getAttribute('aria-level'));
    return this.row.evaluate((row: any, parentLevel: number) => {
      const out: string[] = [];
      for (let next = row.nextElementSibling; next; next = next.nextElementSibling) {
        const l = Number(next.getAttribute('aria-level'));
        if (l <= parentLevel) break;
        if (l === parentLevel + 1) out.push(String((next.querySelector('.label-name') ?? next).textContent ?? '').trim());
      }
      return out;
    }, level);
  }

  /** Clicks an inline action (the icons shown on hover), by its tooltip. */
  async inlineAction(tooltip: string): Promise<void> {
    await this.row.hover();
    await this.row.locator(`.actions .action-label[aria-label="${tooltip}"]`).first().click();
  }

  /** Right-click, then the context menu entry whose label matches. */
  async contextMenu(entry: string | RegExp): Promise<void> {
    await this.row.click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu, .monaco-menu-container');
    await menu.first().waitFor({ state: 'visible', timeout: ms(5_000) });
    const item = menu.locator('.action-item .action-label', { hasText: entry }).first();
    try {
      await item.waitFor({ state: 'visible', timeout: ms(5_000) });
    } catch {
      const shown = await menu.locator('.action-item .action-label').allTextContents();
      await this.page.keyboard.press('Escape');
      throw new Error(`The context menu of "${await this.label()}" has no entry ${entry}; it has ${JSON.stringify(shown.map((s) => s.trim()).filter(Boolean))}`);
    }
    await item.hover();
    await item.click();
    // A click that lands while the menu is still settling is sometimes ignored (seen once in CI: the menu
    // stayed open with the entry highlighted). The hovered entry is the highlighted one: Enter runs it.
    try {
      await menu.first().waitFor({ state: 'hidden', timeout: ms(2_000) });
    } catch {
      await this.page.keyboard.press('Enter');
      await menu.first().waitFor({ state: 'hidden', timeout: ms(5_000) });
    }
  }
}
