/** Which Python interpreter, if any, can run a test's reference reader (TensorBoard, ONNX Runtime, torch). */
import { execFileSync } from 'node:child_process';
import { pythonCandidates } from '../src/engine/bench/pytorch';

const found = new Map<string, string | undefined>();

/**
 * The first interpreter that imports all of `modules`: $DL_LAB_TEST_PYTHON (the venv `npm test` makes,
 * scripts/pythonEnv.mjs), then the bench's candidates ($DL_LAB_PYTHON, /usr/bin/python3, python3).
 * Undefined when none does: the test skips, saying so.
 */
export function pythonWith(modules: string[]): string | undefined {
  const key = modules.join(',');
  if (!found.has(key)) {
    const candidates = [process.env.DL_LAB_TEST_PYTHON, ...pythonCandidates()].filter((p): p is string => !!p);
    found.set(
      key,
      [...new Set(candidates)].find((p) => {
        try {
          execFileSync(p, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore', timeout: 120_000 });
          return true;
        } catch {
          return false;
        }
      }),
    );
  }
  return found.get(key);
}

/** A test's skip option: false when an interpreter has `modules`, else the reason. */
export function skipUnlessPython(modules: string[]): false | string {
  return pythonWith(modules) ? false : `no Python with ${modules.join(', ')} here (npm test makes one: scripts/pythonEnv.mjs)`;
}
