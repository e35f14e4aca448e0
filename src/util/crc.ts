/** Table-driven CRC-32 over any reflected polynomial: PNG's (0xEDB88320) and CRC-32C's (0x82F63B78) are two uses. */

/** The CRC-32 function of a reflected `polynomial` (initial value and final XOR 0xFFFFFFFF, as both use). */
export function reflectedCrc32(polynomial: number): (bytes: Uint8Array) => number {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (bytes) => {
    let c = 0xffffffff;
    for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
}
