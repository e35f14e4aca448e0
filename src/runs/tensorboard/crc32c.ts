/**
 * CRC-32C (Castagnoli), as TFRecord frames use it, and the "masked" form TensorFlow stores so that a CRC
 * of data that holds CRCs stays well distributed.
 */
import { reflectedCrc32 } from '../../util/crc';

/** CRC-32C of `bytes` ("123456789" gives 0xE3069283). */
export const crc32c = reflectedCrc32(0x82f63b78);

/** TensorFlow's masked CRC: rotate right by 15 bits, add 0xa282ead8 (tensorflow/core/lib/hash/crc32c.h). */
export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
