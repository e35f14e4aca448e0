/**
 * Processes on this machine, read from /proc: to see which engine processes the extension forked, and to
 * make sure nothing a scenario started outlives it.
 */
import * as fs from 'node:fs';

export interface ProcessInfo {
  pid: number;
  pgid: number;
  ppid: number;
  /** argv joined with spaces. */
  command: string;
}

export function listProcesses(): ProcessInfo[] {
  const result: ProcessInfo[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return result; // Not Linux: nothing to report.
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      result.push({ pid: Number(entry), ppid: Number(fields[1]), pgid: Number(fields[2]), command });
    } catch {
      // The process ended while we looked.
    }
  }
  return result;
}

/** Processes whose command line contains every one of `parts`. */
export function processesMatching(...parts: string[]): ProcessInfo[] {
  return listProcesses().filter((p) => p.pid !== process.pid && parts.every((part) => p.command.includes(part)));
}

/** Engine processes of the extension installed in `extensionsDir` (the extension forks dist/engine.js). */
export function engineProcesses(extensionsDir: string): ProcessInfo[] {
  return processesMatching(extensionsDir, 'engine.js');
}

export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}
