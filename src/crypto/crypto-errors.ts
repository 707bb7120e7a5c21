/** The error codes of the cryptographic primitives (src/crypto/): each with its kind, and whether a retry helps (src/errors.ts). */
import { defineErrors } from '../errors.js';

export const CryptoErrors = defineErrors('crypto', {
  AEAD_FAILED: { kind: 'crypto' },
  CRYPTO_BAD_ARGUMENT: { kind: 'bad-input' },
  HPKE_OPEN_FAILED: { kind: 'crypto' },
  HPKE_SEAL_FAILED: { kind: 'crypto' },
  KDF_FAILED: { kind: 'internal' },
  KDF_PARAMS_OUT_OF_BOUNDS: { kind: 'bad-input' },
  RISTRETTO_BAD_POINT: { kind: 'bad-input' },
  RISTRETTO_BAD_SCALAR: { kind: 'bad-input' },
  SHAMIR_NO_SHARES: { kind: 'bad-input' },
  X25519_EXPORT: { kind: 'internal' },
  X25519_ZERO_SHARED: { kind: 'crypto' },
});
