/** The error codes of the file helpers (src/files/): each with its kind, and whether a retry helps (src/errors.ts). */
import { defineErrors } from '../errors.js';

export const FileErrors = defineErrors('files', {
  FILE_CHANGED: { kind: 'io' },
  FILE_EXISTS: { kind: 'bad-input' },
  FILE_MISSING: { kind: 'io' },
  FILE_NOT_REGULAR: { kind: 'bad-input' },
  FILE_READ_FAILED: { kind: 'io' },
  FILE_TOO_LARGE: { kind: 'bad-input' },
  FILE_WRITE_FAILED: { kind: 'io' },
});
