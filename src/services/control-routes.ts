/**
 * The control API's routes as types: for each path, what a request carries and what the node
 * answers, derived from the interfaces the route handlers are written against (ControlApi,
 * RoutingControl, BoardControl, HealthControl, TrusteeControl, OpeningControl). The dashboard
 * is type-checked against this map (dashboard/api.js), so that changing an answer's shape without
 * the dashboard breaks the build. Types only: nothing here runs.
 */
import type { BoardControl } from '../board/service/board-api.js';
import type { BoardField } from '../board/types.js';
import type { HealthControl } from '../health/service/health-api.js';
import type { IdentifyingAttribute } from '../health/profile/attributes.js';
import type { ProposalInput } from '../health/clinic/clinic.js';
import type { ControlApi } from '../node/node-routes.js';
import type { OpeningControl, TrusteeControl } from '../trustees/service/trustee-api.js';

type Answer<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

/** GET path (without its query) → the answer. */
export interface GetRoutes {
  '/api/status': Answer<ControlApi['status']>;
  '/api/routing': Answer<ControlApi['routing']>;
  '/api/inbox': Answer<ControlApi['inbox']>;
  '/api/board/notifications': { notifications: Answer<BoardControl['notifications']> };
  '/api/board/status': NonNullable<Answer<BoardControl['status']>>;
  '/api/health/profile': Answer<HealthControl['profile']>;
  '/api/health/stats': Answer<HealthControl['stats']>;
  '/api/health/offers': Answer<HealthControl['offers']>;
  '/api/health/proposals': { proposals: Answer<HealthControl['proposals']> };
  '/api/health/letters': { letters: Answer<HealthControl['letters']> };
  '/api/health/answers': Answer<HealthControl['answers']>;
  '/api/health/released': { released: Answer<HealthControl['released']> };
  '/api/trustee': Answer<TrusteeControl['info']>;
  '/api/trustee/requests': { requests: Answer<TrusteeControl['requests']> };
  '/api/trustee/audits': { audits: Answer<TrusteeControl['audits']> };
  '/api/opening': { authority: Answer<OpeningControl['authority']>; openings: Answer<OpeningControl['list']> };
}

/** POST path → the JSON body it takes and the answer. */
export interface PostRoutes {
  '/api/address': { body: Record<string, never>; answer: { address: string } };
  '/api/board/post': { body: { board: string; text: string; fields?: BoardField[]; ttlSeconds: number }; answer: Answer<BoardControl['post']> };
  '/api/board/search': { body: { board: string; query: string; fields?: BoardField[]; limit?: number }; answer: { results: Answer<BoardControl['search']> } };
  '/api/board/reserve': { body: { board: string; query: string; fields?: BoardField[]; ttlSeconds: number }; answer: Answer<BoardControl['reserve']> };
  '/api/board/reply': { body: { board: string; postId: string; text: string; answerAddress?: string }; answer: Answer<BoardControl['reply']> };
  '/api/board/replies': { body: { board: string; postId?: string }; answer: { replies: Answer<BoardControl['replies']> } };
  '/api/health/attribute': { body: { name: string; value: string | number | boolean | null }; answer: Answer<HealthControl['setAttribute']> };
  '/api/health/disclose': { body: { name: string; on: boolean }; answer: Answer<HealthControl['setDisclosed']> };
  '/api/health/measurement': { body: { kind: string; value: number; at?: number }; answer: Answer<HealthControl['recordMeasurement']> };
  '/api/health/upload': { body: { board: string; study: string; pseudonymous?: boolean }; answer: Answer<HealthControl['upload']> };
  '/api/health/answer': { body: { board: string; postId: string; disclose: string[]; message?: string }; answer: Answer<HealthControl['answer']> };
  '/api/health/letter/request': { body: { proposalId: string }; answer: Answer<HealthControl['requestLetter']> };
  '/api/health/letter/sign': { body: { exchangeId: string; passphrase: string; items?: IdentifyingAttribute[] }; answer: Answer<HealthControl['signLetter']> };
  '/api/health/offer': { body: { board: string; offer: Record<string, unknown>; ttlSeconds?: number }; answer: Answer<HealthControl['postOffer']> };
  '/api/health/propose': { body: { answerId: string; proposal: ProposalInput }; answer: Answer<HealthControl['propose']> };
  '/api/health/clinic-letter': { body: { answerId: string; purposes: string[]; retentionDays: number; items: IdentifyingAttribute[] }; answer: Answer<HealthControl['clinicLetter']> };
  '/api/health/publish-stats': { body: { board: string; study: string; minCohort: number; since?: number }; answer: Answer<HealthControl['publishStats']> };
  '/api/trustee/approve': { body: { requestId: string; board?: string }; answer: Answer<TrusteeControl['approve']> };
  '/api/opening/request': { body: { board: string; anonymousId: string; reason: string }; answer: Answer<OpeningControl['request']> };
}
