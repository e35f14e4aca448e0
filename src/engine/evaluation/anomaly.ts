/**
 * `eval/anomaly`: how anomalous a run's model finds each sample of a split, and how well that separates
 * the anomalous classes (those outside the run's normal classes, or the ones named) from the normal ones:
 * - `msp`: 1 - the maximum softmax probability (Hendrycks and Gimpel 2017);
 * - `mahalanobis`: a layer's features against class-conditional Gaussians with a shared covariance, fitted
 *   on the run's training split (its normal classes) (Lee et al. 2018);
 * - `knn`: the distance to the k-th nearest training feature, L2-normalised (Sun et al. 2022);
 * - `recon`: a reconstruction model's (training.task 'reconstruction') mean squared error per sample;
 * - `fpi`: a Foreign Patch Interpolation model's (training.task 'fpi') mean of its top-quartile pixels.
 * The report (with every score) is saved as runs/<id>/anomaly/<method>-<split>-<checkpoint>.json.
 */
import * as path from 'node:path';
import { ANOMALY_METHODS, MAX_ANOMALY_MAPS, type AnomalyMap, type AnomalyParams, type AnomalyReport } from '../../protocol/engineTypes';
import { encodeFloat32 } from '../inspection/encode';
import { InspectError } from '../inspection/source';
import { knnScores, mahalanobisScores } from './featureScores';
import { separation } from './ranking';
import { onlyClasses } from '../data/splits';
import { derivedRandom, shuffleInPlace } from '../util/random';
import { featureTensor, openRunData, pixelMaps, runModel, saveReport, type RunData } from './runData';

export const ANOMALY_DIR = 'anomaly';
const DEFAULT_K = 5;
/** The most training features knn keeps. */
export const MAX_KNN_BANK = 10_000;
const KNN_SALT = 0x6e6e;

export async function detectAnomalies(params: AnomalyParams): Promise<AnomalyReport> {
  const started = Date.now();
  if (!(ANOMALY_METHODS as readonly unknown[]).includes(params?.method)) {
    throw new InspectError(`method must be one of ${ANOMALY_METHODS.join(', ')}, got ${JSON.stringify(params?.method)}`);
  }
  const k = params.k ?? DEFAULT_K;
  if (params.method === 'knn' && !(Number.isInteger(k) && k >= 1)) throw new InspectError(`k must be a whole number >= 1, got ${JSON.stringify(params.k)}`);
  const data = await openRunData(params);
  const { inspect, record } = data;
  // Each task has its own score (msp, recon, fpi); a layer's features (mahalanobis, knn) work for any.
  const task = record.config.task ?? 'classification';
  const own = { classification: 'msp', reconstruction: 'recon', fpi: 'fpi' } as const;
  if (params.method !== own[task] && params.method !== 'mahalanobis' && params.method !== 'knn') {
    const what = { classification: 'a classifier', reconstruction: 'a reconstruction model', fpi: 'a foreign-patch (FPI) model' }[task];
    throw new InspectError(`run ${record.id} trained ${what}: score it by ${own[task]} (or by a layer's features: mahalanobis, knn), not ${params.method}`);
  }
  const dataset = inspect.dataset!;
  const numClasses = inspect.numClasses;
  const all = Array.from({ length: numClasses }, (_, c) => c);
  for (const c of params.anomalyClasses ?? []) {
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) throw new InspectError(`anomaly class ${JSON.stringify(c)} is not a class of ${dataset.source} (0 to ${numClasses - 1})`);
  }
  const anomalyClasses = params.anomalyClasses ?? (data.normalClasses ? all.filter((c) => !data.normalClasses!.includes(c)) : undefined);
  if (!anomalyClasses?.length) {
    throw new InspectError(`run ${record.id} trained on every class of ${dataset.source}: name the anomalous ones (--anomaly-classes), or train on some classes only (--normal-classes)`);
  }
  const normalClasses = data.normalClasses?.filter((c) => !anomalyClasses.includes(c)) ?? all.filter((c) => !anomalyClasses.includes(c));
  if (!normalClasses.length) throw new InspectError(`every class is anomalous (${anomalyClasses.join(', ')}): no normal samples to tell them from`);

  const indices = onlyClasses(data.indices, dataset.labels, [...normalClasses, ...anomalyClasses]);
  const labels = Array.from(indices, (i) => dataset.labels[i]);
  const anomalous = labels.map((l) => anomalyClasses.includes(l));
  const counts = { anomalous: anomalous.filter(Boolean).length, normal: anomalous.filter((a) => !a).length };
  if (!counts.anomalous || !counts.normal) {
    const missing = counts.anomalous ? `normal (${normalClasses.join(',')})` : `anomalous (${anomalyClasses.join(',')})`;
    throw new InspectError(`run ${record.id}: the ${data.split} split of ${dataset.source} holds no ${missing} samples; choose another --split or --data`);
  }

  let scores: ArrayLike<number>;
  let layer: string | undefined;
  let fitted: number | undefined;
  if (params.method === 'msp') {
    const { probabilities, classes } = await runModel(data, indices);
    scores = labels.map((_, i) => 1 - Math.max(...probabilities.subarray(i * classes, (i + 1) * classes)));
  } else if (params.method === 'recon' || params.method === 'fpi') {
    scores = (await runModel(data, indices)).errors!;
  } else {
    const feature = featureTensor(inspect, params.layer);
    layer = feature.name;
    // Fitted on what the model trained on: the training split's samples of the normal classes.
    let trainIdx = onlyClasses(data.selection.train, dataset.labels, normalClasses);
    // knn compares every scored sample with every stored feature: a seeded subset keeps CIFAR-sized
    // training splits to seconds (Sun et al. 2022 also search a fraction of ImageNet's).
    if (params.method === 'knn' && trainIdx.length > MAX_KNN_BANK) trainIdx = shuffleInPlace(trainIdx.slice(), derivedRandom(record.config.seed, KNN_SALT)).slice(0, MAX_KNN_BANK);
    fitted = trainIdx.length;
    if (!trainIdx.length) throw new InspectError(`run ${record.id}: no training samples of the normal classes to fit ${params.method} on`);
    const fit = await runModel(data, trainIdx, feature.tensor);
    const test = await runModel(data, indices, feature.tensor);
    const dims = fit.dims!;
    scores =
      params.method === 'mahalanobis'
        ? mahalanobisScores(fit.features!, Array.from(trainIdx, (i) => dataset.labels[i]), dims, test.features!)
        : knnScores(fit.features!, dims, test.features!, k);
  }
  const maps = params.maps !== undefined ? await anomalyMaps(data, params, indices) : undefined;
  const measured = separation(scores, anomalous);
  const file = path.join(data.runDir, ANOMALY_DIR, `${params.method}-${data.split}-${data.checkpoint}.json`);
  return saveReport<AnomalyReport>(
    {
      runId: record.id,
      runDir: data.runDir,
      data: dataset.source,
      split: data.split,
      checkpoint: data.checkpoint,
      method: params.method,
      ...(layer ? { layer } : {}),
      ...(params.method === 'knn' ? { k } : {}),
      ...(fitted !== undefined ? { fitted } : {}),
      normalClasses,
      anomalyClasses,
      auroc: measured.auroc,
      auprc: measured.auprc,
      fpr95: measured.fpr95,
      normal: measured.normal,
      anomalous: measured.anomalous,
      roc: { fpr: measured.roc.fpr, tpr: measured.roc.tpr },
      scores: { index: Array.from(indices), label: labels, score: Array.from(scores), anomalous },
      file,
      ...(maps ? { maps } : {}),
      ms: 0,
    },
    started,
  );
}

/** The per-pixel maps asked for, of scored samples only (a view shows them over the samples it lists). */
async function anomalyMaps(data: RunData, params: AnomalyParams, scored: Uint32Array): Promise<AnomalyMap[]> {
  const asked = params.maps!;
  if (params.method !== 'recon' && params.method !== 'fpi') throw new InspectError(`maps come with recon and fpi, not ${params.method}`);
  if (!Array.isArray(asked) || asked.length > MAX_ANOMALY_MAPS) throw new InspectError(`maps must list at most ${MAX_ANOMALY_MAPS} sample indices`);
  const known = new Set(scored);
  const stranger = asked.find((i) => !known.has(i));
  if (stranger !== undefined) throw new InspectError(`maps: sample ${JSON.stringify(stranger)} is not one of the ${scored.length} samples scored (the ${data.split} split's normal and anomalous classes)`);
  const [h, w] = data.inspect.inputShape;
  const values = await pixelMaps(data, Uint32Array.from(asked));
  return asked.map((index, i) => ({ index, map: encodeFloat32([h, w], values.slice(i * h * w, (i + 1) * h * w)) }));
}
