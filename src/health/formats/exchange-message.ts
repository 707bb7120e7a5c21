/**
 * Exchange messages between a clinic and an anonymous member (docs/protocol.md §8.6): the
 * end-to-end messages (§6.8) that carry a proposal (§8.4) and the letters of intent (§8.5).
 *
 *   message = "TKHX" | version u8 (1) | type u8 | body
 *
 *   1 PROPOSAL        clinic → answer address   string8 clinic address (tk1) | bytes16 proposal (§8.4)
 *   2 CLINIC_LETTER   clinic → answer address   proposal_id (16) | bytes32 box (§8.5, clinic letter)
 *   3 LETTER_REQUEST  member → clinic address   proposal_id (16)
 *   4 MEMBER_LETTER   member → clinic address   proposal_id (16) | bytes32 box (member letter)
 *                                               | bytes32 box (released data)
 *  16 OK              answer to any of them     u8 flag (0, or 1: a clinic letter box follows) | [bytes32 box]
 *  17 ERROR           answer to any of them     string8 code | string16 message
 *
 * Every message is sent as a request and answered at once, in the same session. The clinic
 * address is a one-time address the clinic serves for one offer; the member reaches it only by
 * fresh routes (Router.request), so the clinic learns nothing of who asks until the member's
 * letter names the member. Decoding is strict: HEALTH_BAD_EXCHANGE (protocol) for anything else.
 */
import { remoteRefusal, TokumeiError } from '../../errors.js';
import { fromHex, toHex, utf8 } from '../../crypto/bytes.js';
import { decodeAddress } from '../../routing/formats/one-time-address.js';
import { Reader, Writer } from '../../wire/codec.js';
import { BOX_MAX_BYTES } from './letter-seal.js';
import { PROPOSAL_LIMITS } from './proposal.js';
import { HealthErrors } from '../health-errors.js';

const MAGIC = utf8('TKHX');
export const EXCHANGE_VERSION = 1;
const ID_LENGTH = 16;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const MAX_ERROR_MESSAGE_BYTES = 1_024;
/** The largest message: a member letter and released data, each a full box. */
export const MAX_EXCHANGE_BYTES = MAGIC.length + 2 + ID_LENGTH + 2 * (4 + BOX_MAX_BYTES);

export const ExchangeType = { PROPOSAL: 1, CLINIC_LETTER: 2, LETTER_REQUEST: 3, MEMBER_LETTER: 4, OK: 16, ERROR: 17 } as const;

export type ExchangeMessage =
  | { type: 'proposal'; clinicAddress: string; proposal: Uint8Array }
  | { type: 'clinic-letter'; proposalId: string; box: Uint8Array }
  | { type: 'letter-request'; proposalId: string }
  | { type: 'member-letter'; proposalId: string; letterBox: Uint8Array; dataBox: Uint8Array }
  | { type: 'ok'; box?: Uint8Array }
  | { type: 'error'; code: string; message: string };

function bad(message: string): never {
  throw HealthErrors.HEALTH_BAD_EXCHANGE(`bad health exchange message: ${message}`);
}

function checkBox(box: Uint8Array, what: string): Uint8Array {
  if (!(box instanceof Uint8Array) || box.length > BOX_MAX_BYTES) throw HealthErrors.HEALTH_BAD_EXCHANGE(`${what} is not a box`, { kind: 'internal' });
  return box;
}

/** Cuts an error message to one line of at most MAX_ERROR_MESSAGE_BYTES bytes. */
function oneLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  let s = message.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  while (utf8(s).length > MAX_ERROR_MESSAGE_BYTES) s = s.slice(0, Math.floor(s.length * 0.9));
  return s;
}

export function encodeExchange(m: ExchangeMessage): Uint8Array {
  const w = new Writer().bytes(MAGIC).u8(EXCHANGE_VERSION);
  switch (m.type) {
    case 'proposal':
      decodeAddress(m.clinicAddress);
      if (m.proposal.length > PROPOSAL_LIMITS.maxBytes) throw HealthErrors.HEALTH_BAD_EXCHANGE('proposal too large', { kind: 'internal' });
      return w.u8(ExchangeType.PROPOSAL).string8(m.clinicAddress).bytes16(m.proposal).finish();
    case 'clinic-letter':
      return w.u8(ExchangeType.CLINIC_LETTER).bytes(fromHex(m.proposalId, ID_LENGTH)).bytes32(checkBox(m.box, 'clinic letter')).finish();
    case 'letter-request':
      return w.u8(ExchangeType.LETTER_REQUEST).bytes(fromHex(m.proposalId, ID_LENGTH)).finish();
    case 'member-letter':
      return w
        .u8(ExchangeType.MEMBER_LETTER)
        .bytes(fromHex(m.proposalId, ID_LENGTH))
        .bytes32(checkBox(m.letterBox, 'member letter'))
        .bytes32(checkBox(m.dataBox, 'released data'))
        .finish();
    case 'ok':
      return m.box === undefined ? w.u8(ExchangeType.OK).u8(0).finish() : w.u8(ExchangeType.OK).u8(1).bytes32(checkBox(m.box, 'clinic letter')).finish();
    case 'error': {
      const code = ERROR_CODE.test(m.code) ? m.code : 'HEALTH_EXCHANGE_FAILED';
      return w.u8(ExchangeType.ERROR).string8(code).string16(oneLine(m.message)).finish();
    }
  }
}

export function decodeExchange(bytes: Uint8Array): ExchangeMessage {
  if (!(bytes instanceof Uint8Array)) bad('not bytes');
  if (bytes.length > MAX_EXCHANGE_BYTES) bad(`${bytes.length} bytes, at most ${MAX_EXCHANGE_BYTES}`);
  try {
    const r = new Reader(bytes);
    const magic = r.bytes(MAGIC.length, 'magic');
    if (magic.some((b, i) => b !== MAGIC[i])) bad('not a health exchange message');
    const version = r.u8('version');
    if (version !== EXCHANGE_VERSION) bad(`unknown version ${version}`);
    const type = r.u8('type');
    const id = (): string => toHex(r.bytes(ID_LENGTH, 'proposal id'));
    const box = (what: string): Uint8Array => r.bytes32(what, BOX_MAX_BYTES).slice();
    let m: ExchangeMessage;
    switch (type) {
      case ExchangeType.PROPOSAL: {
        const clinicAddress = r.string8('clinic address');
        try {
          decodeAddress(clinicAddress);
        } catch {
          bad('the clinic address is not a one-time address');
        }
        const proposal = r.bytes16('proposal').slice();
        if (proposal.length > PROPOSAL_LIMITS.maxBytes) bad('proposal too large');
        m = { type: 'proposal', clinicAddress, proposal };
        break;
      }
      case ExchangeType.CLINIC_LETTER:
        m = { type: 'clinic-letter', proposalId: id(), box: box('clinic letter') };
        break;
      case ExchangeType.LETTER_REQUEST:
        m = { type: 'letter-request', proposalId: id() };
        break;
      case ExchangeType.MEMBER_LETTER:
        m = { type: 'member-letter', proposalId: id(), letterBox: box('member letter'), dataBox: box('released data') };
        break;
      case ExchangeType.OK: {
        const flag = r.u8('flag');
        if (flag > 1) bad(`unknown flag ${flag}`);
        m = flag === 1 ? { type: 'ok', box: box('clinic letter') } : { type: 'ok' };
        break;
      }
      case ExchangeType.ERROR: {
        const code = r.string8('code');
        if (!ERROR_CODE.test(code)) bad('malformed error code');
        const message = r.string16('message');
        if (utf8(message).length > MAX_ERROR_MESSAGE_BYTES) bad('error message too long');
        m = { type: 'error', code, message };
        break;
      }
      default:
        bad(`unknown type ${type}`);
    }
    r.end('exchange message');
    return m;
  } catch (e) {
    if (e instanceof TokumeiError && e.code.startsWith('WIRE_')) bad(e.message);
    throw e;
  }
}

/** An answer that must be OK: an ERROR becomes a TokumeiError with the peer's code (kind refused). */
export function expectOk(bytes: Uint8Array, what: string): { box?: Uint8Array } {
  const m = decodeExchange(bytes);
  if (m.type === 'error') throw remoteRefusal(m.code, `${what}: the other side said: ${m.message}`);
  if (m.type !== 'ok') bad(`${what}: expected an answer, got a ${m.type} message`);
  return m.box === undefined ? {} : { box: m.box };
}
