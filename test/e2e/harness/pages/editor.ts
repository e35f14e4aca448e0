/**
 * Text editors: opening a workspace file, and reading what the active editor shows, inlay hints included.
 */
import type { Locator, Page } from 'playwright-core';
import { ms } from '../env';
import type { CommandPalette, QuickInput } from './quickInput';

export interface InlayHint {
  /** The hint's text, e.g. 'layer:' or ': number'. */
  text: string;
  /** 1-based line it is shown on. */
  line: number;
  /** Text of that line as displayed, hints included. */
  lineText: string;
}

export class Editors {
  constructor(
    private readonly page: Page,
    private readonly quickInput: QuickInput,
    private readonly palette: CommandPalette,
  ) {}

  /** The active editor. */
  get active(): TextEditor {
    return new TextEditor(this.page, this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first());
  }

  /**
   * Opens a workspace file with Go to File, as a user does, and returns its editor: the one in the active
   * group whose model is that file (by the editor's data-uri, not by whichever text editor comes first: a
   * webview beside can hold the active group). Tries twice, since a pick can land while the list re-renders.
   */
  async open(relativePath: string): Promise<TextEditor> {
    const name = relativePath.split('/').pop()!;
    const root = this.page
      .locator(`.editor-group-container.active .editor-instance .monaco-editor[data-uri$="/${relativePath}"]`)
      .first();
    for (let attempt = 1; ; attempt++) {
      await this.palette.run('Go to File...');
      await this.quickInput.waitOpen();
      await this.quickInput.type(relativePath);
      await this.quickInput.pick(name, ms(15_000));
      try {
        await root.locator('.view-lines').waitFor({ state: 'visible', timeout: ms(10_000) });
        return new TextEditor(this.page, root);
      } catch (error) {
        if (attempt === 2) {
          const uris = await this.page.locator('.editor-group-container.active [data-uri]').evaluateAll((nodes: any[]) => nodes.map((n) => n.getAttribute('data-uri')));
          throw new Error(
            `Go to File ${relativePath}: no editor of it in the active group after two tries; tabs ${JSON.stringify(await this.tabs())}, ` +
              `the active group's editors ${JSON.stringify(uris)}: ${(error as Error).message}`,
          );
        }
        await this.quickInput.close();
      }
    }
  }

  /** The visible editor of a workspace file in any group (e.g. the one beside a webview), waited for. */
  async showing(relativePath: string, timeout = ms(15_000)): Promise<TextEditor> {
    const root = this.page.locator(`.editor-instance .monaco-editor[data-uri$="/${relativePath}"]`).filter({ visible: true }).first();
    try {
      await root.locator('.view-lines').waitFor({ state: 'visible', timeout });
    } catch {
      throw new Error(`No visible editor of ${relativePath} within ${timeout / 1000} s; tabs: ${JSON.stringify(await this.tabs())}`);
    }
    return new TextEditor(this.page, root);
  }

  /** Waits for an editor tab whose label matches, and returns the labels of all tabs. */
  async waitForTab(label: string | RegExp, timeout = ms(15_000)): Promise<string[]> {
    const tab = this.page.locator('.tabs-container .tab', { has: this.page.locator('.monaco-icon-label-container', { hasText: label }) }).first();
    try {
      await tab.waitFor({ state: 'visible', timeout });
    } catch {
      throw new Error(`No editor tab ${label} within ${timeout / 1000} s; tabs: ${JSON.stringify(await this.tabs())}`);
    }
    return this.tabs();
  }

  /** Labels of the open editor tabs (name and suffix: 'lenet.model.ts'). */
  async tabs(): Promise<string[]> {
    return (await this.page.locator('.tabs-container .tab .monaco-icon-label-container').allTextContents()).map((t) => t.trim());
  }
}

export class TextEditor {
  constructor(
    private readonly page: Page,
    readonly root: Locator,
  ) {}

  /** The visible lines as displayed (inlay hints and other injected text included), top to bottom. */
  async visibleLines(): Promise<string[]> {
    return this.root.locator('.view-lines').evaluate((el: any) =>
      Array.from(el.querySelectorAll('.view-line') as ArrayLike<any>)
        .sort((a: any, b: any) => parseFloat(a.style.top) - parseFloat(b.style.top))
        .map((line: any) => String(line.textContent ?? '').replace(/\u00a0/g, ' ')),
    );
  }

  /** Moves the cursor to a 1-based line (Go to Line), which scrolls it into view. */
  async goToLine(line: number): Promise<void> {
    await this.root.click({ position: { x: 200, y: 10 } });
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: ms(5_000) });
    await input.fill(`:${line}`);
    await input.press('Enter');
  }

  /**
   * Inlay hints shown now in the visible part of the editor. VS Code renders each hint as injected text: a
   * span whose class contains 'dyn-rule' or 'inlay-hint' (or a `::before`/`::after` content rule).
   */
  async inlayHints(): Promise<InlayHint[]> {
    return this.root.locator('.view-lines').evaluate((el: any) => {
      const out: { text: string; line: number; lineText: string; top: number }[] = [];
      const lines = Array.from(el.querySelectorAll('.view-line') as ArrayLike<any>).sort(
        (a: any, b: any) => parseFloat(a.style.top) - parseFloat(b.style.top),
      );
      const lineHeight = lines.length > 1 ? parseFloat(lines[1].style.top) - parseFloat(lines[0].style.top) : 19;
      // The first visible line number, read from the gutter.
      const editorRoot = el.closest('.monaco-editor');
      const numbers = Array.from(editorRoot?.querySelectorAll('.line-numbers') ?? []) as any[];
      numbers.sort((a: any, b: any) => parseFloat(a.parentElement?.style.top ?? '0') - parseFloat(b.parentElement?.style.top ?? '0'));
      const firstNumber = numbers.length ? parseInt(String(numbers[0].textContent), 10) : 1;
      const view = (el.ownerDocument as any).defaultView;
      lines.forEach((line: any, index: number) => {
        const lineText = String(line.textContent ?? '').replace(/\u00a0/g, ' ');
        for (const span of Array.from(line.querySelectorAll('span') as ArrayLike<any>) as any[]) {
          const cls = String(span.className ?? '');
          if (!/inlay|dyn-rule|ced-/.test(cls) || span.children.length > 0) continue;
          let text = String(span.textContent ?? '');
          if (!text.trim()) {
            for (const pseudo of ['::before', '::after']) {
              const content = view.getComputedStyle(span, pseudo).content;
              if (content && content !== 'none' && content !== 'normal') text += content.replace(/^"|"$/g, '');
            }
          }
          text = text.replace(/\u00a0/g, ' ').trim();
          if (text) out.push({ text, line: firstNumber + index, lineText, top: index * lineHeight });
        }
      });
      return out.map(({ text, line, lineText }) => ({ text, line, lineText }));
    });
  }

  /** CodeLens rows shown now in the visible part of the editor, as displayed ('Train | Summary | ...'). */
  async codeLenses(): Promise<string[]> {
    const rows = await this.root.locator('.codelens-decoration').allTextContents();
    return rows.map((t) => t.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim()).filter(Boolean);
  }

  /** Error squiggles shown now: how many. */
  async errorSquiggles(): Promise<number> {
    return this.root.locator('.squiggly-error').count();
  }

  /**
   * Hovers the mouse over the first visible token whose text is `token` until the hover widget's text matches
   * `pattern` (a language server may answer "Loading..." or nothing at first), and returns that text.
   */
  async hover(token: string, pattern: RegExp, timeout = ms(60_000)): Promise<string> {
    const target = this.root.locator('.view-lines .view-line span span', { hasText: new RegExp(`^${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first();
    const widget = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents').first();
    const deadline = Date.now() + timeout;
    let shown = '';
    for (;;) {
      // Away and back: a new hover request each time.
      await this.page.mouse.move(0, 0);
      await this.page.waitForTimeout(200);
      await target.hover();
      const until = Date.now() + ms(5_000);
      while (Date.now() < until) {
        shown = ((await widget.textContent().catch(() => '')) ?? '').replace(/\u00a0/g, ' ').trim();
        if (pattern.test(shown)) return shown;
        await this.page.waitForTimeout(250);
      }
      if (Date.now() > deadline) throw new Error(`Hovering ${token}: no hover matching ${pattern} within ${timeout / 1000} s; it shows ${JSON.stringify(shown)}`);
    }
  }

  /** The images in the hover that is showing (markdown images: `src` and the decoded size). */
  async hoverImages(): Promise<{ src: string; width: number; height: number }[]> {
    return this.page.locator('.monaco-hover:not(.hidden) img').evaluateAll((imgs: any[]) =>
      imgs.map((img) => ({ src: String(img.getAttribute('src') ?? ''), width: img.naturalWidth as number, height: img.naturalHeight as number })),
    );
  }

  /** Waits until some inlay hint's text matches, and returns the hints shown then. */
  async waitForInlayHint(pattern: string | RegExp, timeout = ms(30_000)): Promise<InlayHint[]> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const hints = await this.inlayHints();
      if (hints.some((h) => (typeof pattern === 'string' ? h.text.includes(pattern) : pattern.test(h.text)))) return hints;
      if (Date.now() > deadline) {
        throw new Error(`No inlay hint matching ${pattern} within ${timeout / 1000} s; hints shown: ${JSON.stringify(hints.map((h) => `${h.line}: ${h.text}`))}`);
      }
      await this.page.waitForTimeout(300);
    }
  }
}
