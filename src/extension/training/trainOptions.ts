/**
 * `Train Model with Options...`: the steps (epochs, batch size, learning rate, optimizer, backend; the
 * model file and dataset are picked first, as for Train Model), their validation and the overrides they
 * make. Pure (no `vscode`), tested in test/extension/trainOptions.test.ts; runCommands.ts shows them.
 *
 * An empty answer keeps the model file's own value: only what the user typed is overridden.
 */
import { BACKEND_CHOICES, OPTIMIZERS, type BackendChoice, type OptimizerName, type TrainingConfig } from '../../protocol/engineTypes';

export const MAX_EPOCHS = 100_000;
export const MAX_BATCH_SIZE = 65_536;

function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** Undefined when fine (empty is fine: the model file's value), else what is wrong. */
export function validateEpochs(text: string): string | undefined {
  if (!text.trim()) return undefined;
  const n = parseNumber(text);
  if (n === undefined || !Number.isInteger(n) || n < 1 || n > MAX_EPOCHS) return `Epochs must be a whole number from 1 to ${MAX_EPOCHS.toLocaleString('en-US')}, got "${text.trim()}"`;
  return undefined;
}

export function validateBatchSize(text: string): string | undefined {
  if (!text.trim()) return undefined;
  const n = parseNumber(text);
  if (n === undefined || !Number.isInteger(n) || n < 1 || n > MAX_BATCH_SIZE) return `Batch size must be a whole number from 1 to ${MAX_BATCH_SIZE.toLocaleString('en-US')}, got "${text.trim()}"`;
  return undefined;
}

export function validateLearningRate(text: string): string | undefined {
  if (!text.trim()) return undefined;
  const n = parseNumber(text);
  if (n === undefined || !(n > 0) || n >= 10) return `Learning rate must be a number above 0 and below 10 (e.g. 0.001 or 1e-3), got "${text.trim()}"`;
  return undefined;
}

/** What the steps collected; undefined or '' keeps the model file's value. */
export interface TrainOptionAnswers {
  epochs?: string;
  batchSize?: string;
  learningRate?: string;
  optimizer?: OptimizerName | '';
  backend?: BackendChoice | '';
}

export interface TrainOptions {
  overrides: Partial<TrainingConfig>;
  /** Undefined: the dlLab.backend setting. */
  backend?: BackendChoice;
}

/** The overrides of train/start. Throws the validation message of a bad answer. */
export function trainOptionsFrom(answers: TrainOptionAnswers): TrainOptions {
  const overrides: Partial<TrainingConfig> = {};
  const checks: [keyof TrainOptionAnswers, (t: string) => string | undefined][] = [
    ['epochs', validateEpochs],
    ['batchSize', validateBatchSize],
    ['learningRate', validateLearningRate],
  ];
  for (const [key, validate] of checks) {
    const text = (answers[key] ?? '').trim();
    const problem = validate(text);
    if (problem) throw new Error(problem);
  }
  if (answers.epochs?.trim()) overrides.epochs = Number(answers.epochs.trim());
  if (answers.batchSize?.trim()) overrides.batchSize = Number(answers.batchSize.trim());
  if (answers.learningRate?.trim()) overrides.learningRate = Number(answers.learningRate.trim());
  if (answers.optimizer) {
    if (!(OPTIMIZERS as readonly string[]).includes(answers.optimizer)) throw new Error(`Optimizer must be one of ${OPTIMIZERS.join(', ')}, got "${answers.optimizer}"`);
    overrides.optimizer = answers.optimizer;
  }
  let backend: BackendChoice | undefined;
  if (answers.backend) {
    if (!(BACKEND_CHOICES as readonly string[]).includes(answers.backend)) throw new Error(`Backend must be one of ${BACKEND_CHOICES.join(', ')}, got "${answers.backend}"`);
    backend = answers.backend;
  }
  return { overrides, backend };
}

/** One line for the log and the progress title: `epochs 3, batch 32, lr 0.001, sgd`. */
export function describeOptions(options: TrainOptions): string {
  const o = options.overrides;
  const parts: string[] = [];
  if (o.epochs !== undefined) parts.push(`epochs ${o.epochs}`);
  if (o.batchSize !== undefined) parts.push(`batch ${o.batchSize}`);
  if (o.learningRate !== undefined) parts.push(`lr ${o.learningRate}`);
  if (o.optimizer) parts.push(o.optimizer);
  if (options.backend) parts.push(`backend ${options.backend}`);
  return parts.join(', ');
}

/**
 * The epochs to resume a run to: a stopped, failed or interrupted run goes on to its own total; a
 * completed run needs a larger total (asked for). Returns the validation message for a typed total.
 */
export function validateResumeEpochs(text: string, completedEpochs: number): string | undefined {
  const problem = validateEpochs(text);
  if (problem) return problem;
  if (!text.trim()) return 'Type the total number of epochs to train to';
  if (Number(text.trim()) <= completedEpochs) return `The run has trained ${completedEpochs} epochs: type a larger total`;
  return undefined;
}
