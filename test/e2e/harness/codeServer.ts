/**
 * One code-server per scenario: a fresh user-data folder (settings written per scenario, workspace trust
 * set explicitly), the run's extensions folder (the packaged extension installed by run.mjs), a copy of
 * the workspace, bound to 127.0.0.1 on a free port with `--auth none`. It runs in its own process group,
 * which stop() kills whole (extension host and engine included); a pid file lets run.mjs kill it if this
 * process dies first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { e2eEnv, ms } from './env';
import { killQuietly, listProcesses } from './processes';

export interface WorkspaceSpec {
  /** Folders or files of the repository to copy into the workspace, keeping their relative paths (e.g. 'examples'). */
  copy?: string[];
  /** Extra files: workspace-relative path → content. */
  files?: Record<string, string>;
}

export interface CodeServerOptions {
  /** Names the scenario's folders. */
  name: string;
  workspace: WorkspaceSpec;
  /** Workspace trust, set explicitly: trusted (trust off) or Restricted Mode (trust on, no startup prompt). */
  trusted: boolean;
  /** User settings on top of the harness defaults. */
  settings?: Record<string, unknown>;
}

/** Quiet, offline, deterministic: no telemetry, update checks, welcome pages, tips or AI features. */
const BASE_SETTINGS: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'npm.autoDetect': 'off',
  'typescript.tsserver.experimental.enableProjectDiagnostics': false,
  'editor.minimap.enabled': false,
  'window.commandCenter': false,
  'files.autoSave': 'off',
};

const servers = new Set<CodeServer>();
process.on('exit', () => {
  for (const server of servers) server.killNow();
});

export class CodeServer {
  readonly url: string;
  private exited = false;
  private readonly exitPromise: Promise<void>;

  private constructor(
    readonly options: CodeServerOptions,
    readonly dir: string,
    readonly userDataDir: string,
    readonly extensionsDir: string,
    readonly workspaceDir: string,
    readonly port: number,
    readonly logFile: string,
    private readonly child: ChildProcess,
    private readonly pidFile: string,
  ) {
    this.url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspaceDir)}`;
    this.exitPromise = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', () => (this.exited = true));
  }

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const env = e2eEnv();
    const dir = path.join(env.runDir, slug(options.name));
    fs.rmSync(dir, { recursive: true, force: true });
    const userDataDir = path.join(dir, 'user-data');
    const workspaceDir = path.join(dir, 'workspace');
    const xdg = path.join(dir, 'xdg');
    fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    fs.mkdirSync(workspaceDir, { recursive: true });
    fs.mkdirSync(xdg, { recursive: true });

    for (const rel of options.workspace.copy ?? []) {
      fs.cpSync(path.join(env.repoRoot, rel), path.join(workspaceDir, rel), { recursive: true });
    }
    for (const [rel, content] of Object.entries(options.workspace.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(workspaceDir, rel)), { recursive: true });
      fs.writeFileSync(path.join(workspaceDir, rel), content);
    }

    const trust = options.trusted
      ? { 'security.workspace.trust.enabled': false }
      : {
          'security.workspace.trust.enabled': true,
          'security.workspace.trust.startupPrompt': 'never',
          'security.workspace.trust.emptyWindow': false,
          'security.workspace.trust.banner': 'always',
        };
    const settings = { ...BASE_SETTINGS, ...trust, ...options.settings };
    fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const port = await freePort();
      const logFile = path.join(dir, `code-server${attempt > 1 ? `-${attempt}` : ''}.log`);
      const configFile = path.join(dir, 'config.yaml');
      // Its own config file, so code-server neither reads nor writes ~/.config/code-server.
      fs.writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
      const out = fs.openSync(logFile, 'a');
      const args = [
        env.codeServerEntry,
        '--config', configFile,
        '--bind-addr', `127.0.0.1:${port}`,
        '--auth', 'none',
        '--user-data-dir', userDataDir,
        '--extensions-dir', env.extensionsDir,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        workspaceDir,
      ];
      const child = spawn(env.node, args, {
        cwd: dir,
        detached: true, // its own process group, killed whole by stop()
        stdio: ['ignore', out, out],
        env: serverEnv(env.node, xdg),
      });
      fs.closeSync(out);
      const pidFile = path.join(env.runDir, 'pids', String(child.pid));
      fs.mkdirSync(path.dirname(pidFile), { recursive: true });
      fs.writeFileSync(pidFile, `${options.name}\n`);
      const server = new CodeServer(options, dir, userDataDir, env.extensionsDir, workspaceDir, port, logFile, child, pidFile);
      servers.add(server);
      try {
        await server.waitUntilHealthy(ms(60_000));
        return server;
      } catch (error) {
        lastError = error;
        await server.stop();
        const log = readTail(logFile, 4000);
        if (!/EADDRINUSE/.test(log)) throw error;
      }
    }
    throw lastError;
  }

  /** code-server's logs folder: remote agent, extension host (exthost*) and output channel logs. */
  get logsDir(): string {
    return path.join(this.userDataDir, 'logs');
  }

  /** Files under the logs folder whose path matches `pattern`, oldest first. */
  logFiles(pattern: RegExp): string[] {
    return walk(this.logsDir).filter((f) => pattern.test(f)).sort();
  }

  /** The extension host logs (exthost*\/remoteexthost.log), concatenated. */
  extensionHostLog(): string {
    return this.logFiles(/exthost\d*[/\\](remote)?exthost\.log$/)
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
  }

  /** The log file of the output channel `name`, concatenated if there are several ('' when none yet). */
  outputChannelLog(name: string): string {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return this.logFiles(new RegExp(`[/\\\\](\\d+-)?${escaped}\\.log$`))
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
  }

  /** code-server's own stdout and stderr. */
  serverLog(): string {
    return readTail(this.logFile, 200_000);
  }

  /** Kills the process group: SIGTERM, then SIGKILL after a grace period; also any stray process of this scenario. */
  async stop(graceMs = 5_000): Promise<void> {
    const pid = this.child.pid;
    if (pid !== undefined) {
      killQuietly(-pid, 'SIGTERM');
      await Promise.race([this.exitPromise, delay(graceMs)]);
      killQuietly(-pid, 'SIGKILL');
    }
    // Anything that left the group (a detached grandchild) but still runs from this scenario's folders.
    for (const p of listProcesses()) {
      if (p.pid !== process.pid && p.command.includes(this.dir)) killQuietly(p.pid);
    }
    servers.delete(this);
    fs.rmSync(this.pidFile, { force: true });
  }

  /** Synchronous last resort for process exit. */
  killNow(): void {
    if (this.child.pid !== undefined) killQuietly(-this.child.pid, 'SIGKILL');
  }

  private async waitUntilHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new Error(`code-server exited during start-up. Its log (${this.logFile}):\n${readTail(this.logFile, 4000)}`);
      }
      if (await httpOk(`http://127.0.0.1:${this.port}/healthz`)) return;
      await delay(250);
    }
    throw new Error(`code-server did not answer on 127.0.0.1:${this.port} within ${timeoutMs / 1000} s. Its log:\n${readTail(this.logFile, 4000)}`);
  }
}

function serverEnv(node: string, xdg: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Nothing of a surrounding VS Code, Electron or Node.js loader may leak into the server.
    if (/^(VSCODE_|ELECTRON_|NODE_OPTIONS$|NODE_V8_COVERAGE$|npm_|TSX_)/.test(key)) continue;
    env[key] = value;
  }
  env.PATH = `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`;
  env.XDG_CONFIG_HOME = path.join(xdg, 'config');
  env.XDG_DATA_HOME = path.join(xdg, 'data');
  env.XDG_CACHE_HOME = path.join(xdg, 'cache');
  env.XDG_STATE_HOME = path.join(xdg, 'state');
  env.CS_DISABLE_FILE_DOWNLOADS = 'true';
  return env;
}

export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'scenario';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}

export function delay(msToWait: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msToWait));
}

function readTail(file: string, chars: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.length > chars ? `…${text.slice(-chars)}` : text;
  } catch {
    return '(no log)';
  }
}

function walk(dir: string): string[] {
  const files: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return files;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walk(full));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}
