// Debian packages that the tests need from the system, installed with apt-get when missing (root only).
// Used by the unit tests' runner (Mesa's software renderer for the webgpu backend) and the e2e set-up.
import { spawnSync } from 'node:child_process';

/** Mesa's EGL/OpenGL software renderer: the webgpu backend's adapter on machines without a GPU. Keep in
 * step with MESA_PACKAGES in src/engine/backends/webgpu/libraries.ts (a test compares them). */
export const WEBGPU_TEST_PACKAGES = ['libegl1', 'libegl-mesa0', 'libgl1-mesa-dri', 'libgbm1'];

export function hasDpkg() {
  return spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' }).status === 0;
}

function installed(name) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

function run(command, args, options) {
  const result = spawnSync(command, args, options);
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

/**
 * Installs whichever of `names` are missing. Throws an Error that says what to install when it cannot
 * (not root, or apt-get failing); returns the names it installed.
 */
export function ensureDebianPackages(names, log) {
  const missing = names.filter((name) => !installed(name));
  if (missing.length === 0) return [];
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing Debian packages: ${missing.join(' ')}. Install them: sudo apt-get install -y ${missing.join(' ')}`);
  }
  const started = Date.now();
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  log(`Debian packages installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return missing;
}
