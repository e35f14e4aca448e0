/**
 * The built dashboard page (dist/webviews/dashboard.js) in headless Chromium, outside VS Code, as the
 * dashboard benchmark opens it (pageServer.ts writes the page: CSP, theme, fake acquireVsCodeApi), and
 * the plausible runs that the screenshots (dashboardScreenshot.ts) and the benchmark show.
 */
import type { Browser, Page } from 'playwright-core';
import { mulberry32 as random } from '../../src/engine/util/random';
import type { DashboardPoint, DashboardRun, DashboardState, DashboardUpdate } from '../../src/protocol/webview';
import { startPageServer, type PageOptions } from './pageServer';

export { CHROMIUM } from './pageServer';

export interface Harness {
  origin: string;
  /** Opens the dashboard page; `initial` is posted in order when the page says ready. */
  open(browser: Browser, options: { theme?: string; state?: DashboardState; initial?: DashboardUpdate[]; decimation?: boolean; viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

/** The dashboard as its panel writes it (dashboardPanel.ts: this placeholder, not aria-live). */
export function dashboardPage(options: { state?: DashboardState; initial?: DashboardUpdate[]; decimation?: boolean }): Omit<PageOptions, 'theme'> {
  return {
    bundle: 'dashboard', placeholder: 'Reading the run…', live: false, state: options.state, messages: options.initial,
    htmlAttributes: options.decimation === false ? ' data-decimation="off"' : '',
  };
}

export async function startHarness(): Promise<Harness> {
  const server = await startPageServer();
  return {
    origin: server.origin,
    async open(browser, { theme = 'dark', state, initial = [], decimation = true, viewport = { width: 1100, height: 900 } }) {
      const url = server.page({ ...dashboardPage({ state, initial, decimation }), theme });
      const page = await browser.newPage({ viewport });
      await page.goto(url);
      return page;
    },
    close: server.close,
  };
}

/**
 * A plausible training history: batch losses every few steps (noisy, decaying), epoch lines with
 * validation, starting at `start` (ms). `rate` scales how fast it learns.
 */
export function syntheticHistory(options: { epochs: number; stepsPerEpoch: number; every?: number; start: number; rate: number; seed: number; msPerStep?: number }): DashboardPoint[] {
  const { epochs, stepsPerEpoch, every = 5, start, rate, seed, msPerStep = 40 } = options;
  const rnd = random(seed);
  const points: DashboardPoint[] = [];
  const lossAt = (step: number) => 0.08 + 2.2 * Math.exp((-rate * step) / stepsPerEpoch);
  for (let e = 1; e <= epochs; e++) {
    for (let s = (e - 1) * stepsPerEpoch + every; s <= e * stepsPerEpoch; s += every) {
      const noise = 1 + 0.35 * (rnd() - 0.5) * 2;
      points.push({ kind: 'batch', epoch: e, step: s, time: start + s * msPerStep, loss: lossAt(s) * noise });
    }
    const step = e * stepsPerEpoch;
    const loss = lossAt(step) * 1.05;
    const valLoss = loss * (1.05 + 0.02 * e) + 0.02 * rnd();
    const acc = Math.min(0.995, 1 - loss / 2.4);
    points.push({ kind: 'epoch', epoch: e, step, time: start + step * msPerStep + 300, loss, acc, val_loss: valLoss, val_acc: Math.max(0, acc - 0.02 - 0.004 * e * rnd()) });
  }
  return points;
}

export function run(over: Partial<DashboardRun> & Pick<DashboardRun, 'runId'>): DashboardRun {
  return {
    runDir: `/work/runs/${over.runId}`, model: 'lenet.model.ts', data: 'synthetic:shapes', status: 'completed', backend: 'wasm',
    startTime: Date.UTC(2026, 10, 27, 22, 45), stoppable: false, ...over,
  };
}
