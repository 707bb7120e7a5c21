/**
 * An intermediary's side of a study (docs/protocol.md §8.3): it gathers the study's anonymous
 * uploads from the board, computes the cohort statistics (suppressing cohorts and kinds under
 * the minimum) and publishes them as one or more posts that members fetch anonymously. Uploads
 * that do not parse are skipped and counted, never fatal: the board holds what strangers post.
 */
import { describeError } from '../../errors.js';
import { BOARD_LIMITS } from '../../board/types.js';
import { checkStatsOptions, computeCohortStats } from './cohort-stats.js';
import { now, type HealthContext } from '../context/health-context.js';
import { encodeStats } from '../formats/stats-codec.js';
import { parseUpload, UPLOAD_KIND, type ParsedUpload } from '../formats/upload.js';

/** BOUNDED: uploads gathered for one publication. */
export const MAX_UPLOADS = 10_000;
/** Statistics stay on the board as long as a post may (30 days), or until a newer publication. */
export const STATS_TTL_SECONDS = BOARD_LIMITS.maxPostTtlSeconds;

export interface PublishResult {
  /** Uploads that parsed, and those skipped as malformed. */
  uploads: number;
  skipped: number;
  /** Cohorts published. */
  cohorts: number;
  /** The posts made (one per part). */
  posts: string[];
  issued: number;
}

export class Intermediary {
  constructor(private readonly ctx: HealthContext) {}

  async publishStats(board: string, o: { study: string; minCohort: number; since?: number }): Promise<PublishResult> {
    const issued = now(this.ctx);
    const options = { study: o.study, minCohort: o.minCohort, now: issued, ...(o.since !== undefined ? { since: o.since } : {}) };
    checkStatsOptions(options); // before any request: HEALTH_BAD_OPTION
    const found = await this.ctx.board.searchAll(board, { query: '', fields: [{ key: 'kind', value: UPLOAD_KIND }, { key: 'study', value: o.study }] }, MAX_UPLOADS);
    const uploads: ParsedUpload[] = []; // BOUNDED(MAX_UPLOADS): what searchAll returned
    let skipped = 0;
    for (const post of found) {
      try {
        uploads.push(parseUpload(post.text, post.fields));
      } catch (e) {
        skipped++;
        this.ctx.logger.log('debug', 'health.upload-skipped', { reason: describeError(e) });
      }
    }
    const stats = computeCohortStats(uploads, options);
    const posts: string[] = [];
    for (const part of encodeStats(stats)) {
      posts.push((await this.ctx.board.post(board, { text: part.text, fields: part.fields, ttlSeconds: STATS_TTL_SECONDS })).postId);
    }
    this.ctx.logger.log('info', 'health.published', { study: o.study, uploads: uploads.length, skipped, cohorts: stats.cohorts.length, parts: posts.length });
    return { uploads: uploads.length, skipped, cohorts: stats.cohorts.length, posts, issued };
  }
}
