/**
 * The effective training configuration: defaults, then the model file's `training` export, then the
 * caller's overrides. Every value is checked, and a bad one is reported with where it came from.
 */
import { OPTIMIZERS, TRAINING_TASKS, type TrainingConfig } from '../../protocol/engineTypes';
import { checkCallbacks, mergeCallbacks } from './callbacks';
import { type Check, integer, nonNegativeNumber, positiveInt, positiveNumber, unitInterval } from './configChecks';
import { checkLossSpec } from './losses';
import { checkMetrics } from './metrics';

export const DEFAULT_TRAINING: TrainingConfig = {
  epochs: 10,
  batchSize: 32,
  optimizer: 'adam',
  learningRate: 0.001,
  momentum: 0,
  weightDecay: 0,
  loss: 'categoricalCrossentropy',
  metrics: ['accuracy'],
  validationSplit: 0.1,
  seed: 42,
};

const CHECKS: Record<keyof TrainingConfig, Check> = {
  epochs: positiveInt,
  batchSize: positiveInt,
  optimizer: (v) => ((OPTIMIZERS as readonly unknown[]).includes(v) ? undefined : `one of ${OPTIMIZERS.join(', ')}`),
  learningRate: positiveNumber,
  momentum: unitInterval,
  // A name, or { name, reduction, classWeights, delta, beta, labelSmoothing } (see ./losses).
  loss: checkLossSpec,
  // What the run computes and logs besides the loss: 'accuracy', 'top5' (see ./metrics).
  metrics: checkMetrics,
  validationSplit: unitInterval,
  seed: integer,
  weightDecay: nonNegativeNumber,
  // Checked in detail (with the key at fault) by checkCallbacks, in resolveTrainingConfig.
  callbacks: () => undefined,
  // Against the dataset's classes in the trainer.
  normalClasses: (v) =>
    Array.isArray(v) && v.length > 0 && v.every((c) => Number.isInteger(c) && c >= 0) && new Set(v).size === v.length
      ? undefined
      : 'a non-empty list of distinct class indices (whole numbers >= 0)',
  task: (v) => ((TRAINING_TASKS as readonly unknown[]).includes(v) ? undefined : `one of ${TRAINING_TASKS.join(', ')}`),
};

/** Keys a model file may set that the engine reads elsewhere (later features); accepted, not checked here. */
const PASS_THROUGH = new Set(['augment', 'inputShape', 'numClasses']);

export function resolveTrainingConfig(
  fromModelFile: Record<string, unknown>,
  modelFileName: string,
  overrides: Partial<TrainingConfig>,
): TrainingConfig {
  const config: Record<string, unknown> = { ...DEFAULT_TRAINING };
  const layers: [Record<string, unknown>, string][] = [
    [fromModelFile, `${modelFileName}: training`],
    [overrides as Record<string, unknown>, 'option'],
  ];
  for (const [values, origin] of layers) {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) continue;
      const check = CHECKS[key as keyof TrainingConfig];
      if (!check) {
        if (PASS_THROUGH.has(key)) continue;
        throw new Error(`${origin}.${key}: unknown setting (known: ${Object.keys(CHECKS).join(', ')})`);
      }
      if (key === 'callbacks') {
        // Per callback, an override's options are merged into the model file's (see mergeCallbacks).
        config.callbacks = mergeCallbacks(config.callbacks as TrainingConfig['callbacks'], checkCallbacks(value, origin));
        continue;
      }
      const normalised = key === 'optimizer' && typeof value === 'string' ? value.toLowerCase() : value;
      const expected = check(normalised);
      if (expected) throw new Error(`${origin}.${key} is ${JSON.stringify(value)}; expected ${expected}`);
      config[key] = normalised;
    }
  }
  return config as unknown as TrainingConfig;
}
