// Packages the extension for one platform: `vsce package --target T`, with only that platform's dawn.node
// (the webgpu backend's native addon; the `webgpu` package ships all five, 130 MB unpacked).
//   node scripts/package.mjs [--target T] [--out FILE.vsix] [--list]
// T defaults to this machine's platform (win32-x64, win32-arm64, linux-x64, linux-arm64, darwin-x64,
// darwin-arm64; alpine-* and linux-armhf get no dawn.node: webgpu reports itself unavailable there).
// --list prints the files the VSIX would hold (`vsce ls`) instead of packaging.
// Note: esbuild's native binary is the one npm installed here (@esbuild/<this platform>), so a VSIX for
// another platform needs `npm ci` run on (or for) that platform first.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** vsce target -> folder of node_modules/webgpu/dist holding its dawn.node (macOS: one universal build). */
export const DAWN_FOLDERS = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-universal',
  'darwin-arm64': 'darwin-universal',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};
const TARGETS = [...Object.keys(DAWN_FOLDERS), 'linux-armhf', 'alpine-x64', 'alpine-arm64'];

export function currentTarget() {
  return `${process.platform}-${process.arch}`;
}

/** .vscodeignore (which leaves out every dawn.node) plus a rule that puts back the target's own. */
export function ignoreFileFor(target) {
  if (!TARGETS.includes(target)) throw new Error(`unknown target "${target}"; expected one of ${TARGETS.join(', ')}`);
  const base = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
  const folder = DAWN_FOLDERS[target];
  const extra = folder ? `\n# scripts/package.mjs --target ${target}\n!node_modules/webgpu/dist/${folder}/**\n` : '';
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lab-package-')), '.vscodeignore');
  fs.writeFileSync(file, base + extra);
  return file;
}

function main(argv) {
  const arg = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const target = arg('--target') ?? currentTarget();
  const ignoreFile = ignoreFileFor(target);
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const args = argv.includes('--list')
    ? [vsce, 'ls', '--ignoreFile', ignoreFile]
    : [vsce, 'package', '--target', target, '--ignoreFile', ignoreFile, ...(arg('--out') ? ['--out', arg('--out')] : [])];
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  fs.rmSync(path.dirname(ignoreFile), { recursive: true, force: true });
  process.exit(result.status ?? 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`package: ${err.message}\n`);
    process.exit(2);
  }
}
