/** The error codes of the demo community (src/demo/): each with its kind, and whether a retry helps (src/errors.ts). */
import { defineErrors } from '../errors.js';

export const DemoErrors = defineErrors('demo', {
  DEMO_DIR_NOT_EMPTY: { kind: 'bad-input' },
  DEMO_NODE_EXITED: { kind: 'io' },
  DEMO_NODE_TIMEOUT: { kind: 'timeout' },
  DEMO_NO_SUCH_NODE: { kind: 'bad-input' },
});
