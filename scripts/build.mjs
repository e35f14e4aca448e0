// Bundles the three programs with esbuild: the extension (runs in the extension host), the engine (the
// training child process) and the `dl-lab` CLI. TensorFlow.js and esbuild stay external: the engine loads
// them from node_modules so that an optional tfjs-node backend registers on the same tfjs instance.
// Webview pages (webviews/<page>/main.ts) go to dist/webviews/<page>.js, with their stylesheet beside it.
import * as fs from 'node:fs';
import * as esbuild from 'esbuild';
import { buildTypes } from './buildTypes.mjs';
import { WEBVIEW_PAGES } from './webviewPages.mjs';

const watch = process.argv.includes('--watch');
const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  define: { ENGINE_VERSION: JSON.stringify(version) },
};
const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...common, entryPoints: ['src/engine/main.ts'], outfile: 'dist/engine.js', external: ['@tensorflow/*', 'esbuild'] },
  // The TypeScript server plugin (loaded by tsserver through ts-plugin/index.js).
  { ...common, entryPoints: ['src/tsPlugin/plugin.ts'], outfile: 'dist/tsPlugin.js' },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    external: ['@tensorflow/*', 'esbuild'],
  },
  // Webview pages: browser scripts, their UI components and stylesheet bundled in (a .css beside the .js).
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: true,
    // A webview parses its whole script on every open (and on every reload of a restored panel); the
    // source maps keep them debuggable.
    minify: !watch,
    logLevel: 'warning',
    entryPoints: WEBVIEW_PAGES,
    outdir: 'dist/webviews',
  },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
// Declarations of @tensorflow/tfjs and dl-lab for model files in the editor (skipped when up to date).
await buildTypes();
