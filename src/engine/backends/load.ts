/** Loading optional backend packages without letting their absence or breakage escape as a crash. */

/** Why a backend can't be had; thrown by the per-backend initialisers and caught by `auto`. */
export class Unavailable extends Error {}

/** Resolves a package from the engine's location without loading it; null when it isn't installed. */
export function resolvePackage(name: string): string | null {
  try {
    return require.resolve(`${name}/package.json`);
  } catch {
    return null;
  }
}

/** Loads a package (or a native addon by path) the bundler must not see (a literal would be bundled or flagged). */
export function requireAtRuntime(name: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(name);
}

export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n').find((l) => l.trim() !== '') ?? message;
}
