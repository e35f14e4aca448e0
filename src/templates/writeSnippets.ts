/**
 * Generates the VS Code snippet files from src/templates/sources.ts:
 *   node --import tsx src/templates/writeSnippets.ts
 * test/templates/snippets.test.ts fails when the files in snippets/ are not what this writes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SNIPPETS } from './sources';
import { toJavaScript } from './snippetSyntax';

export const SNIPPET_FILES = { typescript: 'snippets/typescript.json', javascript: 'snippets/javascript.json' } as const;

export function snippetFile(language: keyof typeof SNIPPET_FILES): string {
  const out: Record<string, { prefix: string; description: string; body: string[] }> = {};
  for (const s of SNIPPETS) {
    const body = language === 'typescript' ? s.body : toJavaScript(s.body);
    out[s.name] = { prefix: s.prefix, description: s.description, body: body.replace(/\n+$/, '').split('\n') };
  }
  return JSON.stringify(out, null, 2) + '\n';
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  for (const [language, file] of Object.entries(SNIPPET_FILES)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), snippetFile(language as keyof typeof SNIPPET_FILES));
    console.log(`wrote ${file}`);
  }
}
