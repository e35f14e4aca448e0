/**
 * `eval/run`: a run's checkpoint on a split, as a classifier: loss, accuracy, top-k, the confusion matrix,
 * per-class metrics, calibration, and every sample's prediction (for galleries and the most confident
 * mistakes). The report is saved as runs/<id>/eval/<split>-<checkpoint>.json, where the views read it.
 */
import * as path from 'node:path';
import type { EvalParams, EvalReport, EvaluatedSample } from '../../protocol/engineTypes';
import { averageF1, calibration, confusionMatrix, perClassMetrics, predictedClasses, topKAccuracy } from './classification';
import { onlyClasses } from '../data/splits';
import { openRunData, runModel, saveReport } from './runData';

export const EVAL_DIR = 'eval';
/** Top-k's k, reported where there are more classes than that. */
const TOP_K = 5;

export async function evaluateRun(params: EvalParams): Promise<EvalReport> {
  const started = Date.now();
  const data = await openRunData(params);
  const { inspect, record, normalClasses } = data;
  if (record.config.task === 'reconstruction' || record.config.task === 'fpi') {
    const [what, method] = record.config.task === 'fpi' ? ['a foreign-patch (FPI) model', 'fpi'] : ['a reconstruction model', 'recon'];
    throw new Error(`run ${record.id} trained ${what}: it has no classes to evaluate; score it with dl-lab anomaly --method ${method}`);
  }
  const dataset = inspect.dataset!;
  // A run trained on some classes is a classifier of those: the other classes' samples are its anomalies.
  const indices = normalClasses ? onlyClasses(data.indices, dataset.labels, normalClasses) : data.indices;
  if (!indices.length) throw new Error(`run ${record.id}: the ${data.split} split holds no samples of its normal classes ${normalClasses!.join(', ')}`);
  const outputs = await runModel(data, indices);
  const labels = Array.from(indices, (i) => dataset.labels[i]);
  const predictions = { probabilities: outputs.probabilities, classes: outputs.classes, labels };
  const predicted = predictedClasses(predictions);
  const confusion = confusionMatrix(labels, predicted, outputs.classes);
  const perClass = perClassMetrics(confusion, inspect.classNames);
  const correct = confusion.reduce((a, row, c) => a + row[c], 0);
  const { ece, bins } = calibration(predictions, predicted);
  const samples: EvaluatedSample[] = Array.from(indices, (index, i) => ({
    index,
    label: labels[i],
    predicted: predicted[i],
    confidence: outputs.probabilities[i * outputs.classes + predicted[i]],
    trueProbability: outputs.probabilities[i * outputs.classes + labels[i]],
  }));
  const file = path.join(data.runDir, EVAL_DIR, `${data.split}-${data.checkpoint}.json`);
  return saveReport<EvalReport>(
    {
      runId: record.id,
      runDir: data.runDir,
      data: dataset.source,
      split: data.split,
      checkpoint: data.checkpoint,
      file,
      ...(normalClasses ? { normalClasses } : {}),
      count: indices.length,
      loss: outputs.loss,
      accuracy: correct / indices.length,
      topK: outputs.classes > TOP_K ? { k: TOP_K, accuracy: topKAccuracy(predictions, TOP_K) } : null,
      classes: [...inspect.classNames],
      confusion,
      perClass,
      ...averageF1(confusion, perClass),
      ece,
      reliability: bins,
      samples,
      ms: 0,
    },
    started,
  );
}
