/** The node layer's error codes (src/node/): composing and reaching services, testnets. */
import { defineErrors } from '../errors.js';

export const NodeErrors = defineErrors('node', {
  /** Two services of one name, or a role given twice. */
  /** A service asked for another that this node does not run. */
  CRL_INVALID: { kind: 'bad-input' },
  INBOX_NOT_FOUND: { kind: 'not-found' },
  MESSAGE_ID_INVALID: { kind: 'bad-input' },
  NODE_BAD_SERVICE_NAME: { kind: 'bad-input' },
  NODE_NO_SERVICE: { kind: 'not-found' },
  NODE_ROLE_TAKEN: { kind: 'bad-input' },
  NODE_TOO_MANY_SERVICES: { kind: 'bad-input' },
  TESTNET_REAL_REVIVE: { kind: 'bad-input' },
});
