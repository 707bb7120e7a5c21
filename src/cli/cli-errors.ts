/** The error codes of the command line (src/cli/): each with its kind, and whether a retry helps (src/errors.ts). */
import { defineErrors } from '../errors.js';

export const CliErrors = defineErrors('cli', {
  CA_DIR_INVALID: { kind: 'bad-input' },
  CLI_USAGE: { kind: 'bad-input' },
  NODE_DIR_INVALID: { kind: 'bad-input' },
  PASSPHRASE_ABORTED: { kind: 'bad-input' },
  PASSPHRASE_MISMATCH: { kind: 'bad-input' },
  PASSPHRASE_REQUIRED: { kind: 'bad-input' },
  PREFERENCE_FILE_UNREADABLE: { kind: 'io' },
  TRUSTEE_DIR_INVALID: { kind: 'bad-input' },
});
