/** The error codes of the overlay: neighbours, descriptors, peers, CRL spreading (src/overlay/): each with its kind, and whether a retry helps (src/errors.ts). */
import { defineErrors } from '../errors.js';

export const OverlayErrors = defineErrors('overlay', {
  ADDRESS_INVALID: { kind: 'bad-input' },
  DESCRIPTOR_BAD_SIGNATURE: { kind: 'crypto' },
  DESCRIPTOR_FUTURE: { kind: 'protocol' },
  DESCRIPTOR_MISMATCH: { kind: 'protocol' },
  DESCRIPTOR_STALE: { kind: 'protocol' },
  DESCRIPTOR_VERSION: { kind: 'protocol' },
  LINK_FULL: { kind: 'io' },
  LINK_SHED: { kind: 'io' },
  OVERLAY_BAD_MESSAGE: { kind: 'protocol' },
  OVERLAY_UNKNOWN_MESSAGE: { kind: 'protocol' },
  PREFERENCE_FILE_INVALID: { kind: 'bad-input' },
});
