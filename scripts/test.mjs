// Runs the unit and integration tests (test/**/*.test.ts) with Node's test runner. Node 20's runner takes
// no globs and does not look for .ts files itself, so the files are listed here.
//   node scripts/test.mjs [path-or-folder ...]   (default: test/)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

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
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
