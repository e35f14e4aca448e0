/**
 * The Evaluation view's data, without `vscode`: where a run's reports are saved (runs/<id>/eval/
 * <split>-<checkpoint>.json, written by the engine's eval/run), which one to show first, reading one back
 * with a line that says what is wrong, a cell's samples and the most confident mistakes (the matrix's
 * row normalisation is the page's: webviews/evaluation/confusion.ts). The panel (evaluationPanel.ts) sends
 * what this computes; the page draws it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EVAL_CHECKPOINTS, EVAL_SPLITS, type EvalCheckpoint, type EvalReport, type EvalSplit, type EvaluatedSample } from '../../protocol/engineTypes';
import type { EvaluationSummary } from '../../protocol/webview';

export const EVAL_DIR = 'eval';
/** Thumbnails a cell's gallery shows (the most confident first); the page says how many there are in all. */
export const GALLERY_LIMIT = 48;
/** The most confident mistakes listed. */
export const MISTAKES_LIMIT = 16;

export interface ReportChoice {
  split: EvalSplit;
  checkpoint: EvalCheckpoint;
}

export function reportFile(runDir: string, choice: ReportChoice): string {
  return path.join(runDir, EVAL_DIR, `${choice.split}-${choice.checkpoint}.json`);
}

/** The reports saved in the run folder, as "<split>-<checkpoint>", in the order the view prefers them. */
export function savedReports(runDir: string): string[] {
  return preferenceOrder().filter((c) => fs.existsSync(reportFile(runDir, c))).map((c) => `${c.split}-${c.checkpoint}`);
}

/**
 * The report to show when the view opens: the saved one the engine would compute by default (the held-out
 * test split before the validation carve, best before last), else none (the engine decides, and saves it).
 */
export function defaultSavedReport(runDir: string): ReportChoice | undefined {
  return preferenceOrder().find((c) => fs.existsSync(reportFile(runDir, c)));
}

function preferenceOrder(): ReportChoice[] {
  const splits: EvalSplit[] = ['test', 'val', 'train'];
  return splits.flatMap((split) => EVAL_CHECKPOINTS.map((checkpoint) => ({ split, checkpoint })));
}

/** A saved report, checked enough to draw; one line naming the file and what is wrong otherwise. */
export function readReport(file: string): EvalReport {
  let report: Partial<EvalReport>;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<EvalReport>;
  } catch (err) {
    throw new Error(`${file}: ${err instanceof SyntaxError ? `not JSON (${err.message})` : (err as Error).message}`);
  }
  const problem = reportProblem(report);
  if (problem) throw new Error(`${file}: ${problem}; evaluate again to rewrite it`);
  return report as EvalReport;
}

function reportProblem(r: Partial<EvalReport>): string | undefined {
  if (typeof r !== 'object' || r === null) return 'not an evaluation report';
  if (!(EVAL_SPLITS as readonly unknown[]).includes(r.split)) return `split ${JSON.stringify(r.split)} is not one of ${EVAL_SPLITS.join(', ')}`;
  if (!(EVAL_CHECKPOINTS as readonly unknown[]).includes(r.checkpoint)) return `checkpoint ${JSON.stringify(r.checkpoint)} is not best or last`;
  if (!Array.isArray(r.classes) || !r.classes.length) return 'it names no classes';
  const n = r.classes.length;
  if (!Array.isArray(r.confusion) || r.confusion.length !== n || r.confusion.some((row) => !Array.isArray(row) || row.length !== n)) return `its confusion matrix is not ${n}×${n}`;
  if (!Array.isArray(r.perClass) || r.perClass.length !== n) return `it has no per-class metrics for its ${n} classes`;
  if (!Array.isArray(r.reliability)) return 'it has no reliability bins';
  if (!Array.isArray(r.samples)) return 'it has no samples';
  return undefined;
}

/** Most confident first; equal confidence in dataset order, so that the order is the same each time. */
function byConfidence(a: EvaluatedSample, b: EvaluatedSample): number {
  return b.confidence - a.confidence || a.index - b.index;
}

/** The samples of true class `label` predicted as `predicted`, most confident first, and how many in all. */
export function cellSamples(samples: readonly EvaluatedSample[], label: number, predicted: number, limit = GALLERY_LIMIT): { total: number; samples: EvaluatedSample[] } {
  const cell = samples.filter((s) => s.label === label && s.predicted === predicted).sort(byConfidence);
  return { total: cell.length, samples: cell.slice(0, limit) };
}

/** The wrong predictions the model was surest of. */
export function confidentMistakes(samples: readonly EvaluatedSample[], limit = MISTAKES_LIMIT): EvaluatedSample[] {
  return samples.filter((s) => s.label !== s.predicted).sort(byConfidence).slice(0, limit);
}

/** What the page draws of a report (its samples stay here). */
export function summaryOf(report: EvalReport, fromFile: boolean): EvaluationSummary {
  return {
    split: report.split,
    checkpoint: report.checkpoint,
    data: report.data,
    file: report.file,
    fromFile,
    ...(report.normalClasses ? { normalClasses: report.normalClasses } : {}),
    count: report.count,
    loss: Number.isFinite(report.loss) ? report.loss : null,
    accuracy: report.accuracy,
    topK: report.topK,
    classes: report.classes,
    confusion: report.confusion,
    perClass: report.perClass.map((c) => ({ class: c.class, precision: c.precision, recall: c.recall, f1: c.f1, support: c.support })),
    macroF1: report.macroF1,
    weightedF1: report.weightedF1,
    ece: report.ece,
    reliability: report.reliability.map((b) => ({ lower: b.lower, upper: b.upper, count: b.count, accuracy: b.accuracy, confidence: b.confidence })),
    mistakes: confidentMistakes(report.samples),
  };
}
