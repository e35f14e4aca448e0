/**
 * scenario(): one node:test test that starts its own code-server and browser, runs what a user does, and
 * always shuts both down. On failure it leaves, under test-results/<scenario>/:
 *   failure.png         the workbench when it failed
 *   error.txt           the error, the step it happened in, the notifications shown
 *   exthost.log         the extension host log(s)
 *   output-<channel>.log  the extension's output channel(s)
 *   logs/               code-server's whole logs folder (remote agent, extension host, output channels)
 *   code-server.log     code-server's stdout/stderr
 *   console.txt         browser console warnings and errors
 *   processes.txt       the processes running then (engine processes included)
 * E2E_SCREENSHOTS=always also saves final.png after a passing scenario.
 *
 *   scenario('trains LeNet', { workspace: { copy: ['examples'] }, trusted: true }, async ({ workbench, step }) => {
 *     await step('open the model file', () => workbench.editors.open('examples/lenet.model.ts'));
 *     ...
 *   });
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CodeServer, slug, type CodeServerOptions, type WorkspaceSpec } from './codeServer';
import { e2eEnv, ms, type E2eEnv } from './env';
import { listProcesses } from './processes';
import { Workbench } from './workbench';

export interface ScenarioOptions {
  workspace: WorkspaceSpec;
  /** Workspace trust for this scenario: always explicit. */
  trusted: boolean;
  settings?: Record<string, unknown>;
  /** For the whole scenario, start-up included (default 3 minutes; scaled by E2E_TIMEOUT_SCALE). */
  timeout?: number;
  /** Output channels whose logs are saved on failure (default: the extension's). */
  outputChannels?: string[];
}

export interface ScenarioContext {
  server: CodeServer;
  workbench: Workbench;
  env: E2eEnv;
  /** Runs a named step; a failure names the step it happened in. */
  step<T>(name: string, body: () => Promise<T>): Promise<T>;
}

export const EXTENSION_OUTPUT_CHANNEL = 'Deep Learning Lab';

/**
 * How many times a failing scenario is run again: E2E_RETRIES, default 1 under CI (a browser driving a
 * whole workbench on a shared 2-core machine has timing flakes that a rerun tells apart from real
 * failures; a pass on a retry is printed as FLAKY with the first error), 0 elsewhere.
 */
function retries(): number {
  const set = Number(process.env.E2E_RETRIES);
  if (process.env.E2E_RETRIES !== undefined && Number.isInteger(set) && set >= 0) return set;
  return process.env.CI ? 1 : 0;
}

export function scenario(name: string, options: ScenarioOptions, body: (context: ScenarioContext) => Promise<void>): void {
  const timeout = ms(options.timeout ?? 180_000);
  const attempts = 1 + retries();
  // node:test's own timeout is a backstop: ours fires first and still shuts everything down.
  test(name, { timeout: attempts * (timeout + ms(120_000)) }, async () => {
    const resultDir = path.join(e2eEnv().resultsDir, slug(name));
    fs.rmSync(resultDir, { recursive: true, force: true });
    for (let attempt = 1; ; attempt++) {
      try {
        // A failed attempt's artifacts stay in attempt-N/ when another attempt follows.
        await runOnce(name, options, body, timeout, attempt < attempts ? path.join(resultDir, `attempt-${attempt}`) : resultDir);
        if (attempt > 1) console.log(`[e2e] FLAKY: "${name}" passed on attempt ${attempt}; the earlier failure is in ${path.relative(process.cwd(), resultDir)}/attempt-*/`);
        return;
      } catch (error) {
        if (attempt >= attempts) throw error;
        console.log(`[e2e] "${name}" failed on attempt ${attempt} of ${attempts}, trying again:\n    ${(error as Error).message.replace(/\n/g, '\n    ')}`);
      }
    }
  });
}

async function runOnce(
  name: string,
  options: ScenarioOptions,
  body: (context: ScenarioContext) => Promise<void>,
  timeout: number,
  resultDir: string,
): Promise<void> {
  const env = e2eEnv();
  const state: { server?: CodeServer; workbench?: Workbench; step: string } = { step: 'start code-server' };
  const step = async <T>(stepName: string, run: () => Promise<T>): Promise<T> => {
    state.step = stepName;
    return run();
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const run = async () => {
      const serverOptions: CodeServerOptions = {
        name,
        workspace: options.workspace,
        trusted: options.trusted,
        settings: options.settings,
      };
      state.server = await CodeServer.start(serverOptions);
      state.step = 'open the workbench';
      state.workbench = await Workbench.open(state.server);
      state.step = 'scenario body';
      await body({ server: state.server, workbench: state.workbench, env, step });
    };
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Scenario did not finish within ${timeout / 1000} s (step: ${state.step})`)), timeout);
    });
    await Promise.race([run(), expired]);
    if (process.env.E2E_SCREENSHOTS === 'always' && state.workbench) {
      fs.mkdirSync(resultDir, { recursive: true });
      await state.workbench.screenshot(path.join(resultDir, 'final.png')).catch(() => undefined);
    }
  } catch (error) {
    const saved = await saveArtifacts(resultDir, error, state, options).catch((e) => `(could not save artifacts: ${e})`);
    const message = error instanceof Error ? error.message : String(error);
    // What the user was told is often the why: show it next to the error.
    let told = state.workbench ? `\n    notifications shown: ${state.workbench.notifications.describe().replace(/\n/g, '\n    ')}` : '';
    const dialog = state.workbench ? await state.workbench.dialog().catch(() => '') : '';
    if (dialog) told += `\n    dialog shown: ${dialog}`;
    const wrapped = new Error(`${message}\n    in step: ${state.step}${told}\n    screenshot and logs: ${saved}`);
    if (error instanceof Error && error.stack) wrapped.stack = `${wrapped.message}\n${error.stack.split('\n').slice(1).join('\n')}`;
    throw wrapped;
  } finally {
    if (timer) clearTimeout(timer);
    await state.workbench?.close();
    await state.server?.stop();
  }
}

async function saveArtifacts(
  dir: string,
  error: unknown,
  state: { server?: CodeServer; workbench?: Workbench; step: string },
  options: ScenarioOptions,
): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const { server, workbench } = state;
  const lines = [
    `Step: ${state.step}`,
    '',
    error instanceof Error ? (error.stack ?? error.message) : String(error),
    '',
  ];
  if (workbench) {
    await workbench.screenshot(path.join(dir, 'failure.png')).catch((e) => lines.push(`(screenshot failed: ${e})`));
    lines.push(`Notifications shown: ${workbench.notifications.describe()}`);
    lines.push('', `Status bar: ${JSON.stringify(await workbench.statusBar.texts().catch(() => []))}`);
    fs.writeFileSync(path.join(dir, 'console.txt'), workbench.console.join('\n') + '\n');
  }
  fs.writeFileSync(path.join(dir, 'error.txt'), lines.join('\n') + '\n');
  if (server) {
    fs.writeFileSync(path.join(dir, 'exthost.log'), server.extensionHostLog() || '(no extension host log found)\n');
    for (const channel of options.outputChannels ?? [EXTENSION_OUTPUT_CHANNEL]) {
      fs.writeFileSync(path.join(dir, `output-${slug(channel)}.log`), server.outputChannelLog(channel) || '(no output channel log found)\n');
    }
    fs.writeFileSync(path.join(dir, 'code-server.log'), server.serverLog());
    if (fs.existsSync(server.logsDir)) fs.cpSync(server.logsDir, path.join(dir, 'logs'), { recursive: true });
  }
  fs.writeFileSync(
    path.join(dir, 'processes.txt'),
    listProcesses()
      .map((p) => `${p.pid}\t${p.ppid}\t${p.pgid}\t${p.command}`)
      .join('\n') + '\n',
  );
  return path.relative(process.cwd(), dir) || dir;
}
