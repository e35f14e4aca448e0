// Runs the unit and integration tests (test/**/*.test.ts) with Node's test runner. Node 20's runner takes
// no globs and does not look for .ts files itself, so the files are listed here.
//   node scripts/test.mjs [path-or-folder ...]   (default: test/)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDebianPackages, hasDpkg, WEBGPU_TEST_PACKAGES } from './debianPackages.mjs';
import { ensureTestPython } from './pythonEnv.mjs';

function collect(target, out) {
  const stat = fs.statSync(target);
  if (stat.isFile()) {
    out.push(target);
    return;
  }
  for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'fixtures') continue;
    const full = path.join(target, entry.name);
    if (entry.isDirectory()) collect(full, out);
    else if (entry.name.endsWith('.test.ts')) out.push(full);
  }
}

const files = [];
for (const target of process.argv.slice(2).length ? process.argv.slice(2) : ['test']) collect(target, files);
files.sort();

// The webgpu tests run on Mesa's software renderer. Where it cannot be installed, they are skipped with
// the reason (DL_LAB_WEBGPU_TESTS_SKIP); where it can (CI: Debian, root), they must pass.
const env = { ...process.env };
if (process.platform !== 'linux') {
  env.DL_LAB_WEBGPU_TESTS_SKIP ??= `the software adapter tests are for Linux (Mesa), not ${process.platform}`;
} else if (!hasDpkg()) {
  env.DL_LAB_WEBGPU_TESTS_SKIP ??= `no dpkg to check for Mesa's packages (${WEBGPU_TEST_PACKAGES.join(' ')})`;
} else {
  try {
    ensureDebianPackages(WEBGPU_TEST_PACKAGES, (m) => process.stderr.write(`[test] ${m}\n`));
  } catch (err) {
    env.DL_LAB_WEBGPU_TESTS_SKIP ??= err.message;
    process.stderr.write(`[test] webgpu tests will be skipped: ${err.message}\n`);
  }
}
// TensorBoard's reader and ONNX Runtime check the files dl-lab writes; where Python can't be set up, those
// tests skip and say why.
try {
  env.DL_LAB_TEST_PYTHON = ensureTestPython(path.resolve(import.meta.dirname, '..'), (m) => process.stderr.write(`[test] ${m}\n`));
} catch (err) {
  process.stderr.write(`[test] the tests that read our files with Python will be skipped: ${err.message}\n`);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
