// @vscode/test-cli configuration for `npm run test:electron`: the integration suite in a downloaded
// VS Code desktop (Electron), for machines that can download VS Code. CI here cannot, and runs the same
// scenarios in code-server instead (`npm run test:e2e`, test/e2e/). test/electron/build.mjs bundles the
// suite and lays out the workspace first. VSCODE_TEST_VERSION picks the VS Code version (default stable).
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  tests: [
    {
      label: 'desktop',
      files: '.e2e-cache/electron/suite/**/*.test.js',
      version: process.env.VSCODE_TEST_VERSION || 'stable',
      workspaceFolder: '.e2e-cache/electron/workspace',
      // Only the extension under development: no other extension's activation in the way.
      launchArgs: ['--disable-extensions'],
      mocha: { ui: 'tdd', timeout: 300_000, color: true },
    },
  ],
});
