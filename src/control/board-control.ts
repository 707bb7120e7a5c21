/**
 * Adapts a node's board client and, when it runs one, its replica to the control API's
 * `BoardControl`. The replica is read at each call: a node may start it after the API exists.
 */
import type { BoardClient } from '../board/client.js';
import type { BoardReplica } from '../board/replica.js';
import type { BoardControl } from './board-api.js';

export interface BoardNode {
  readonly board: BoardClient;
  readonly replica: BoardReplica | undefined;
}

export function boardControl(node: BoardNode): BoardControl {
  return {
    post: (board, p) => node.board.post(board, p),
    search: (board, q) => node.board.search(board, q),
    reply: (board, postId, r) => node.board.reply(board, postId, r),
    replies: (board, postId) => node.board.replies(board, postId),
    reserve: (board, q) => node.board.reserve(board, q),
    notifications: () => node.board.notifications(),
    status() {
      const replica = node.replica;
      return replica ? { ...replica.status(), integrity: replica.integrityCheck() } : undefined;
    },
  };
}
