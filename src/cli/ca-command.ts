/**
 * `tokumei ca init | issue | revoke`: the passport office (DESIGN §4). The CA's work is done by
 * src/identity; this file only reads options, asks for the passphrase and reports.
 */
import { initCa, issueMember, revokeMember } from '../identity/ca-store.js';
import type { KeyType } from '../identity/types.js';
import { NodeClient } from '../node/node-client.js';
import { oneOf, optionalDate, optionalInt, optionalString, parseCommandArgs, requireString } from './args.js';
import type { CliIo } from './cli-io.js';
import { requireCaDir } from './dir-checks.js';
import { helpText } from './help.js';
import { getPassphrase } from './passphrase.js';
import { usageError } from './usage-error.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Optional passphrase for the new member keystore (default: the CA passphrase). */
export const NODE_PASSPHRASE_ENV = 'TOKUMEI_NODE_PASSPHRASE';

export async function caCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'init':
      return caInit(rest, io);
    case 'issue':
      return caIssue(rest, io);
    case 'revoke':
      return caRevoke(rest, io);
    case undefined:
    case '--help':
    case '-h':
      (sub === undefined ? io.err : io.out)(helpText('main'));
      return sub === undefined ? 2 : 0;
    default:
      throw usageError(`unknown command "ca ${sub}"; use ca init, ca issue or ca revoke`, '');
  }
}

async function caInit(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'ca init';
  const { values } = parseCommandArgs(cmd, argv, {
    dir: { type: 'string' },
    trustees: { type: 'string' },
    threshold: { type: 'string' },
    'key-type': { type: 'string' },
  });
  if (values.help) return help(cmd, io);
  const dir = requireString(values, 'dir', cmd);
  const trustees = optionalInt(values, 'trustees', cmd, 1, 255) ?? 3;
  const threshold = optionalInt(values, 'threshold', cmd, 1, 255) ?? Math.min(2, trustees);
  if (threshold > trustees) throw usageError(`--threshold (${threshold}) cannot exceed --trustees (${trustees})`, cmd);
  const keyType = oneOf<KeyType>(values, 'key-type', cmd, ['ed25519', 'rsa'], 'ed25519');
  const passphrase = await getPassphrase(io, { what: `new CA in ${dir}`, confirm: true });
  await initCa(dir, { keyType, trustees, threshold, passphrase });
  io.out(`created CA in ${dir} (${keyType}, ${threshold}-of-${trustees} trustees)\n`);
  return 0;
}

async function caIssue(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'ca issue';
  const { values } = parseCommandArgs(cmd, argv, {
    ca: { type: 'string' },
    name: { type: 'string' },
    out: { type: 'string' },
    'not-before': { type: 'string' },
    'not-after': { type: 'string' },
    days: { type: 'string' },
    'wrong-onion-key': { type: 'boolean' },
  });
  if (values.help) return help(cmd, io);
  const caDir = requireString(values, 'ca', cmd);
  const label = requireString(values, 'name', cmd);
  const outDir = requireString(values, 'out', cmd);
  const notBefore = optionalDate(values, 'not-before', cmd);
  let notAfter = optionalDate(values, 'not-after', cmd);
  const days = optionalInt(values, 'days', cmd, 1, 36500);
  if (notAfter && days !== undefined) throw usageError('give --not-after or --days, not both', cmd);
  if (days !== undefined) notAfter = new Date((notBefore ?? new Date()).getTime() + days * DAY_MS);
  if (notBefore && notAfter && notAfter <= notBefore) throw usageError('--not-after must be later than --not-before', cmd);
  requireCaDir(caDir);
  const passphrase = await getPassphrase(io, { what: `CA in ${caDir}` });
  // The member's keystore gets its own passphrase when one is given; by default the CA's.
  const nodePassphrase = io.env[NODE_PASSPHRASE_ENV] || undefined;
  const issued = await issueMember(caDir, {
    label,
    outDir,
    passphrase,
    nodePassphrase,
    notBefore,
    notAfter,
    wrongOnionKey: values['wrong-onion-key'] === true,
  });
  io.out(
    `issued passport ${issued.serial} to ${label} in ${outDir}, valid ${issued.notBefore} to ${issued.notAfter}` +
      `${values['wrong-onion-key'] ? ' (TEST AID: wrong onion key)' : ''}\n`,
  );
  return 0;
}

async function caRevoke(argv: string[], io: CliIo): Promise<number> {
  const cmd = 'ca revoke';
  const { values } = parseCommandArgs(cmd, argv, {
    ca: { type: 'string' },
    name: { type: 'string' },
    push: { type: 'string' },
  });
  if (values.help) return help(cmd, io);
  const caDir = requireString(values, 'ca', cmd);
  const label = requireString(values, 'name', cmd);
  const pushDir = optionalString(values, 'push');
  // Find the node before changing anything, so a typo in --push fails without a half-done revoke.
  requireCaDir(caDir);
  const client = pushDir !== undefined ? await NodeClient.forNodeDir(pushDir) : undefined;
  const passphrase = await getPassphrase(io, { what: `CA in ${caDir}` });
  const crl = await revokeMember(caDir, { label, passphrase });
  io.out(`revoked ${label}; CRL #${crl.number} lists ${crl.revoked.size} passport(s)\n`);
  if (client) {
    const r = await client.pushCrl(crl.pem);
    io.out(r.installed ? `node in ${pushDir} installed CRL #${r.crlNumber} and floods it\n` : `node in ${pushDir} already enforces CRL #${r.crlNumber}\n`);
  }
  return 0;
}

function help(cmd: string, io: CliIo): number {
  io.out(helpText(cmd));
  return 0;
}
