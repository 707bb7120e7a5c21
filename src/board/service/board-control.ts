/**
 * Adapts a node's board client and, when it runs one, its replica to the control API's
 * `BoardControl`. The replica is read at each call: a node may start it after the API exists.
 */
import type { BoardClient } from '../client.js';
import type { BoardReplica } from '../replica.js';
import type { BoardControl } from './board-api.js';

export interface BoardNode {
  readonly client: BoardClient;
  readonly replica: BoardReplica | undefined;
}

export function boardControl(node: BoardNode): BoardControl {
  return {
    post: (board, p) => node.client.post(board, p),
    search: (board, q) => node.client.search(board, q),
    reply: (board, postId, r) => node.client.reply(board, postId, r),
    replies: (board, postId) => node.client.replies(board, postId),
    reserve: (board, q) => node.client.reserve(board, q),
    notifications: () => node.client.notifications(),
    status() {
      const replica = node.replica;
      return replica ? { ...replica.status(), integrity: replica.integrityCheck() } : undefined;
    },
  };
}
