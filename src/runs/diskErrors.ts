/**
 * Failed writes of a run folder, said in one line: "no space left on device while saving checkpoints/last".
 */

/**
 * Runs a write of the run folder; a failure (a full disk) fails the run with what was being written. The
 * files keep their last good state (every write is complete or absent).
 */
export async function onDisk(what: string, write: () => unknown): Promise<void> {
  try {
    await write();
  } catch (err) {
    throw diskError(err, what);
  }
}

/** onDisk for a write that does not wait. */
export function onDiskSync(what: string, write: () => void): void {
  try {
    write();
  } catch (err) {
    throw diskError(err, what);
  }
}

function diskError(err: unknown, what: string): unknown {
  if (!(err as NodeJS.ErrnoException)?.code) return err;
  return new Error(`${fileErrorReason(err)} while ${what}`);
}

/** "no space left on device" from Node's "ENOSPC: no space left on device, write". */
export function fileErrorReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /^E[A-Z]+: ([^,]+)/.exec(message);
  return m ? m[1] : message.split('\n')[0];
}
