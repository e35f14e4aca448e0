/** Small helpers shared by the dataset readers: file names in messages, counts, gzip, yielding. */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { printable } from '../../util/text';
import { checkDataBytes, DATA_BYTES_VAR, formatBytes, inflateLimit } from './limits';

/** A path as messages show it: relative to the working directory when under it, else absolute. */
export function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/**
 * The folders a load may read from, when it is confined (an untrusted workspace: a descriptor must not make
 * the engine read, and quote, files anywhere on the machine). Per load, across its awaits.
 */
const confinement = new AsyncLocalStorage<string[]>();

/** Runs a load that may read only files (symlinks resolved) inside `folders`; unconfined when none are given. */
export function readingOnlyWithin<T>(folders: string[] | undefined, work: () => Promise<T>): Promise<T> {
  if (!folders?.length) return work();
  return confinement.run(folders.map((f) => realOrResolved(f)), work);
}

function realOrResolved(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** Throws when the current load is confined and `file` lies outside its folders. */
export function checkInside(file: string): void {
  const folders = confinement.getStore();
  if (!folders) return;
  const real = realOrResolved(file);
  if (folders.some((f) => real === f || real.startsWith(f.endsWith(path.sep) ? f : f + path.sep))) return;
  throw new Error(`${printable(shown(file))}: outside the workspace; in Restricted Mode data is read only from the workspace's folders (trust the workspace to read it)`);
}

/**
 * Throws unless `file` (symlinks followed) is a regular file: reading a named pipe blocks until someone
 * writes to it, and a device such as /dev/zero never ends. Checked before the file is opened.
 */
export function checkRegularFile(file: string): fs.Stats {
  checkInside(file);
  const stat = fs.statSync(file);
  if (!stat.isFile()) {
    const kind = stat.isFIFO() ? 'a named pipe' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isSocket() ? 'a socket' : stat.isDirectory() ? 'a folder' : 'not a file';
    throw new Error(`${shown(file)}: ${kind}, not a regular file; datasets are read from regular files only`);
  }
  return stat;
}

/** fs.readFileSync for dataset files: regular files only (checkRegularFile). */
export function readRegularFile(file: string): Buffer;
export function readRegularFile(file: string, encoding: 'utf8'): string;
export function readRegularFile(file: string, encoding?: 'utf8'): Buffer | string {
  const { size } = checkRegularFile(file);
  // A file is read whole: one larger than the data limit is refused before it is.
  checkDataBytes(file, size, `the file (${size.toLocaleString('en-US')} bytes)`);
  return encoding ? fs.readFileSync(file, encoding) : fs.readFileSync(file);
}

/** Reads a file, gunzipping it when it is gzip data (by its magic bytes, whatever its name). */
export function readMaybeGzip(file: string): Buffer {
  const raw = readRegularFile(file);
  if (!isGzip(raw)) {
    if (file.endsWith('.gz')) throw new Error(`${shown(file)}: named .gz but not gzip data (first bytes ${hex(raw, 4)})`);
    return raw;
  }
  try {
    // A gzip bomb stops at the data limit rather than at the engine's memory.
    return zlib.gunzipSync(raw, { maxOutputLength: inflateLimit() });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(`${shown(file)}: inflates to more than ${formatBytes(inflateLimit())}, the limit for data in memory (set ${DATA_BYTES_VAR} to raise it)`);
    }
    const reason = (err as Error).message;
    const what = /unexpected end/i.test(reason) ? 'truncated gzip data' : 'corrupt gzip data';
    throw new Error(`${shown(file)}: ${what} (${reason}); download the file again`);
  }
}

export function hex(buf: Uint8Array, n: number): string {
  return Array.from(buf.subarray(0, n), (b) => b.toString(16).padStart(2, '0')).join(' ') || '(empty file)';
}

/** Lets the event loop run (e.g. the engine's JSON-RPC connection) during a long load. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Files and folders of a folder, sorted by name, without hidden entries. */
export function listDir(dir: string): fs.Dirent[] {
  checkInside(dir);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * What a listDir entry is, following a symbolic link (a class folder linked in from elsewhere is a class
 * folder); 'broken' for a link to nothing, so that it can be reported rather than dropped without a word.
 */
export function entryKind(dir: string, entry: fs.Dirent): 'file' | 'directory' | 'other' | 'broken' {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'directory';
  if (!entry.isSymbolicLink()) return 'other';
  try {
    const stat = fs.statSync(path.join(dir, entry.name));
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'broken';
  }
}

/** Class names for labels 0..n-1 when the files name none. */
export function numberedClasses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(i));
}

/** Checks labels against the class count; names the file and the first bad index. */
export function checkLabels(labels: Uint8Array, classCount: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classCount) {
      throw new Error(`${shown(file)}: label ${labels[i]} at index ${i} is out of range for ${plural(classCount, 'class', 'classes')}`);
    }
  }
}

/** The largest label + 1. */
export function classCountOf(labels: Uint8Array): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return max + 1;
}

/**
 * Size and mtime of a dataset's path and, for a folder, of its direct entries: changes when files come, go
 * or change (a new class folder, a rewritten file), so caches of what was read from it can tell.
 */
export function datasetSignature(spec: string): string {
  if (spec.trim().startsWith('synthetic:')) return spec.trim();
  const abs = path.resolve(spec.trim());
  const parts: string[] = [abs];
  try {
    const stat = fs.statSync(abs);
    parts.push(`${stat.size}:${stat.mtimeMs}`);
    if (stat.isDirectory()) {
      for (const entry of listDir(abs).slice(0, 1000)) {
        try {
          const s = fs.statSync(path.join(abs, entry.name));
          parts.push(`${entry.name}:${s.size}:${s.mtimeMs}`);
        } catch {
          parts.push(entry.name);
        }
      }
    }
  } catch {
    parts.push('missing');
  }
  return parts.join('|');
}
