// The Python interpreter the tests check dl-lab against: TensorBoard's own event reader and ONNX Runtime
// read what dl-lab writes; PyTorch is the bench's reference. Made once into .cache/test-python/ (a venv; pip finds the wheels the machine's
// pip configuration points at) when no interpreter on the machine has the modules already.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What the tests import; keep in step with the pythonWith([...]) calls under test/. */
export const TEST_PYTHON_MODULES = ['tensorboard', 'onnx', 'onnxruntime', 'numpy', 'torch'];

function imports(python, modules) {
  const r = spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore', timeout: 120_000 });
  return r.status === 0;
}

/**
 * Returns an interpreter that imports TEST_PYTHON_MODULES, making the venv when needed. Throws an Error
 * that says what failed (the tests that need it then skip with that reason).
 */
export function ensureTestPython(root, log) {
  const venv = path.join(root, '.cache', 'test-python');
  const venvPython = path.join(venv, 'bin', 'python');
  const candidates = [process.env.DL_LAB_TEST_PYTHON, venvPython, process.env.DL_LAB_PYTHON].filter(Boolean);
  for (const python of candidates) if (fs.existsSync(python) && imports(python, TEST_PYTHON_MODULES)) return python;

  const started = Date.now();
  log(`making a Python venv with ${TEST_PYTHON_MODULES.join(' ')} in ${path.relative(root, venv)}/`);
  const made = spawnSync('python3', ['-m', 'venv', '--clear', venv], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (made.error || made.status !== 0) throw new Error(`python3 -m venv failed: ${made.error?.message ?? made.stderr.trim().split('\n').pop()}`);
  const pip = spawnSync(venvPython, ['-m', 'pip', 'install', '-q', '--retries', '0', '--timeout', '30', ...TEST_PYTHON_MODULES], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (pip.error || pip.status !== 0) {
    const why = pip.error?.message ?? pip.stderr.trim().split('\n').filter((l) => !l.startsWith('WARNING')).pop();
    throw new Error(`pip install ${TEST_PYTHON_MODULES.join(' ')} failed: ${why}`);
  }
  log(`Python venv ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return venvPython;
}
