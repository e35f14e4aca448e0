/**
 * Makes `require('vscode')` return the stub (vscodeStub.ts), or a test's variant of it, in this test
 * process: the one copy of the module-resolution hook the extension tests share.
 */
import Module from 'node:module';
import * as stub from './vscodeStub';

let hooked = false;

export function useVscodeStub(exports: object = stub): void {
  if (!hooked) {
    const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
    const resolve = M._resolveFilename;
    M._resolveFilename = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
    };
    hooked = true;
  }
  require.cache['vscode'] = { id: 'vscode', filename: 'vscode', loaded: true, exports } as unknown as NodeJS.Module;
}
