/**
 * What the scenarios expect the extension to show, shared by the code-server scenarios (test/e2e) and the
 * @vscode/test-electron suite (test/electron). No imports: the electron suite bundles this file.
 */

export const COMMANDS = {
  train: { id: 'dlLab.train', title: 'Deep Learning: Train Model' },
  stopTraining: { id: 'dlLab.stopTraining', title: 'Deep Learning: Stop Training' },
  showEngineLog: { id: 'dlLab.showEngineLog', title: 'Deep Learning: Show Engine Log' },
  restartEngine: { id: 'dlLab.restartEngine', title: 'Deep Learning: Restart Engine' },
} as const;

/** Listed in the command palette whenever the workspace is trusted; Stop Training only while a run trains. */
export const PALETTE_COMMANDS = [COMMANDS.train, COMMANDS.showEngineLog, COMMANDS.restartEngine];

export const OUTPUT_CHANNEL = 'Deep Learning Lab';

/** The example the Train scenario trains, and on what. */
export const MODEL_FILE = 'examples/lenet.model.ts';
export const DATASET = 'synthetic:shapes';
/** Fewer epochs than the example's 5, to keep the scenario short (user settings cannot override epochs, so the model file is edited). */
export const TRAIN_EPOCHS = 2;

/** The notification that ends a run that completed. */
export const COMPLETED = /\bcompleted\b/i;
/** Notifications that mean the run did not complete. */
export const NOT_COMPLETED = /\b(failed|could not start|interrupted|stopped after)\b/i;
/** The refusal in Restricted Mode: names Restricted Mode and what to do. */
export const RESTRICTED_REFUSAL = /Restricted Mode.*trust/i;
/** Engine log lines in the output channel are marked [engine]. */
export const ENGINE_LOG_LINE = /\[engine\]/;
