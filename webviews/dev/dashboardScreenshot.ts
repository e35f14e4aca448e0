/**
 * Screenshots of the training dashboard outside VS Code, to look at: the built page with two runs
 * overlaid (one still running, with a Stop button), callback markers, log scale on, in the Dark Modern,
 * Light Modern and High Contrast colours; and a single run on the epoch axis without smoothing.
 *
 *   npm run build && node --import tsx webviews/dev/dashboardScreenshot.ts [out-dir]
 */
import * as path from 'node:path';
import type { DashboardMarker, DashboardState, DashboardUpdate } from '../../src/protocol/webview';
import { dashboardPage, run, syntheticHistory } from './dashboardHarness';
import { takeScreenshots } from './pageServer';

const ROOT = path.resolve(__dirname, '..', '..');

function scenes(): Record<string, { state: DashboardState; initial: DashboardUpdate[] }> {
  const start = Date.UTC(2026, 10, 27, 22, 45);
  const a = run({ runId: '20261127-224500-lenet-3f9c', status: 'completed', epochs: 12, epoch: 12, batchesPerEpoch: 100, samplesPerSec: 1830 });
  const b = run({
    runId: '20261127-231200-lenet-relu-a1b2', model: 'lenet-relu.model.ts', status: 'running', epochs: 12, epoch: 8, batchesPerEpoch: 100,
    samplesPerSec: 2210, timeLeftSec: 312, stoppable: true, learningRate: 0.0005, startTime: start + 27 * 60_000,
  });
  const pa = syntheticHistory({ epochs: 12, stepsPerEpoch: 100, start: a.startTime, rate: 0.55, seed: 1 });
  const pb = syntheticHistory({ epochs: 12, stepsPerEpoch: 100, start: b.startTime, rate: 0.9, seed: 2 }).filter((p) => p.epoch < 8 || (p.epoch === 8 && p.kind === 'batch' && p.step < 760));
  const marker = (kind: DashboardMarker['kind'], epoch: number, extra: Partial<DashboardMarker> = {}): DashboardMarker => ({
    kind, epoch, step: epoch * 100, time: a.startTime + epoch * 100 * 40 + 300, message: kind, ...extra,
  });
  const ma = [
    marker('bestCheckpoint', 3, { message: 'val_loss improved to 0.412: saved checkpoints/best', metric: 'val_loss' }),
    marker('bestCheckpoint', 6, { message: 'val_loss improved to 0.270: saved checkpoints/best', metric: 'val_loss' }),
    marker('lrReduced', 9, { message: 'val_loss did not improve for 2 epochs: learning rate 0.001 → 0.0005' }),
    marker('earlyStop', 12, { message: 'early stop: val_loss did not improve for 3 epochs' }),
  ].map((m) => ({ ...m, value: pa.find((p) => p.kind === 'epoch' && p.epoch === m.epoch)?.val_loss }));
  const mb = [marker('bestCheckpoint', 5, { message: 'val_loss improved: saved checkpoints/best', time: b.startTime + 5 * 4000 + 300 })];
  return {
    compare: {
      state: { runDirs: [a.runDir, b.runDir], logScale: true, smoothing: 0.6, xAxis: 'step', showBatches: true },
      initial: [
        { type: 'runs', runs: [a, b] },
        { type: 'append', runId: a.runId, points: pa, markers: ma },
        { type: 'append', runId: b.runId, points: pb, markers: mb },
      ],
    },
    single: {
      state: { runDirs: [a.runDir], logScale: false, smoothing: 0, xAxis: 'epoch', showBatches: true },
      initial: [
        { type: 'runs', runs: [{ ...a, status: 'failed', error: 'the loss became NaN at epoch 12, batch 40; lower the learning rate' }] },
        { type: 'append', runId: a.runId, points: pa, markers: ma },
      ],
    },
  };
}

async function main(): Promise<void> {
  const [outDir = path.join(ROOT, 'scratch', 'dashboard-shots')] = process.argv.slice(2);
  await takeScreenshots(
    outDir,
    Object.entries(scenes()).map(([scene, { state, initial }]) => ({
      name: `dashboard-${scene}`,
      page: dashboardPage({ state, initial }),
      ready: () => Number(document.body.dataset.points) > 0,
      themes: scene === 'single' ? ['dark'] : undefined,
    })),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
