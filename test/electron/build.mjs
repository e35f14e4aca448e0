// Prepares `npm run test:electron`: bundles test/electron/suite/*.electron.ts into
// .e2e-cache/electron/suite/*.test.js (vscode external; the extension host runs them with mocha) and lays
// out the workspace the suite opens: the examples, with lenet.model.ts shortened to the e2e epoch count.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = path.join(root, '.e2e-cache', 'electron');
const suiteDir = path.join(root, 'test', 'electron', 'suite');

fs.rmSync(outDir, { recursive: true, force: true });
const entries = fs.readdirSync(suiteDir).filter((f) => f.endsWith('.electron.ts'));
await esbuild.build({
  entryPoints: Object.fromEntries(entries.map((f) => [f.replace(/\.electron\.ts$/, '.test'), path.join(suiteDir, f)])),
  outdir: path.join(outDir, 'suite'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  external: ['vscode'],
  logLevel: 'warning',
});

const workspace = path.join(outDir, 'workspace');
fs.cpSync(path.join(root, 'examples'), path.join(workspace, 'examples'), { recursive: true });
// The epoch count the scenarios train for, from the expectations both suites share.
const expectations = fs.readFileSync(path.join(root, 'test', 'e2e', 'scenarios', 'expectations.ts'), 'utf8');
const epochs = /TRAIN_EPOCHS = (\d+)/.exec(expectations)?.[1];
if (!epochs) throw new Error('TRAIN_EPOCHS not found in test/e2e/scenarios/expectations.ts');
const model = path.join(workspace, 'examples', 'lenet.model.ts');
fs.writeFileSync(model, fs.readFileSync(model, 'utf8').replace(/(\bepochs\s*:\s*)\d+/, `$1${epochs}`));
