/**
 * A failed model build as a location and TensorFlow.js's message, for a diagnostic. The engine rejects
 * model/summary (and inspect/*) with a JSON-RPC ResponseError whose `data` is ModelErrorData; an engine that
 * predates it only says "file:line:col: message" in the error's message, which vscode-jsonrpc wraps as
 * "Request model/summary failed with message: ...", so that is parsed as a fallback. Pure (no `vscode`).
 */
import * as path from 'node:path';
import type { ModelErrorData } from '../../protocol/engineTypes';

const JSONRPC_PREFIX = /^Request \S+ failed with message: /;
/** What the engine puts before TensorFlow.js's own words. */
const BUILD_PREFIX = /^error while building the model: /;
const LOCATED = /^(.+?):(\d+)(?::(\d+))?: ([\s\S]*)$/;

function isModelErrorData(value: unknown): value is ModelErrorData {
  const v = value as ModelErrorData | undefined;
  return typeof v === 'object' && v !== null && typeof v.file === 'string' && typeof v.message === 'string';
}

function cleanMessage(message: string): string {
  return message.replace(BUILD_PREFIX, '').trim();
}

/**
 * The model error an engine error carries, or undefined when the error is about something else (the engine
 * could not start, a dataset could not be read). The file may be one the model file imports.
 */
export function modelErrorOf(err: unknown): ModelErrorData | undefined {
  const data = (err as { data?: unknown } | undefined)?.data;
  if (isModelErrorData(data)) {
    return { ...data, message: cleanMessage(data.message) };
  }
  const raw = (err as { message?: unknown } | undefined)?.message;
  if (typeof raw !== 'string') return undefined;
  const message = raw.replace(JSONRPC_PREFIX, '');
  const located = LOCATED.exec(message);
  if (located && isSourcePath(located[1])) {
    return {
      file: located[1],
      line: Number(located[2]),
      ...(located[3] ? { column: Number(located[3]) } : {}),
      message: cleanMessage(located[4]),
    };
  }
  // "file: message" (no line): the engine's ModelFileError without a location.
  const colon = message.indexOf(': ');
  if (colon > 0 && isSourcePath(message.slice(0, colon))) {
    return { file: message.slice(0, colon), message: cleanMessage(message.slice(colon + 2)) };
  }
  return undefined;
}

/** An absolute path of a source file, as the engine names model files and their imports. */
function isSourcePath(text: string): boolean {
  return path.isAbsolute(text) && /\.(m|c)?(t|j)sx?$/.test(text);
}
