/** Usage texts, one per command, printed by `--help` and `tokumei help [command]`. */

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
  demo         start a small local community and watch the overlay form
Anonymous messages (through a running node):
  address      print a fresh one-time address to give to a correspondent
  send         send a file or text to an address; waits for the end-to-end acknowledgement
  inbox        list received messages, or save one to a file
  reply        answer a received message (its sender stays unknown)
  routing      show routing counters, circuits, routes and recent events

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

Runs a node until SIGINT or SIGTERM, then closes its links and exits. Logs go to stderr
and are appended to NODEDIR/node.log.

  --dir NODEDIR        the node directory (from \`ca issue\`)
  --listen HOST:PORT   where to accept links (port 0 = any free port)
  --peers PREFFILE     preference file: first nodes, one HOST:PORT per line, # comments
  --control HOST:PORT  control API address, loopback only (default 127.0.0.1:0); its URL
                       and token are written to NODEDIR/control.json (mode 0600)
  --log-level LEVEL    debug, info (default), warn or error
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
`,
  routing: `Usage: tokumei routing --dir NODEDIR [--json]

Shows what the node running from NODEDIR knows of anonymous routing: counters (seeks, circuits,
cells, backtracks, multicast), each conversation it holds as a sender with its route relay by
relay (and each relay's alternatives), and the last events. As a relay it knows only its own
neighbours on each circuit, and shows no more.

  --dir NODEDIR   the running node's directory
  --json          print the full routing status as JSON
`,
  demo: `Usage: tokumei demo [--dir DIR] [--nodes N] [--duration SECONDS]

Creates a throwaway community (CA and N passports) in DIR (default: a new temporary
directory), starts N node processes on 127.0.0.1 with a preference file naming two of
them, and shows the overlay as it forms. Ctrl-C stops every node.

  --dir DIR          where to create the community (must not exist or be empty)
  --nodes N          how many nodes (default 6, at most 32)
  --duration S       stop by itself after S seconds (default: run until Ctrl-C)
  --interval-ms MS   how often to refresh the table (default 1500)
`,
};

export function helpText(command: string): string {
  return HELP[command] ?? HELP.main!;
}
