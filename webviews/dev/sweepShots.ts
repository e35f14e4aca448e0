/**
 * Screenshots of the dashboard comparing the runs of a sweep, to look at: a 3x2 grid (learningRate on a
 * log scale x optimizer) whose runs learn at different paces, one of them failed before validating (a gap in
 * its line), in the Dark Modern, Light Modern and High Contrast colours: the full page, then the sweep chart
 * in view with a run hovered.
 *
 *   npm run build && node --import tsx webviews/dev/sweepShots.ts [out-dir]
 */
import * as path from 'node:path';
import type { DashboardRun, DashboardUpdate } from '../../src/protocol/webview';
import { dashboardPage, run, syntheticHistory } from './dashboardHarness';
import { takeScreenshots } from './pageServer';

const ROOT = path.resolve(__dirname, '..', '..');
const SWEEP = 'sweep-20261208-031500-lenet-3f9c';

function sweepScene(): { runs: DashboardRun[]; initial: DashboardUpdate[] } {
  const start = Date.UTC(2026, 11, 8, 3, 15);
  const runs: DashboardRun[] = [];
  const initial: DashboardUpdate[] = [];
  const appends: DashboardUpdate[] = [];
  let i = 0;
  for (const learningRate of [1e-4, 1e-3, 1e-2]) {
    for (const optimizer of ['adam', 'sgd']) {
      i++;
      const failed = learningRate === 1e-2 && optimizer === 'sgd';
      const info = run({
        runId: `20261208-0315${String(i).padStart(2, '0')}-lenet-${(0xa0 + i).toString(16)}`,
        status: failed ? 'failed' : 'completed',
        epochs: 8,
        epoch: failed ? 0 : 8,
        batchesPerEpoch: 50,
        startTime: start + i * 1000,
        ...(failed ? { error: 'the loss became NaN at epoch 1, batch 12; lower the learning rate' } : {}),
        sweep: { id: SWEEP, params: { learningRate, optimizer } },
      });
      runs.push(info);
      // Adam learns fastest near 1e-3, SGD wants the larger rate.
      const rate = optimizer === 'adam' ? [0.25, 0.9, 0.6][[1e-4, 1e-3, 1e-2].indexOf(learningRate)] : [0.08, 0.3, 0][[1e-4, 1e-3, 1e-2].indexOf(learningRate)];
      const points = failed ? syntheticHistory({ epochs: 1, stepsPerEpoch: 50, start: info.startTime, rate: 0.1, seed: i }).filter((p) => p.kind === 'batch' && p.step <= 10) : syntheticHistory({ epochs: 8, stepsPerEpoch: 50, start: info.startTime, rate, seed: i });
      appends.push({ type: 'append', runId: info.runId, points, markers: [] });
    }
  }
  initial.push({ type: 'runs', runs }, ...appends);
  return { runs, initial };
}

async function main(): Promise<void> {
  const [outDir = path.join(ROOT, 'scratch', 'sweep-shots')] = process.argv.slice(2);
  const { runs, initial } = sweepScene();
  const page = dashboardPage({ state: { runDirs: runs.map((r) => r.runDir), xAxis: 'epoch', smoothing: 0.6, logScale: false, showBatches: false }, initial });
  await takeScreenshots(outDir, [
    { name: 'sweep-compare', page, ready: 'svg.pc path.run.best' },
    {
      name: 'sweep-chart-hover',
      page,
      ready: 'svg.pc path.run.best',
      // The chart in view with the third run's line hovered (its tooltip is the browser's, not captured).
      act: async (p) => {
        await p.locator('section.sweep').scrollIntoViewIfNeeded();
        await p.locator('svg.pc path.run').nth(2).hover({ force: true });
      },
    },
  ]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
