/**
 * The engine's commands: Restart Engine (dlLab.restartEngine), Show Engine Log (dlLab.showEngineLog) and
 * Select Backend (dlLab.selectBackend: the engine says which backends load here; dlLab.backend is written).
 */
import * as vscode from 'vscode';
import type { BackendChoice } from '../../protocol/engineTypes';
import { COMMANDS } from '../shared/commands';
import { backendSettingText, updateBackendSetting } from '../shared/config';
import { guardedCommand } from '../shared/registerCommand';
import type { CurrentRun } from '../training/currentRun';
import type { EngineHost } from './engineHost';
import { describeEngine } from '../shared/format';
import { errorMessage } from '../shared/log';
import { SHOW_LOG_ACTION } from './exitMessages';
import { ensureTrusted } from '../shared/trust';

export interface EngineCommandDeps {
  log: vscode.LogOutputChannel;
  engine: EngineHost;
  currentRun: CurrentRun;
}

export function registerEngineCommands(deps: EngineCommandDeps): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMANDS.showEngineLog.id, () => showEngineLog(deps.log)),
    vscode.commands.registerCommand(COMMANDS.restartEngine.id, () => restartEngine(deps)),
    guardedCommand(deps.log, COMMANDS.selectBackend.id, () => selectBackend(deps)),
  );
}

export function showEngineLog(log: vscode.LogOutputChannel): void {
  log.show(true);
}

/**
 * Stops the engine (a run in progress is stopped, after confirmation) and starts a fresh one, with a
 * fresh budget of automatic restarts. Like training, refused in Restricted Mode.
 */
export async function restartEngine(deps: EngineCommandDeps): Promise<void> {
  if (!ensureTrusted(deps.log)) return;
  const session = deps.currentRun.session;
  if (session) {
    const which = session.runId ? `run ${session.runId}` : 'the run being started';
    const choice = await vscode.window.showWarningMessage(
      `Restarting the training engine stops ${which}.`,
      { modal: true },
      'Restart Engine',
    );
    if (choice !== 'Restart Engine') return;
  }
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Restarting the training engine' },
    async () => {
      try {
        deps.log.info('Restarting the training engine');
        const supervisor = await deps.engine.get();
        const info = await supervisor.restart();
        const description = describeEngine(info);
        deps.log.info(`Training engine restarted: ${description}`);
        void vscode.window.showInformationMessage(`Training engine restarted: ${description}`);
      } catch (err) {
        const message = `The training engine did not restart: ${errorMessage(err)}`;
        deps.log.error(message);
        void vscode.window.showErrorMessage(message, SHOW_LOG_ACTION).then((choice) => {
          if (choice === SHOW_LOG_ACTION) deps.log.show(true);
        });
      }
    },
  );
}

async function selectBackend(deps: Pick<EngineCommandDeps, 'engine' | 'log'>): Promise<BackendChoice | undefined> {
  const current = backendSettingText();
  const info = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Asking the training engine which backends load…' },
    async () => (await deps.engine.get()).info(),
  );
  const mark = (name: string) => (name === current ? ' (current)' : '');
  const available = info.backends.filter((b) => b.available).map((b) => b.name);
  const items = [
    {
      label: `$(sparkle) auto${mark('auto')}`,
      description: available.length ? `picks ${available[0]} here` : 'no backend loads',
      detail: 'The first that loads of tensorflow-gpu, tensorflow, wasm, cpu',
      value: 'auto' as BackendChoice,
      available: available.length > 0,
    },
    ...info.backends.map((b) => ({
      label: `${b.available ? '$(check)' : '$(circle-slash)'} ${b.name}${mark(b.name)}`,
      description: b.available ? 'available' : 'not available',
      detail: b.detail,
      value: b.name as BackendChoice,
      available: b.available,
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Deep Learning: Select Backend', placeHolder: `Backend for training (now ${current})` });
  if (!picked) return undefined;
  if (!picked.available) {
    void vscode.window.showWarningMessage(`${picked.value} is not available here: ${picked.detail}. dlLab.backend is unchanged (${current}).`);
    return undefined;
  }
  await updateBackendSetting(picked.value);
  deps.log.info(`dlLab.backend set to ${picked.value}`);
  void vscode.window.setStatusBarMessage(`Deep Learning backend: ${picked.value}`, 3000);
  return picked.value;
}
