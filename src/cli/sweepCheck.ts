/**
 * A sweep's values checked by the engine's own code for a model file's `training` (resolveTrainingConfig):
 * a value the sweep accepts is one the engine accepts, with the engine's message otherwise. It loads
 * TensorFlow.js (the losses' rules live beside the losses), so only `dl-lab sweep` imports it.
 */
import { resolveTrainingConfig } from '../engine/training/config';
import type { SettingCheck } from '../sweeps/spec';

export const trainingSettingCheck: SettingCheck = (where, key, value) => {
  let config: Record<string, unknown>;
  try {
    // As the model file's `training` export, named by the flag: "--grid X: training.key is ...; expected ...".
    config = resolveTrainingConfig({ [key]: value }, where, {}) as unknown as Record<string, unknown>;
  } catch (err) {
    return (err as Error).message;
  }
  // Keys the engine reads elsewhere (augment, inputShape, ...) pass resolveTrainingConfig unchecked.
  if (!Object.hasOwn(config, key)) return `${where}: training.${key} is not a setting a sweep can vary`;
  return undefined;
};
