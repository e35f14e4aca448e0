/**
 * TFRecord framing, the container of TensorBoard's event files: per record, the data's length as a
 * little-endian uint64, the length's masked CRC-32C, the data, the data's masked CRC-32C.
 */
import { maskedCrc32c } from './crc32c';

/** One whole record around `data`, ready to be written in one piece. */
export function tfRecord(data: Uint8Array): Buffer {
  const record = Buffer.alloc(8 + 4 + data.length + 4);
  record.writeBigUInt64LE(BigInt(data.length), 0);
  record.writeUInt32LE(maskedCrc32c(record.subarray(0, 8)), 8);
  record.set(data, 12);
  record.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return record;
}
