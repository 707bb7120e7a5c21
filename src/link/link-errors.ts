/** The error codes of links: handshake, challenge, cells on a link (src/link/): each with its kind, and whether a retry helps (src/errors.ts). */
import { defineErrors } from '../errors.js';

export const LinkErrors = defineErrors('link', {
  LINK_BAD_CELL: { kind: 'internal' },
  LINK_CLOSED_BY_PEER: { kind: 'io' },
  LINK_IO: { kind: 'io' },
  LINK_UNEXPECTED_CELL: { kind: 'protocol' },
  LINK_VERSION: { kind: 'protocol' },
});
