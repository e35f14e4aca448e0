/**
 * A run's TensorBoard logs, in Keras' layout so that training and validation overlay in one chart:
 *
 *   <runDir>/tensorboard/train/events.out.tfevents.*       epoch_loss, epoch_acc, epoch_learning_rate,
 *                                                          batch_loss (at the global step), weight histograms
 *   <runDir>/tensorboard/validation/events.out.tfevents.*  epoch_loss, epoch_acc
 *
 * Epoch values are at the 1-based epoch (as metrics.jsonl numbers them); scalars are `simple_value`s,
 * histograms `histo` values. Each process that trains the run writes new files.
 */
import * as path from 'node:path';
import { type MetricRecord, TENSORBOARD_DIR } from '../runFolder';
import { EventFileWriter } from './eventFile';
import type { Histogram } from './eventProto';

/** One layer weight's histogram, tagged as Keras tags them (`dense_Dense1/kernel`). */
export interface WeightHistogram {
  tag: string;
  histogram: Histogram;
}

export class RunLogs {
  private readonly train: EventFileWriter;
  private readonly validation: EventFileWriter;

  constructor(runDir: string) {
    this.train = new EventFileWriter(path.join(runDir, TENSORBOARD_DIR, 'train'));
    this.validation = new EventFileWriter(path.join(runDir, TENSORBOARD_DIR, 'validation'));
  }

  /** A batch's loss at the global step (queued; written with the next flush). */
  batchLoss(step: number, loss: number, time = Date.now()): void {
    this.train.add(time / 1000, step, { summary: { value: [{ tag: 'batch_loss', simpleValue: loss }] } });
  }

  /** An epoch's scalars: `loss`, `acc`, `top5_acc`, ... to train/, their `val_` twins to validation/. */
  epoch(record: MetricRecord, histograms: WeightHistogram[] = []): void {
    const train: { tag: string; simpleValue: number }[] = [];
    const validation: { tag: string; simpleValue: number }[] = [];
    for (const [key, value] of Object.entries(record)) {
      const name = key.replace(/^val_/, '');
      if (typeof value !== 'number' || !(name === 'loss' || name.endsWith('acc'))) continue;
      (name === key ? train : validation).push({ tag: `epoch_${name}`, simpleValue: value });
    }
    if (record.learningRate !== undefined) train.push({ tag: 'epoch_learning_rate', simpleValue: record.learningRate });
    const wallTime = record.time / 1000;
    this.train.add(wallTime, record.epoch, { summary: { value: [...train, ...histograms.map(({ tag, histogram }) => ({ tag, histo: histogram }))] } });
    if (validation.length > 0) this.validation.add(wallTime, record.epoch, { summary: { value: validation } });
  }

  /** Writes what is queued; with `sync` (each epoch's end), to the disk itself. */
  flush(sync: boolean): void {
    this.train.flush(sync);
    this.validation.flush(sync);
  }

  close(): void {
    try {
      this.train.close();
    } finally {
      this.validation.close();
    }
  }
}
