/**
 * Training callbacks (`training.callbacks`): ModelCheckpoint, EarlyStopping, ReduceLROnPlateau and
 * TerminateOnNaN, with Keras' semantics where Keras has one. This module checks the configuration and
 * decides, epoch by epoch, what the callbacks do; the trainer carries the decisions out (saving, restoring
 * weights, changing the optimizer's rate) and reports them as `train/event`s. It does no I/O and holds no
 * tensors, so its decisions are plain data that a checkpoint can store and a resume can restore.
 */
import type { CallbacksConfig, EarlyStoppingConfig, EpochMetrics, ModelCheckpointConfig, MonitorMode, ReduceLROnPlateauConfig, TrainEventKind } from '../../protocol/engineTypes';

/** Metrics a callback can monitor: what the trainer computes each epoch. */
export const MONITORS = ['loss', 'acc', 'val_loss', 'val_acc'] as const;
export type MonitorName = (typeof MONITORS)[number];

/** Keras' spelling, accepted and stored as ours. */
const MONITOR_ALIASES: Record<string, MonitorName> = { accuracy: 'acc', val_accuracy: 'val_acc' };

export const CALLBACK_NAMES = ['modelCheckpoint', 'earlyStopping', 'reduceLROnPlateau', 'terminateOnNaN'] as const;
type CallbackName = (typeof CALLBACK_NAMES)[number];

export interface ResolvedModelCheckpoint {
  monitor: MonitorName;
  mode: 'min' | 'max';
}
export interface ResolvedEarlyStopping {
  monitor: MonitorName;
  mode: 'min' | 'max';
  patience: number;
  minDelta: number;
  restoreBestWeights: boolean;
}
export interface ResolvedReduceLROnPlateau {
  monitor: MonitorName;
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  minDelta: number;
  minLr: number;
  cooldown: number;
}
export interface ResolvedCallbacks {
  modelCheckpoint: ResolvedModelCheckpoint | null;
  earlyStopping: ResolvedEarlyStopping | null;
  reduceLROnPlateau: ResolvedReduceLROnPlateau | null;
  terminateOnNaN: boolean;
}

export const EARLY_STOPPING_DEFAULTS = { patience: 3, minDelta: 0, restoreBestWeights: true } as const;
export const REDUCE_LR_DEFAULTS = { factor: 0.1, patience: 2, minDelta: 0, minLr: 0, cooldown: 0 } as const;

// ---------------------------------------------------------------------------------------------------
// Checking the configuration

type Check = (value: unknown) => string | undefined;

const positiveInt: Check = (v) => (Number.isInteger(v) && (v as number) > 0 ? undefined : 'a positive integer');
const nonNegativeInt: Check = (v) => (Number.isInteger(v) && (v as number) >= 0 ? undefined : 'an integer >= 0');
const nonNegativeNumber: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'a number >= 0');
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'true or false');
const mode: Check = (v) => (v === 'min' || v === 'max' || v === 'auto' ? undefined : 'one of min, max, auto');
const monitor: Check = (v) =>
  typeof v === 'string' && normaliseMonitor(v) ? undefined : `one of ${MONITORS.join(', ')}`;
const factor: Check = (v) => (typeof v === 'number' && v > 0 && v < 1 ? undefined : 'a number in (0, 1)');

const OPTION_CHECKS: Record<Exclude<CallbackName, 'terminateOnNaN'>, Record<string, Check>> = {
  modelCheckpoint: { monitor, mode },
  earlyStopping: { monitor, mode, patience: positiveInt, minDelta: nonNegativeNumber, restoreBestWeights: boolean },
  reduceLROnPlateau: {
    monitor,
    mode,
    factor,
    patience: positiveInt,
    minDelta: nonNegativeNumber,
    minLr: nonNegativeNumber,
    cooldown: nonNegativeInt,
  },
};

function normaliseMonitor(name: string): MonitorName | undefined {
  if ((MONITORS as readonly string[]).includes(name)) return name as MonitorName;
  return MONITOR_ALIASES[name];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks `training.callbacks` as written (in the model file, or as an override) and returns it with
 * monitor names normalised. `origin` is where it came from, e.g. "lenet.model.ts: training"; errors read
 * "lenet.model.ts: training.callbacks.earlyStopping.patience is -1; expected a positive integer".
 */
export function checkCallbacks(value: unknown, origin: string): CallbacksConfig | undefined {
  if (value === undefined) return undefined;
  const where = `${origin}.callbacks`;
  if (!isObject(value)) throw new Error(`${where} is ${JSON.stringify(value)}; expected an object such as { earlyStopping: { patience: 3 } }`);
  const out: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(value)) {
    if (option === undefined) continue;
    if (!(CALLBACK_NAMES as readonly string[]).includes(name)) {
      throw new Error(`${where}.${name}: unknown callback (known: ${CALLBACK_NAMES.join(', ')})`);
    }
    if (name === 'terminateOnNaN') {
      if (typeof option !== 'boolean') throw new Error(`${where}.terminateOnNaN is ${JSON.stringify(option)}; expected true or false`);
      out[name] = option;
      continue;
    }
    if (typeof option === 'boolean') {
      out[name] = option;
      continue;
    }
    const checks = OPTION_CHECKS[name as keyof typeof OPTION_CHECKS];
    if (!isObject(option)) {
      throw new Error(`${where}.${name} is ${JSON.stringify(option)}; expected true, false or an object with ${Object.keys(checks).join(', ')}`);
    }
    const checked: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(option)) {
      if (v === undefined) continue;
      const check = checks[key];
      if (!check) throw new Error(`${where}.${name}.${key}: unknown option (known: ${Object.keys(checks).join(', ')})`);
      const expected = check(v);
      if (expected) throw new Error(`${where}.${name}.${key} is ${JSON.stringify(v)}; expected ${expected}`);
      checked[key] = key === 'monitor' ? normaliseMonitor(v as string) : v;
    }
    out[name] = checked;
  }
  return out as CallbacksConfig;
}

/**
 * Layers an override over the model file's callbacks, per callback: an object's options are merged into
 * the model file's options for that callback; `false` turns it off; `true` keeps the model file's options
 * (or the defaults).
 */
export function mergeCallbacks(base: CallbacksConfig | undefined, over: CallbacksConfig | undefined): CallbacksConfig | undefined {
  if (!over) return base;
  if (!base) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [name, option] of Object.entries(over)) {
    if (option === undefined) continue;
    const previous = (base as Record<string, unknown>)[name];
    if (option === true && isObject(previous)) continue;
    out[name] = isObject(option) && isObject(previous) ? { ...previous, ...option } : option;
  }
  return out as CallbacksConfig;
}

/**
 * The callbacks a run uses, with every default filled in, once it is known whether the run has validation
 * data: the default monitor is val_loss, or loss without it, and a val_* monitor without validation data is
 * an error, as is an accuracy monitor in a run that does not compute accuracy. `originOf(name)` says where
 * a callback's settings came from, for those errors.
 */
export function resolveCallbacks(
  config: CallbacksConfig | undefined,
  hasValidation: boolean,
  originOf: (name: CallbackName) => string = () => 'training',
  /** Whether the run computes accuracy (training.metrics): acc and val_acc monitors need it. */
  hasAccuracy = true,
): ResolvedCallbacks {
  const c = config ?? {};
  const defaultMonitor: MonitorName = hasValidation ? 'val_loss' : 'loss';
  const monitorOf = (name: CallbackName, option: { monitor?: string; mode?: MonitorMode }) => {
    const m = option.monitor === undefined ? defaultMonitor : normaliseMonitor(option.monitor);
    if (!m) {
      throw new Error(`${originOf(name)}.callbacks.${name}.monitor is ${JSON.stringify(option.monitor)}; expected one of ${MONITORS.join(', ')}`);
    }
    if (m.startsWith('val_') && !hasValidation) {
      throw new Error(
        `${originOf(name)}.callbacks.${name}.monitor is "${m}", but this run has no validation data ` +
          `(validationSplit is 0 and the data defines no validation split); monitor ${m.slice(4)} or set a validationSplit`,
      );
    }
    if (m.endsWith('acc') && !hasAccuracy) {
      throw new Error(
        `${originOf(name)}.callbacks.${name}.monitor is "${m}", but training.metrics does not ask for accuracy; ` +
          `add 'accuracy' to training.metrics or monitor ${m.replace('acc', 'loss')}`,
      );
    }
    return { monitor: m, mode: resolveMode(m, option.mode ?? 'auto') };
  };
  const options = <T extends object>(v: boolean | T | undefined, onByDefault: boolean): T | null =>
    v === undefined ? (onByDefault ? ({} as T) : null) : v === false ? null : v === true ? ({} as T) : v;

  const mc = options<ModelCheckpointConfig>(c.modelCheckpoint, true);
  const es = options<EarlyStoppingConfig>(c.earlyStopping, false);
  const rlr = options<ReduceLROnPlateauConfig>(c.reduceLROnPlateau, false);
  return {
    modelCheckpoint: mc && monitorOf('modelCheckpoint', mc),
    earlyStopping: es && {
      ...monitorOf('earlyStopping', es),
      patience: es.patience ?? EARLY_STOPPING_DEFAULTS.patience,
      minDelta: es.minDelta ?? EARLY_STOPPING_DEFAULTS.minDelta,
      restoreBestWeights: es.restoreBestWeights ?? EARLY_STOPPING_DEFAULTS.restoreBestWeights,
    },
    reduceLROnPlateau: rlr && {
      ...monitorOf('reduceLROnPlateau', rlr),
      factor: rlr.factor ?? REDUCE_LR_DEFAULTS.factor,
      patience: rlr.patience ?? REDUCE_LR_DEFAULTS.patience,
      minDelta: rlr.minDelta ?? REDUCE_LR_DEFAULTS.minDelta,
      minLr: rlr.minLr ?? REDUCE_LR_DEFAULTS.minLr,
      cooldown: rlr.cooldown ?? REDUCE_LR_DEFAULTS.cooldown,
    },
    terminateOnNaN: c.terminateOnNaN ?? true,
  };
}

/** The resolved callbacks as a `training.callbacks` value: what run.json records, every default explicit. */
export function callbacksConfigOf(resolved: ResolvedCallbacks): CallbacksConfig {
  return {
    modelCheckpoint: resolved.modelCheckpoint ? { ...resolved.modelCheckpoint } : false,
    earlyStopping: resolved.earlyStopping ? { ...resolved.earlyStopping } : false,
    reduceLROnPlateau: resolved.reduceLROnPlateau ? { ...resolved.reduceLROnPlateau } : false,
    terminateOnNaN: resolved.terminateOnNaN,
  };
}

/** 'auto': max for accuracies, min for everything else (losses). */
export function resolveMode(monitorName: string, m: MonitorMode): 'min' | 'max' {
  if (m !== 'auto') return m;
  return monitorName.includes('acc') ? 'max' : 'min';
}

/** Whether `value` improves on `best` by more than `minDelta` (a non-finite value never does). */
export function improves(value: number, best: number | null, mode: 'min' | 'max', minDelta = 0): boolean {
  if (!Number.isFinite(value)) return false;
  if (best === null) return true;
  return mode === 'min' ? value < best - minDelta : value > best + minDelta;
}

// ---------------------------------------------------------------------------------------------------
// Deciding, epoch by epoch

/** What the callbacks remember between epochs; stored in checkpoints/last so that a resume continues it. */
export interface CallbacksState {
  /** The optimizer's learning rate now (ReduceLROnPlateau changes it). */
  learningRate: number;
  modelCheckpoint?: { monitor: string; best: number | null; bestEpoch: number };
  earlyStopping?: { monitor: string; best: number | null; bestEpoch: number; wait: number };
  reduceLROnPlateau?: { monitor: string; best: number | null; wait: number; cooldownCounter: number };
}

/** One thing a callback did, for a `train/event` and a metrics.jsonl record. */
export interface CallbackEvent {
  kind: TrainEventKind;
  message: string;
  metric?: string;
  value?: number;
  learningRate?: number;
}

export interface EpochDecision {
  /** ModelCheckpoint: the monitored metric improved; save checkpoints/best. */
  saveBest: boolean;
  /** EarlyStopping: this epoch is its new best. */
  earlyStoppingImproved: boolean;
  /** EarlyStopping: stop after this epoch. */
  stop: boolean;
  /** With `stop`: put back the weights of this epoch (restoreBestWeights), when it is not this one. */
  restoreEpoch?: number;
  /** ReduceLROnPlateau: the optimizer's new rate. */
  learningRate?: number;
  events: CallbackEvent[];
}

const fmt = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v));
const epochs = (n: number) => `${n} epoch${n === 1 ? '' : 's'}`;

export class CallbackRunner {
  private readonly s: CallbacksState;

  /** `restored`: the state saved with the checkpoint a resume starts from (per callback, kept only when its monitor is unchanged). */
  constructor(
    readonly config: ResolvedCallbacks,
    learningRate: number,
    restored?: Partial<CallbacksState>,
  ) {
    const keep = <T extends { monitor: string }>(saved: T | undefined, monitorName: string | undefined) =>
      saved && saved.monitor === monitorName ? { ...saved } : undefined;
    this.s = {
      learningRate: restored?.learningRate ?? learningRate,
      modelCheckpoint: config.modelCheckpoint
        ? keep(restored?.modelCheckpoint, config.modelCheckpoint.monitor) ?? { monitor: config.modelCheckpoint.monitor, best: null, bestEpoch: 0 }
        : undefined,
      earlyStopping: config.earlyStopping
        ? keep(restored?.earlyStopping, config.earlyStopping.monitor) ?? { monitor: config.earlyStopping.monitor, best: null, bestEpoch: 0, wait: 0 }
        : undefined,
      reduceLROnPlateau: config.reduceLROnPlateau
        ? keep(restored?.reduceLROnPlateau, config.reduceLROnPlateau.monitor) ?? {
            monitor: config.reduceLROnPlateau.monitor,
            best: null,
            wait: 0,
            cooldownCounter: 0,
          }
        : undefined,
    };
  }

  get learningRate(): number {
    return this.s.learningRate;
  }

  /** Overrides the rate (a resume with an explicit --lr). */
  set learningRate(value: number) {
    this.s.learningRate = value;
  }

  /** A copy of the state, for the checkpoint. */
  state(): CallbacksState {
    return JSON.parse(JSON.stringify(this.s)) as CallbacksState;
  }

  /** The best epoch ModelCheckpoint saved (0: none yet). */
  get bestCheckpointEpoch(): number {
    return this.s.modelCheckpoint?.bestEpoch ?? 0;
  }

  /** The epoch whose weights EarlyStopping would restore (0: none yet). */
  get earlyStoppingBestEpoch(): number {
    return this.s.earlyStopping?.bestEpoch ?? 0;
  }

  /** Called once per epoch, after validation, with that epoch's metrics. */
  onEpochEnd(epoch: number, metrics: EpochMetrics): EpochDecision {
    const decision: EpochDecision = { saveBest: false, earlyStoppingImproved: false, stop: false, events: [] };
    const valueOf = (name: string) => (metrics as unknown as Record<string, number | undefined>)[name] ?? NaN;

    const mc = this.config.modelCheckpoint;
    const mcs = this.s.modelCheckpoint;
    if (mc && mcs) {
      const value = valueOf(mc.monitor);
      if (improves(value, mcs.best, mc.mode)) {
        const before = mcs.best;
        mcs.best = value;
        mcs.bestEpoch = epoch;
        decision.saveBest = true;
        decision.events.push({
          kind: 'bestCheckpoint',
          metric: mc.monitor,
          value,
          message:
            before === null
              ? `${mc.monitor} ${fmt(value)}: saved checkpoints/best`
              : `${mc.monitor} improved from ${fmt(before)} to ${fmt(value)}: saved checkpoints/best`,
        });
      }
    }

    const es = this.config.earlyStopping;
    const ess = this.s.earlyStopping;
    if (es && ess) {
      const value = valueOf(es.monitor);
      if (improves(value, ess.best, es.mode, es.minDelta)) {
        ess.best = value;
        ess.bestEpoch = epoch;
        ess.wait = 0;
        decision.earlyStoppingImproved = true;
      } else {
        ess.wait++;
        if (ess.wait >= es.patience) {
          decision.stop = true;
          const restore = es.restoreBestWeights && ess.bestEpoch > 0 && ess.bestEpoch !== epoch;
          if (restore) decision.restoreEpoch = ess.bestEpoch;
          const best = ess.bestEpoch > 0 ? `best epoch ${ess.bestEpoch}, ${es.monitor} ${fmt(ess.best!)}` : 'no epoch improved';
          decision.events.push({
            kind: 'earlyStop',
            metric: es.monitor,
            value: ess.best ?? value,
            message: `${es.monitor} did not improve for ${epochs(ess.wait)}: early stop (${best}${restore ? ', weights restored' : ''})`,
          });
        }
      }
    }

    const rlr = this.config.reduceLROnPlateau;
    const rs = this.s.reduceLROnPlateau;
    if (rlr && rs && !decision.stop) {
      // `cooldown` epochs after a reduction are not counted (as PyTorch; Keras counts the last of them).
      const inCooldown = rs.cooldownCounter > 0;
      if (inCooldown) {
        rs.cooldownCounter--;
        rs.wait = 0;
      }
      const value = valueOf(rlr.monitor);
      if (improves(value, rs.best, rlr.mode, rlr.minDelta)) {
        rs.best = value;
        rs.wait = 0;
      } else if (!inCooldown) {
        rs.wait++;
        if (rs.wait >= rlr.patience) {
          const old = this.s.learningRate;
          if (old > rlr.minLr) {
            const lr = Math.max(old * rlr.factor, rlr.minLr);
            this.s.learningRate = lr;
            decision.learningRate = lr;
            decision.events.push({
              kind: 'lrReduced',
              metric: rlr.monitor,
              value,
              learningRate: lr,
              message: `${rlr.monitor} did not improve for ${epochs(rs.wait)}: learning rate ${fmt(old)} → ${fmt(lr)}`,
            });
            rs.cooldownCounter = rlr.cooldown;
          }
          rs.wait = 0;
        }
      }
    }
    return decision;
  }
}
