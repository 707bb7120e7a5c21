/** The error codes of the control API's HTTP plumbing (src/control/): each with its kind, and whether a retry helps (src/errors.ts). */
import { defineErrors } from '../errors.js';

export const ControlErrors = defineErrors('control', {
  CONTROL_ADDRESS_INVALID: { kind: 'bad-input' },
  CONTROL_BAD_RESPONSE: { kind: 'protocol' },
  CONTROL_BASE64_INVALID: { kind: 'bad-input' },
  CONTROL_BODY_TOO_LARGE: { kind: 'too-large' },
  CONTROL_BUSY: { kind: 'io' },
  CONTROL_FIELD_INVALID: { kind: 'bad-input' },
  CONTROL_FILE_INVALID: { kind: 'bad-input' },
  CONTROL_FILE_UNREADABLE: { kind: 'io' },
  CONTROL_INTERNAL: { kind: 'internal' },
  CONTROL_JSON_INVALID: { kind: 'bad-input' },
  CONTROL_LISTEN_FAILED: { kind: 'io' },
  CONTROL_METHOD_NOT_ALLOWED: { kind: 'bad-input' },
  CONTROL_NOT_FOUND: { kind: 'not-found' },
  CONTROL_NOT_LOOPBACK: { kind: 'bad-input' },
  CONTROL_NOT_RUNNING: { kind: 'io' },
  CONTROL_TIMEOUT: { kind: 'timeout' },
  CONTROL_UNAUTHORIZED: { kind: 'refused' },
  CONTROL_UNREACHABLE: { kind: 'io' },
  DASHBOARD_NOT_FOUND: { kind: 'io' },
});
