/** The error codes of the control API's HTTP plumbing (src/control/): each with its kind, and whether a retry helps (src/errors.ts). */
import { defineErrors } from '../errors.js';

export const ControlErrors = defineErrors('control', {
  CONTROL_ADDRESS_INVALID: { kind: 'bad-input' },
  CONTROL_BAD_RESPONSE: { kind: 'protocol' },
  CONTROL_FILE_INVALID: { kind: 'bad-input' },
  CONTROL_FILE_UNREADABLE: { kind: 'io' },
  CONTROL_LISTEN_FAILED: { kind: 'io' },
  CONTROL_NOT_LOOPBACK: { kind: 'bad-input' },
  CONTROL_NOT_RUNNING: { kind: 'io' },
  CONTROL_TIMEOUT: { kind: 'timeout' },
  CONTROL_UNREACHABLE: { kind: 'io' },
  DASHBOARD_NOT_FOUND: { kind: 'io' },
});
