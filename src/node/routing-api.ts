/**
 * The control API's routing endpoints (issue 3, items 9–10): one-time addresses, sending with the
 * end-to-end acknowledgement, the inbox, replies, and the routing status the dashboard draws. A
 * relay's status shows only what that relay knows; the routing layer decides what that is.
 *
 *   POST /api/address                          → {address}
 *   POST /api/send   {to, data: base64}        → {delivered, bytes, repairs, localRepairs, multicast, routeLength}
 *   GET  /api/inbox                            → [{id, bytes, sha256, receivedAt, kind, via}]
 *   GET  /api/inbox/<id>                       → the message's bytes (application/octet-stream)
 *   POST /api/reply  {messageId, data: base64} → {via, bytes}
 *   GET  /api/routing                          → RoutingStatus
 */
import { isTokumeiError } from '../errors.js';
import { MAX_MESSAGE_SIZE } from '../routing/end-to-end/e2e-limits.js';
import { decodeAddress, ADDRESS_TEXT_LENGTH } from '../routing/formats/one-time-address.js';
import type { RoutingStatus } from '../routing/router.js';
import { ControlHttpError } from '../control/http-error.js';
import { base64Field, base64Length, readJsonObject, stringField } from '../control/json-body.js';
import type { Router } from '../control/router.js';
import { inFlightLimit } from '../control/in-flight.js';

/** A message (16 MiB) in base64, plus room for the JSON around it. */
export const MAX_MESSAGE_BODY_BYTES = base64Length(MAX_MESSAGE_SIZE) + 64 * 1024;
/** BOUNDED: sends and replies waiting for their acknowledgement, each holding up to 16 MiB. */
export const MAX_MESSAGES_IN_FLIGHT = 8;
/** Inbox ids are lowercase hex; anything else is refused before a lookup. */
const MESSAGE_ID = /^[0-9a-f]{1,64}$/;

export interface SendResult {
  /** True once the destination acknowledged the whole message end to end. */
  delivered: boolean;
  bytes: number;
  /** Route repairs during this message: local (a relay switched to an alternative) and the proxy's. */
  repairs: number;
  localRepairs: number;
  /** The message (or part of it) went by multicast fallback. */
  multicast: boolean;
  /** Relays of the route in use at the end (0 after a multicast delivery). */
  routeLength: number;
}

export interface InboxItem {
  id: string;
  bytes: number;
  sha256: string;
  receivedAt: number;
  kind: 'message' | 'reply';
  via: 'circuit' | 'multicast';
}

export interface ReplyResult {
  via: string;
  bytes: number;
}

/** What the routing endpoints need from the node (`routingControl` adapts a node's Router). */
export interface RoutingControl {
  newAddress(): string;
  /** Resolves once acknowledged end to end; rejects with the routing layer's TokumeiError. */
  send(to: string, data: Uint8Array): Promise<SendResult>;
  inbox(): InboxItem[];
  inboxMessage(id: string): Uint8Array | undefined;
  /** Rejects with NO_SUCH_MESSAGE for an id not in the inbox. */
  reply(messageId: string, data: Uint8Array): Promise<ReplyResult>;
  routing(): RoutingStatus;
}

export function addRoutingRoutes(router: Router, api: RoutingControl): Router {
  /** Holds one of the MAX_MESSAGES_IN_FLIGHT slots (before the body is read) while `fn` runs. */
  const bounded = inFlightLimit(MAX_MESSAGES_IN_FLIGHT, 'messages are already waiting for their acknowledgement');
  return router
    .on('POST', '/api/address', () => ({ status: 200, body: { address: api.newAddress() } }))
    .on('POST', '/api/send', (req) =>
      bounded(async () => {
        const body = await readJsonObject(req, MAX_MESSAGE_BODY_BYTES, ['to', 'data']);
        const to = stringField(body, 'to', 4 * ADDRESS_TEXT_LENGTH);
        decodeAddress(to); // ADDRESS_INVALID (400) before any work
        const data = base64Field(body, 'data', MAX_MESSAGE_SIZE);
        return { status: 200, body: await api.send(to, data) };
      }),
    )
    .on('GET', '/api/inbox', () => ({ status: 200, body: api.inbox() }))
    .onPrefix('GET', '/api/inbox/', (_req, _url, id) => {
      const bytes = api.inboxMessage(checkMessageId(id));
      if (!bytes) throw notInInbox(id);
      return { status: 200, body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), contentType: 'application/octet-stream' };
    })
    .on('POST', '/api/reply', (req) =>
      bounded(async () => {
        const body = await readJsonObject(req, MAX_MESSAGE_BODY_BYTES, ['messageId', 'data']);
        const id = checkMessageId(stringField(body, 'messageId', 64));
        const data = base64Field(body, 'data', MAX_MESSAGE_SIZE);
        try {
          return { status: 200, body: await api.reply(id, data) };
        } catch (e) {
          throw isTokumeiError(e, 'NO_SUCH_MESSAGE') ? notInInbox(id) : e;
        }
      }),
    )
    .on('GET', '/api/routing', () => ({ status: 200, body: api.routing() }));
}

function checkMessageId(id: string): string {
  if (!MESSAGE_ID.test(id)) throw new ControlHttpError(400, 'MESSAGE_ID_INVALID', 'a message id is 1 to 64 lowercase hex digits (see `tokumei inbox`)');
  return id;
}

function notInInbox(id: string): ControlHttpError {
  return new ControlHttpError(404, 'INBOX_NOT_FOUND', `no message ${id.slice(0, 64)} in the inbox`);
}
