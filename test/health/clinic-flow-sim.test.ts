/**
 * A clinic and its members on a simulated network (docs/protocol.md §8.4–§8.6): the clinic posts
 * an offer whose criteria name attributes members never disclose; matching members answer
 * anonymously; the clinic proposes; letters of intent are exchanged (a wrong passphrase signs
 * nothing) and the clinic receives exactly the identifying items named; a member who does not
 * match is told so by its own device, which sends nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS } from '../../src/health/profile/attributes.js';
import { emptyProfile, recordMeasurements, setAttribute, type Profile } from '../../src/health/profile/profile.js';
import type { TokumeiNode } from '../../src/node/node.js';
import { boardNet, settle } from './sim-helpers.js';
import { is } from './helpers.js';
import { healthOf } from '../../src/health/service/health-service.js';

const PASS = 'a long passphrase for the letter';

function person(o: { name: string; phone: string; email: string; birthDate: string; sex: 'female' | 'male'; postcodeArea: string; systolic: number }, now: number): Profile {
  let p = emptyProfile();
  p = setAttribute(p, 'name', o.name, now);
  p = setAttribute(p, 'address', `1 ${o.name} Row, Saltmere`, now);
  p = setAttribute(p, 'phone', o.phone, now);
  p = setAttribute(p, 'email', o.email, now);
  p = setAttribute(p, 'birthDate', o.birthDate, now);
  p = setAttribute(p, 'sex', o.sex, now);
  p = setAttribute(p, 'postcodeArea', o.postcodeArea, now);
  return recordMeasurements(p, [{ kind: 'systolic', value: o.systolic, at: now - DAY_MS }], now);
}

/** A birth date `years` (and a few days) before `now`. */
const bornYearsAgo = (now: number, years: number): string => {
  const d = new Date(now - 10 * DAY_MS);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.toISOString().slice(0, 10);
};

const sends = (n: TokumeiNode): number => {
  const c = n.router.status().counters;
  return c.seeksSent + c.multicastSent;
};

test('offer on undisclosed criteria → anonymous answers → proposal → letters of intent → exactly the named items; a non-matching member sends nothing', async () => {
  const { net, board, synced, close } = await boardNet(12, 31, { keystorePassphrase: PASS });
  try {
    const [clinic, anna, bram, cato] = [net.nodes[2]!, net.nodes[3]!, net.nodes[4]!, net.nodes[5]!];
    const now = net.sim!.now();
    const annaProfile = person({ name: 'Anna Ashgrove', phone: '+44 7700 900111', email: 'anna@example.org', birthDate: bornYearsAgo(now, 64), sex: 'female', postcodeArea: 'SM7', systolic: 152 }, now);
    const bramProfile = person({ name: 'Bram Brightwater', phone: '+44 7700 900222', email: 'bram@example.org', birthDate: bornYearsAgo(now, 31), sex: 'male', postcodeArea: 'SM7', systolic: 118 }, now);
    const catoProfile = person({ name: 'Cato Coldbrook', phone: '+44 7700 900333', email: 'cato@example.org', birthDate: bornYearsAgo(now, 70), sex: 'male', postcodeArea: 'EB1', systolic: 147 }, now);
    await healthOf(anna).member.importProfile(annaProfile);
    await healthOf(bram).member.importProfile(bramProfile);
    await healthOf(cato).member.importProfile(catoProfile);

    // The criteria name the exact age, the latest systolic and the postcode area: none is disclosed.
    const posted = await settle(
      net,
      healthOf(clinic).clinic.postOffer(board, {
        clinic: 'Saltmere Heart Clinic',
        title: 'Free blood pressure review for people over 55',
        description: 'A 30-minute review with a nurse.\nBring your readings.',
        criteria: [
          { attribute: 'age', op: 'between', value: [55, 80] },
          { attribute: 'systolic', op: 'gte', value: 140 },
          { attribute: 'postcodeArea', op: 'in', value: ['SM7', 'EB1'] },
        ],
        expires: now + 7 * DAY_MS,
        hints: [{ key: 'region', value: 'saltmere' }],
      }),
    );
    await synced(1);

    // Each device matches the offer against its full profile.
    const annaOffers = await settle(net, healthOf(anna).member.offers(board));
    assert.equal(annaOffers.offers.length, 1);
    assert.equal(annaOffers.offers[0]!.postId, posted.postId);
    assert.equal(annaOffers.offers[0]!.match.matches, true);
    const bramOffers = await settle(net, healthOf(bram).member.offers(board));
    assert.equal(bramOffers.offers[0]!.match.matches, false);
    assert.deepEqual(bramOffers.offers[0]!.match.reasons.map((r) => r.outcome), ['not-met', 'not-met', 'met']);
    assert.equal((await settle(net, healthOf(cato).member.offers(board))).offers[0]!.match.matches, true);

    // Bram's device reports no match and sends nothing.
    const bramBefore = sends(bram);
    await assert.rejects(settle(net, healthOf(bram).member.answer(board, posted.postId, { disclose: ['ageBand'] })), is('HEALTH_NO_MATCH'));
    await net.advance(5_000);
    assert.equal(sends(bram), bramBefore, 'no route sought, nothing multicast');

    // Anna and Cato answer anonymously; identifying attributes cannot be picked.
    await assert.rejects(settle(net, healthOf(anna).member.answer(board, posted.postId, { disclose: ['name'] })), is('HEALTH_LOCKED'));
    const annaAnswer = await settle(net, healthOf(anna).member.answer(board, posted.postId, { disclose: ['ageBand', 'systolic'], message: 'Tuesdays suit me.' }));
    assert.deepEqual(annaAnswer.disclosed, { ageBand: '60-69', systolic: 152 });
    await settle(net, healthOf(cato).member.answer(board, posted.postId, { disclose: ['sex'] }));
    await synced(1, 2);

    const { answers, skipped } = await settle(net, healthOf(clinic).clinic.fetchAnswers(board));
    assert.equal(skipped, 0);
    assert.equal(answers.length, 2);
    const toAnna = answers.find((a) => a.message === 'Tuesdays suit me.')!;
    const toCato = answers.find((a) => a !== toAnna)!;
    assert.deepEqual(toAnna.disclosed, { ageBand: '60-69', systolic: 152 });
    assert.deepEqual(toCato.disclosed, { sex: 'male' });

    // Proposals reach each member's answer address.
    const annaProposal = await settle(
      net,
      healthOf(clinic).clinic.propose(toAnna.answerId, { text: 'We can see you next week.', appointments: [{ at: now + 3 * DAY_MS, minutes: 30, place: 'Saltmere Heart Clinic, room 2' }], letterOfIntent: true }),
    );
    const catoProposal = await settle(net, healthOf(clinic).clinic.propose(toCato.answerId, { text: 'Would you like an appointment?', letterOfIntent: true }));
    const annaSees = healthOf(anna).member.proposals();
    assert.equal(annaSees.length, 1);
    assert.equal(annaSees[0]!.proposalId, annaProposal.proposalId);
    assert.equal(annaSees[0]!.clinic, 'Saltmere Heart Clinic');
    assert.equal(annaSees[0]!.appointments[0]!.place, 'Saltmere Heart Clinic, room 2');
    assert.equal(healthOf(bram).member.proposals().length, 0);

    // Anna asks before the clinic signed: the letter follows to her answer address.
    const asked = await settle(net, healthOf(anna).member.requestLetter(annaProposal.proposalId));
    assert.equal(asked.state, 'requested');
    assert.equal(healthOf(clinic).clinic.answerList(board).find((a) => a.answerId === toAnna.answerId)!.letter.state, 'requested');
    const purposes = ['Booking your appointment', 'Sending you your results'];
    await settle(net, healthOf(clinic).clinic.clinicLetter(toAnna.answerId, { purposes, retentionDays: 365, items: ['phone', 'name'] }));
    const annaLetter = healthOf(anna).member.letters()[0]!;
    assert.equal(annaLetter.state, 'received');
    assert.deepEqual(annaLetter.clinicLetter!.items, ['name', 'phone']);
    assert.deepEqual(annaLetter.clinicLetter!.purposes, purposes);
    assert.equal(annaLetter.clinicLetter!.clinicSerial, clinic.id);

    // A wrong passphrase signs nothing and sends nothing.
    await assert.rejects(settle(net, healthOf(anna).member.signLetter(annaLetter.exchangeId, 'not my passphrase')), is('KEYSTORE_BAD_PASSPHRASE'));
    assert.equal(healthOf(anna).member.letters()[0]!.state, 'received');
    assert.equal(healthOf(clinic).clinic.released().length, 0);

    // The right one: the member's letter and exactly the named items go to the clinic.
    const signed = await settle(net, healthOf(anna).member.signLetter(annaLetter.exchangeId, PASS));
    assert.equal(signed.state, 'released');
    assert.deepEqual(signed.released!.items, ['name', 'phone']);
    assert.deepEqual(signed.released!.missing, []);
    const [fromAnna] = healthOf(clinic).clinic.released();
    assert.deepEqual(fromAnna!.items, { name: 'Anna Ashgrove', phone: '+44 7700 900111' });
    assert.equal(fromAnna!.memberSerial, anna.id);
    assert.equal(fromAnna!.answerId, toAnna.answerId);
    assert.deepEqual(fromAnna!.purposes, purposes);
    await assert.rejects(settle(net, healthOf(anna).member.signLetter(annaLetter.exchangeId, PASS)), is('HEALTH_LETTER_DONE'));

    // Cato: the clinic signs first, so his request brings the letter; he gives less than asked.
    await settle(net, healthOf(clinic).clinic.clinicLetter(toCato.answerId, { purposes: ['Booking'], retentionDays: 30, items: ['email', 'name', 'phone'] }));
    const catoLetter = await settle(net, healthOf(cato).member.requestLetter(catoProposal.proposalId));
    assert.equal(catoLetter.state, 'received');
    const catoSigned = await settle(net, healthOf(cato).member.signLetter(catoLetter.exchangeId, PASS, ['name']));
    assert.deepEqual(catoSigned.released!.items, ['name']);
    const released = healthOf(clinic).clinic.released();
    assert.equal(released.length, 2);
    assert.deepEqual(released[0]!.items, { name: 'Cato Coldbrook' });
    assert.equal(released[0]!.memberSerial, cato.id);
    assert.equal(healthOf(clinic).clinic.answerList(board).find((a) => a.answerId === toCato.answerId)!.letter.state, 'released');

    // Bram never answered: the clinic has nothing of him.
    assert.ok(!released.some((r) => r.memberSerial === bram.id));
    assert.equal(healthOf(clinic).clinic.answerList().length, 2);
  } finally {
    await close();
  }
});
