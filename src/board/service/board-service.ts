/**
 * The bulletin board as a node service (src/node/service.ts): this member's board client (post,
 * search, reply, replies, reservations; docs/protocol.md §7) and, when the node runs one, a
 * replica of a board with its SQLite database. Its control routes are /api/board/… (board-api.ts).
 */
import type { NodeComponents, NodeService, ServiceFactory, ServiceHost } from '../../node/service.js';
import type { Router as ControlRouter } from '../../control/router.js';
import type { BoardKeys } from '../board-keys.js';
import { BoardStore } from '../board-store.js';
import { BoardClient } from '../client.js';
import { BoardReplica, type ReplicaConfig } from '../replica.js';
import { addBoardRoutes } from './board-api.js';
import { boardControl } from './board-control.js';

export const BOARD_SERVICE = 'board';

export interface BoardServiceOptions {
  /** Where the client keeps the ids of this member's own posts (a file in NODEDIR); in memory if absent. */
  statePath?: string;
  /** Run a replica of this board too, its database in `databasePath` (docs/protocol.md §7.4). */
  replica?: { keys: BoardKeys; databasePath: string; config?: Partial<ReplicaConfig> };
  /** How long one board request waits for its answer (default 30 s), and how many slow failures it survives. */
  timeoutMs?: number;
  attempts?: number;
}

export class BoardService implements NodeService {
  private constructor(
    /** This member's side of bulletin boards. */
    readonly client: BoardClient,
    /** The replica this node runs, if any. */
    readonly replica: BoardReplica | undefined,
    private readonly store: BoardStore | undefined,
  ) {}

  static create(c: NodeComponents, o: BoardServiceOptions): BoardService {
    const client = new BoardClient({ router: c.router, runtime: c.runtime, identity: c.identity, logger: c.logger, statePath: o.statePath, timeoutMs: o.timeoutMs, attempts: o.attempts });
    if (!o.replica) return new BoardService(client, undefined, undefined);
    const store = BoardStore.open(o.replica.databasePath);
    try {
      const replica = new BoardReplica({ router: c.router, runtime: c.runtime, keys: o.replica.keys, store, logger: c.logger, config: o.replica.config });
      return new BoardService(client, replica, store);
    } catch (e) {
      store.close();
      throw e;
    }
  }

  start(): void {
    this.replica?.start();
  }

  stop(): void {
    this.replica?.stop();
    this.store?.close();
  }

  status(): unknown {
    return { replica: this.replica ? this.replica.status().address : null };
  }

  routes(router: ControlRouter): void {
    addBoardRoutes(router, boardControl(this));
  }

  addresses(): string[] {
    return this.replica ? [this.replica.status().address] : [];
  }
}

/** The board service's factory, for a node's `services` map under BOARD_SERVICE. */
export function boardService(o: BoardServiceOptions = {}): ServiceFactory<BoardService> {
  return (c) => BoardService.create(c, o);
}

/** A node's board client (NODE_NO_SERVICE when it runs no board service). */
export function boardClientOf(node: ServiceHost): BoardClient {
  return node.service<BoardService>(BOARD_SERVICE).client;
}

/** A node's board replica, or undefined. */
export function replicaOf(node: ServiceHost): BoardReplica | undefined {
  return node.service<BoardService>(BOARD_SERVICE).replica;
}
