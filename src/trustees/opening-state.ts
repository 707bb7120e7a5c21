/**
 * What the authority keeps of one emergency opening (docs/protocol.md §2.8) and what it shows of
 * it (GET /api/opening/:requestId); the service that drives it is opening-service.ts.
 */
import type { OwnAddress } from '../routing/relay/routing-context.js';
import type { TimerHandle } from '../runtime/runtime.js';
import type { OpeningRequest } from './opening-request.js';
import type { OpeningApproval } from './trustee-approval.js';

export type OpeningStatusName = 'waiting' | 'opened' | 'failed';
/** Where a waiting opening is: gathering approvals, countersigning, posting the audit record. */
export type OpeningStage = 'approvals' | 'countersigning' | 'publishing' | 'done';

export interface OpeningRejection {
  trusteeIndex: number | null;
  code: string;
  message: string;
}

/** What GET /api/opening/:requestId shows. `result` and `auditPostId` only once opened. */
export interface OpeningStatus {
  requestId: string;
  board: string;
  anonId: string;
  authority: string;
  reason: string;
  requestedAt: number;
  /** The notice's post on the board. */
  postId: string;
  status: OpeningStatusName;
  stage: OpeningStage;
  /** Approvals held (signed by a trustee, for this request and member set). */
  approvals: number;
  threshold: number;
  /** The member serial behind the ID, or null when no escrowed member matched. */
  result?: string | null;
  auditPostId?: string;
  /** The trustees whose approvals were combined and who countersigned. */
  trustees?: number[];
  rejected: OpeningRejection[];
  error?: { code: string; message: string };
}

export interface Held {
  approval: OpeningApproval;
  countersignAddress: string;
}

export interface Opening {
  readonly request: OpeningRequest;
  readonly requestHash: string;
  readonly board: string;
  readonly address: OwnAddress;
  postId: string;
  status: OpeningStatusName;
  stage: OpeningStage;
  /** BOUNDED(n): one per trustee, the latest valid delivery. Dropped when the opening ends. */
  readonly held: Map<number, Held>;
  /** BOUNDED(n): trustees left out and why (a bad partial is final; a failed countersign until they deliver again). */
  readonly excluded: Map<number, string>;
  readonly rejected: OpeningRejection[]; // BOUNDED(MAX_REJECTED)
  busy: boolean;
  result?: string | null;
  trustees?: number[];
  auditPostId?: string;
  audit?: string;
  publishTries: number;
  error?: { code: string; message: string };
  /** BOUNDED(2): the expiry timer and at most one publish retry. */
  timers: TimerHandle[];
}
