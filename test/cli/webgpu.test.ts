/**
 * The webgpu backend through the real CLI and engine child process, on Mesa's software renderer: what
 * `dl-lab info` says, LeNet-5 trained and resumed on it against wasm, `auto` passing it by, and the one
 * line a machine without Mesa gets (Mesa's drivers hidden in a private mount namespace).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CLI, jsonLines, LENET, readJsonl, ROOT, runCli, tempDir } from '../helpers';

const SKIP = process.env.DL_LAB_WEBGPU_TESTS_SKIP || false;
const DATA = 'synthetic:shapes?count=640';

async function train(backend: string, runsDir: string, extra: string[] = []) {
  const result = await runCli(['train', LENET, '--data', DATA, '--epochs', '2', '--backend', backend, '--runs-dir', runsDir, '--json', ...extra]);
  assert.equal(result.code, 0, result.stderr);
  const end = jsonLines(result.stdout).at(-1)!;
  assert.equal(end.status, 'completed');
  const runDir = end.runDir as string;
  const run = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
  const epochs = readJsonl(path.join(runDir, 'metrics.jsonl')).filter((m) => m.kind === 'epoch');
  return { runDir, run, epochs };
}

/** Mesa's DRI drivers' folder, found the way the engine's check would not: from the package's file list. */
function driFolder(): string | null {
  const r = spawnSync('dpkg', ['-L', 'libgl1-mesa-dri'], { encoding: 'utf8' });
  const swrast = r.stdout?.split('\n').find((l) => l.endsWith('/swrast_dri.so'));
  return swrast ? path.dirname(swrast) : null;
}

/** Whether this process may make a private mount namespace (root, and a kernel that lets it). */
function canUnshare(): boolean {
  return spawnSync('unshare', ['-m', 'true'], { stdio: 'ignore' }).status === 0;
}

describe('dl-lab with the webgpu backend', { skip: SKIP }, () => {
  it('dl-lab info --json lists webgpu with its adapter; the table says auto passes a software one by', async () => {
    const json = await runCli(['info', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const webgpu = JSON.parse(json.stdout).backends.find((b: { name: string }) => b.name === 'webgpu');
    assert.equal(webgpu.available, true);
    assert.match(webgpu.adapter.device, /llvmpipe/);
    assert.equal(webgpu.adapter.software, true);
    const text = await runCli(['info']);
    assert.match(text.stdout, /^webgpu\s+yes\s+only a software adapter: llvmpipe.*auto passes it by/m);
  });

  it('LeNet-5 trains on webgpu to within 0.05 val_acc of wasm with the same seed, and resumes on it', async () => {
    const runsDir = tempDir();
    const wasm = await train('wasm', runsDir);
    const webgpu = await train('webgpu', runsDir);
    assert.equal(webgpu.run.backend.name, 'webgpu');
    assert.equal(webgpu.run.backend.adapter.software, true);
    assert.match(webgpu.run.backend.reason, /warning: .*software renderer/);
    for (let e = 0; e < 2; e++) {
      assert.ok(Math.abs(webgpu.epochs[e].val_acc - wasm.epochs[e].val_acc) <= 0.05, `epoch ${e + 1}: val_acc ${webgpu.epochs[e].val_acc} vs ${wasm.epochs[e].val_acc}`);
      assert.ok(Math.abs(webgpu.epochs[e].loss - wasm.epochs[e].loss) < 1e-3 * wasm.epochs[e].loss, `epoch ${e + 1}: loss ${webgpu.epochs[e].loss} vs ${wasm.epochs[e].loss}`);
    }
    assert.ok(webgpu.epochs[1].loss < webgpu.epochs[0].loss);

    const resumed = await runCli(['train', '--resume', webgpu.runDir, '--epochs', '3', '--backend', 'webgpu', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const epochs = readJsonl(path.join(webgpu.runDir, 'metrics.jsonl')).filter((m) => m.kind === 'epoch');
    assert.deepEqual(epochs.map((m) => m.epoch), [1, 2, 3]);
    assert.ok(fs.existsSync(path.join(webgpu.runDir, 'checkpoints', 'last', 'optimizer.json')));
  });

  it('auto trains on a CPU backend here and says it passed the software adapter by', async () => {
    const runsDir = tempDir();
    const result = await runCli(['train', LENET, '--data', 'synthetic:shapes?count=64', '--epochs', '1', '--runs-dir', runsDir, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const run = JSON.parse(fs.readFileSync(path.join(jsonLines(result.stdout).at(-1)!.runDir, 'run.json'), 'utf8'));
    assert.notEqual(run.backend.name, 'webgpu');
    assert.match(run.backend.reason, /webgpu: only a software adapter, which auto does not use/);
  });

  it('dl-lab bench --backend: a name that is not a backend is refused in one line', async () => {
    const r = await runCli(['bench', '--backend', 'webgl']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--backend must be one of tensorflow-gpu, webgpu, tensorflow, wasm, cpu, got "webgl"/);
  });

  const dri = driFolder();
  const unshareSkip = !dri ? 'libgl1-mesa-dri lists no swrast_dri.so' : !canUnshare() ? 'unshare -m is not permitted here' : false;

  it('without Mesa\'s drivers, --backend webgpu fails at once with one line naming what to install; auto still trains', { skip: unshareSkip }, async () => {
    const runsDir = tempDir();
    const empty = tempDir();
    // A private mount namespace in which Mesa's driver folder is empty, as on a machine without libgl1-mesa-dri.
    const hidden = (args: string) =>
      spawnSync('unshare', ['-m', 'sh', '-c', `mount --bind "${empty}" "${dri}" && exec "${process.execPath}" "${CLI}" ${args}`], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      });
    const started = Date.now();
    const r = hidden(`train "${LENET}" --data "synthetic:shapes?count=64" --epochs 1 --backend webgpu --runs-dir "${runsDir}"`);
    assert.equal(r.status, 1, r.stderr);
    assert.ok(Date.now() - started < 30_000, 'it does not hang');
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /backend "webgpu" is not available: no WebGPU adapter \(.*OpenGL: swrast_dri\.so not found \(Debian: apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri libgbm1\)\)$/);

    const auto = hidden(`train "${LENET}" --data "synthetic:shapes?count=64" --epochs 1 --runs-dir "${runsDir}" --json`);
    assert.equal(auto.status, 0, auto.stderr);
    const run = JSON.parse(fs.readFileSync(path.join(jsonLines(auto.stdout).at(-1)!.runDir, 'run.json'), 'utf8'));
    assert.match(run.backend.reason, /webgpu: no WebGPU adapter \(.*swrast_dri\.so not found/);
  });
});

describe('npm run package (scripts/package.mjs)', () => {
  /** The dawn.node files (and DLLs beside them) a VSIX for `target` would hold, from `vsce ls`. */
  function dawnFiles(target: string): string[] {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), '--list', '--target', target], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter((l) => l.startsWith('node_modules/webgpu/dist/')).sort();
  }

  it('a VSIX for a platform carries only that platform\'s dawn.node; one for a platform without a build, none', () => {
    assert.deepEqual(dawnFiles('linux-x64'), ['node_modules/webgpu/dist/linux-x64/dawn.node']);
    assert.deepEqual(dawnFiles('darwin-arm64'), ['node_modules/webgpu/dist/darwin-universal/dawn.node']);
    const win = dawnFiles('win32-x64');
    assert.ok(win.includes('node_modules/webgpu/dist/win32-x64/dawn.node'), win.join('\n'));
    assert.ok(win.every((f) => f.startsWith('node_modules/webgpu/dist/win32-x64/')), win.join('\n'));
    assert.deepEqual(dawnFiles('alpine-x64'), []);
  });

  it('names an unknown target', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), '--list', '--target', 'amiga-m68k'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^package: unknown target "amiga-m68k"; expected one of win32-x64|linux-x64/);
  });
});
