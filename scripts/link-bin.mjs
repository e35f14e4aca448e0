// npm links the `bin` of dependencies, never the project's own, so `npx dl-lab` in this repository would
// look for a registry package. Linking our own bin into node_modules/.bin makes it run the local build.
import * as fs from 'node:fs';
import * as path from 'node:path';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
fs.mkdirSync('node_modules/.bin', { recursive: true });
for (const [name, target] of Object.entries(pkg.bin ?? {})) {
  const link = path.join('node_modules/.bin', name);
  fs.rmSync(link, { force: true });
  fs.symlinkSync(path.relative(path.dirname(link), target), link);
  if (fs.existsSync(target)) fs.chmodSync(target, 0o755);
}
