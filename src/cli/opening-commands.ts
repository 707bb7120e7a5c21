/**
 * The emergency-opening commands (docs/protocol.md §2.7, §2.8):
 *   tokumei authority init  --out AUTHDIR --name NAME                  make an authority's key
 *   tokumei trustee allow   --trustee CADIR:INDEX --authority AUTHDIR  list it in a trustee's authorities.json
 *   tokumei trustee requests|approve|audits --dir NODEDIR …           through a trustee's running node
 *   tokumei opening request|status --dir NODEDIR …                    through an authority's running node
 * Forms are checked here (usage errors, exit 2) before the node is asked.
 */
import { TrusteeControlClient } from '../trustees/service/trustee-control-client.js';
import { allowAuthority, generateAuthority, readAuthorityPublic, writeAuthorityDir } from '../trustees/authority-keys.js';
import { trusteeAuthoritiesPath } from '../trustees/community-material.js';
import { AUTHORITY_MAX_BYTES, REASON_MAX_BYTES } from '../trustees/opening-request.js';
import { textField } from '../trustees/fields.js';
import { failWith } from '../wire/json-fields.js';
import type { TokumeiError } from '../errors.js';
import { optionalString, parseCommandArgs, requireString, type OptionSpec } from './args.js';
import { boardOption } from './board-args.js';
import type { CliIo } from './cli-io.js';
import { commandGroup as group, printAnswer } from './command-group.js';
import { helpText } from './help.js';
import { formatAudits, formatOpening, formatOpenings, formatTrusteeRequests } from './opening-format.js';
import { AUTHORITY_PASSPHRASE_ENV, parseTrusteeOption } from './opening-setup.js';
import { getPassphrase } from './passphrase.js';
import { usageError } from './usage-error.js';

const NODE: OptionSpec = { dir: { type: 'string' }, json: { type: 'boolean' } };
const REQUEST_ID = /^[0-9a-f]{32}$/;

const out = printAnswer;

function requestIdOption(values: Record<string, unknown>, cmd: string): string {
  const id = requireString(values as never, 'request', cmd);
  if (!REQUEST_ID.test(id)) throw usageError('--request must be a request id: 32 lower-case hex digits', cmd, 'OPENING_BAD_REQUEST_ID');
  return id;
}

async function optionalBoard(values: Record<string, unknown>, cmd: string): Promise<string | undefined> {
  return optionalString(values as never, 'board') === undefined ? undefined : boardOption(values as never, cmd);
}

// ── tokumei authority ─────────────────────────────────────────────────────────────────────────

async function authorityInit(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'authority init';
  const { values } = parseCommandArgs(cmd, argv, { out: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return help(cmd, io);
  const dir = requireString(values, 'out', cmd);
  const name = requireString(values, 'name', cmd);
  try {
    textField(name, AUTHORITY_MAX_BYTES, 'name', failWith('bad-input', 'AUTHORITY_BAD_NAME', '--name'));
  } catch (e) {
    throw usageError((e as TokumeiError).message, cmd, (e as TokumeiError).code);
  }
  const fromEnv = io.env[AUTHORITY_PASSPHRASE_ENV];
  const passphrase = fromEnv !== undefined && fromEnv !== '' ? fromEnv : await getPassphrase(io, { what: `authority keystore in ${dir}`, confirm: true });
  const keys = generateAuthority(name);
  await writeAuthorityDir(dir, keys, passphrase, { env: io.env });
  const pub = { name: keys.name, signingPublicKey: keys.signingPublicKey };
  return out(io, values.json === true, pub, `created authority "${name}" in ${dir}\nsigning key: ${keys.signingPublicKey}\neach trustee who accepts it runs: tokumei trustee allow --trustee CADIR:INDEX --authority ${dir}\n`);
}

export const authorityCommand = group('authority', { init: authorityInit });

// ── tokumei trustee ───────────────────────────────────────────────────────────────────────────

async function trusteeAllow(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'trustee allow';
  const { values } = parseCommandArgs(cmd, argv, { trustee: { type: 'string' }, authority: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return help(cmd, io);
  const t = parseTrusteeOption(requireString(values, 'trustee', cmd), cmd);
  const entry = await readAuthorityPublic(requireString(values, 'authority', cmd));
  const path = trusteeAuthoritiesPath(t.caDir, t.index);
  const added = await allowAuthority(path, entry);
  return out(io, values.json === true, { ...entry, added, path }, `${added ? 'trustee now accepts' : 'already accepted:'} "${entry.name}" (${entry.signingPublicKey.slice(0, 16)}…) in ${path}\n`);
}

async function trusteeRequests(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'trustee requests';
  const { values } = parseCommandArgs(cmd, argv, { ...NODE, board: { type: 'string' } });
  if (values.help) return help(cmd, io);
  const dir = requireString(values, 'dir', cmd);
  const board = await optionalBoard(values, cmd);
  const requests = await (await TrusteeControlClient.forNodeDir(dir)).requests(board);
  return out(io, values.json === true, { requests }, formatTrusteeRequests(requests));
}

async function trusteeApprove(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'trustee approve';
  const { values } = parseCommandArgs(cmd, argv, { ...NODE, board: { type: 'string' }, request: { type: 'string' } });
  if (values.help) return help(cmd, io);
  const dir = requireString(values, 'dir', cmd);
  const requestId = requestIdOption(values, cmd);
  const board = await optionalBoard(values, cmd);
  const r = await (await TrusteeControlClient.forNodeDir(dir)).approve(requestId, board);
  return out(io, values.json === true, r, `approved: the authority holds this trustee's approval\n${formatTrusteeRequests([r])}`);
}

async function trusteeAudits(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'trustee audits';
  const { values } = parseCommandArgs(cmd, argv, { ...NODE, board: { type: 'string' } });
  if (values.help) return help(cmd, io);
  const dir = requireString(values, 'dir', cmd);
  const board = await boardOption(values, cmd);
  const audits = await (await TrusteeControlClient.forNodeDir(dir)).audits(board);
  return out(io, values.json === true, { audits }, formatAudits(audits));
}

export const trusteeCommand = group('trustee', { allow: trusteeAllow, requests: trusteeRequests, approve: trusteeApprove, audits: trusteeAudits });

// ── tokumei opening ───────────────────────────────────────────────────────────────────────────

async function openingRequest(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'opening request';
  const { values } = parseCommandArgs(cmd, argv, { ...NODE, board: { type: 'string' }, id: { type: 'string' }, reason: { type: 'string' } });
  if (values.help) return help(cmd, io);
  const dir = requireString(values, 'dir', cmd);
  const board = await boardOption(values, cmd);
  const id = requireString(values, 'id', cmd);
  if (!/^[0-9a-f]{128}$/.test(id)) throw usageError('--id must be an anonymous ID: 128 lower-case hex digits (a post\'s anonymousId)', cmd, 'OPENING_BAD_REQUEST');
  const reason = requireString(values, 'reason', cmd);
  try {
    textField(reason, REASON_MAX_BYTES, 'reason', failWith('bad-input', 'OPENING_BAD_REQUEST', '--reason'));
  } catch (e) {
    throw usageError((e as TokumeiError).message, cmd, (e as TokumeiError).code);
  }
  const s = await (await TrusteeControlClient.forNodeDir(dir)).request(board, id, reason);
  return out(io, values.json === true, s, `the notice is on the board; trustees approve with \`tokumei trustee approve --request ${s.requestId}\`\n${formatOpening(s)}`);
}

async function openingStatus(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'opening status';
  const { values } = parseCommandArgs(cmd, argv, { ...NODE, request: { type: 'string' } });
  if (values.help) return help(cmd, io);
  const dir = requireString(values, 'dir', cmd);
  const client = await TrusteeControlClient.forNodeDir(dir);
  if (values.request === undefined) {
    const { openings } = await client.list();
    return out(io, values.json === true, { openings }, formatOpenings(openings));
  }
  const s = await client.status(requestIdOption(values, cmd));
  return out(io, values.json === true, s, formatOpening(s));
}

export const openingCommand = group('opening', { request: openingRequest, status: openingStatus });

function help(cmd: string, io: CliIo): number {
  io.out(helpText(cmd));
  return 0;
}
