// The TypeScript server plugin that package.json's typescriptServerPlugins names. tsserver loads plugins
// only as packages from the extension's node_modules, so this folder is a `file:` dependency, installed as a
// copy (.npmrc install-links: vsce cannot pack a symlinked one). It stays a stub that never changes: the
// plugin itself is src/tsPlugin/plugin.ts, bundled into the extension's dist/tsPlugin.js, and the
// declarations it serves are in dist/types (scripts/buildTypes.mjs).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The extension's folder: the first folder above this one whose package.json is the extension's. */
function extensionRoot() {
  for (let dir = path.dirname(__dirname); ; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'deep-learning-lab') return dir;
    } catch {
      // No package.json here: keep going up.
    }
    if (path.dirname(dir) === dir) throw new Error(`dl-lab-typescript-plugin: no deep-learning-lab package above ${__dirname}`);
  }
}

const root = extensionRoot();
module.exports = require(path.join(root, 'dist', 'tsPlugin.js')).createPlugin({ typesDir: path.join(root, 'dist', 'types') });
