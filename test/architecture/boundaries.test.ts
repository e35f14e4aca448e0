/**
 * The boundaries the layout promises (README, Layout): the engine, protocol, runs, client and CLI never
 * import `vscode` or the extension; the extension's bundle never contains TensorFlow.js (it loads in the
 * extension host, where only the engine process may train); webview pages (outside their dev scripts) never
 * import the engine. Each rule reads every file of its side, type-only imports included.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import ts from 'typescript';
import { ROOT, tempDir } from '../helpers';

interface Rule {
  /** Folders (relative to the root) whose files the rule reads. */
  sides: string[];
  /** Folders never read (dev scripts). */
  except?: string[];
  /** What they must not import: a bare module's name (and its subpaths) or a folder of the repository. */
  forbidden: string[];
}

function sourceFiles(dir: string, except: string[]): string[] {
  if (!fs.existsSync(dir) || except.some((e) => dir === e || dir.startsWith(e + path.sep))) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full, except);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every import, require and dynamic import of a file that breaks the rule: "file:line imports X". */
function violations(root: string, rule: Rule): string[] {
  const forbiddenDirs = rule.forbidden.filter((f) => f.includes('/')).map((f) => path.join(root, f));
  const forbiddenModules = rule.forbidden.filter((f) => !f.includes('/'));
  const except = (rule.except ?? []).map((e) => path.join(root, e));
  const found: string[] = [];
  for (const side of rule.sides) {
    for (const file of sourceFiles(path.join(root, side), except)) {
      const text = fs.readFileSync(file, 'utf8');
      for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
        const spec = ref.fileName;
        const target = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : undefined;
        const bad = target
          ? forbiddenDirs.some((d) => target === d || target.startsWith(d + path.sep))
          : forbiddenModules.some((m) => spec === m || spec.startsWith(m + '/'));
        if (bad) {
          const line = text.slice(0, ref.pos).split('\n').length;
          found.push(`${path.relative(root, file)}:${line} imports ${spec}`);
        }
      }
    }
  }
  return found;
}

const HEADLESS: Rule = {
  sides: ['src/engine', 'src/protocol', 'src/runs', 'src/client', 'src/cli', 'src/util', 'src/sweeps', 'src/templates'],
  forbidden: ['vscode', 'src/extension'],
};
const PAGES: Rule = {
  sides: ['webviews'],
  except: ['webviews/dev'],
  forbidden: ['src/engine', 'src/extension', 'src/client', '@tensorflow', 'vscode'],
};

describe('boundaries', () => {
  it('the engine, protocol, runs, client, CLI, util, sweeps and templates import neither vscode nor the extension', () => {
    assert.deepEqual(violations(ROOT, HEADLESS), []);
  });

  it('webview pages import neither the engine, the extension, the client nor TensorFlow.js', () => {
    assert.deepEqual(violations(ROOT, PAGES), []);
  });

  it('the extension bundle contains neither TensorFlow.js nor engine code', async () => {
    const result = await esbuild.build({
      entryPoints: [path.join(ROOT, 'src/extension/extension.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['vscode'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.some((i) => i.startsWith('src/extension/')), 'the metafile lists the extension sources');
    assert.deepEqual(inputs.filter((i) => i.includes('node_modules/@tensorflow/') || i.startsWith('src/engine/')), []);
    const text = result.outputFiles.map((f) => f.text).join('\n');
    assert.doesNotMatch(text, /require\(["']@tensorflow\//);
  });

  it('names the file and line of an import that crosses a boundary (the rules can fail)', () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'src/engine/data'), { recursive: true });
    fs.mkdirSync(path.join(root, 'src/extension'), { recursive: true });
    fs.mkdirSync(path.join(root, 'webviews/page'), { recursive: true });
    fs.mkdirSync(path.join(root, 'webviews/dev'), { recursive: true });
    fs.writeFileSync(path.join(root, 'src/extension/log.ts'), 'export const x = 1;\n');
    fs.writeFileSync(
      path.join(root, 'src/engine/data/reader.ts'),
      "import * as fs from 'node:fs';\nimport type { Uri } from 'vscode';\nconst log = require('../../extension/log');\n",
    );
    fs.writeFileSync(path.join(root, 'webviews/page/main.ts'), "import * as tf from '@tensorflow/tfjs';\nconst m = import('../../src/engine/data/reader');\n");
    fs.writeFileSync(path.join(root, 'webviews/dev/shot.ts'), "import '../../src/engine/data/reader';\n");
    assert.deepEqual(violations(root, HEADLESS), [
      'src/engine/data/reader.ts:2 imports vscode',
      'src/engine/data/reader.ts:3 imports ../../extension/log',
    ]);
    assert.deepEqual(violations(root, PAGES), [
      'webviews/page/main.ts:1 imports @tensorflow/tfjs',
      'webviews/page/main.ts:2 imports ../../src/engine/data/reader',
    ]);
  });
});
