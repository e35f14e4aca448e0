/**
 * Screenshots of the dataset preview outside VS Code, to look at: the built page (dist/webviews/) under the
 * same Content-Security-Policy as in VS Code, with real previews from the engine's data/preview code, in
 * the Dark Modern, Light Modern and High Contrast colours.
 *
 *   npm run build && node --import tsx webviews/dev/screenshot.ts [out-dir] [dataset ...]
 */
import * as path from 'node:path';
import { previewData } from '../../src/engine/data/preview';
import { takeScreenshots, type Shot } from './pageServer';

const ROOT = path.resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  const [outDir = path.join(ROOT, 'scratch', 'preview-shots'), ...given] = process.argv.slice(2);
  const datasets = given.length ? given : ['synthetic:shapes', path.join(ROOT, '..', 'shared', 'datasets', 'mnist'), path.join(ROOT, '..', 'shared', 'datasets', 'cifar10-small')];
  const shots: Shot[] = [];
  for (const data of datasets) {
    const preview = await previewData({ data, perClass: 10, augmented: 8, seed: 0 });
    const name = data.startsWith('synthetic:') ? data : path.basename(data);
    shots.push({
      name: name.replace(/[^\w.-]+/g, '_'),
      // As datasetPreview.ts writes the page: this placeholder, data: images allowed.
      page: { bundle: 'datasetPreview', placeholder: 'Reading the dataset…', dataImages: true, messages: [{ type: 'preview', name, spec: data, preview }] },
      ready: '.histogram svg',
      viewport: { width: 1000, height: 900 },
      wait: 300,
    });
  }
  await takeScreenshots(outDir, shots);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
