/**
 * What the protocol's modules promise about themselves (README, Layout): the engine protocol's types and
 * lists load without any library, its requests are declared apart, and the webview schemas (valibot) reach
 * the extension only: pages take their types, the headless sides never load them.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** `import ... from 'x'`, `export ... from 'x'`, `import('x')` and `require('x')`: each with whether it is type-only. */
function imports(text: string): { spec: string; typeOnly: boolean }[] {
  const out: { spec: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm)) out.push({ spec: m[3], typeOnly: !!m[2] });
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) out.push({ spec: m[1], typeOnly: false });
  for (const m of text.matchAll(/\b(?:import|require)\(\s*'([^']+)'\s*\)/g)) out.push({ spec: m[1], typeOnly: false });
  return out;
}

describe('the protocol modules', () => {
  it('engineTypes.ts imports nothing, so light modules can take its types and lists', () => {
    assert.deepEqual(imports(read('src/protocol/engineTypes.ts')), []);
    assert.match(read('src/protocol/engineTypes.ts'), /export const RUN_STATUSES = /, 'the file read is the protocol');
  });

  it('engineRequests.ts only declares requests and notifications', () => {
    const text = read('src/protocol/engineRequests.ts');
    const exports = [...text.matchAll(/^export\s+(\w+)\s+(\w+)(.*)$/gm)];
    assert.ok(exports.length >= 10, `${exports.length} exports`);
    for (const [line, kind, , rest] of exports) {
      assert.equal(kind, 'const', line);
      assert.match(rest, /= new (RequestType0?|NotificationType)</, line);
    }
    assert.deepEqual(imports(text).map((i) => i.spec).sort(), ['./engineTypes', 'vscode-jsonrpc']);
  });

  it('webview pages take only types from the webview schemas; the engine, CLI, runs and client never load them', () => {
    const pageImports = tsFiles('webviews').flatMap((file) => imports(read(file)).map((i) => ({ file, ...i })));
    const schemaImports = pageImports.filter((i) => /protocol\/webview$/.test(i.spec));
    assert.ok(schemaImports.length >= 6, 'the pages import their message types');
    for (const i of schemaImports) assert.ok(i.typeOnly, `${i.file} imports values from ${i.spec}: valibot would be bundled into the page`);
    for (const i of pageImports) assert.notEqual(i.spec, 'valibot', `${i.file} imports valibot`);
    for (const dir of ['src/engine', 'src/cli', 'src/runs', 'src/client', 'src/util']) {
      for (const file of tsFiles(dir)) {
        for (const i of imports(read(file))) {
          assert.ok(!/protocol\/webview$/.test(i.spec) && i.spec !== 'valibot', `${file} imports ${i.spec}`);
        }
      }
    }
  });
});
