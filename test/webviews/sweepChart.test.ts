/**
 * The dashboard page (dist/webviews/dashboard.js, in headless Chromium) draws the sweep chart when it shows
 * two or more runs of one sweep: a line per run, the best run marked, the swept settings then the metrics as
 * axes; the best follows new epochs; no chart for runs of different sweeps or none. Skipped without Chromium.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { DashboardPoint, DashboardRun, DashboardUpdate } from '../../src/protocol/webview';
import { CHROMIUM, type Harness, run, startHarness } from '../../webviews/dev/dashboardHarness';

// Evaluated in the page; this project's tsconfig has no DOM types (as scripts/bench/dashboard.ts).
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const SWEEP = 'sweep-20261208-031500-lenet-3f9c';
const epochs = (runStart: number, valAcc: number[]): DashboardPoint[] =>
  valAcc.map((acc, i) => ({ kind: 'epoch', epoch: i + 1, step: (i + 1) * 10, time: runStart + i * 1000, loss: 1 - acc, acc, val_loss: 1.1 - acc, val_acc: acc }));

function sweepRun(i: number, learningRate: number, sweep = SWEEP): DashboardRun {
  return run({ runId: `20261208-03150${i}-lenet-a${i}`, startTime: Date.UTC(2026, 11, 8, 3, 15, i), sweep: { id: sweep, params: { learningRate, optimizer: 'adam' } } });
}

const skip = fs.existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`;

describe('dashboard sweep chart', { skip }, () => {
  let browser: Browser;
  let harness: Harness;
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    harness = await startHarness();
  });
  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  async function open(runs: DashboardRun[], points: Record<string, DashboardPoint[]>): Promise<Page> {
    const initial: DashboardUpdate[] = [{ type: 'runs', runs }, ...runs.map((r) => ({ type: 'append' as const, runId: r.runId, points: points[r.runId] ?? [], markers: [] }))];
    const page = await harness.open(browser, { state: { runDirs: runs.map((r) => r.runDir) }, initial });
    await page.waitForFunction(() => document.querySelector('table.runs tbody tr'));
    return page;
  }

  const chartOf = (page: Page) =>
    page.evaluate(() => ({
      hidden: document.querySelector('section.sweep')?.hidden as boolean | undefined,
      titles: [...document.querySelectorAll('section.sweep h2')].map((h: { textContent: string }) => h.textContent),
      axes: [...document.querySelectorAll('svg.pc .axis .label')].map((t: { textContent: string }) => t.textContent),
      lines: [...document.querySelectorAll('svg.pc path.run')].map((p: { getAttribute(name: string): string }) => p.getAttribute('data-run')),
      best: document.querySelector('svg.pc path.run.best')?.getAttribute('data-run') as string | undefined,
      bestText: document.querySelector('.sweep-best')?.textContent as string | undefined,
    }));

  it('draws a line per run of the sweep, the best one marked, settings then metrics as axes', async () => {
    const runs = [sweepRun(1, 1e-4), sweepRun(2, 1e-3), sweepRun(3, 1e-2), run({ runId: 'plain-run' })];
    const page = await open(runs, {
      [runs[0].runId]: epochs(runs[0].startTime, [0.3, 0.5]),
      [runs[1].runId]: epochs(runs[1].startTime, [0.6, 0.9, 0.8]),
      [runs[2].runId]: epochs(runs[2].startTime, [0.7]),
      'plain-run': epochs(runs[3].startTime, [0.99]),
    });
    try {
      const chart = await chartOf(page);
      assert.equal(chart.hidden, false);
      assert.deepEqual(chart.titles, [`Sweep ${SWEEP}: 3 runs`]);
      assert.deepEqual(chart.axes, ['learningRate (log)', 'optimizer', 'best val_loss', 'best val_acc']);
      assert.deepEqual([...chart.lines].sort(), runs.slice(0, 3).map((r) => r.runId).sort(), 'the plain run is not on the chart');
      assert.equal(chart.best, runs[1].runId);
      assert.match(chart.bestText!, /Best: learningRate 0\.001, optimizer adam — best val_loss 0\.2, best val_acc 0\.9 \(20261208-031502-lenet-a2\)/);

      // A later epoch of the third run beats it: the chart follows.
      await page.evaluate((m) => window.postMessage(m, '*'), { type: 'append', runId: runs[2].runId, points: epochs(runs[2].startTime, [0.7, 0.95]).slice(1), markers: [] });
      await page.waitForFunction((id) => document.querySelector('svg.pc path.run.best')?.getAttribute('data-run') === id, runs[2].runId, { timeout: 5000 });
    } finally {
      await page.close();
    }
  });

  it('shows no chart for runs of different sweeps, or of none', async () => {
    const page = await open([sweepRun(1, 1e-4, 'sweep-a'), sweepRun(2, 1e-3, 'sweep-b'), run({ runId: 'plain-run' })], {});
    try {
      const chart = await chartOf(page);
      assert.equal(chart.hidden, true);
      assert.deepEqual(chart.lines, []);
    } finally {
      await page.close();
    }
  });
});
