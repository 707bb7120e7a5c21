/** The runtime layer's public surface (DESIGN §3): the interface, the real and the simulated runtime. */
export type * from './runtime.js';
export { BAD_ADDRESS, formatAddress, parseAddress, type ParsedAddress } from './address.js';
export { createCryptoRandom, createRealClock, createRealRuntime, type RealRuntimeOptions } from './real-runtime.js';
export { CHANNEL_BINDING_BYTES, CHANNEL_BINDING_LABEL, createTlsNet, type TlsNetOptions } from './tls-net.js';
export { TransportFailure, mapHandshakeError, mapLinkError, refusalForVerifyCode } from './transport-errors.js';
export { SeededRandom } from './prng.js';
export {
  DEFAULT_START_TIME, SimNetwork, type CutMode, type HostStats, type KillMode, type LatencyModel, type PassportCheck,
  type SimNetworkOptions,
} from './sim-runtime.js';
