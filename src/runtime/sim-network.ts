/** Alias module: the simulated network is defined in sim-runtime.ts (both names are in use). */
export * from './sim-runtime.js';
