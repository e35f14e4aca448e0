/**
 * Screenshots of the inspection pages outside VS Code, to look at: the built pages (dist/webviews/) under
 * the same Content-Security-Policy as in VS Code, fed with real results of the engine's own code (model
 * summary, feature maps, filters, equivariance, computed here in-process with TensorFlow.js), in the Dark
 * Modern, Light Modern and High Contrast colours. The feature-maps page is also shown with a channel
 * enlarged and the value under the cursor.
 *
 *   npm run build && node --import tsx webviews/dev/inspectionShots.ts [out-dir] [run-dir] [summary-model-file]
 *
 * run-dir: a run of a model (e.g. `dl-lab train examples/lenet-relu.model.ts --data <mnist> --epochs 2`);
 * without one, examples/lenet.model.ts untrained on MNIST (or synthetic:shapes).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { equivariance, featureMaps, filters } from '../../src/engine/inspection';
import { summarizeModelFile } from '../../src/engine/model/summary';
import type { CheckpointChoice, ModelSource } from '../../src/protocol/engineTypes';
import type { InspectContext } from '../../src/protocol/webview';
import { readRunRecord } from '../../src/runs/runFolder';
import { takeScreenshots, type Shot } from './pageServer';

const ROOT = path.resolve(__dirname, '..', '..');
const MNIST = path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets', 'mnist');

/** A page of the inspection panels (inspectionPanel.ts writes them: this placeholder, data: images allowed). */
function inspectionPage(bundle: 'modelSummary' | 'featureMaps' | 'filters' | 'equivariance', messages: unknown[]): Shot['page'] {
  return { bundle, placeholder: 'Loading…', dataImages: true, messages };
}

async function shots(runDir: string | undefined, summaryModel: string | undefined): Promise<Shot[]> {
  const modelFile = runDir ? path.resolve(readRunRecord(runDir).modelFile) : path.join(ROOT, 'examples', 'lenet.model.ts');
  const data = runDir ? readRunRecord(runDir).data : fs.existsSync(MNIST) ? MNIST : 'synthetic:shapes';
  const source = (checkpoint: CheckpointChoice): ModelSource => (runDir ? { runDir, checkpoint } : { modelFile, data, checkpoint: 'untrained' });
  const trained: CheckpointChoice = runDir ? 'last' : 'untrained';
  const classes = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  const context: InspectContext = {
    title: path.basename(modelFile),
    modelFile,
    ...(runDir ? { run: { runDir, label: path.basename(runDir), status: 'completed', hasBest: true } } : {}),
    data,
    count: 10_000,
    classes,
    checkpoint: trained,
    following: false,
  };
  const summary = await summarizeModelFile({ modelFile, data });
  const mapsResult = await featureMaps({ ...source(trained), sample: { kind: 'index', index: 0 } });
  const left = await filters(source('untrained'));
  const right = runDir ? await filters(source('last')) : undefined;
  const probe = await equivariance({ ...source(trained), sample: { kind: 'index', index: 0 }, shifts: [0, 1, 2, 3, 4, 5, 6, 7, 8], axis: 'x', mode: 'cyclic' });
  const maps = [{ type: 'context', context }, { type: 'result', result: mapsResult }];
  const list: Shot[] = [
    { name: 'summary', page: inspectionPage('modelSummary', [{ type: 'summary', title: path.basename(modelFile), summary }]), ready: 'table.summary tbody tr' },
    { name: 'featuremaps', page: inspectionPage('featureMaps', maps), ready: '.layer canvas', viewport: { width: 1100, height: 1300 } },
    // A narrow panel beside the editor.
    { name: 'featuremaps-narrow', page: inspectionPage('featureMaps', maps), ready: '.layer canvas', viewport: { width: 560, height: 900 } },
    {
      name: 'featuremaps-detail',
      page: inspectionPage('featureMaps', maps),
      ready: '.layer canvas',
      act: async (page) => {
        const canvas = page.locator('.layer canvas').first();
        await canvas.click({ position: { x: 70, y: 20 } });
        await page.locator('.detail > canvas').hover({ position: { x: 120, y: 100 } });
      },
    },
    {
      name: 'filters',
      page: inspectionPage('filters', [{ type: 'context', context }, right ? { type: 'filters', left, right } : { type: 'filters', left }]),
      ready: '.side-view canvas',
      viewport: { width: 1100, height: 1100 },
    },
    { name: 'equivariance', page: inspectionPage('equivariance', [{ type: 'context', context }, { type: 'result', result: probe }]), ready: '.chart-box canvas', viewport: { width: 1100, height: 1300 } },
  ];
  if (summaryModel) {
    const big = await summarizeModelFile({ modelFile: path.resolve(summaryModel) });
    list.push({
      name: `summary-${path.basename(summaryModel).replace(/\.model\.[jt]s$/, '')}`,
      page: inspectionPage('modelSummary', [{ type: 'summary', title: path.basename(summaryModel), summary: big }]),
      ready: 'table.summary tbody tr',
    });
  }
  return list;
}

async function main(): Promise<void> {
  const [outDir = path.join(ROOT, 'scratch', 'inspection-shots'), runDir, summaryModel] = process.argv.slice(2);
  await takeScreenshots(outDir, await shots(runDir, summaryModel));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
