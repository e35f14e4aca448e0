/**
 * Screenshots of the Evaluation view outside VS Code, to look at: the built page (dist/webviews/
 * evaluation.js) under the extension's Content-Security-Policy, fed the messages the panel sends for a run's
 * saved report (evaluationModel.ts: summary, a cell's gallery), with sample pictures computed here by the
 * engine's own feature-maps code; and a made-up 100-class report, to see the matrix scale down and scroll.
 * Dark Modern, Light Modern and High Contrast.
 *
 *   npm run build && dl-lab train examples/lenet-relu.model.ts --data <mnist> --epochs 1 && dl-lab eval <run>
 *   node --import tsx webviews/dev/evaluationShots.ts <out-dir> <run-dir>
 */
import * as path from 'node:path';
import { featureMaps } from '../../src/engine/inspection';
import { cellSamples, defaultSavedReport, readReport, reportFile, summaryOf } from '../../src/extension/evaluation/evaluationModel';
import type { EvalReport } from '../../src/protocol/engineTypes';
import type { EvaluationContext, EvaluationImage, EvaluationSummary, EvaluationUpdate } from '../../src/protocol/webview';
import { takeScreenshots, type Shot } from './pageServer';

function page(messages: EvaluationUpdate[]): Shot['page'] {
  return { bundle: 'evaluation', placeholder: 'Loading the evaluation…', messages };
}

/** The most frequent mistake: the cell a user clicks first. */
function worstCell(report: EvalReport): { label: number; predicted: number } {
  let best = { label: 0, predicted: 1, count: -1 };
  report.confusion.forEach((row, label) => row.forEach((count, predicted) => {
    if (label !== predicted && count > best.count) best = { label, predicted, count };
  }));
  return best;
}

async function pictures(runDir: string, report: EvalReport, indices: number[]): Promise<EvaluationImage[]> {
  const out: EvaluationImage[] = [];
  for (const index of [...new Set(indices)]) {
    const r = await featureMaps({ runDir, checkpoint: report.checkpoint, sample: { kind: 'index', index }, layers: [] });
    out.push({ index, image: r.sample.image, probabilities: (r.prediction?.probabilities ?? []).map((p) => (Number.isFinite(p) ? p : null)) });
  }
  return out;
}

/** A 100-class report (CIFAR-100-like names), mostly right, with some classes confused with their neighbours. */
function hundredClasses(): EvaluationSummary {
  const n = 100;
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const classes = Array.from({ length: n }, (_, i) => ['apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle'][i % 10] + (i >= 10 ? `_${Math.floor(i / 10)}` : ''));
  const confusion = classes.map((_, r) => classes.map((__, c) => (r === c ? 60 + Math.floor(random() * 40) : Math.abs(r - c) <= 2 || random() < 0.03 ? Math.floor(random() * 12) : 0)));
  const perClass = classes.map((name, i) => {
    const support = confusion[i].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[i], 0);
    const precision = confusion[i][i] / predicted;
    const recall = confusion[i][i] / support;
    return { class: name, precision, recall, f1: (2 * precision * recall) / (precision + recall), support };
  });
  const count = perClass.reduce((a, c) => a + c.support, 0);
  const trace = confusion.reduce((a, row, i) => a + row[i], 0);
  const reliability = Array.from({ length: 15 }, (_, b) => ({ lower: b / 15, upper: (b + 1) / 15, count: 20 + b * 30, accuracy: Math.min(1, (b + 0.5) / 15 - 0.05 + 0.1 * random()), confidence: (b + 0.5) / 15 }));
  return {
    split: 'test', checkpoint: 'best', data: '/data/cifar100-like', file: '/runs/r100/eval/test-best.json', fromFile: true,
    count, loss: 1.234, accuracy: trace / count, topK: { k: 5, accuracy: 0.93 }, classes, confusion, perClass,
    macroF1: perClass.reduce((a, c) => a + c.f1, 0) / n, weightedF1: 0.7, ece: 0.041, reliability, mistakes: [],
  };
}

async function main(): Promise<void> {
  const [outDir = path.resolve('scratch', 'evaluation-shots'), runDir] = process.argv.slice(2);
  if (!runDir) throw new Error('usage: evaluationShots.ts <out-dir> <run-dir> (a run with a saved dl-lab eval report)');
  const choice = defaultSavedReport(runDir);
  if (!choice) throw new Error(`${runDir} has no saved evaluation: run dl-lab eval ${runDir} first`);
  const report = readReport(reportFile(runDir, choice));
  const summary = summaryOf(report, true);
  const context: EvaluationContext = { runId: path.basename(runDir), runDir, model: 'lenet-relu.model.ts', status: 'completed', hasBest: true, saved: [`${choice.split}-${choice.checkpoint}`] };
  const cell = worstCell(report);
  const gallery = cellSamples(report.samples, cell.label, cell.predicted);
  const images = await pictures(runDir, report, [...gallery.samples.map((s) => s.index), ...summary.mistakes.map((s) => s.index)]);
  const opened: EvaluationUpdate[] = [{ type: 'context', context }, { type: 'report', report: summary }];
  const withGallery: EvaluationUpdate[] = [...opened, { type: 'gallery', ...cell, total: gallery.total, samples: gallery.samples }, { type: 'images', images }];
  const big = hundredClasses();
  const shots: Shot[] = [
    { name: 'evaluation', page: page(withGallery), ready: 'figure.thumb canvas.drawn', viewport: { width: 1150, height: 1000 } },
    { name: 'evaluation-rows', page: page(opened), ready: 'svg.matrix', viewport: { width: 1150, height: 900 }, act: async (p) => p.locator('#matrix-mode').evaluate((s: HTMLElement & { value: string }) => { s.value = 'rows'; s.dispatchEvent(new Event('change')); }) },
    { name: 'evaluation-narrow', page: page(withGallery), ready: 'figure.thumb canvas.drawn', viewport: { width: 560, height: 1000 } },
    { name: 'evaluation-loading', page: page([{ type: 'context', context }, { type: 'loading', message: `Evaluating run ${context.runId} on the held-out split…` }]), ready: '.status', viewport: { width: 900, height: 300 } },
    { name: 'evaluation-error', page: page([...opened, { type: 'error', message: `run ${context.runId}: no test samples in /data/mnist (the data has no held-out test split); choose another --split` }]), ready: '.status.error', viewport: { width: 900, height: 400 }, act: async () => undefined },
    { name: 'evaluation-100', page: page([{ type: 'context', context: { ...context, runId: 'r100' } }, { type: 'report', report: big }]), ready: 'svg.matrix', viewport: { width: 1150, height: 1000 }, act: async () => undefined },
  ];
  await takeScreenshots(outDir, shots);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
