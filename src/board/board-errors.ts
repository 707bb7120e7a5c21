/** The error codes of the bulletin board: records, store, replicas, client, its control routes (src/board/): each with its kind, and whether a retry helps (src/errors.ts). */
import { defineErrors } from '../errors.js';

export const BoardErrors = defineErrors('board', {
  BOARD_ADDRESS_INVALID: { kind: 'bad-input' },
  BOARD_BAD_ERROR_CODE: { kind: 'internal' },
  BOARD_BAD_FIELD: { kind: 'bad-input' },
  BOARD_BAD_OP: { kind: 'internal' },
  BOARD_BAD_QUERY: { kind: 'bad-input' },
  BOARD_BAD_REQUEST: { kind: 'bad-input' },
  BOARD_BAD_TEXT: { kind: 'bad-input' },
  BOARD_DIR_MALFORMED: { kind: 'bad-input' },
  BOARD_DUPLICATE: { kind: 'refused' },
  BOARD_FULL: { kind: 'refused' },
  BOARD_KEYS_MISMATCH: { kind: 'bad-input' },
  BOARD_NO_SUCH_POST: { kind: 'not-found', retry: 'after-waiting' },
  BOARD_RATE_LIMITED: { kind: 'refused' },
  BOARD_STORE_ARGUMENT: { kind: 'bad-input' },
  BOARD_STORE_CLOSED: { kind: 'internal' },
  BOARD_STORE_CORRUPT: { kind: 'io' },
  BOARD_STORE_FAILED: { kind: 'internal' },
  BOARD_STORE_IO: { kind: 'io' },
  BOARD_STORE_VERSION: { kind: 'bad-input' },
  BOARD_TOO_LARGE: { kind: 'too-large' },
  BOARD_TOO_MANY: { kind: 'internal' },
  BOARD_TOO_MANY_REPLIES: { kind: 'refused' },
  BOARD_TTL: { kind: 'bad-input' },
});
