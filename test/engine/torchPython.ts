/** Where the PyTorch reference can run in this environment, for the tests that need it. */
import { execFileSync } from 'node:child_process';
import { pythonCandidates } from '../../src/engine/bench/pytorch';

/** The first of the bench's Python candidates that can import torch, or undefined (those tests skip). */
export const torchPython: string | undefined = pythonCandidates().find((p) => {
  try {
    execFileSync(p, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
});
