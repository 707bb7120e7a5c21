/** Usage texts, one per command, printed by `--help` and `tokumei help [command]`. */
import { HEALTH_HELP } from './health-help.js';

export const HELP: Record<string, string> = {
  main: `tokumei — anonymous peer-to-peer communications

Usage: tokumei <command> [options]

Passport office (community CA):
  ca init      create a community CA with its trustees
  ca issue     issue a member a passport and keystore (a NODEDIR)
  ca revoke    revoke a passport and publish a new CRL
Nodes:
  node         run a node until Ctrl-C
  status       show a running node's neighbours
  demo         the demo community: dashboards, health scenario, trustees (npm start)
Anonymous messages (through a running node):
  address      print a fresh one-time address to give to a correspondent
  send         send a file or text to an address; waits for the end-to-end acknowledgement
  inbox        list received messages, or save one to a file
  reply        answer a received message (its sender stays unknown)
  routing      show routing counters, circuits, routes and recent events
Bulletin board (through a running node, each request on a fresh onion route):
  board init   create a board's keys (a BOARDDIR) and print its address
  board status show the board replica a node runs (node --board BOARDDIR)
  post         post text (and fields) to a board under a one-time anonymous ID
  search       search a board; --reserve leaves a reservation when nothing matches
  reply        with --board: answer a post (only its poster can read the answer)
  replies      read the replies to your own posts
  notifications  posts that matched your reservations
Emergency opening (k of n trustees name the member behind one anonymous ID):
  authority init   create an opening authority's key (an AUTHDIR)
  trustee allow    list an authority in a trustee's authorities.json
  trustee requests list the opening requests on a board (node --trustee CADIR:INDEX)
  trustee approve  approve one request: the trustee's node sends its approval
  trustee audits   list and verify the audit records on a board
  opening request  ask the trustees to open a post's anonymous ID (node --authority)
  opening status   follow an opening: approvals, result, audit record
Health (through a running node; \`tokumei health --help\` lists them all):
  health profile|set|disclose|measure   the member's profile, kept on this device
  health upload|stats|offers|answer     uploads, statistics, clinics' offers, anonymous answers
  health proposals|letter-request|letter-sign|letters   proposals and letters of intent
  health offer|answers|propose|clinic-letter|released   a clinic's side
  health publish-stats                  an intermediary's cohort statistics

The passphrase comes from TOKUMEI_PASSPHRASE, or is asked on the terminal.
Run \`tokumei <command> --help\` for a command's options.
`,
  'ca init': `Usage: tokumei ca init --dir CA [--trustees N --threshold K] [--key-type ed25519|rsa]

Creates a community CA in the directory CA (which must not hold one already): the CA
certificate, its private key in an encrypted keystore, the trustees' escrow keys, and
an empty CRL. Each passport's anonymity key will be escrowed as K-of-N trustee shares.

  --dir CA            where to create the CA
  --trustees N        number of trustees (default 3)
  --threshold K       trustees needed to open an anonymous ID (default 2)
  --key-type TYPE     ed25519 (default) or rsa (RSA-3072)
`,
  'ca issue': `Usage: tokumei ca issue --ca CA --name LABEL --out NODEDIR [validity]

Issues the member LABEL a passport and writes a node directory: passport, CA certificate,
CRL and the member's keystore (encrypted with the passphrase).

  --ca CA               the CA directory (from \`ca init\`)
  --name LABEL          a label the CA keeps for this member (used by \`ca revoke\`)
  --out NODEDIR         where to write the node directory
  --not-before ISO      passport valid from (default now)
  --not-after ISO       passport valid until (default: --days from now)
  --days N              validity in days (default 365); not with --not-after

The CA passphrase comes from TOKUMEI_PASSPHRASE (or the terminal). The member's keystore
is sealed with TOKUMEI_NODE_PASSPHRASE when set, else with the same passphrase.

Test aid (never use in a real community):
  --wrong-onion-key     sign a random onion key into the passport instead of the one in the
                        keystore, so the node fails the link challenge; tests use it to
                        check that peers refuse such a node (LINK_CHALLENGE_FAILED).
`,
  'ca revoke': `Usage: tokumei ca revoke --ca CA --name LABEL [--push NODEDIR]

Revokes the passport issued to LABEL and writes the CA's new CRL (CA/crl.pem).

  --push NODEDIR   also hand the new CRL to the node running from NODEDIR (through its
                   control API); that node enforces it at once and floods it to the overlay
`,
  node: `Usage: tokumei node --dir NODEDIR --listen HOST:PORT --peers PREFFILE [--control HOST:PORT]
                    [--board BOARDDIR] [--trustee CADIR:INDEX [--trustee-board ADDRESS …]]
                    [--authority AUTHDIR --community CADIR]

Runs a node until SIGINT or SIGTERM, then closes its links and exits. Logs go to stderr
and are appended to NODEDIR/node.log.

  --dir NODEDIR        the node directory (from \`ca issue\`)
  --listen HOST:PORT   where to accept links (port 0 = any free port)
  --peers PREFFILE     preference file: first nodes, one HOST:PORT per line, # comments
  --control HOST:PORT  control API address, loopback only (default 127.0.0.1:0); its URL
                       and token are written to NODEDIR/control.json (mode 0600)
  --log-level LEVEL    debug, info (default), warn or error
  --board BOARDDIR     also run a replica of this board (\`tokumei board init\`); its database
                       is NODEDIR/board.sqlite. The board keystore's passphrase comes from
                       TOKUMEI_BOARD_PASSPHRASE, else TOKUMEI_PASSPHRASE, else the terminal
                       (asked after the node's own)
  --trustee CADIR:INDEX  act as trustee INDEX of the community in CADIR (its keystore
                       trustees/trustee-INDEX/keystore.json, escrow/, community.json, and
                       its authorities.json there); passphrase TOKUMEI_TRUSTEE_PASSPHRASE,
                       else TOKUMEI_PASSPHRASE, else the terminal
  --trustee-board ADDRESS  a board to look for opening requests on (repeatable; default
                       the --board this node replicates)
  --authority AUTHDIR  act as an opening authority (\`tokumei authority init\`); passphrase
                       TOKUMEI_AUTHORITY_PASSPHRASE, else TOKUMEI_PASSPHRASE, else the terminal
  --community CADIR    the community's public ca.pem, community.json and escrow/ for
                       --authority (default: the --trustee CADIR)
`,
  status: `Usage: tokumei status --dir NODEDIR [--json]

Shows the running node's id, address, degree and neighbours (with round-trip times).

  --dir NODEDIR   the running node's directory (its control.json says where to ask)
  --json          print the full status as JSON
`,
  address: `Usage: tokumei address --dir NODEDIR [--json]

Prints a fresh one-time address of the node running from NODEDIR. Give it to whoever should
write to you: only your node recognises it, and two addresses of one node cannot be linked.

  --dir NODEDIR   the running node's directory
  --json          print {"address": …}
`,
  send: `Usage: tokumei send --dir NODEDIR --to ADDRESS (--file FILE | --text TEXT) [--json]

Sends a message (at most 16 MiB) to a one-time address through the node running from
NODEDIR, and waits until the destination has acknowledged all of it end to end (up to
about two minutes). The node seeks a route of at least 3 relays, repairs it locally when a
relay leaves, and falls back to multicast when no route is left.

  --dir NODEDIR    the running node's directory
  --to ADDRESS     the destination's one-time address (tk1…, from \`tokumei address\`)
  --file FILE      send this file's bytes
  --text TEXT      send this text (UTF-8)
  --json           print {"delivered", "bytes", "repairs", "localRepairs", "multicast", "routeLength"}
`,
  inbox: `Usage: tokumei inbox --dir NODEDIR [--json]
       tokumei inbox --dir NODEDIR --save ID --out FILE [--force] [--json]

Lists the messages the node running from NODEDIR received — to its one-time addresses
(kind "message") and answers to what it sent (kind "reply") — with id, size and SHA-256.
The inbox is kept in memory: it is empty again after the node restarts.

  --dir NODEDIR   the running node's directory
  --save ID       write message ID's bytes to --out (atomically)
  --out FILE      where to write it; an existing file is refused unless --force
  --force         replace FILE if it exists
  --json          print the list (or the saved message's id, bytes, sha256) as JSON
`,
  reply: `Usage: tokumei reply --dir NODEDIR --to-message ID (--file FILE | --text TEXT) [--json]

Answers message ID of the inbox, along the circuit it came on or through the reply route it
carried, and waits for the end-to-end acknowledgement. Your node never learns who sent it.

  --dir NODEDIR      the running node's directory
  --to-message ID    the id from \`tokumei inbox\`
  --file FILE        answer with this file's bytes
  --text TEXT        answer with this text (UTF-8)
  --json             print {"via", "bytes"}

Usage: tokumei reply --dir NODEDIR --board ADDRESS --post ID (--text TEXT | --file FILE)
                     [--answer-address tk1…] [--json]

Answers post ID of the board (from \`tokumei search\`), under a one-time anonymous ID; the
reply is sealed so that only the post's author can read it (\`tokumei replies\`).

  --board ADDRESS          the board's tkb1 address (or its BOARDDIR)
  --post ID                the post's id
  --answer-address tk1…    a one-time address of yours (\`tokumei address\`) the author may write to
  --json                   print {"replyId"}
`,
  routing: `Usage: tokumei routing --dir NODEDIR [--json]

Shows what the node running from NODEDIR knows of anonymous routing: counters (seeks, circuits,
cells, backtracks, multicast), each conversation it holds as a sender with its route relay by
relay (and each relay's alternatives), and the last events. As a relay it knows only its own
neighbours on each circuit, and shows no more.

  --dir NODEDIR   the running node's directory
  --json          print the full routing status as JSON
`,
  board: `Usage: tokumei board init --out BOARDDIR [--json]
       tokumei board status --dir NODEDIR [--json]

  board init     create a board's keys and print its address
  board status   show the replica a running node serves (\`tokumei node … --board BOARDDIR\`)
`,
  'board init': `Usage: tokumei board init --out BOARDDIR [--json]

Creates a bulletin board: its four keys in BOARDDIR/keystore.json (encrypted, mode 0600) and
its public address in BOARDDIR/board.json, and prints the address (tkb1…). Every replica of
the board runs with a copy of BOARDDIR (\`tokumei node … --board BOARDDIR\`); members need
only the address.

  --out BOARDDIR   where to create it (must not exist or be empty)
  --json           print {"address"}

The passphrase comes from TOKUMEI_BOARD_PASSPHRASE, else TOKUMEI_PASSPHRASE, else the
terminal (asked twice).
`,
  'board status': `Usage: tokumei board status --dir NODEDIR [--json]

Shows the board replica the node running from NODEDIR serves: what it stores (posts, replies,
reservations), the replicas it pulls from with their cursors, its counters and refusals, and
whether its database passes SQLite's integrity checks. BOARD_NO_REPLICA when the node runs none.

  --json   print {"address", "replicaId", "peers", "stored", "counters", "integrity"}
`,
  post: `Usage: tokumei post --dir NODEDIR --board ADDRESS (--text TEXT | --file FILE)
                    [--field KEY=VALUE …] [--ttl DURATION] [--json]

Posts to a board through the node running from NODEDIR, signed under a fresh one-time
anonymous ID and sealed to the board; waits until a replica has stored it.

  --board ADDRESS      the board's tkb1 address (or its BOARDDIR)
  --text TEXT          the post (at most 16,384 bytes of UTF-8; tab and newline allowed)
  --file FILE          the post, from a UTF-8 file
  --field KEY=VALUE    a field to match exactly in searches (repeatable, at most 16; KEY is
                       [a-z][a-z0-9_.-]{0,31}, VALUE one line of at most 128 bytes)
  --ttl DURATION       how long it stays: 30s, 10m, 1h, 7d (default 7d, at most 30d)
  --json               print {"postId", "anonymousId", "expires"}
`,
  search: `Usage: tokumei search --dir NODEDIR --board ADDRESS [--query WORDS] [--field KEY=VALUE …]
                      [--limit N] [--reserve DURATION] [--json]

Finds the posts that hold every word of the query and every field, newest first. Words are
matched as whole words, ignoring case and accents; the query is plain text, never syntax.

  --query WORDS        at most 256 bytes, 16 words
  --field KEY=VALUE    exact field match (repeatable)
  --limit N            at most N results (1-50, default 50)
  --reserve DURATION   when nothing matches, leave a reservation for that long (at most 7d):
                       a matching post posted later is notified (\`tokumei notifications\`)
  --json               print {"results": [{"postId", "anonymousId", "created", "expires",
                       "text", "fields"}]}, with "reservationId" and "expires" if one was left
`,
  replies: `Usage: tokumei replies --dir NODEDIR --board ADDRESS [--post ID] [--json]

Reads the replies to your own unexpired posts on the board (or to post ID). Only the poster
can open them: for another member's post this fails with BOARD_NOT_MINE.

  --json   print {"replies": [{"postId", "replyId", "created", "text", "answerAddress"}]}
`,
  notifications: `Usage: tokumei notifications --dir NODEDIR [--json]

Lists the posts that matched a reservation (\`tokumei search --reserve\`) since the node started.

  --json   print {"notifications": [{"reservationId", "receivedAt", "post": {…}}]}
`,
  authority: `Usage: tokumei authority init --out AUTHDIR --name NAME [--json]
`,
  'authority init': `Usage: tokumei authority init --out AUTHDIR --name NAME [--json]

Creates an emergency-opening authority: an Ed25519 key in AUTHDIR/keystore.json (encrypted
with TOKUMEI_AUTHORITY_PASSPHRASE, else TOKUMEI_PASSPHRASE, else the terminal) and its public
AUTHDIR/authority.json. Trustees approve only requests signed by an authority they list
(\`tokumei trustee allow\`). Run the authority's node with \`tokumei node … --authority AUTHDIR\`.

  --out AUTHDIR   where to create it (must not exist or be empty)
  --name NAME     the authority's name, 1-128 bytes, as trustees will list it
  --json          print {"name", "signingPublicKey"}
`,
  trustee: `Usage: tokumei trustee allow|requests|approve|audits …

  trustee allow    --trustee CADIR:INDEX --authority AUTHDIR
  trustee requests --dir NODEDIR [--board ADDRESS] [--json]
  trustee approve  --dir NODEDIR --request ID [--board ADDRESS] [--json]
  trustee audits   --dir NODEDIR --board ADDRESS [--json]
`,
  'trustee allow': `Usage: tokumei trustee allow --trustee CADIR:INDEX --authority AUTHDIR [--json]

Adds the authority in AUTHDIR (its public authority.json) to trustee INDEX's own list,
CADIR/trustees/trustee-INDEX/authorities.json. Each trustee decides alone whom to accept.
`,
  'trustee requests': `Usage: tokumei trustee requests --dir NODEDIR [--board ADDRESS] [--json]

Lists the emergency-opening requests on the board, as the trustee's node running from
NODEDIR (\`tokumei node … --trustee CADIR:INDEX\`) checks them: pending (can be approved),
approving, approved, countersigned (with the result), refused (an authority this trustee does
not list, a request older than 7 days, …) or failed.

  --board ADDRESS   the board's tkb1 address or BOARDDIR (default: the boards already asked)
  --json            print {"requests": [{"requestId", "board", "postId", "anonId", "authority",
                    "authorityKey", "reason", "requestedAt", "status", "error"?, "result"?}]}
`,
  'trustee approve': `Usage: tokumei trustee approve --dir NODEDIR --request ID [--board ADDRESS] [--json]

Approves request ID: the trustee's node opens its escrow share of every member, one at a
time, and sends the signed partials to the authority over an onion route (never to the
board). With k approvals the authority combines them, and each approving trustee's node
re-runs the combination and countersigns the audit record before it is published.
`,
  'trustee audits': `Usage: tokumei trustee audits --dir NODEDIR --board ADDRESS [--json]

Lists the audit records of openings on the board, each verified against the community's
trustee keys (works on a trustee's or an authority's node).
`,
  opening: `Usage: tokumei opening request|status …

  opening request --dir NODEDIR --board ADDRESS --id ANONID --reason TEXT [--json]
  opening status  --dir NODEDIR [--request ID] [--json]
`,
  'opening request': `Usage: tokumei opening request --dir NODEDIR --board ADDRESS --id ANONID --reason TEXT [--json]

Through the authority's node (\`tokumei node … --authority AUTHDIR --community CADIR\`): signs
a request to open anonymous ID ANONID (a post's "anonymousId", 128 hex digits), serves a
one-time address for the trustees' approvals and posts the notice on the board.

  --reason TEXT   why, 1-1024 bytes of one-line text; it is public (the audit record holds it)
  --json          print the opening's status (see \`opening status\`)
`,
  'opening status': `Usage: tokumei opening status --dir NODEDIR [--request ID] [--json]

Shows an opening (or all of this node's): waiting (approvals of k), opened (the member serial,
or "no member matched", and the audit record's post id) or failed. Openings live in the
node's memory: a restart forgets them (the notices and audit records stay on the board).

  --json   print {"requestId", "board", "anonId", "authority", "reason", "requestedAt", "postId",
           "status", "stage", "approvals", "threshold", "result"?, "auditPostId"?, "trustees"?,
           "rejected", "error"?}
`,
  demo: `Usage: tokumei demo [--dir DIR] [--churn] [--duration SECONDS]

Builds the demo community in DIR (default: a new temporary directory): a passport office with
3 trustees (any 2 open one anonymous ID), 13 node processes on 127.0.0.1 — 3 board replicas,
an intermediary, a clinic, an opening authority, 3 trustees, 4 members with generated health
records — and prints each node's dashboard URL (you are member1). The scenario then runs by
itself: uploads, cohort statistics, a clinic's offer, an anonymous answer and letters of intent,
an emergency opening with its audit record on the board. Ctrl-C stops every node.

  --dir DIR          where to create the community (must not exist or be empty)
  --churn            kill and restart relays while it runs
  --churn-every S    seconds between two churn events (default 20)
  --duration S       stop by itself after S seconds (default: run until Ctrl-C)
  --interval-ms MS   how often to refresh the view (default 2000)
`,
};

Object.assign(HELP, HEALTH_HELP);

export function helpText(command: string): string {
  return HELP[command] ?? HELP.main!;
}
