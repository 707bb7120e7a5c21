/**
 * `tokumei health …`: every operation of the dashboard's Health view, through the running node's
 * control API (health-control-client.ts), for members, clinics and intermediaries who script
 * what they would click. Forms are checked here (usage errors, exit 2) before the node is asked;
 * what the health code refuses comes back with its code (exit 1).
 */
import { readFile } from 'node:fs/promises';
import { BOARD_LIMITS } from '../board/types.js';
import { HealthControlClient } from '../health/service/health-control-client.js';
import type { CatalogueEntry } from '../health/profile/profile-keeper.js';
import type { IdentifyingAttribute } from '../health/profile/attributes.js';
import type { ProposalInput } from '../health/clinic/clinic.js';
import { optionalDate, optionalInt, optionalString, parseCommandArgs, requireString, type OptionSpec, type Values } from './args.js';
import { boardOption, parseDuration, postIdOption } from './board-args.js';
import type { CliIo } from './cli-io.js';
import { commandGroup, printAnswer } from './command-group.js';
import {
  formatAnswer, formatAnswers, formatClinicAnswer, formatLetter, formatLetters, formatOfferPosted, formatOffers, formatProfile, formatProposals,
  formatPublished, formatReleased, formatStats, formatUpload,
} from './health-format.js';
import { helpText } from './help.js';
import { getPassphrase } from './passphrase.js';
import { usageError } from './usage-error.js';
import { FileErrors } from '../files/files-errors.js';

const NODE: OptionSpec = { dir: { type: 'string' }, json: { type: 'boolean' } };
const BOARD: OptionSpec = { ...NODE, board: { type: 'string' } };
const ID = /^[0-9a-f]{32}$/;
/** An offer file is one post's text at most. */
const MAX_OFFER_FILE_BYTES = BOARD_LIMITS.maxTextBytes;
/** How many list items (`a,b,c`) an option takes at most: more than any attribute catalogue. */
const MAX_LIST = 32;

/** `node()` reaches the running node: called once the options were checked, so a malformed command line never needs one. */
type Run = (node: () => Promise<HealthControlClient>, values: Values, cmd: string, io: CliIo) => Promise<{ answer: unknown; text: string }>;

/** One subcommand: its options, then the call through the node's control API. */
function sub(name: string, options: OptionSpec, run: Run) {
  const cmd = `health ${name}`;
  return async (argv: string[], io: CliIo): Promise<number> => {
    const { values } = parseCommandArgs(cmd, argv, options);
    if (values.help) {
      io.out(helpText(cmd));
      return 0;
    }
    const dir = requireString(values, 'dir', cmd);
    let client: Promise<HealthControlClient> | undefined;
    const { answer, text } = await run(() => (client ??= HealthControlClient.forNodeDir(dir)), values, cmd, io);
    return printAnswer(io, values.json === true, answer, text);
  };
}

function idOption(values: Values, name: string, cmd: string): string {
  const id = requireString(values, name, cmd);
  if (!ID.test(id)) throw usageError(`--${name} must be an id: 32 lower-case hex digits`, cmd);
  return id;
}

function listOption(values: Values, name: string, cmd: string): string[] {
  const text = requireString(values, name, cmd);
  const list = text.split(',').map((s) => s.trim());
  if (list.length > MAX_LIST || list.some((s) => !/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(s))) throw usageError(`--${name} takes names separated by commas, such as ageBand,systolic`, cmd);
  return [...new Set(list)];
}

function numberOption(values: Values, name: string, cmd: string): number {
  const text = requireString(values, name, cmd);
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw usageError(`--${name} must be a number such as 128 or 71.5`, cmd);
  return Number(text);
}

/** `--value` read as the attribute's type (from the node's catalogue). */
function attributeValue(entry: CatalogueEntry | undefined, text: string, name: string, cmd: string): string | number | boolean {
  if (!entry) throw usageError(`no attribute ${JSON.stringify(name.slice(0, 64))} (see \`tokumei health profile\`)`, cmd, 'HEALTH_UNKNOWN_ATTRIBUTE');
  switch (entry.type) {
    case 'number':
      if (!/^-?\d+(\.\d+)?$/.test(text)) throw usageError(`${name} is a number`, cmd);
      return Number(text);
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw usageError(`${name} is true or false`, cmd);
      return text === 'true';
    default:
      return text;
  }
}

const profile = sub('profile', NODE, async (node) => {
  const p = await (await node()).profile();
  return { answer: p, text: formatProfile(p) };
});

const set = sub('set', { ...NODE, name: { type: 'string' }, value: { type: 'string' }, clear: { type: 'boolean' } }, async (node, v, cmd) => {
  const name = requireString(v, 'name', cmd);
  const text = optionalString(v, 'value');
  if ((text === undefined) === (v.clear !== true)) throw usageError('give --value VALUE or --clear', cmd);
  const value = text === undefined ? null : attributeValue((await (await node()).profile()).catalogue.find((e) => e.name === name), text, name, cmd);
  const p = await (await node()).setAttribute(name, value);
  return { answer: p, text: `${name} = ${value === null ? '(cleared)' : String(value)}${p.attributes[name]?.disclosed ? ' (disclosed)' : ' (not disclosed)'}\n` };
});

const disclose = sub('disclose', { ...NODE, name: { type: 'string' }, off: { type: 'boolean' } }, async (node, v, cmd) => {
  const name = requireString(v, 'name', cmd);
  const p = await (await node()).setDisclosed(name, v.off !== true);
  return { answer: p, text: `${name}: ${v.off === true ? 'not disclosed' : 'disclosed'}\n` };
});

const measure = sub('measure', { ...NODE, kind: { type: 'string' }, value: { type: 'string' }, at: { type: 'string' } }, async (node, v, cmd) => {
  const kind = requireString(v, 'kind', cmd);
  const value = numberOption(v, 'value', cmd);
  const at = optionalDate(v, 'at', cmd)?.getTime();
  const p = await (await node()).recordMeasurement({ kind, value, ...(at !== undefined ? { at } : {}) });
  return { answer: p, text: `recorded ${kind} ${value}; ${p.measurements.length} measurements\n` };
});

const upload = sub('upload', { ...BOARD, study: { type: 'string' }, pseudonymous: { type: 'boolean' } }, async (node, v, cmd) => {
  const board = await boardOption(v, cmd);
  const study = requireString(v, 'study', cmd);
  const u = await (await node()).upload(board, { study, pseudonymous: v.pseudonymous === true });
  return { answer: u, text: formatUpload(u) };
});

const stats = sub('stats', { ...BOARD, study: { type: 'string' } }, async (node, v, cmd) => {
  const board = await boardOption(v, cmd);
  const study = requireString(v, 'study', cmd);
  const s = await (await node()).stats(board, study);
  return { answer: s, text: formatStats(s) };
});

const offers = sub('offers', BOARD, async (node, v, cmd) => {
  const board = await boardOption(v, cmd);
  const o = await (await node()).offers(board);
  return { answer: o, text: formatOffers(o) };
});

const answer = sub('answer', { ...BOARD, post: { type: 'string' }, disclose: { type: 'string' }, message: { type: 'string' } }, async (node, v, cmd) => {
  const board = await boardOption(v, cmd);
  const postId = postIdOption(v, 'post', cmd);
  const o = { disclose: listOption(v, 'disclose', cmd), message: optionalString(v, 'message') ?? '' };
  const a = await (await node()).answer(board, postId, o);
  return { answer: a, text: formatAnswer(a) };
});

const proposals = sub('proposals', NODE, async (node) => {
  const list = await (await node()).proposals();
  return { answer: { proposals: list }, text: formatProposals(list) };
});

const letterRequest = sub('letter-request', { ...NODE, proposal: { type: 'string' } }, async (node, v, cmd) => {
  const proposalId = idOption(v, 'proposal', cmd);
  const l = await (await node()).requestLetter(proposalId);
  return { answer: l, text: formatLetter(l) };
});

const letterSign = sub('letter-sign', { ...NODE, exchange: { type: 'string' }, items: { type: 'string' } }, async (node, v, cmd, io) => {
  const exchangeId = idOption(v, 'exchange', cmd);
  const items = optionalString(v, 'items') === undefined ? undefined : (listOption(v, 'items', cmd) as IdentifyingAttribute[]);
  const passphrase = await getPassphrase(io, { what: 'keystore, to sign the letter of intent' });
  const l = await (await node()).signLetter(exchangeId, passphrase, items);
  return { answer: l, text: formatLetter(l) };
});

const letters = sub('letters', NODE, async (node) => {
  const list = await (await node()).letters();
  return { answer: { letters: list }, text: formatLetters(list) };
});

const offer = sub('offer', { ...BOARD, file: { type: 'string' }, ttl: { type: 'string' } }, async (node, v, cmd) => {
  const board = await boardOption(v, cmd);
  const path = requireString(v, 'file', cmd);
  const ttlText = optionalString(v, 'ttl');
  const ttlSeconds = ttlText === undefined ? undefined : parseDuration(ttlText, 'ttl', cmd, BOARD_LIMITS.maxPostTtlSeconds);
  const body = await readOfferFile(path, cmd);
  const o = await (await node()).postOffer(board, body, ttlSeconds);
  return { answer: o, text: formatOfferPosted(o) };
});

const answers = sub('answers', BOARD, async (node, v, cmd) => {
  const board = await boardOption(v, cmd);
  const a = await (await node()).answers(board);
  return { answer: a, text: formatAnswers(a) };
});

const propose = sub(
  'propose',
  { ...NODE, answer: { type: 'string' }, text: { type: 'string' }, appointment: { type: 'string', multiple: true }, 'letter-of-intent': { type: 'boolean' }, expires: { type: 'string' } },
  async (node, v, cmd) => {
    const answerId = idOption(v, 'answer', cmd);
    const proposal: ProposalInput = { text: requireString(v, 'text', cmd), appointments: appointments(v.appointment as unknown, cmd), letterOfIntent: v['letter-of-intent'] === true };
    const expires = optionalDate(v, 'expires', cmd)?.getTime();
    if (expires !== undefined) proposal.expires = expires;
    const p = await (await node()).propose(answerId, proposal);
    return { answer: p, text: `sent proposal ${p.proposalId} to answer ${p.answerId}\n` };
  },
);

const clinicLetter = sub('clinic-letter', { ...NODE, answer: { type: 'string' }, purpose: { type: 'string', multiple: true }, 'retention-days': { type: 'string' }, items: { type: 'string' } }, async (node, v, cmd) => {
  const answerId = idOption(v, 'answer', cmd);
  const raw = v.purpose as unknown;
  const purposes = raw === undefined ? [] : Array.isArray(raw) ? (raw as string[]) : [raw as string];
  if (purposes.length === 0) throw usageError('give at least one --purpose', cmd);
  const retentionDays = optionalInt(v, 'retention-days', cmd, 1, 3_650);
  if (retentionDays === undefined) throw usageError('missing --retention-days', cmd);
  const items = listOption(v, 'items', cmd) as IdentifyingAttribute[];
  const a = await (await node()).clinicLetter(answerId, { purposes, retentionDays, items });
  return { answer: a, text: formatClinicAnswer(a) };
});

const released = sub('released', NODE, async (node) => {
  const list = await (await node()).released();
  return { answer: { released: list }, text: formatReleased(list) };
});

const publishStats = sub('publish-stats', { ...BOARD, study: { type: 'string' }, 'min-cohort': { type: 'string' }, since: { type: 'string' } }, async (node, v, cmd) => {
  const board = await boardOption(v, cmd);
  const minCohort = optionalInt(v, 'min-cohort', cmd, 1, 1_000_000);
  if (minCohort === undefined) throw usageError('missing --min-cohort', cmd);
  const since = optionalDate(v, 'since', cmd)?.getTime();
  const study = requireString(v, 'study', cmd);
  const p = await (await node()).publishStats(board, { study, minCohort, ...(since !== undefined ? { since } : {}) });
  return { answer: p, text: formatPublished(p) };
});

/** `--appointment ISO/MINUTES/PLACE` (repeatable): `2026-03-02T09:30:00Z/30/Room 2`. */
function appointments(raw: unknown, cmd: string): { at: number; minutes: number; place: string }[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? (raw as string[]) : [raw as string];
  return list.map((a) => {
    const m = /^([^/]+)\/(\d{1,4})\/(.*)$/.exec(a);
    const at = m ? Date.parse(m[1]!) : NaN;
    if (!m || Number.isNaN(at)) throw usageError('--appointment is ISO/MINUTES/PLACE, such as 2026-03-02T09:30:00Z/30/Room 2', cmd);
    return { at, minutes: Number(m[2]), place: m[3]! };
  });
}

async function readOfferFile(path: string, cmd: string): Promise<object> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_OFFER_FILE_BYTES) throw usageError(`--file: ${path} is over ${MAX_OFFER_FILE_BYTES} bytes`, cmd);
    text = bytes.toString('utf8');
  } catch (e) {
    if (e instanceof Error && e.name === 'UsageError') throw e;
    throw FileErrors.FILE_READ_FAILED(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let offer: unknown;
  try {
    offer = JSON.parse(text);
  } catch {
    throw usageError(`--file: ${path} is not JSON`, cmd, 'HEALTH_BAD_OFFER');
  }
  if (typeof offer !== 'object' || offer === null || Array.isArray(offer)) throw usageError(`--file: ${path} must hold one JSON object (the offer)`, cmd, 'HEALTH_BAD_OFFER');
  return offer;
}

export const healthCommand = commandGroup('health', {
  profile,
  set,
  disclose,
  measure,
  upload,
  stats,
  offers,
  answer,
  proposals,
  'letter-request': letterRequest,
  'letter-sign': letterSign,
  letters,
  offer,
  answers,
  propose,
  'clinic-letter': clinicLetter,
  released,
  'publish-stats': publishStats,
});
