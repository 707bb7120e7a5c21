/**
 * The control token: 32 random bytes, hex, kept in NODEDIR/control.json (mode 0600). Whoever can
 * read that file is the node's owner; everyone else gets 401.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_BYTES = 32;

export function newControlToken(): string {
  return randomBytes(TOKEN_BYTES).toString('hex');
}

/**
 * Checks an `Authorization` header against the token in constant time. Both sides are hashed first
 * so that the comparison does not leak the token's length either.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (typeof header !== 'string') return false;
  const m = /^Bearer ([^\s]+)$/i.exec(header.trim());
  const given = createHash('sha256').update(m ? m[1]! : '').digest();
  const want = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, want) && m !== null;
}
