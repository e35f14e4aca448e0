/** The single, redrawn progress line `dl-lab train` shows on a terminal. */
import type { TrainProgressParams } from '../protocol/engine';
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
      `${formatNumber(p.samplesPerSec)} samples/s  ${eta} left`;
    const columns = this.stream.columns ?? 100;
    this.stream.write(`\r${text.slice(0, columns - 1)}\x1b[K`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
