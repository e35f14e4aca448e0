/** `dl-lab runs --sweep ID`: the runs of one sweep together, with the settings each ran with and its best. */
import * as path from 'node:path';
import { readMetrics, scanRuns } from '../runs/runFolder';
import { bestMetrics, formatMetric, paramKeys, runsOfSweep } from '../sweeps/results';
import { printable } from '../util/text';
import { table } from './format';

/** Reads only. Exit code 1 when no run of the runs folder belongs to the sweep (a mistyped id). */
export function listSweepRuns(sweepId: string, runsDir: string, json: boolean): number {
  const runs = runsOfSweep(scanRuns(runsDir).runs, sweepId).map((r) => ({ ...r, best: bestMetrics(readMetrics(r.runDir)) }));
  if (!runs.length) {
    process.stderr.write(`dl-lab: no runs of sweep "${printable(sweepId)}" in ${runsDir}\n`);
    return 1;
  }
  if (json) {
    const rows = runs.map((r) => ({
      runDir: r.runDir,
      runId: r.record.id,
      status: r.status,
      params: r.record.sweep!.params,
      best: r.best,
      epochsCompleted: r.record.epochsCompleted,
      epochs: r.record.config?.epochs,
      startTime: r.record.startTime,
      error: r.record.error ?? null,
    }));
    console.log(JSON.stringify({ sweepId, modelFile: runs[0].record.modelFile, data: runs[0].record.data, runs: rows }, null, 2));
    return 0;
  }
  const keys = paramKeys(runs.map((r) => r.record.sweep!.params));
  console.log(`sweep ${printable(sweepId)}: ${runs.length} run${runs.length === 1 ? '' : 's'} of ${printable(path.basename(runs[0].record.modelFile))} on ${printable(runs[0].record.data)}`);
  console.log(
    table(
      ['run', ...keys, 'status', 'epochs', 'best val_acc', 'best val_loss'],
      runs.map((r) => [
        printable(r.record.id),
        ...keys.map((k) => printable(String(r.record.sweep!.params[k] ?? '-'))),
        r.status,
        `${r.record.epochsCompleted}/${r.record.config?.epochs ?? '?'}`,
        formatMetric(r.best.val_acc),
        formatMetric(r.best.val_loss),
      ]),
    ),
  );
  for (const r of runs) if (r.status === 'failed' && r.record.error) console.log(`${printable(r.record.id)} failed: ${printable(r.record.error)}`);
  return 0;
}
