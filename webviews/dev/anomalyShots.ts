/**
 * Screenshots of the Anomaly view outside VS Code, to look at: the built page (dist/webviews/anomaly.js)
 * under the panel's Content-Security-Policy, fed with what the extension posts (anomalyModel.ts's view of a
 * real report, then the shown samples' images and maps), computed here in-process by the engine's own code,
 * in the Dark Modern, Light Modern and High Contrast colours. Also a narrow panel, and the loading and error
 * states.
 *
 *   npm run build && node --import tsx webviews/dev/anomalyShots.ts <out-dir> <classifier-run> [recon-run]
 *
 * classifier-run: e.g. `dl-lab train examples/lenet-relu.model.ts --data <mnist> --epochs 1 --normal-classes 0-8`;
 * recon-run: `dl-lab train test/evaluation/fixtures/conv-autoencoder.model.js --data <mnist> --normal-classes 1-9`.
 */
import * as path from 'node:path';
import { anomalyView, shownIndices } from '../../src/extension/anomaly/anomalyModel';
import { detectAnomalies } from '../../src/engine/evaluation';
import { featureMaps } from '../../src/engine/inspection';
import type { AnomalyMethod } from '../../src/protocol/engineTypes';
import type { AnomalySample, AnomalyUpdate } from '../../src/protocol/webview';
import { takeScreenshots, type Shot } from './pageServer';

const ROOT = path.resolve(__dirname, '..', '..');

/** The messages the panel posts for a run and method: the report, then the samples. */
async function messages(runDir: string, method: AnomalyMethod): Promise<AnomalyUpdate[]> {
  const report = await detectAnomalies({ runDir, method });
  const view = anomalyView(report, false);
  const indices = shownIndices(view);
  const maps = view.maps ? new Map((await detectAnomalies({ runDir, method, split: report.split, checkpoint: report.checkpoint, maps: indices })).maps!.map((m) => [m.index, m.map])) : undefined;
  const samples: AnomalySample[] = [];
  for (const index of indices) {
    const r = await featureMaps({ runDir, checkpoint: report.checkpoint, sample: { kind: 'index', index } });
    const map = maps?.get(index);
    samples.push({ index, className: r.sample.className, image: r.sample.image, ...(map ? { map } : {}) });
  }
  return [{ type: 'report', view }, { type: 'samples', samples }];
}

const page = (messages: unknown[]): Shot['page'] => ({ bundle: 'anomaly', placeholder: 'Loading…', dataImages: true, messages });

async function main(): Promise<void> {
  const [outDir = path.join(ROOT, 'scratch', 'anomaly-shots'), classifierRun, reconRun] = process.argv.slice(2);
  if (!classifierRun) throw new Error('usage: anomalyShots.ts <out-dir> <classifier-run> [recon-run]');
  const msp = await messages(path.resolve(classifierRun), 'msp');
  const shots: Shot[] = [
    { name: 'msp', page: page(msp), ready: 'figure.sample canvas', viewport: { width: 1100, height: 900 } },
    { name: 'msp-narrow', page: page(msp), ready: 'figure.sample canvas', viewport: { width: 560, height: 900 } },
    { name: 'loading', page: page([{ type: 'loading', message: 'Scoring the samples of 20261208-lenet-relu by msp…' }]), ready: '.status:not(:empty)', themes: ['dark'] },
    {
      name: 'error',
      page: page([...msp.slice(0, 1), { type: 'error', message: "The samples' images could not be read: the engine stopped" }]),
      ready: '.error',
      themes: ['dark', 'high-contrast'],
    },
  ];
  if (reconRun) shots.push({ name: 'recon', page: page(await messages(path.resolve(reconRun), 'recon')), ready: 'figure.sample canvas', viewport: { width: 1100, height: 900 } });
  await takeScreenshots(outDir, shots);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
