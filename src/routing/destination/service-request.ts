/** What a service behind one of this node's addresses is handed (a board replica, a clinic, a trustee). */
import type { OwnAddress } from '../relay/routing-context.js';

/** A message for a served address, and how to answer it. */
export interface ServiceRequest {
  bytes: Uint8Array;
  via: 'circuit' | 'multicast';
  /** The neighbour it came from (the route's last relay): a per-route rate-limit key. */
  previousHop: string;
  /** Answers in the same session (only along the circuit for an anycast address). */
  respond(bytes: Uint8Array): Promise<void>;
}
export type ServiceHandler = (request: ServiceRequest) => void;

/** An address served by a handler instead of the inbox. */
export interface ServedAddress {
  address: OwnAddress;
  handler: ServiceHandler;
}
