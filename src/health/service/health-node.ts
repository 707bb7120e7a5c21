/**
 * The health application on a node (DESIGN §8, docs/protocol.md §8): the three roles a node may
 * play, on the node's routing layer and board client —
 *
 * - `member`: the profile on this device, anonymous uploads, statistics and where the member
 *   stands, offers matched here, answers, proposals, letters of intent (member-health.ts);
 * - `intermediary`: gathers a study's uploads and publishes its cohort statistics (intermediary.ts);
 * - `clinic`: posts offers, reads answers, proposes, and receives identifying data under letters
 *   of intent (clinic.ts).
 *
 * The profile file lives in `dataDir` (NODEDIR/health), encrypted with a key derived from the
 * node's onion key (health-keys.ts); without `dataDir` it lives in memory. Everything else
 * (answers, proposals, letters, released data) is in memory: the one-time addresses it rests on
 * die with the process anyway.
 */
import { join } from 'node:path';
import type { NodeIdentity, RevocationList } from '../../identity/types.js';
import type { Logger } from '../../log.js';
import type { Runtime } from '../../runtime/runtime.js';
import { ClinicHealth } from '../clinic/clinic.js';
import type { HealthBoard, HealthContext, HealthRouter } from '../context/health-context.js';
import { deriveHealthKeys } from '../context/health-keys.js';
import { Intermediary } from '../intermediary/intermediary.js';
import { MemberHealth } from '../member/member-health.js';
import { PROFILE_FILE, ProfileKeeper } from '../profile/profile-keeper.js';

export interface HealthNodeOptions {
  router: HealthRouter;
  board: HealthBoard;
  runtime: Runtime;
  identity: NodeIdentity;
  logger: Logger;
  /** NODEDIR/health: where the encrypted profile is kept; in memory when absent. */
  dataDir?: string;
  /** The member keystore's text: signing a letter of intent checks the passphrase against it. */
  keystoreText?: string;
  /** The CRL in force (letters are checked against it). */
  crl?: () => RevocationList | undefined;
  /** How long one exchange message waits for its answer (default 30 s). */
  requestTimeoutMs?: number;
}

export class HealthNode {
  readonly member: MemberHealth;
  readonly intermediary: Intermediary;
  readonly clinic: ClinicHealth;

  constructor(o: HealthNodeOptions) {
    const logger = o.logger.child({ component: 'health' });
    const ctx: HealthContext = {
      router: o.router,
      board: o.board,
      runtime: o.runtime,
      identity: o.identity,
      logger,
      crl: o.crl ?? (() => undefined),
      ...(o.requestTimeoutMs !== undefined ? { requestTimeoutMs: o.requestTimeoutMs } : {}),
    };
    const keys = deriveHealthKeys(o.identity.onionPrivateKey);
    const profile = new ProfileKeeper({ ...(o.dataDir !== undefined ? { path: join(o.dataDir, PROFILE_FILE) } : {}), key: keys.profileKey });
    this.member = new MemberHealth({ ctx, keys, profile, ...(o.keystoreText !== undefined ? { keystoreText: o.keystoreText } : {}) });
    this.intermediary = new Intermediary(ctx);
    this.clinic = new ClinicHealth(ctx);
  }
}
