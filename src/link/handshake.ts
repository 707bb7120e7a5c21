/**
 * The link handshake state machine (docs/protocol.md §4), sans I/O: cells in, cells out.
 *
 *   both sides:  CHALLENGE(eph, nonce)  →
 *   on peer's CHALLENGE:  AUTHENTICATE(mac, sig)  →
 *   on peer's AUTHENTICATE: verify; established once ours is sent and theirs verified.
 *
 * The peer's passport was already checked (CA, validity, CRL) by the caller.
 */
import { Command, type Cell } from '../wire/cell.js';
import { TokumeiError } from '../errors.js';
import type { NodeIdentity, Passport } from '../identity/types.js';
import { answerChallenge, checkAnswer, makeChallenge, parseChallenge, type Challenge } from './challenge.js';
import { LinkErrors } from './link-errors.js';

export interface HandshakeInit {
  identity: NodeIdentity;
  peer: Passport;
  initiator: boolean;
  channelBinding: Uint8Array;
  nonce: Uint8Array;
}

export class LinkHandshake {
  private readonly mine: Challenge;
  private theirs: Uint8Array | undefined;
  private verified = false;

  constructor(private readonly init: HandshakeInit) {
    this.mine = makeChallenge(init.nonce);
  }

  get established(): boolean {
    return this.verified;
  }

  /** The first cell this side sends. */
  start(): Cell[] {
    return [{ circId: 0, command: Command.CHALLENGE, flags: 0, payload: this.mine.bytes }];
  }

  /** Feeds one handshake cell; returns cells to send. Throws a TokumeiError on any violation. */
  receive(cell: Cell): Cell[] {
    const { init } = this;
    if (cell.circId !== 0) throw LinkErrors.LINK_UNEXPECTED_CELL('circuit cell before the link is established');
    if (cell.command === Command.PADDING) return [];
    if (cell.command === Command.CHALLENGE) {
      if (this.theirs) throw LinkErrors.LINK_UNEXPECTED_CELL('second CHALLENGE');
      parseChallenge(cell.payload);
      this.theirs = cell.payload.slice();
      const answer = answerChallenge(
        {
          channelBinding: init.channelBinding,
          proverIsInitiator: init.initiator,
          proverSerial: init.identity.passport.serial,
          verifierSerial: init.peer.serial,
          verifierChallenge: this.theirs,
          proverChallenge: this.mine.bytes,
        },
        init.identity.onionPrivateKey,
        init.identity.signingPrivateKey,
      );
      return [{ circId: 0, command: Command.AUTHENTICATE, flags: 0, payload: answer }];
    }
    if (cell.command === Command.AUTHENTICATE) {
      if (!this.theirs || this.verified) throw LinkErrors.LINK_UNEXPECTED_CELL('AUTHENTICATE out of order');
      checkAnswer(
        {
          channelBinding: init.channelBinding,
          proverIsInitiator: !init.initiator,
          proverSerial: init.peer.serial,
          verifierSerial: init.identity.passport.serial,
          verifierChallenge: this.mine.bytes,
          proverChallenge: this.theirs,
        },
        cell.payload,
        this.mine,
        init.peer,
      );
      this.verified = true;
      return [];
    }
    throw LinkErrors.LINK_UNEXPECTED_CELL(`command 0x${cell.command.toString(16)} before the link is established`);
  }
}
