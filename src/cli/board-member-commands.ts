/**
 * A member's board commands (docs/protocol.md §7), through the running node, which sends each
 * request on a fresh onion route: `post`, `search` (optionally leaving a reservation), `reply
 * --board`, `replies` (only the poster opens them) and `notifications`. Their form is checked
 * here (usage errors, exit 2) before the node is asked; the board's refusals come back with their
 * code, `tokumei: BOARD_…: message` (exit 1).
 */
import { BOARD_LIMITS } from '../board/types.js';
import type { ReservationResult } from '../board/service/board-api.js';
import { BoardControlClient } from '../board/service/board-control-client.js';
import type { TokumeiError } from '../errors.js';
import { decodeAddress } from '../routing/formats/one-time-address.js';
import { optionalInt, optionalString, parseCommandArgs, requireString, type OptionSpec } from './args.js';
import { boardOption, boardText, optionalPostId, parseDuration, parseFields, postIdOption } from './board-args.js';
import { formatNotifications, formatPost, formatReplies, formatSearch } from './board-format.js';
import type { CliIo } from './cli-io.js';
import { printAnswer } from './command-group.js';
import { helpText } from './help.js';
import { usageError } from './usage-error.js';

/** A post lives a week unless --ttl says otherwise (at most 30 days). */
const DEFAULT_POST_TTL_SECONDS = 7 * 86_400;

const COMMON: OptionSpec = { dir: { type: 'string' }, board: { type: 'string' }, json: { type: 'boolean' } };
const FIELD: OptionSpec = { field: { type: 'string', multiple: true } };
const TEXT: OptionSpec = { text: { type: 'string' }, file: { type: 'string' } };

const out = printAnswer;

export async function postCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'post';
  const { values } = parseCommandArgs(cmd, argv, { ...COMMON, ...TEXT, ...FIELD, ttl: { type: 'string' } });
  if (values.help) return help(cmd, io);
  const dir = requireString(values, 'dir', cmd);
  const board = await boardOption(values, cmd);
  const fields = parseFields(values, cmd);
  const ttlText = optionalString(values, 'ttl');
  const ttlSeconds = ttlText === undefined ? DEFAULT_POST_TTL_SECONDS : parseDuration(ttlText, 'ttl', cmd, BOARD_LIMITS.maxPostTtlSeconds);
  const text = await boardText(values, cmd, 'post text');
  const posted = await (await BoardControlClient.forNodeDir(dir)).post(board, { text, fields, ttlSeconds });
  return out(io, values.json === true, posted, formatPost(posted));
}

export async function searchCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'search';
  const { values } = parseCommandArgs(cmd, argv, { ...COMMON, ...FIELD, query: { type: 'string' }, limit: { type: 'string' }, reserve: { type: 'string' } });
  if (values.help) return help(cmd, io);
  const dir = requireString(values, 'dir', cmd);
  const board = await boardOption(values, cmd);
  const query = optionalString(values, 'query');
  const fields = parseFields(values, cmd);
  if (query === undefined && fields.length === 0) throw usageError('give --query, --field or both', cmd);
  const limit = optionalInt(values, 'limit', cmd, 1, BOARD_LIMITS.maxSearchResults);
  const reserveText = optionalString(values, 'reserve');
  const reserveSeconds = reserveText === undefined ? undefined : parseDuration(reserveText, 'reserve', cmd, BOARD_LIMITS.maxReservationTtlSeconds);
  const client = await BoardControlClient.forNodeDir(dir);
  const terms = { query: query ?? '', fields };
  const results = await client.search(board, { ...terms, limit });
  let reservation: ReservationResult | undefined;
  if (results.length === 0 && reserveSeconds !== undefined) reservation = await client.reserve(board, { ...terms, ttlSeconds: reserveSeconds });
  return out(io, values.json === true, { results, ...reservation }, formatSearch(results, reservation));
}

/** `tokumei reply --board …`: answers a post (the inbox form of `reply` is reply-command.ts). */
export async function boardReplyCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'reply';
  const { values } = parseCommandArgs(cmd, argv, { ...COMMON, ...TEXT, post: { type: 'string' }, 'answer-address': { type: 'string' } });
  if (values.help) return help(cmd, io);
  const dir = requireString(values, 'dir', cmd);
  const board = await boardOption(values, cmd);
  const postId = postIdOption(values, 'post', cmd);
  const answerAddress = optionalString(values, 'answer-address') ?? '';
  if (answerAddress !== '') {
    try {
      decodeAddress(answerAddress);
    } catch (e) {
      throw usageError(`--answer-address: ${(e as TokumeiError).message}`, cmd, (e as TokumeiError).code);
    }
  }
  const text = await boardText(values, cmd, 'reply text');
  const replied = await (await BoardControlClient.forNodeDir(dir)).reply(board, postId, { text, answerAddress });
  return out(io, values.json === true, replied, `replied to ${postId}: reply ${replied.replyId}\n`);
}

export async function repliesCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'replies';
  const { values } = parseCommandArgs(cmd, argv, { ...COMMON, post: { type: 'string' } });
  if (values.help) return help(cmd, io);
  const dir = requireString(values, 'dir', cmd);
  const board = await boardOption(values, cmd);
  const postId = optionalPostId(values, 'post', cmd);
  const replies = await (await BoardControlClient.forNodeDir(dir)).replies(board, postId);
  return out(io, values.json === true, { replies }, formatReplies(replies));
}

export async function notificationsCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'notifications';
  const { values } = parseCommandArgs(cmd, argv, { dir: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return help(cmd, io);
  const dir = requireString(values, 'dir', cmd);
  const notifications = await (await BoardControlClient.forNodeDir(dir)).notifications();
  return out(io, values.json === true, { notifications }, formatNotifications(notifications));
}

function help(cmd: string, io: CliIo): number {
  io.out(helpText(cmd));
  return 0;
}
