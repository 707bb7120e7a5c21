/** The error codes of cells and codecs (src/wire/): each with its kind, and whether a retry helps (src/errors.ts). */
import { defineErrors } from '../errors.js';

export const WireErrors = defineErrors('wire', {
  WIRE_RANGE: { kind: 'internal' },
  WIRE_TOO_LARGE: { kind: 'protocol' },
  WIRE_TRUNCATED: { kind: 'protocol' },
});
