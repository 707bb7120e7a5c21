/** The error codes of one-time anonymous IDs and their signatures (src/anonymous-id/): each with its kind, and whether a retry helps (src/errors.ts). */
import { defineErrors } from '../errors.js';

export const AnonymousIdErrors = defineErrors('anonymous-id', {
  ANON_ID_NOT_MINE: { kind: 'bad-input' },
  ANON_SIG_ZERO_NONCE: { kind: 'internal' },
});
