/** The single, redrawn progress line `dl-lab train` shows on a terminal. */
import type { CallbacksConfig, TrainEventParams, TrainProgressParams } from '../protocol/engineTypes';
import { formatDuration, formatNumber } from './format';

const WIDTH = 24;

export class ProgressLine {
  private shown = false;
  /** First progress seen in the current epoch, to extrapolate the time left. */
  private origin: { epoch: number; batch: number; time: number } | undefined;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(p: TrainProgressParams): void {
    if (!this.origin || this.origin.epoch !== p.epoch) this.origin = { epoch: p.epoch, batch: p.batch, time: p.time };
    const done = p.batch - this.origin.batch;
    const eta = done > 0 ? formatDuration(((p.time - this.origin.time) / done) * (p.batchesPerEpoch - p.batch)) : '?';
    const filled = Math.round((p.batch / p.batchesPerEpoch) * WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
    const text =
      `epoch ${p.epoch}/${p.epochs} ${bar} ${p.batch}/${p.batchesPerEpoch}  loss ${p.loss.toFixed(4)}  ` +
      `${p.learningRate !== undefined ? `lr ${formatRate(p.learningRate)}  ` : ''}${formatNumber(p.samplesPerSec)} samples/s  ${eta} left`;
    const columns = this.stream.columns ?? 100;
    this.stream.write(`\r${text.slice(0, columns - 1)}\x1b[K`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}

/** A learning rate in few characters: 0.001, 1e-5. */
export function formatRate(lr: number): string {
  return lr >= 1e-3 ? String(Number(lr.toPrecision(3))) : lr.toExponential(1).replace(/\.0e/, 'e');
}

/** One line for a callback's event: "epoch 4: val_loss did not improve for 3 epochs: early stop (...)". */
export function formatTrainEvent(p: TrainEventParams): string {
  return `epoch ${p.epoch}: ${p.message}`;
}

/** The callbacks of a run (resolved: every one explicit), for the header `dl-lab train` prints. */
export function describeCallbacks(c: CallbacksConfig | undefined): string {
  if (!c) return 'none';
  const parts: string[] = [];
  const on = <T>(v: boolean | T | undefined): T | undefined => (v && typeof v === 'object' ? v : undefined);
  const mc = on(c.modelCheckpoint);
  if (mc) parts.push(`best checkpoint by ${mc.monitor ?? 'val_loss'}${mc.mode ? ` (${mc.mode})` : ''}`);
  const es = on(c.earlyStopping);
  if (es) parts.push(`early stopping on ${es.monitor ?? 'val_loss'}, patience ${es.patience ?? 3}${es.restoreBestWeights === false ? '' : ', restore best'}`);
  const rlr = on(c.reduceLROnPlateau);
  if (rlr) parts.push(`reduce lr x${rlr.factor ?? 0.1} on ${rlr.monitor ?? 'val_loss'} plateau, patience ${rlr.patience ?? 2}`);
  if (c.terminateOnNaN !== false) parts.push('stop on NaN');
  return parts.length ? parts.join('; ') : 'none';
}
