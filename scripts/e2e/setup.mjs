// Sets up the end-to-end toolchain, pinned and cached in .e2e-cache/ (git-ignored):
//   - Debian's chromium and libkrb5-dev, installed with apt-get when missing (root only);
//   - Node.js 24 (the npm package node-<platform>-<arch>, which holds a plain Node.js distribution);
//   - code-server, installed with npm under that Node.js 24, its postinstall building VS Code's native modules.
// Each cached piece is complete only once its marker file is written, so an interrupted set-up is redone.
// Run on its own with `node scripts/e2e/setup.mjs`; `npm run test:e2e` calls it first.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDebianPackages, hasDpkg } from '../debianPackages.mjs';
import {
  APT_PACKAGES,
  CACHE_DIR,
  CHROMIUM_PATH,
  CODE_SERVER_DIR,
  CODE_SERVER_VERSION,
  NODE_DIR,
  NODE_VERSION,
} from './versions.mjs';

const MARKER = '.complete';

export function log(message) {
  process.stderr.write(`[e2e] ${message}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
  return result;
}

function isComplete(dir) {
  return fs.existsSync(path.join(dir, MARKER));
}

function markComplete(dir, info) {
  fs.writeFileSync(path.join(dir, MARKER), JSON.stringify({ ...info, at: new Date().toISOString() }, null, 2) + '\n');
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(0)} s`;
}

// ---- Debian packages ---------------------------------------------------------------------------------

export function ensureAptPackages() {
  if (!hasDpkg()) {
    if (!fs.existsSync(CHROMIUM_PATH)) {
      throw new Error(`No Chromium at ${CHROMIUM_PATH} and no dpkg to install it: install Chromium and set E2E_CHROMIUM.`);
    }
    return;
  }
  ensureDebianPackages(APT_PACKAGES, log);
}

// ---- Node.js 24 --------------------------------------------------------------------------------------

function nodePackageName() {
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform];
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (!platform || !arch) throw new Error(`No Node.js package for ${process.platform}-${process.arch}`);
  return `node-${platform}-${arch}`;
}

export function nodeBinDir() {
  return path.join(NODE_DIR, 'node_modules', nodePackageName(), 'bin');
}

export function nodeBinary() {
  return path.join(nodeBinDir(), process.platform === 'win32' ? 'node.exe' : 'node');
}

export function ensureNode() {
  if (isComplete(NODE_DIR) && fs.existsSync(nodeBinary())) return nodeBinary();
  const started = Date.now();
  log(`installing Node.js ${NODE_VERSION} into ${path.relative(process.cwd(), NODE_DIR) || NODE_DIR}`);
  fs.rmSync(NODE_DIR, { recursive: true, force: true });
  fs.mkdirSync(NODE_DIR, { recursive: true });
  // Its own package.json keeps npm from walking up to the repository's.
  fs.writeFileSync(path.join(NODE_DIR, 'package.json'), JSON.stringify({ name: 'e2e-node', private: true }) + '\n');
  run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', `${nodePackageName()}@${NODE_VERSION}`], {
    cwd: NODE_DIR,
    env: cleanEnv(),
  });
  const version = spawnSync(nodeBinary(), ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (version !== `v${NODE_VERSION}`) throw new Error(`Installed Node.js reports ${JSON.stringify(version)}, expected v${NODE_VERSION}`);
  markComplete(NODE_DIR, { version: NODE_VERSION });
  log(`Node.js ${NODE_VERSION} installed in ${seconds(started)}`);
  return nodeBinary();
}

// ---- code-server -------------------------------------------------------------------------------------

export function codeServerPackageDir() {
  return path.join(CODE_SERVER_DIR, 'node_modules', 'code-server');
}

/** The script that `code-server` runs; start it with the Node.js 24 from ensureNode(). */
export function codeServerEntry() {
  return path.join(codeServerPackageDir(), 'out', 'node', 'entry.js');
}

/**
 * What `npm run` adds to the environment about the outer npm and project (its Node.js 20 user agent, its
 * project folder as local prefix, lifecycle and package fields). An npm started from there would read
 * them as its own config: code-server's postinstall would see Node.js 20 and refuse, and an install could
 * land in the repository. User settings such as npm_config_cache or npm_config_registry stay.
 */
const OUTER_NPM_ENV = /^(npm_config_(user_agent|local_prefix|call|npm_version|allow_scripts|nodedir|node_gyp)|npm_lifecycle_.*|npm_package_.*|npm_command|npm_execpath|npm_node_execpath|NODE|INIT_CWD)$/;

/** process.env without the outer npm's variables. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (!OUTER_NPM_ENV.test(key)) env[key] = value;
  return { ...env, ...extra };
}

/** Environment for npm and code-server: Node.js 24 first on PATH, without the outer npm's variables. */
export function node24Env(extra = {}) {
  return cleanEnv({ PATH: `${nodeBinDir()}${path.delimiter}${process.env.PATH ?? ''}`, ...extra });
}

function vscodeDependenciesInstalled() {
  const vscodeDir = path.join(codeServerPackageDir(), 'lib', 'vscode');
  return (
    fs.existsSync(path.join(vscodeDir, 'node_modules', '@vscode', 'spdlog')) &&
    fs.existsSync(path.join(vscodeDir, 'extensions', 'node_modules'))
  );
}

export function ensureCodeServer() {
  if (isComplete(CODE_SERVER_DIR) && fs.existsSync(codeServerEntry())) return codeServerEntry();
  const started = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${path.relative(process.cwd(), CODE_SERVER_DIR) || CODE_SERVER_DIR} (first run: a few minutes)`);
  fs.rmSync(CODE_SERVER_DIR, { recursive: true, force: true });
  fs.mkdirSync(CODE_SERVER_DIR, { recursive: true });
  // npm 11 runs a dependency's install script only when package.json approves it.
  const manifest = {
    name: 'e2e-code-server',
    private: true,
    dependencies: { 'code-server': CODE_SERVER_VERSION },
    allowScripts: { [`code-server@${CODE_SERVER_VERSION}`]: true },
  };
  fs.writeFileSync(path.join(CODE_SERVER_DIR, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  // Native modules build against Node.js 24's own headers (the package ships include/node), whatever
  // nodedir the machine's npm config names; nothing is downloaded.
  const env = node24Env({ npm_config_nodedir: path.dirname(nodeBinDir()) });
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--omit=dev'], { cwd: CODE_SERVER_DIR, env });
  if (!vscodeDependenciesInstalled()) {
    // The postinstall was skipped (an npm that ignores allowScripts, or --ignore-scripts in the npm config):
    // run it as npm would, which installs VS Code's own dependencies and builds its native modules.
    log('code-server postinstall did not run; running postinstall.sh');
    run('sh', ['./postinstall.sh'], {
      cwd: codeServerPackageDir(),
      env: { ...env, npm_config_user_agent: `npm/11.0.0 node/v${NODE_VERSION} ${process.platform} ${process.arch}` },
    });
  }
  if (!vscodeDependenciesInstalled()) throw new Error('code-server installed without VS Code dependencies (lib/vscode/node_modules)');
  const version = spawnSync(nodeBinary(), [codeServerEntry(), '--version'], {
    encoding: 'utf8',
    env: { ...env, XDG_CONFIG_HOME: path.join(CODE_SERVER_DIR, '.config'), XDG_DATA_HOME: path.join(CODE_SERVER_DIR, '.data') },
  }).stdout;
  if (!version.includes(CODE_SERVER_VERSION)) throw new Error(`code-server --version printed ${JSON.stringify(version)}`);
  markComplete(CODE_SERVER_DIR, { version: CODE_SERVER_VERSION, node: NODE_VERSION });
  log(`code-server ${CODE_SERVER_VERSION} installed in ${seconds(started)}`);
  return codeServerEntry();
}

/** Everything the scenarios need; returns the paths. */
export function ensureToolchain() {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  ensureAptPackages();
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`No Chromium at ${CHROMIUM_PATH}`);
  const node = ensureNode();
  const entry = ensureCodeServer();
  return { node, codeServerEntry: entry, chromium: CHROMIUM_PATH };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const started = Date.now();
    const paths = ensureToolchain();
    log(`toolchain ready in ${seconds(started)}: ${JSON.stringify(paths)}`);
  } catch (error) {
    log(`set-up failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
