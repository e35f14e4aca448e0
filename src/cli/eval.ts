/**
 * `dl-lab eval <run-dir|run-id>`: the engine evaluates a run's checkpoint on a split (`eval/run`) and saves
 * the report as runs/<id>/eval/<split>-<checkpoint>.json; this prints it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EngineClient } from '../client/engineClient';
import { EvalRequest } from '../protocol/engineRequests';
import { EVAL_CHECKPOINTS, EVAL_SPLITS, type EvalCheckpoint, type EvalParams, type EvalSplit } from '../protocol/engineTypes';
import { RUN_FILE } from '../runs/runFolder';
import { printable } from '../util/text';
import { table } from './format';

/** What the evaluation commands need from the command line's shared machinery (src/cli/main.ts). */
export interface EvalContext {
  newClient: () => EngineClient;
  runsDir: string;
  /** An error reported as bad usage (exit code 2). */
  usage: (message: string) => Error;
}

export interface EvalOptions {
  data?: string;
  split?: string;
  checkpoint?: string;
  json?: boolean;
}

/** A run folder, or a run id in the runs folder. */
export function findRun(given: string | undefined, command: string, context: Pick<EvalContext, 'runsDir' | 'usage'>): string {
  if (!given) throw context.usage(`${command} needs a run folder or a run id, e.g. dl-lab ${command} runs/<run>`);
  const runDir = [path.resolve(given), path.join(context.runsDir, given)].find((dir) => fs.existsSync(path.join(dir, RUN_FILE)));
  if (!runDir) throw context.usage(`no run "${given}": neither a folder with ${RUN_FILE} nor a run id in ${context.runsDir}`);
  return runDir;
}

/** The split and checkpoint options, checked against the protocol's lists. */
export function evalParams(runDir: string, options: EvalOptions, context: EvalContext): EvalParams {
  const { split, checkpoint } = options;
  if (split !== undefined && !(EVAL_SPLITS as readonly string[]).includes(split)) throw context.usage(`--split must be ${EVAL_SPLITS.join(', ')}, got "${split}"`);
  if (checkpoint !== undefined && !(EVAL_CHECKPOINTS as readonly string[]).includes(checkpoint)) throw context.usage(`--checkpoint must be ${EVAL_CHECKPOINTS.join(' or ')}, got "${checkpoint}"`);
  return {
    runDir,
    ...(options.data !== undefined ? { data: options.data } : {}),
    ...(split ? { split: split as EvalSplit } : {}),
    ...(checkpoint ? { checkpoint: checkpoint as EvalCheckpoint } : {}),
  };
}

export function shownPath(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

export async function evalCommand(args: string[], options: EvalOptions, context: EvalContext): Promise<number> {
  if (args.length > 1) throw context.usage(`eval takes one run, got: ${args.join(' ')}`);
  const params = evalParams(findRun(args[0], 'eval', context), options, context);
  const client = context.newClient();
  try {
    const report = await client.sendRequest(EvalRequest, params);
    if (options.json) {
      // Every sample's prediction stays in the saved file: stdout gets the summary.
      const { samples: _samples, ...summary } = report;
      console.log(JSON.stringify(summary, null, 2));
      return 0;
    }
    const f = (v: number) => v.toFixed(4);
    console.log(
      `run ${printable(report.runId)}: ${report.checkpoint} checkpoint on the ${report.split} split of ${printable(report.data)}, ` +
        `${report.count.toLocaleString('en-US')} samples${report.normalClasses ? ` of the normal classes ${report.normalClasses.join(',')}` : ''}`,
    );
    console.log(
      `loss ${f(report.loss)}  accuracy ${f(report.accuracy)}` +
        (report.topK ? `  top-${report.topK.k} ${f(report.topK.accuracy)}` : '') +
        `  macro F1 ${f(report.macroF1)}  weighted F1 ${f(report.weightedF1)}  ECE ${f(report.ece)}`,
    );
    const names = report.classes.map((c) => printable(c));
    console.log('\nconfusion matrix (rows: true class, columns: predicted)');
    console.log(table(['', ...names], report.confusion.map((row, c) => [names[c], ...row.map(String)])));
    console.log();
    console.log(table(['class', 'precision', 'recall', 'f1', 'support'], report.perClass.map((m, c) => [names[c], f(m.precision), f(m.recall), f(m.f1), String(m.support)])));
    console.log(`\nsaved ${shownPath(report.file)}`);
    return 0;
  } finally {
    await client.dispose();
  }
}

/** "0-8", "9", "0,3-5": class indices, ascending, each once. */
export function parseClassList(raw: string, option: string, usage: (message: string) => Error): number[] {
  const classes = new Set<number>();
  for (const part of raw.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const [from, to] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
    if (!m || to < from) throw usage(`${option} must list classes as numbers and ranges, e.g. 0-8 or 0,3-5; got "${raw}"`);
    for (let c = from; c <= to; c++) classes.add(c);
  }
  return [...classes].sort((a, b) => a - b);
}
