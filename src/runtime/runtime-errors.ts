/** The error codes of the runtime: addresses, randomness, the real and the simulated transports (src/runtime/): each with its kind, and whether a retry helps (src/errors.ts). */
import { defineErrors } from '../errors.js';

export const RuntimeErrors = defineErrors('runtime', {
  LINK_RESET: { kind: 'io' },
  LINK_STALLED: { kind: 'io' },
  RUNTIME_ADDRESS_IN_USE: { kind: 'io' },
  RUNTIME_BAD_ADDRESS: { kind: 'bad-input' },
  RUNTIME_BAD_CREDENTIALS: { kind: 'bad-input' },
  RUNTIME_BAD_PEM: { kind: 'bad-input' },
  RUNTIME_BAD_RANDOM_ARGUMENT: { kind: 'bad-input' },
  RUNTIME_HANDLER_SET_TWICE: { kind: 'internal' },
  RUNTIME_LISTEN_FAILED: { kind: 'io' },
  SIM_ALREADY_RUNNING: { kind: 'internal' },
  SIM_BAD_DURATION: { kind: 'bad-input' },
  SIM_BAD_LATENCY: { kind: 'bad-input' },
  SIM_BAD_OPTION: { kind: 'bad-input' },
  SIM_HOST_DEAD: { kind: 'bad-input' },
  SIM_HOST_EXISTS: { kind: 'bad-input' },
  SIM_NOT_THIS_HOST: { kind: 'bad-input' },
  SIM_NO_FREE_PORT: { kind: 'io' },
  SIM_NO_SUCH_HOST: { kind: 'bad-input' },
});
