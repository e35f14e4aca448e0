/**
 * `dl-lab anomaly <run-dir|run-id> --method M`: the engine scores each sample of a split by how anomalous
 * the run's model finds it (`eval/anomaly`); this prints AUROC, AUPRC and FPR95 and, with --scores-out,
 * writes every score as CSV (`index,label,score,anomalous`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AnomalyRequest } from '../protocol/engineRequests';
import { ANOMALY_METHODS, type AnomalyMethod, type AnomalyParams, type AnomalyReport } from '../protocol/engineTypes';
import { printable } from '../util/text';
import { type EvalContext, type EvalOptions, evalParams, findRun, parseClassList, shownPath } from './eval';

export interface AnomalyOptions extends EvalOptions {
  method?: string;
  layer?: string;
  k?: string;
  'anomaly-classes'?: string;
  'scores-out'?: string;
}

export async function anomalyCommand(args: string[], options: AnomalyOptions, context: EvalContext): Promise<number> {
  if (args.length > 1) throw context.usage(`anomaly takes one run, got: ${args.join(' ')}`);
  const runDir = findRun(args[0], 'anomaly', context);
  const method = options.method;
  if (method === undefined) throw context.usage(`anomaly needs --method ${ANOMALY_METHODS.join('|')}`);
  if (!(ANOMALY_METHODS as readonly string[]).includes(method)) throw context.usage(`--method must be one of ${ANOMALY_METHODS.join(', ')}, got "${method}"`);
  if (options.layer !== undefined && method !== 'mahalanobis' && method !== 'knn') throw context.usage(`--layer applies to mahalanobis and knn (${method} reads the output)`);
  const k = options.k === undefined ? undefined : Number(options.k);
  if (k !== undefined && (method !== 'knn' || !Number.isInteger(k) || k < 1)) {
    throw context.usage(method !== 'knn' ? '--k applies to knn only' : `--k must be a whole number >= 1, got "${options.k}"`);
  }
  const scoresOut = options['scores-out'];
  if (scoresOut !== undefined && !/\.csv$/i.test(scoresOut)) throw context.usage(`--scores-out must name a .csv file, got "${scoresOut}"`);
  const params: AnomalyParams = {
    ...evalParams(runDir, options, context),
    method: method as AnomalyMethod,
    ...(options.layer !== undefined ? { layer: options.layer } : {}),
    ...(k !== undefined ? { k } : {}),
    ...(options['anomaly-classes'] !== undefined ? { anomalyClasses: parseClassList(options['anomaly-classes'], '--anomaly-classes', context.usage) } : {}),
  };
  const client = context.newClient();
  let report: AnomalyReport;
  try {
    report = await client.sendRequest(AnomalyRequest, params);
  } finally {
    await client.dispose();
  }
  let csv: string | undefined;
  if (scoresOut !== undefined) {
    csv = path.resolve(scoresOut);
    fs.mkdirSync(path.dirname(csv), { recursive: true });
    fs.writeFileSync(csv, scoresCsv(report));
  }
  if (options.json) {
    // The scores are in the CSV and the saved report; stdout gets the summary.
    const { scores: _scores, ...summary } = report;
    console.log(JSON.stringify({ ...summary, ...(csv ? { scoresOut: csv } : {}) }, null, 2));
    return 0;
  }
  const f = (v: number) => v.toFixed(4);
  console.log(
    `run ${printable(report.runId)}: ${report.method}${report.layer ? ` on ${printable(report.layer)}` : ''}${report.k ? ` (k ${report.k})` : ''}, ` +
      `${report.checkpoint} checkpoint, ${report.split} split of ${printable(report.data)}`,
  );
  console.log(`normal ${report.normal} (classes ${report.normalClasses.join(',')})  anomalous ${report.anomalous} (classes ${report.anomalyClasses.join(',')})`);
  console.log(`AUROC ${f(report.auroc)}  AUPRC ${f(report.auprc)}  FPR95 ${f(report.fpr95)}`);
  if (csv) console.log(`scores ${shownPath(csv)}`);
  console.log(`saved ${shownPath(report.file)}`);
  return 0;
}

/** One line per sample: its dataset index, label, score (full precision) and 1 when anomalous. */
export function scoresCsv(report: Pick<AnomalyReport, 'scores'>): string {
  const { index, label, score, anomalous } = report.scores;
  const lines = ['index,label,score,anomalous'];
  for (let i = 0; i < index.length; i++) lines.push(`${index[i]},${label[i]},${score[i]},${anomalous[i] ? 1 : 0}`);
  return lines.join('\n') + '\n';
}
