/**
 * The board endpoints of a running node's control API, for the CLI (`post`, `search`, `reply
 * --board`, `replies`, `notifications`, `board status`). A board request may take minutes: a
 * route seek, up to three tries of 30 s on fresh routes, and waits for replicas to catch up.
 */
import type { BoardNotification, BoardResult, ReadReply } from '../client.js';
import type { BoardField } from '../types.js';
import type { BoardReplicaStatus, PostResult, ReservationResult } from './board-api.js';
import { ControlClient } from '../../control/control-client.js';

export const BOARD_REQUEST_TIMEOUT_MS = 300_000;

export class BoardControlClient {
  constructor(private readonly client: ControlClient) {}

  static async forNodeDir(nodeDir: string): Promise<BoardControlClient> {
    return new BoardControlClient(await ControlClient.forNodeDir(nodeDir, BOARD_REQUEST_TIMEOUT_MS));
  }

  post(board: string, p: { text: string; fields: BoardField[]; ttlSeconds: number }): Promise<PostResult> {
    return this.postJson('/api/board/post', { board, ...p });
  }

  async search(board: string, q: { query: string; fields: BoardField[]; limit?: number }): Promise<BoardResult[]> {
    return (await this.postJson<{ results: BoardResult[] }>('/api/board/search', { board, ...q })).results;
  }

  reply(board: string, postId: string, r: { text: string; answerAddress?: string }): Promise<{ replyId: string }> {
    return this.postJson('/api/board/reply', { board, postId, ...r });
  }

  async replies(board: string, postId?: string): Promise<ReadReply[]> {
    return (await this.postJson<{ replies: ReadReply[] }>('/api/board/replies', { board, postId })).replies;
  }

  reserve(board: string, q: { query: string; fields: BoardField[]; ttlSeconds: number }): Promise<ReservationResult> {
    return this.postJson('/api/board/reserve', { board, ...q });
  }

  async notifications(): Promise<BoardNotification[]> {
    return (await this.client.call<{ notifications: BoardNotification[] }>('GET', '/api/board/notifications')).notifications;
  }

  status(): Promise<BoardReplicaStatus> {
    return this.client.call<BoardReplicaStatus>('GET', '/api/board/status');
  }

  private postJson<T>(path: string, body: object): Promise<T> {
    return this.client.call<T>('POST', path, JSON.stringify(body), 'application/json');
  }
}
