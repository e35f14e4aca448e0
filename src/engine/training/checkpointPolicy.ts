/**
 * Which checkpoints a run keeps and when (the writing itself is ./checkpoint): checkpoints/last at every
 * epoch end, checkpoints/best when ModelCheckpoint's monitor improves, and EarlyStopping's best weights
 * wherever they are not those of checkpoints/best, so that restoreBestWeights works after a resume too.
 */
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { CHECKPOINTS_DIR } from '../../runs/runFolder';
import { onDisk } from '../../runs/diskErrors';
import type { CallbacksState, EpochDecision, ResolvedCallbacks } from './callbacks';
import {
  copyCheckpoint,
  loadCheckpointWeights,
  readCheckpointState,
  restoreCheckpoint,
  saveCheckpoint,
  type TrainerState,
} from './checkpoint';

/**
 * EarlyStopping's best weights, when they are not those in checkpoints/best (another monitor, a minDelta,
 * or ModelCheckpoint off).
 */
export const EARLY_STOPPING_DIR = 'early-stopping';

/** Where the callbacks' bests were before an epoch's decision (CallbackRunner's epochs). */
export interface BestsBefore {
  bestEpoch: number;
  earlyStoppingEpoch: number;
}

export class CheckpointPolicy {
  readonly lastDir: string;
  readonly bestDir: string;
  readonly earlyStoppingDir: string;

  constructor(
    runDir: string,
    private readonly callbacks: ResolvedCallbacks,
  ) {
    const checkpoints = path.join(runDir, CHECKPOINTS_DIR);
    this.lastDir = path.join(checkpoints, 'last');
    this.bestDir = path.join(checkpoints, 'best');
    this.earlyStoppingDir = path.join(checkpoints, EARLY_STOPPING_DIR);
  }

  /** Puts checkpoints/last back into the model and optimizer, with the callbacks' state saved beside it. */
  async resume(model: tf.LayersModel, optimizer: tf.Optimizer) {
    const restored = await restoreCheckpoint(this.lastDir, model, optimizer);
    const state = restored.state;
    // A checkpoint from before callbacks has ModelCheckpoint's best only.
    const callbacks: Partial<CallbacksState> = state.callbacks ?? {
      modelCheckpoint: { monitor: state.monitor, best: state.best, bestEpoch: readCheckpointState(this.bestDir)?.epoch ?? 0 },
    };
    return { state, callbacks, optimizerRestored: restored.optimizerRestored };
  }

  /**
   * Carries out an epoch's decision on disk: EarlyStopping's and ModelCheckpoint's bests, the restore of
   * the best weights on an early stop (adding its event to `decision.events`), then checkpoints/last.
   * Returns the state saved with checkpoints/last.
   */
  async epochEnd(model: tf.LayersModel, optimizer: tf.Optimizer, state: TrainerState, decision: EpochDecision, before: BestsBefore): Promise<TrainerState> {
    if (this.callbacks.earlyStopping?.restoreBestWeights) {
      // EarlyStopping's best weights stay on disk: in checkpoints/best while that holds its best epoch,
      // else in checkpoints/early-stopping (moved there before checkpoints/best moves on).
      if (decision.saveBest && !decision.earlyStoppingImproved && before.earlyStoppingEpoch > 0 && before.earlyStoppingEpoch === before.bestEpoch) {
        await onDisk('copying checkpoints/best to checkpoints/early-stopping', () => copyCheckpoint(this.bestDir, this.earlyStoppingDir));
      }
      if (decision.earlyStoppingImproved && !decision.saveBest) {
        await onDisk('saving checkpoints/early-stopping', () => saveCheckpoint(this.earlyStoppingDir, model, null, state));
      }
    }
    if (decision.saveBest) await onDisk('saving checkpoints/best', () => saveCheckpoint(this.bestDir, model, null, state));
    if (decision.restoreEpoch !== undefined) state = await this.restoreBest(model, state, decision, decision.restoreEpoch);
    const saved = state;
    await onDisk('saving checkpoints/last', () => saveCheckpoint(this.lastDir, model, optimizer, saved));
    return state;
  }

  /** EarlyStopping's restoreBestWeights: checkpoints/last gets the best weights, so what a user loads, exports or resumes is the best model. */
  private async restoreBest(model: tf.LayersModel, state: TrainerState, decision: EpochDecision, epoch: number): Promise<TrainerState> {
    const stop = decision.events.find((e) => e.kind === 'earlyStop')!;
    for (const dir of [this.bestDir, this.earlyStoppingDir]) {
      if (readCheckpointState(dir)?.epoch !== epoch) continue;
      await loadCheckpointWeights(dir, model);
      const monitor = this.callbacks.earlyStopping!.monitor;
      decision.events.push({
        kind: 'restoredBest',
        metric: monitor,
        value: stop.value,
        message: `restored the weights of epoch ${epoch} (${monitor} ${Number(stop.value!.toPrecision(4))}) into checkpoints/last`,
      });
      return { ...state, restoredFromEpoch: epoch };
    }
    stop.message = stop.message.replace(', weights restored', `; the weights of epoch ${epoch} were not found, the last ones are kept`);
    return state;
  }
}
