/**
 * What the board database takes and gives (docs/protocol.md §7.4–§7.7): stored posts, replies and
 * reservations, search queries, PULL pages, counts. The store itself is board-store.ts.
 */
import type { BoardField, RecordKindCode } from './types.js';

export type RecordOrigin = 'client' | 'sync';

export interface StoredPost {
  id: string;
  anonId: Uint8Array;
  created: number;
  expires: number;
  text: string;
  fields: BoardField[];
  record: Uint8Array;
  origin: RecordOrigin;
}

export interface NewReply {
  id: string;
  postId: string;
  created: number;
  record: Uint8Array;
}

export interface StoredReservation {
  id: string;
  created: number;
  expires: number;
  notifyAddress: string;
  /** The query's words (§7.4), matched against each new post by the caller. */
  words: string[];
  fields: BoardField[];
  record: Uint8Array;
  origin: RecordOrigin;
}

export interface InsertResult {
  /** false: a record with this id is already stored (the caller answers BOARD_DUPLICATE). */
  inserted: boolean;
  /** The record's seq (the existing one for a duplicate). */
  seq: number;
}

export interface SearchQuery {
  /** Every word must be in the text; each is searched as a quoted FTS5 string, never as syntax. */
  words: string[];
  /** Every field must be equal (key and value, exact bytes). */
  fields: BoardField[];
  /** 1 or more; capped at BOARD_LIMITS.maxSearchResults. */
  limit: number;
  now: number;
  /** Only posts created before this time (ms), for paging through more than a page; 0: none. */
  before?: number;
}

export interface PulledRecord {
  kind: RecordKindCode;
  seq: number;
  record: Uint8Array;
}

export interface PullPage {
  records: PulledRecord[];
  /** The cursor to pull from next time: the last seq returned, or `since` if none. */
  next: number;
  more: boolean;
}

export interface BoardStoreOptions {
  /** BOUNDED: posts stored (expired ones count until expire() runs). Default 1,000,000 (§7.7). */
  maxPosts?: number;
  /** BOUNDED: reservations stored; also bounds the in-memory copy. Default 10,000. */
  maxReservations?: number;
  /** BOUNDED: replies per post. Default 200 (§7.3). */
  maxRepliesPerPost?: number;
}

export interface BoardStoreCounts {
  posts: number;
  replies: number;
  reservations: number;
  peers: number;
}

export interface ExpireResult {
  posts: number;
  replies: number;
  reservations: number;
}
