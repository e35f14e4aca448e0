// Pinned versions and paths of the end-to-end toolchain. Changing a version installs the new one next to
// the old one in the cache on the next run; delete .e2e-cache/ to reclaim the space.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE_DIR = process.env.E2E_CACHE_DIR
  ? path.resolve(process.env.E2E_CACHE_DIR)
  : path.join(REPO_ROOT, '.e2e-cache');

/** Node.js for code-server: code-server 4.139.x requires Node 24 (its postinstall refuses any other major). */
export const NODE_VERSION = '24.21.0';
/** code-server 4.139.1 is VS Code 1.139.1 with a Node.js extension host. */
export const CODE_SERVER_VERSION = '4.139.1';
/** Debian packages: the browser Playwright drives, and the Kerberos headers code-server's native modules build against. */
export const APT_PACKAGES = ['chromium', 'libkrb5-dev'];
export const CHROMIUM_PATH = process.env.E2E_CHROMIUM || '/usr/bin/chromium';

export const NODE_DIR = path.join(CACHE_DIR, `node-v${NODE_VERSION}`);
export const CODE_SERVER_DIR = path.join(CACHE_DIR, `code-server-${CODE_SERVER_VERSION}`);
export const VSIX_DIR = path.join(CACHE_DIR, 'vsix');
