// `npm run test:e2e`: the end-to-end scenarios in a real VS Code (code-server) driven by Playwright.
//   1. set up the pinned toolchain, cached in .e2e-cache/ (scripts/e2e/setup.mjs);
//   2. package the extension with `vsce package` (which builds it: vscode:prepublish);
//   3. install the VSIX into a throw-away extensions folder;
//   4. run test/e2e/scenarios/*.e2e.ts with node:test, one file at a time; each scenario starts its own
//      code-server on 127.0.0.1 and its own Chromium, and shuts them down;
//   5. always: kill any code-server left behind (its process group) and delete the throw-away folder.
//
// Arguments are passed to node --test: scenario files (`npm run test:e2e -- test/e2e/scenarios/train.e2e.ts`)
// or options such as --test-name-pattern. Environment:
//   E2E_SKIP_PACKAGE=1   reuse the last VSIX in .e2e-cache/vsix (faster when only scenarios changed)
//   E2E_VSIX=path        test that VSIX instead of packaging this checkout
//   E2E_KEEP=1           keep the throw-away folder (user data, workspaces, logs) and print where it is
//   E2E_HEADED=1         show the browser (needs a display)
//   E2E_TIMEOUT_SCALE=2  double every wait, for a slow machine
//   E2E_SCREENSHOTS=always  also save a screenshot of passing scenarios
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureToolchain, log, node24Env } from './setup.mjs';
import { REPO_ROOT, VSIX_DIR } from './versions.mjs';

const SCENARIO_DIR = path.join(REPO_ROOT, 'test', 'e2e', 'scenarios');

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function readManifest() {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
}

function packageExtension(manifest) {
  if (process.env.E2E_VSIX) {
    const given = path.resolve(process.env.E2E_VSIX);
    if (!fs.existsSync(given)) throw new Error(`E2E_VSIX=${given}: no such file`);
    log(`using ${given} (E2E_VSIX)`);
    return given;
  }
  const vsix = path.join(VSIX_DIR, `${manifest.name}-${manifest.version}.vsix`);
  if (process.env.E2E_SKIP_PACKAGE === '1' && fs.existsSync(vsix)) {
    log(`reusing ${path.relative(REPO_ROOT, vsix)} (E2E_SKIP_PACKAGE=1)`);
    return vsix;
  }
  fs.mkdirSync(VSIX_DIR, { recursive: true });
  fs.rmSync(vsix, { force: true });
  const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  // vsce runs the vscode:prepublish script (the build) first, and packs what .vscodeignore leaves in.
  const result = spawnSync(
    process.execPath,
    [vsce, 'package', '--no-git-tag-version', '--no-update-package-json', '--allow-missing-repository', '--out', vsix],
    { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0 || !fs.existsSync(vsix)) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`vsce package failed (exit ${result.status})`);
  }
  const size = fs.statSync(vsix).size / 1024 / 1024;
  const files = /Packaged: .*\((\d+) files/.exec(result.stdout)?.[1];
  log(`packaged ${path.relative(REPO_ROOT, vsix)}: ${size.toFixed(1)} MB${files ? `, ${files} files` : ''}`);
  return vsix;
}

function installExtension(toolchain, vsix, runDir, extensionId) {
  const extensionsDir = path.join(runDir, 'extensions');
  const userDataDir = path.join(runDir, 'install-user-data');
  fs.mkdirSync(extensionsDir, { recursive: true });
  const xdg = path.join(runDir, 'install-xdg');
  const result = spawnSync(
    toolchain.node,
    [toolchain.codeServerEntry, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix, '--force'],
    {
      cwd: runDir,
      encoding: 'utf8',
      timeout: 180_000,
      env: node24Env({ XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_DATA_HOME: path.join(xdg, 'data'), XDG_CACHE_HOME: path.join(xdg, 'cache') }),
    },
  );
  const installed = fs.readdirSync(extensionsDir).find((name) => name.toLowerCase().startsWith(`${extensionId.toLowerCase()}-`));
  if (result.status !== 0 || !installed) {
    process.stderr.write((result.stdout ?? '') + (result.stderr ?? ''));
    throw new Error(`code-server --install-extension failed (exit ${result.status ?? result.signal})`);
  }
  return { extensionsDir, installedDir: path.join(extensionsDir, installed) };
}

function scenarioArgs(args) {
  const hasFiles = args.some((a) => !a.startsWith('-'));
  if (hasFiles) return args;
  const files = fs
    .readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.e2e.ts'))
    .sort()
    .map((f) => path.relative(REPO_ROOT, path.join(SCENARIO_DIR, f)));
  return [...args, ...files];
}

/** Kills the process groups of code-servers whose scenario process died before stopping them. */
function killLeftovers(runDir) {
  const pidsDir = path.join(runDir, 'pids');
  if (!fs.existsSync(pidsDir)) return;
  for (const name of fs.readdirSync(pidsDir)) {
    const pid = Number(name);
    if (!pid) continue;
    try {
      process.kill(-pid, 'SIGKILL');
      log(`killed code-server process group ${pid} left by ${fs.readFileSync(path.join(pidsDir, name), 'utf8').trim()}`);
    } catch {
      // Gone already.
    }
  }
}

async function main() {
  const started = Date.now();
  const manifest = readManifest();
  const extensionId = `${manifest.publisher}.${manifest.name}`;

  let phase = Date.now();
  const toolchain = ensureToolchain();
  const setupTime = seconds(phase);
  phase = Date.now();
  const vsix = packageExtension(manifest);
  const packageTime = seconds(phase);

  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lab-e2e-'));
  let child;
  const cleanup = () => {
    killLeftovers(runDir);
    if (process.env.E2E_KEEP === '1') log(`kept ${runDir} (E2E_KEEP=1)`);
    else fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
  };
  const onSignal = (signal) => {
    if (child && child.exitCode === null) child.kill(signal);
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    phase = Date.now();
    const { extensionsDir, installedDir } = installExtension(toolchain, vsix, runDir, extensionId);
    log(`toolchain ${setupTime}, package ${packageTime}, install ${seconds(phase)}: ${path.basename(installedDir)}`);

    const args = scenarioArgs(process.argv.slice(2));
    const env = {
      ...process.env,
      E2E_REPO_ROOT: REPO_ROOT,
      E2E_NODE: toolchain.node,
      E2E_CODE_SERVER_ENTRY: toolchain.codeServerEntry,
      E2E_CHROMIUM: toolchain.chromium,
      E2E_RUN_DIR: runDir,
      E2E_EXTENSIONS_DIR: extensionsDir,
      E2E_EXTENSION_ID: extensionId,
      E2E_RESULTS_DIR: process.env.E2E_RESULTS_DIR || path.join(REPO_ROOT, 'test-results'),
    };
    const code = await new Promise((resolve) => {
      child = spawn(
        process.execPath,
        ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...args],
        { cwd: REPO_ROOT, env, stdio: 'inherit' },
      );
      child.once('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
    });
    if (code !== 0) log(`failed after ${seconds(started)}: screenshots and logs are in test-results/<scenario>/`);
    return code;
  } finally {
    cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(`error: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
