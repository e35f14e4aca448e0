/**
 * A webview (an editor-area panel or a side bar/panel view) found by the title the user sees: the editor
 * tab's label or the view's header. Its content is the inner frame (#active-frame) of VS Code's
 * `iframe.webview.ready`, reached with frame locators:
 *
 *   const metrics = await workbench.webview('Metrics: lenet-…');
 *   await expect(metrics.content.locator('h1')).toHaveText(...)   // any Playwright locator
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { ms } from '../env';

export class Webview {
  private constructor(
    readonly title: string,
    /** The outer iframe element. */
    readonly iframe: Locator,
    /** The webview's own document (the extension's HTML). */
    readonly content: FrameLocator,
  ) {}

  /** Text of the webview's body. */
  async text(): Promise<string> {
    return ((await this.content.locator('body').textContent()) ?? '').trim();
  }

  /**
   * Activates the editor tab or view titled `title`, then takes the webview shown in its place: the ready
   * webview iframe with that title attribute if VS Code set one, else the visible one over that area.
   */
  static async find(page: Page, title: string | RegExp, timeout = ms(30_000)): Promise<Webview> {
    const deadline = Date.now() + timeout;
    const tab = page.locator('.tabs-container .tab', { has: page.locator('.monaco-icon-label-container', { hasText: title }) }).first();
    const pane = page.locator('.pane', { has: page.locator('.pane-header .title', { hasText: title }) }).first();
    let area: Locator | undefined;
    while (!area) {
      if (await tab.isVisible()) {
        await tab.click();
        area = page.locator('.editor-group-container.active .editor-container').first();
      } else if (await pane.isVisible()) {
        area = pane.locator('.pane-body').first();
      } else if (Date.now() > deadline) {
        const tabs = (await page.locator('.tabs-container .tab .monaco-icon-label-container').allTextContents()).map((t) => t.trim());
        throw new Error(`No editor tab or view titled ${title} within ${timeout / 1000} s; tabs: ${JSON.stringify(tabs)}`);
      } else {
        await page.waitForTimeout(250);
      }
    }
    for (;;) {
      const frames = page.locator('iframe.webview.ready');
      const count = await frames.count();
      const areaBox = await area.boundingBox();
      for (let i = 0; i < count; i++) {
        const frame = frames.nth(i);
        if (!(await frame.isVisible())) continue;
        const frameTitle = (await frame.getAttribute('title')) ?? '';
        const box = await frame.boundingBox();
        const byTitle = typeof title === 'string' ? frameTitle === title : title.test(frameTitle);
        const byPlace =
          !!box && !!areaBox && box.x + box.width / 2 >= areaBox.x && box.x + box.width / 2 <= areaBox.x + areaBox.width &&
          box.y + box.height / 2 >= areaBox.y && box.y + box.height / 2 <= areaBox.y + areaBox.height;
        if (byTitle || byPlace) {
          const content = frame.contentFrame().frameLocator('#active-frame');
          await content.locator('body').waitFor({ state: 'attached', timeout: Math.max(1_000, deadline - Date.now()) });
          return new Webview(typeof title === 'string' ? title : frameTitle, frame, content);
        }
      }
      if (Date.now() > deadline) throw new Error(`The ${title} tab or view shows no ready webview within ${timeout / 1000} s`);
      await page.waitForTimeout(250);
    }
  }
}
