/**
 * The services a tokumei node hosts, composed from configuration (src/node/service.ts): the board
 * client (and a replica), the health application, and a trustee's or an authority's role in
 * openings. The node command, the testnets of tests and the simulator build their `services`
 * maps here; the node itself knows none of them.
 */
import { join } from 'node:path';
import type { NodeIdentity } from '../identity/types.js';
import { sealKeystore } from '../identity/keystore.js';
import { memberSecrets } from '../identity/member.js';
import type { ServiceMap } from '../node/service.js';
import type { BoardKeys } from '../board/board-keys.js';
import type { ReplicaConfig } from '../board/replica.js';
import { BOARD_SERVICE, boardService, type BoardServiceOptions } from '../board/service/board-service.js';
import { HEALTH_SERVICE, healthService, type HealthServiceOptions } from '../health/service/health-service.js';
import { AUTHORITY_SERVICE, authorityRole, TRUSTEE_SERVICE, trusteeRole, type AuthoritySetup, type TrusteeSetup } from '../trustees/service/opening-roles.js';

export interface NodeServicesConfig {
  board?: BoardServiceOptions;
  /** The health application (member, intermediary, clinic); on unless false. */
  health?: HealthServiceOptions | false;
  /** Act as an opening trustee: list requests on the board, approve on demand, countersign. */
  trustee?: TrusteeSetup;
  /** Act as an opening authority: request openings and run them. */
  authority?: AuthoritySetup;
}

/** A member node's services: the board, health, and the opening roles it was given, in that order. */
export function nodeServices(c: NodeServicesConfig = {}): ServiceMap {
  const services: ServiceMap = { [BOARD_SERVICE]: boardService(c.board) };
  if (c.health !== false) services[HEALTH_SERVICE] = healthService(c.health === undefined ? {} : c.health);
  if (c.trustee) services[TRUSTEE_SERVICE] = trusteeRole(c.trustee);
  if (c.authority) services[AUTHORITY_SERVICE] = authorityRole(c.authority);
  return services;
}

export interface TestnetServicesOptions {
  /**
   * A bulletin board: nodes `replicas` run replicas of it, each with its database
   * `<dir>/replica-<i>.sqlite` (kept across kill and revive, as on disk).
   */
  board?: { keys: BoardKeys; replicas: number[]; dir: string; config?: Partial<ReplicaConfig> };
  /**
   * Seal each node's member keystore under this passphrase (cheap scrypt: a test aid) and give its
   * text to the node, so its health application can sign letters of intent (docs/protocol.md §8.5).
   */
  keystorePassphrase?: string;
}

/** `createTestnet`'s `services` option for member nodes on a board (every node: board client and health). */
export function testnetServices(o: TestnetServicesOptions = {}): (i: number, identity: NodeIdentity) => Promise<ServiceMap> {
  return async (i, identity) => {
    const b = o.board;
    const replica = b?.replicas.includes(i) ? { keys: b.keys, databasePath: join(b.dir, `replica-${i}.sqlite`), config: b.config } : undefined;
    const keystoreText = o.keystorePassphrase === undefined ? undefined : await sealKeystore('member', memberSecrets(identity), o.keystorePassphrase, { kdf: { logN: 10 } });
    return nodeServices({ board: replica ? { replica } : {}, health: keystoreText === undefined ? {} : { keystoreText } });
  };
}
