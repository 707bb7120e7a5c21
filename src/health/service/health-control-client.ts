/**
 * The health endpoints of a running node's control API (health-api.ts), for the `tokumei health`
 * commands: the member's profile, uploads, statistics, offers, answers, proposals and letters;
 * the clinic's offers, answers, proposals, letters and released data; the intermediary's
 * publication. Network calls may take minutes (route seeks, tries on fresh routes, replicas
 * catching up).
 */
import { ControlClient } from '../../control/control-client.js';
import { readControlFile } from '../../control/control-file.js';
import type { IdentifyingAttribute } from '../profile/attributes.js';
import type { ProfileView } from '../profile/profile-keeper.js';
import type { ClinicAnswerView, ProposalInput } from '../clinic/clinic.js';
import type { ReleasedRecord } from '../clinic/clinic-letters.js';
import type { PublishResult } from '../intermediary/intermediary.js';
import type { LetterExchangeView, ProposalView } from '../member/member-exchanges.js';
import type { AnswerResult, OfferView, StatsResult, UploadResult } from '../member/member-health.js';

export const HEALTH_REQUEST_TIMEOUT_MS = 300_000;

export class HealthControlClient {
  constructor(private readonly client: ControlClient) {}

  static async forNodeDir(nodeDir: string): Promise<HealthControlClient> {
    return new HealthControlClient(new ControlClient(await readControlFile(nodeDir), HEALTH_REQUEST_TIMEOUT_MS));
  }

  profile(): Promise<ProfileView> {
    return this.client.call('GET', '/api/health/profile');
  }

  setAttribute(name: string, value: string | number | boolean | null): Promise<ProfileView> {
    return this.post('/api/health/attribute', { name, value });
  }

  setDisclosed(name: string, on: boolean): Promise<ProfileView> {
    return this.post('/api/health/disclose', { name, on });
  }

  recordMeasurement(m: { kind: string; value: number; at?: number }): Promise<ProfileView> {
    return this.post('/api/health/measurement', m);
  }

  upload(board: string, o: { study: string; pseudonymous: boolean }): Promise<UploadResult> {
    return this.post('/api/health/upload', { board, ...o });
  }

  stats(board: string, study: string): Promise<StatsResult> {
    return this.client.call('GET', `/api/health/stats?${new URLSearchParams({ board, study })}`);
  }

  offers(board: string): Promise<{ offers: OfferView[]; skipped: number }> {
    return this.client.call('GET', `/api/health/offers?${new URLSearchParams({ board })}`);
  }

  answer(board: string, postId: string, o: { disclose: string[]; message: string }): Promise<AnswerResult> {
    return this.post('/api/health/answer', { board, postId, ...o });
  }

  async proposals(): Promise<ProposalView[]> {
    return (await this.client.call<{ proposals: ProposalView[] }>('GET', '/api/health/proposals')).proposals;
  }

  requestLetter(proposalId: string): Promise<LetterExchangeView> {
    return this.post('/api/health/letter/request', { proposalId });
  }

  signLetter(exchangeId: string, passphrase: string, items?: IdentifyingAttribute[]): Promise<LetterExchangeView> {
    return this.post('/api/health/letter/sign', { exchangeId, passphrase, ...(items ? { items } : {}) });
  }

  async letters(): Promise<LetterExchangeView[]> {
    return (await this.client.call<{ letters: LetterExchangeView[] }>('GET', '/api/health/letters')).letters;
  }

  postOffer(board: string, offer: object, ttlSeconds?: number): Promise<{ postId: string; offerId: string; expires: number }> {
    return this.post('/api/health/offer', { board, offer, ...(ttlSeconds !== undefined ? { ttlSeconds } : {}) });
  }

  answers(board: string): Promise<{ answers: ClinicAnswerView[]; skipped: number }> {
    return this.client.call('GET', `/api/health/answers?${new URLSearchParams({ board })}`);
  }

  propose(answerId: string, proposal: ProposalInput): Promise<{ answerId: string; proposalId: string }> {
    return this.post('/api/health/propose', { answerId, proposal });
  }

  clinicLetter(answerId: string, draft: { purposes: string[]; retentionDays: number; items: IdentifyingAttribute[] }): Promise<ClinicAnswerView> {
    return this.post('/api/health/clinic-letter', { answerId, ...draft });
  }

  async released(): Promise<ReleasedRecord[]> {
    return (await this.client.call<{ released: ReleasedRecord[] }>('GET', '/api/health/released')).released;
  }

  publishStats(board: string, o: { study: string; minCohort: number; since?: number }): Promise<PublishResult> {
    return this.post('/api/health/publish-stats', { board, ...o });
  }

  private post<T>(path: string, body: object): Promise<T> {
    return this.client.call<T>('POST', path, JSON.stringify(body), 'application/json');
  }
}
