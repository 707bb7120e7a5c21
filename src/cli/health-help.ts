/** Usage texts of the `tokumei health` commands (help.ts holds the others). */

const NODE = `--dir NODEDIR`;
const JSON_NOTE = `  --json            print the node's answer as one line of JSON (the control API's shape)`;

export const HEALTH_HELP: Record<string, string> = {
  health: `Usage: tokumei health <command> ${NODE} [options] [--json]

The health application through a running node (docs/protocol.md §8); the dashboard's Health
view does the same. Identifying attributes never leave the device; network commands go over
fresh onion routes and may take a minute.

Member (your own profile, on this device):
  health profile        show the profile: attributes, what is disclosed, measurements
  health set            set (or --clear) an attribute: --name NAME --value VALUE
  health disclose       disclose an attribute or measurement kind (--off: stop disclosing)
  health measure        record a measurement: --kind KIND --value NUMBER [--at ISO]
  health upload         upload what you disclose to a study, anonymously
  health stats          a study's cohort statistics and where you stand
  health offers         clinics' offers on the board, matched here against your profile
  health answer         answer an offer anonymously, disclosing only what you name
  health proposals      the proposals clinics sent to your answers
  health letter-request ask a clinic for its letter of intent on a proposal
  health letter-sign    sign your letter of intent (asks your passphrase): the clinic
                        receives the identifying items named, and nothing else
  health letters        your letter-of-intent exchanges
Clinic:
  health offer          post an offer (a JSON file) on the board
  health answers        the anonymous answers to your offers
  health propose        send a proposal to an answer
  health clinic-letter  sign the clinic's letter of intent for an answer
  health released       identifying data members released to you under letters
Intermediary:
  health publish-stats  compute a study's cohort statistics from its uploads and publish them

Run \`tokumei health <command> --help\` for a command's options.
`,
  'health profile': `Usage: tokumei health profile ${NODE} [--json]

Shows this member's profile: every attribute with its value, whether it is disclosed and
whether it is locked (identifying attributes are never disclosed), and the measurements.
${JSON_NOTE}
`,
  'health set': `Usage: tokumei health set ${NODE} --name NAME (--value VALUE | --clear) [--json]

Sets attribute NAME (see \`health profile\` for the names). VALUE is read as the attribute's
type: a number, true/false, a date (YYYY-MM-DD) or text.
${JSON_NOTE}
`,
  'health disclose': `Usage: tokumei health disclose ${NODE} --name NAME [--off] [--json]

Marks attribute or measurement kind NAME as disclosed (uploaded, usable in answers); --off
stops disclosing it. Identifying attributes are locked: HEALTH_LOCKED.
${JSON_NOTE}
`,
  'health measure': `Usage: tokumei health measure ${NODE} --kind KIND --value NUMBER [--at ISO] [--json]

Records a measurement (systolic, diastolic, heartRate, weightKg, heightCm, glucose,
cholesterol) at --at (default now).
${JSON_NOTE}
`,
  'health upload': `Usage: tokumei health upload ${NODE} --board ADDRESS --study STUDY [--pseudonymous] [--json]

Uploads the disclosed attributes and measurements to STUDY on the board, under a fresh
anonymous ID (--pseudonymous: under this member's pseudonym for the study, so its uploads
can be linked to each other — never to the member).
${JSON_NOTE}
`,
  'health stats': `Usage: tokumei health stats ${NODE} --board ADDRESS --study STUDY [--json]

Fetches STUDY's newest statistics and computes, on this device, where the member stands in
its cohort (percentile per measurement kind).
${JSON_NOTE}
`,
  'health offers': `Usage: tokumei health offers ${NODE} --board ADDRESS [--json]

Lists the clinics' offers on the board, each matched on this device against the full profile
(the reasons quote your own values: they are shown here and sent nowhere).
${JSON_NOTE}
`,
  'health answer': `Usage: tokumei health answer ${NODE} --board ADDRESS --post ID --disclose NAME,… [--message TEXT] [--json]

Answers the offer in post ID anonymously, telling the clinic only the attributes named (none
identifying) and the message.
${JSON_NOTE}
`,
  'health proposals': `Usage: tokumei health proposals ${NODE} [--json]

Lists the proposals clinics sent to this member's answers.
${JSON_NOTE}
`,
  'health letter-request': `Usage: tokumei health letter-request ${NODE} --proposal ID [--json]

Asks the clinic of proposal ID for its letter of intent; \`health letters\` shows it once it came.
${JSON_NOTE}
`,
  'health letter-sign': `Usage: tokumei health letter-sign ${NODE} --exchange ID [--items NAME,…] [--json]

Signs this member's letter of intent in exchange ID after reading the clinic's (\`health
letters\`) and releases to that clinic the identifying items it asked for (or only --items).
The passphrase of the member's keystore comes from TOKUMEI_PASSPHRASE or the terminal; a wrong
one is KEYSTORE_BAD_PASSPHRASE and nothing is signed or sent.
${JSON_NOTE}
`,
  'health letters': `Usage: tokumei health letters ${NODE} [--json]

Lists this member's letter-of-intent exchanges: requested, received (ready to sign),
released or failed, with the clinic's letter.
${JSON_NOTE}
`,
  'health offer': `Usage: tokumei health offer ${NODE} --board ADDRESS --file OFFER.json [--ttl DURATION] [--json]

Posts the clinic's offer: OFFER.json is {"clinic", "title", "description", "criteria":
[{"attribute", "op", "value"}], "expires" (ms), "hints"?}. --ttl (30s … 30d) bounds the post.
${JSON_NOTE}
`,
  'health answers': `Usage: tokumei health answers ${NODE} --board ADDRESS [--json]

Fetches and lists the anonymous answers to this clinic's offers on the board.
${JSON_NOTE}
`,
  'health propose': `Usage: tokumei health propose ${NODE} --answer ID --text TEXT [--appointment ISO/MINUTES/PLACE …]
                             [--letter-of-intent] [--expires ISO] [--json]

Sends a proposal to answer ID (to the member's one-time answer address): a text, appointments
offered, and whether the clinic offers a letter of intent.
${JSON_NOTE}
`,
  'health clinic-letter': `Usage: tokumei health clinic-letter ${NODE} --answer ID --purpose TEXT … --retention-days N --items NAME,… [--json]

Signs the clinic's letter of intent for answer ID (once the member asked for it): what the
data is for (--purpose, repeatable), how long it is kept, and the identifying items asked.
${JSON_NOTE}
`,
  'health released': `Usage: tokumei health released ${NODE} [--json]

Lists the identifying data members released to this clinic under letters of intent.
${JSON_NOTE}
`,
  'health publish-stats': `Usage: tokumei health publish-stats ${NODE} --board ADDRESS --study STUDY --min-cohort N [--since ISO] [--json]

Gathers STUDY's uploads from the board, computes cohort statistics (cohorts of fewer than N
members are left out) and publishes them on the board.
${JSON_NOTE}
`,
};
