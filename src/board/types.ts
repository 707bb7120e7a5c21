/**
 * Shapes shared by the board's codecs, store, replica and client (docs/protocol.md §7).
 * Binary fields are Uint8Array; ids are lower-case hex of the 16-byte record id.
 */

/** A structured field of a post or query: `key` matches [a-z][a-z0-9_.-]{0,31}. */
export interface BoardField {
  key: string;
  value: string;
}

/** What a post says (sealed to Q, §7.3 `message`). */
export interface PostMessage {
  text: string;
  fields: BoardField[];
}

/** A decoded post record (§7.3). `bytes` is its exact encoding; `id` = hex(SHA-256(bytes)[0..16]). */
export interface PostRecord {
  id: string;
  bytes: Uint8Array;
  created: number;
  /** Seconds. */
  ttl: number;
  /** created + ttl·1000. */
  expires: number;
  anonId: Uint8Array;
  xPub: Uint8Array;
  sealedX: Uint8Array;
  enc: Uint8Array;
  messageCt: Uint8Array;
  sig: Uint8Array;
}

export interface ReplyRecord {
  id: string;
  bytes: Uint8Array;
  created: number;
  postId: string;
  postAnonId: Uint8Array;
  sealedX: Uint8Array;
  replierId: Uint8Array;
  enc: Uint8Array;
  replyCt: Uint8Array;
  sig: Uint8Array;
}

/** What a reply says (sealed to the post's X). */
export interface ReplyMessage {
  text: string;
  /** A tk1 address of the replier to answer to, or ''. */
  answerAddress: string;
}

export interface ReservationRecord {
  id: string;
  bytes: Uint8Array;
  created: number;
  ttl: number;
  expires: number;
  notifyAddress: string;
  query: string;
  fields: BoardField[];
  ownerId: Uint8Array;
  sig: Uint8Array;
}

/** A search result as the searcher sees it (§7.4 `entry`), after checking the post's signature. */
export interface BoardEntry {
  post: PostRecord;
  message: PostMessage;
}

/** Replica announcement (§7.6). */
export interface Announcement {
  replicaId: Uint8Array;
  issued: number;
  syncAddress: string;
  sig: Uint8Array;
  bytes: Uint8Array;
}

export const BoardOp = {
  POST: 1,
  SEARCH: 2,
  GET: 3,
  REPLY: 4,
  REPLIES: 5,
  RESERVE: 6,
  HELLO: 16,
  PULL: 17,
} as const;
export type BoardOpCode = (typeof BoardOp)[keyof typeof BoardOp];

/** Kinds of records in a PULL answer (§7.4). */
export const RecordKind = { POST: 1, REPLY: 2, RESERVATION: 3 } as const;
export type RecordKindCode = (typeof RecordKind)[keyof typeof RecordKind];

/** §7.3 / §7.7 limits. */
export const BOARD_LIMITS = {
  maxTextBytes: 16_384,
  maxFields: 16,
  maxFieldValueBytes: 128,
  maxQueryBytes: 256,
  maxQueryWords: 16,
  maxSearchResults: 50,
  maxPostTtlSeconds: 30 * 24 * 3600,
  maxReservationTtlSeconds: 7 * 24 * 3600,
  futureSkewMs: 5 * 60_000,
  maxRepliesPerPost: 200,
  maxPosts: 1_000_000,
  maxReservations: 10_000,
  maxPullRecords: 500,
  /** §7.6: peers a replica keeps (a HELLO answer lists them and itself). */
  maxReplicaPeers: 64,
} as const;
