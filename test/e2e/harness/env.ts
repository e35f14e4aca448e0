/**
 * What scripts/e2e/run.mjs hands the scenarios: the toolchain it set up, the packaged and installed
 * extension, and the folders to work in. Scenario files are run by that script (`npm run test:e2e`),
 * never on their own, because it also packages the extension and always cleans up after them.
 */
import * as path from 'node:path';

export interface E2eEnv {
  repoRoot: string;
  /** Node.js 24, which runs code-server (and so the extension host, and the engine it forks). */
  node: string;
  /** code-server's out/node/entry.js. */
  codeServerEntry: string;
  chromium: string;
  /** Throw-away folder of this run: extensions, one folder per scenario; deleted afterwards. */
  runDir: string;
  /** The throw-away extensions folder with the packaged extension installed. */
  extensionsDir: string;
  /** Where failures leave screenshots and logs: test-results/<scenario>/. */
  resultsDir: string;
  /** Id of the extension under test: publisher.name. */
  extensionId: string;
  /** Wait-time multiplier for slow machines (E2E_TIMEOUT_SCALE). */
  timeoutScale: number;
  /** Show the browser (E2E_HEADED=1, needs a display). */
  headed: boolean;
}

let cached: E2eEnv | undefined;

export function e2eEnv(): E2eEnv {
  if (cached) return cached;
  const need = (name: string): string => {
    const value = process.env[name];
    if (!value) {
      throw new Error(
        `${name} is not set: run the end-to-end scenarios with \`npm run test:e2e\` ` +
          '(or `npm run test:e2e -- test/e2e/scenarios/<file>.e2e.ts` for one file).',
      );
    }
    return value;
  };
  const repoRoot = need('E2E_REPO_ROOT');
  cached = {
    repoRoot,
    node: need('E2E_NODE'),
    codeServerEntry: need('E2E_CODE_SERVER_ENTRY'),
    chromium: need('E2E_CHROMIUM'),
    runDir: need('E2E_RUN_DIR'),
    extensionsDir: need('E2E_EXTENSIONS_DIR'),
    resultsDir: process.env.E2E_RESULTS_DIR || path.join(repoRoot, 'test-results'),
    extensionId: need('E2E_EXTENSION_ID'),
    timeoutScale: Number(process.env.E2E_TIMEOUT_SCALE) > 0 ? Number(process.env.E2E_TIMEOUT_SCALE) : 1,
    headed: process.env.E2E_HEADED === '1',
  };
  return cached;
}

/** The test datasets beside the checkout (../shared/datasets), wherever the repository is cloned. */
export const DATASETS = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'datasets');

/** A wait, scaled for slow machines. */
export function ms(base: number): number {
  return Math.round(base * (cached?.timeoutScale ?? (Number(process.env.E2E_TIMEOUT_SCALE) || 1)));
}
