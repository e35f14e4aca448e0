/**
 * The "Deep Learning Lab" log output channel: the extension's own messages and the engine's log
 * (its `log` notifications and its stdout/stderr lines, which EngineClient forwards).
 */
import * as vscode from 'vscode';
import type { LogParams } from '../../protocol/engineTypes';

export const OUTPUT_CHANNEL_NAME = 'Deep Learning Lab';

export function createLogChannel(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
}

/** Writes an engine log entry at its level, marked `[engine]` (stdout/stderr lines come marked already). */
export function engineLogSink(channel: vscode.LogOutputChannel): (entry: LogParams) => void {
  return ({ level, message }) => {
    const text = message.startsWith('[engine]') ? message : `[engine] ${message}`;
    switch (level) {
      case 'trace':
        return channel.trace(text);
      case 'debug':
        return channel.debug(text);
      case 'warn':
        return channel.warn(text);
      case 'error':
        return channel.error(text);
      default:
        return channel.info(text);
    }
  };
}

/** The message of anything thrown: Error, JSON-RPC ResponseError, or a string. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}
