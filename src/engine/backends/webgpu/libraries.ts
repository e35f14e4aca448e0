/**
 * The Linux system libraries Dawn opens at run time, looked up the way the dynamic loader would find them,
 * so that a missing adapter is explained in one line that names the Debian package to install. Dawn only
 * prints its own reasons on the native stderr, which the engine cannot read back.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Debian packages of Mesa's software renderer as an EGL/OpenGL driver (what Dawn's OpenGL backend needs). */
export const MESA_PACKAGES = ['libegl1', 'libegl-mesa0', 'libgl1-mesa-dri', 'libgbm1'] as const;

let cache: Map<string, string> | null = null;

/** soname -> path, from the loader's cache (`ldconfig -p`); empty where there is none. */
function loaderCache(): Map<string, string> {
  if (cache) return cache;
  cache = new Map();
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    try {
      const out = execFileSync(ldconfig, ['-p'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
      for (const line of out.split('\n')) {
        const m = /^\s*(\S+) \(([^)]*)\) => (.+)$/.exec(line);
        // The first entry is the one the loader takes; skip other architectures' copies.
        if (m && !cache.has(m[1]) && archMatches(m[2])) cache.set(m[1], m[3].trim());
      }
      break;
    } catch {
      // Not there or not runnable: try the next spelling.
    }
  }
  return cache;
}

function archMatches(flags: string): boolean {
  if (process.arch === 'x64') return flags.includes('x86-64');
  if (process.arch === 'arm64') return flags.includes('AArch64');
  return true;
}

function envDirs(name: string): string[] {
  return (process.env[name] ?? '').split(':').filter((d) => d !== '');
}

/** Where a shared library would be loaded from, or null; checks the file is really there. */
export function findLibrary(soname: string): string | null {
  for (const dir of envDirs('LD_LIBRARY_PATH')) {
    const p = path.join(dir, soname);
    if (fs.existsSync(p)) return p;
  }
  const cached = loaderCache().get(soname);
  return cached && fs.existsSync(cached) ? cached : null;
}

/** Mesa's software rasteriser driver, where Mesa looks for it (LIBGL_DRIVERS_PATH, else beside libEGL_mesa). */
function findSwrast(): string | null {
  const dirs = envDirs('LIBGL_DRIVERS_PATH');
  for (const lib of ['libEGL_mesa.so.0', 'libgbm.so.1', 'libEGL.so.1']) {
    const found = findLibrary(lib);
    if (found) dirs.push(path.join(path.dirname(found), 'dri'));
  }
  for (const dir of dirs) {
    const p = path.join(dir, 'swrast_dri.so');
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** Why Dawn's Vulkan backend has nothing to open here, or null when the loader is present. */
export function vulkanMissing(): string | null {
  if (process.platform !== 'linux') return null;
  return findLibrary('libvulkan.so.1') ? null : 'libvulkan.so.1 not found (Debian: apt-get install libvulkan1, with the GPU driver\'s Vulkan support)';
}

/** What of Mesa's EGL/OpenGL stack is missing here (Dawn's OpenGL backend, the software adapter), or null. */
export function mesaMissing(): string | null {
  if (process.platform !== 'linux') return null;
  const missing: string[] = [];
  if (!findLibrary('libEGL.so.1')) missing.push('libEGL.so.1');
  if (!findLibrary('libEGL_mesa.so.0')) missing.push('libEGL_mesa.so.0');
  if (!findLibrary('libgbm.so.1')) missing.push('libgbm.so.1');
  if (!findSwrast()) missing.push('swrast_dri.so');
  if (missing.length === 0) return null;
  return `${missing.join(', ')} not found (Debian: apt-get install ${MESA_PACKAGES.join(' ')})`;
}
