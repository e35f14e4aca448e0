/** Shared helpers for tests that drive the real CLI and engine (built into dist/ by `npm test`). */
import assert from 'node:assert/strict';
import { spawn, type SpawnOptions } from 'node:child_process';
import type { EngineClient } from '../src/client/engineClient';
import { ModelSummaryRequest } from '../src/protocol/engineRequests';
import { after } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const ENGINE = path.join(ROOT, 'dist', 'engine.js');
/** The real test data beside the checkout: ../shared/datasets (MNIST test set, CIFAR-10 JPEGs). */
export const DATASETS = path.resolve(ROOT, '..', 'shared', 'datasets');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
export const LENET = path.join(ROOT, 'examples', 'lenet.model.ts');
/** A dense model that trains an epoch in about a second (for tests of runs rather than of learning). */
export const TINY = path.join(FIXTURES, 'models', 'tiny-dense.model.js');

/** A fresh temporary folder, removed when the process exits. */
export function tempDir(prefix = 'dl-lab-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `dl-lab ARGS` to the end. */
export function runCli(args: string[], options: SpawnOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Parses `--json` output: one object per line. */
export function jsonLines(stdout: string): Record<string, any>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** `dl-lab train MODEL ARGS --runs-dir RUNS --json` to the end; fails the test unless the run completes. */
export async function trainRun(modelFile: string, args: string[], runsDir = tempDir()): Promise<{ runDir: string; result: CliResult }> {
  const result = await runCli(['train', modelFile, ...args, '--runs-dir', runsDir, '--json']);
  assert.equal(result.code, 0, result.stderr);
  return { runDir: jsonLines(result.stdout).find((e) => e.event === 'end')!.runDir as string, result };
}

export function readJsonl(file: string): Record<string, any>[] {
  return jsonLines(fs.readFileSync(file, 'utf8'));
}

/** Polls `predicate` until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(predicate: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * max |actual - expected| / max |expected| (the absolute difference where expected is all zeros); a NaN on
 * one side only is an infinite error, NaNs on both sides are equal.
 */
export function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`sizes differ: ${actual.length} vs ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(expected[i]) !== Number.isNaN(actual[i])) return Infinity;
    if (Number.isNaN(expected[i])) continue;
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? diff : diff / scale;
}


/** Whether process `pid` exists (signal 0 probes without touching it). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A list of engine pids that are killed after this test file's tests if still alive: whatever a failing
 * test leaves spinning is ended here, not left to the machine.
 */
export function reapedAfterTests(): number[] {
  const pids: number[] = [];
  after(() => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  return pids;
}

/**
 * Starts `dl-lab train ARGS --json` (or another `command`, e.g. sweep) in the background: its events so far,
 * its stderr, and when it closes. `detached`: the CLI leads its own process group, as a shell's foreground job does.
 */
export function startTraining(args: string[], options: { detached?: boolean; command?: string } = {}) {
  const child = spawn(process.execPath, [CLI, options.command ?? 'train', ...args, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const events = () => jsonLines(stdout.slice(0, stdout.lastIndexOf('\n') + 1));
  return { child, closed, events, stderr: () => stderr };
}

/** After an engine was cut off: the client's next request (LeNet-5's summary) is answered by a fresh engine. */
export async function expectFreshEngineAnswers(client: EngineClient, cutOffPid: number | undefined): Promise<void> {
  const report = await client.sendRequest(ModelSummaryRequest, { modelFile: LENET, inputShape: [28, 28, 1], numClasses: 10 });
  assert.equal(report.totalParams, 61_706);
  assert.notEqual(client.pid, cutOffPid, 'a fresh engine');
}
