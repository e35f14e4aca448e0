/**
 * The harness's own check: each page object works against VS Code's built-in features, so that a
 * scenario failing elsewhere points at the extension, not at the harness. Tree view (Explorer, Outline),
 * context menu, webview by title (Markdown preview), inlay hints (TypeScript parameter names), the
 * command palette and quick picks.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { e2eEnv } from '../harness/env';
import { scenario } from '../harness/scenario';

const HINTS_FILE = `export function area(width: number, height: number): number {
  return width * height;
}

export const answer = area(6, 7);
`;

scenario(
  'page objects work on the built-in workbench',
  {
    workspace: { copy: ['examples'], files: { 'README.md': '# Hello from e2e\n\nA *Markdown* preview is a webview.\n', 'src/hints.ts': HINTS_FILE } },
    trusted: true,
    settings: {
      'editor.inlayHints.enabled': 'on',
      'typescript.inlayHints.parameterNames.enabled': 'all',
    },
  },
  async ({ workbench, step }) => {
    await step('Explorer tree: items, children, context menu', async () => {
      const explorer = await workbench.explorer();
      const examples = await explorer.item('examples');
      // Every file of the examples folder is listed (whatever examples there are).
      const expected = fs.readdirSync(path.join(e2eEnv().repoRoot, 'examples')).sort();
      assert.deepEqual((await examples.children()).sort(), expected);
      const model = await explorer.item('lenet.model.ts');
      await model.contextMenu(/^Open to the Side$/);
      await workbench.editors.waitForTab('lenet.model.ts');
    });

    await step('a view opened by its title: Outline', async () => {
      const outline = await workbench.treeView('Outline');
      const training = await outline.item('training', 30_000);
      assert.ok((await training.children()).includes('epochs'));
      await training.collapse();
      await outline.item('lenet');
    });

    await step('inlay hints: TypeScript parameter names', async () => {
      const editor = await workbench.editors.open('src/hints.ts');
      const hints = await editor.waitForInlayHint(/width/, 60_000);
      const texts = hints.map((h) => h.text);
      assert.ok(texts.some((t) => /^width:?$/.test(t)), JSON.stringify(hints));
      assert.ok(texts.some((t) => /^height:?$/.test(t)), JSON.stringify(hints));
      assert.equal(hints.find((h) => /width/.test(h.text))?.line, 5);
    });

    await step('webview by title: Markdown preview', async () => {
      await workbench.editors.open('README.md');
      await workbench.commandPalette.run('Markdown: Open Preview');
      const preview = await workbench.webview(/Preview README\.md/);
      const heading = preview.content.locator('h1');
      await heading.waitFor({ state: 'visible', timeout: 30_000 });
      assert.equal((await heading.textContent())?.trim(), 'Hello from e2e');
    });
  },
);
