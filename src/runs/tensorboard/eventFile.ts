/**
 * One TensorBoard event file, appended in whole TFRecord records. The file is created at its first
 * flush, with the `file_version` event first; a reopened run (a resume) gets a new file, never appends to
 * an old one, so that what an earlier process wrote is left exactly as it was.
 */
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { encodeEvent, type EventWhat } from './eventProto';
import { tfRecord } from './tfrecord';

/** Makes file names unique when one process opens two writers for a folder within a second. */
let fileCount = 0;

export class EventFileWriter {
  private fd: number | undefined;
  private pending: Buffer[] = [];

  constructor(private readonly dir: string) {}

  /** Queues one event; it reaches the file at the next flush. */
  add(wallTime: number, step: number, what: EventWhat): void {
    this.pending.push(tfRecord(encodeEvent(wallTime, step, what)));
  }

  /**
   * Writes the queued records in one piece (so that an interruption can cut only the last record short,
   * which readers drop); with `sync`, also to the disk itself.
   */
  flush(sync: boolean): void {
    if (this.pending.length > 0) {
      if (this.fd === undefined) this.open();
      const bytes = Buffer.concat(this.pending);
      this.pending = [];
      // A write may take only part of the bytes (a disk filling up): the rest is written, or fails, in turn.
      for (let offset = 0; offset < bytes.length; ) offset += fs.writeSync(this.fd!, bytes, offset);
    }
    if (sync && this.fd !== undefined) fs.fsyncSync(this.fd);
  }

  /** Flushes to disk and closes the file. */
  close(): void {
    try {
      this.flush(true);
    } finally {
      if (this.fd !== undefined) fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }

  private open(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const now = Date.now();
    // TensorFlow's naming: events.out.tfevents.<seconds>.<host>.<pid>.<n>, with Keras' .v2.
    const file = path.join(this.dir, `events.out.tfevents.${Math.floor(now / 1000)}.${hostname()}.${process.pid}.${fileCount++}.v2`);
    this.fd = fs.openSync(file, 'wx');
    this.pending.unshift(tfRecord(encodeEvent(now / 1000, 0, { fileVersion: 'brain.Event:2' })));
  }
}
