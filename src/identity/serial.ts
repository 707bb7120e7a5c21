/** Certificate serial numbers (RFC 5280 §4.1.2.2): positive, at most 20 octets, unpredictable. */
import type { RandomSource } from '../crypto/random.js';
import { randomBytesFrom } from '../crypto/random.js';
import { toHex } from '../crypto/bytes.js';

export const SERIAL_LENGTH = 16;

/**
 * 16 random bytes with the top bit cleared (positive) and the next set (no leading zero byte), so
 * the DER INTEGER is always exactly 16 octets and the hex serial always 32 characters: 126 bits.
 */
export function randomSerial(random?: RandomSource): Uint8Array {
  const b = randomBytesFrom(random, SERIAL_LENGTH).slice();
  b[0] = (b[0]! & 0x7f) | 0x40;
  return b;
}

export function randomSerialHex(random?: RandomSource): string {
  return toHex(randomSerial(random));
}
