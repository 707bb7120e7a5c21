/**
 * One simulated host's Net: listen and dial over in-memory pipes. Addresses are `host:port`
 * strings that never touch a socket. A dial takes the flights of TCP + TLS 1.3 with mutual
 * authentication, each one link latency (plus retransmissions under loss):
 *   1. SYN reaches the listener's host      (nothing listening / host gone / cut: refused,
 *                                             the dialer learns one latency later)
 *   2. ServerHello…Finished reach the dialer (the dialer checks the listener's passport)
 *   3. client Certificate+Finished arrive     (the listener checks it; onConnection)
 *   4. the server's session ticket arrives    (the dial resolves, as in tls-net.ts)
 */
import { LinkRefusal, TokumeiError } from '../../errors.js';
import { formatAddress, parseAddress } from '../address.js';
import { certificateDerFromPem } from './pem.js';
import type { LinkCredentials, Listener, ListenOptions, Net, TransportConnection } from '../runtime.js';
import type { HostRecord, SimListenerRecord, SimWorld } from './sim-world.js';
import { linkError, TransportFailure } from '../transport-errors.js';
import { RuntimeErrors } from '../runtime-errors.js';

const DEFAULT_DIAL_TIMEOUT_MS = 10_000;
const CHANNEL_BINDING_BYTES = 32;

/** What a dead host's code gets: a promise that never settles, so it stops running. */
function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

function checkCredentials(credentials: LinkCredentials): Uint8Array {
  if (!credentials || typeof credentials.keyPem !== 'string' || typeof credentials.caPem !== 'string' ||
    !credentials.keyPem || !credentials.caPem) {
    throw new TokumeiError('bad-input', TransportFailure.BAD_CREDENTIALS, 'link credentials need passportPem, keyPem and caPem');
  }
  return certificateDerFromPem(credentials.passportPem);
}

export function createSimNet(world: SimWorld, host: HostRecord): Net {
  const scheduler = world.scheduler;
  const owner = host.owner;

  async function listen(options: ListenOptions): Promise<Listener> {
    if (!owner.alive) return never();
    const parsed = parseAddress(options.address);
    if (parsed.host !== host.name && parsed.host !== '0.0.0.0' && parsed.host !== '::') {
      throw RuntimeErrors.SIM_NOT_THIS_HOST(`${host.name} cannot listen on ${options.address}`);
    }
    const passportDer = checkCredentials(options.credentials);
    const port = parsed.port === 0 ? world.allocatePort(host) : parsed.port;
    if (host.listeners.has(port)) {
      throw new TokumeiError('io', TransportFailure.ADDRESS_IN_USE, `listen ${options.address}: port ${port} in use`);
    }
    const record: SimListenerRecord = {
      port,
      address: formatAddress(host.name, port),
      passportDer,
      caPem: options.credentials.caPem,
      onConnection: options.onConnection,
      onHandshakeFailure: options.onHandshakeFailure,
      accepted: new Set(),
    };
    host.listeners.set(port, record);
    return {
      address: record.address,
      async close(): Promise<void> {
        if (host.listeners.get(port) === record) host.listeners.delete(port);
        for (const end of [...record.accepted]) end.destroy();
        record.accepted.clear();
      },
    };
  }

  async function dial(address: string, credentials: LinkCredentials, timeoutMs = DEFAULT_DIAL_TIMEOUT_MS): Promise<TransportConnection> {
    if (!owner.alive) return never();
    const target = parseAddress(address);
    const passportDer = checkCredentials(credentials);
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw RuntimeErrors.SIM_BAD_DURATION(`dial timeout ${timeoutMs}: need a finite duration >= 0`);
    }
    const remoteAddress = formatAddress(target.host, target.port);
    const localAddress = formatAddress(host.name, world.allocatePort(host));
    const detail = `dial ${remoteAddress}`;
    world.stats(host.name).dials += 1;

    return new Promise<TransportConnection>((resolve, reject) => {
      const latency = world.latency(host.name, target.host);
      const rto = Math.max(200, 3 * latency);
      const flight = (): number => latency + world.retransmitDelay(rto);
      let done = false;
      const settle = (outcome: () => void): boolean => {
        if (done) return false;
        done = true;
        scheduler.cancel(deadline);
        outcome();
        return true;
      };
      const refuse = (error: TokumeiError): void => {
        settle(() => reject(error));
      };
      const deadline = scheduler.after(timeoutMs, () => refuse(linkError(LinkRefusal.TIMEOUT, `${detail} (over ${timeoutMs} ms)`)), owner, 'dial-timeout');
      const reachable = (): SimListenerRecord | undefined =>
        world.cutMode(host.name, target.host) ? undefined : world.listenerAt(target.host, target.port);

      // Flight 1: SYN.
      scheduler.after(flight(), () => {
        const listener = reachable();
        if (!listener) {
          scheduler.after(flight(), () => refuse(linkError(LinkRefusal.UNREACHABLE, detail)), owner, 'dial-refused');
          return;
        }
        // Flight 2: the listener's handshake reaches the dialer, who checks the listener's passport.
        scheduler.after(flight(), () => {
          const refusal = world.verify(host.name, target.host, listener.passportDer, credentials.caPem);
          if (refusal) {
            refuse(linkError(refusal, `${detail}`));
            scheduler.after(flight(), () => listener.onHandshakeFailure?.({
              remoteAddress: localAddress,
              error: new TokumeiError('refused', LinkRefusal.HANDSHAKE_FAILED, `accept ${localAddress}: the peer closed the link during the TLS handshake`),
            }), world.hosts.get(target.host)?.owner ?? null, 'accept-failed');
            return;
          }
          // Flight 3: the dialer's passport and Finished reach the listener.
          scheduler.after(flight(), () => accept(listener), null, 'accept');
        }, owner, 'dial-server-hello');
      }, null, 'dial-syn');

      function accept(listener: SimListenerRecord): void {
        if (done || !owner.alive) return; // the dialer gave up or died meanwhile
        const listenerHost = world.hosts.get(target.host);
        if (reachable() !== listener || !listenerHost) {
          scheduler.after(flight(), () => refuse(linkError(LinkRefusal.UNREACHABLE, detail)), owner, 'dial-refused');
          return;
        }
        const refusal = world.verify(target.host, host.name, passportDer, listener.caPem);
        if (refusal) {
          listener.onHandshakeFailure?.({ remoteAddress: localAddress, error: linkError(refusal, `accept ${localAddress}`) });
          scheduler.after(flight(), () => refuse(new TokumeiError('refused', LinkRefusal.HANDSHAKE_FAILED,
            `${detail}: the peer closed the link right after the TLS handshake; it probably refused our passport`)), owner, 'dial-refused');
          return;
        }
        const binding = world.netRandom.bytes(CHANNEL_BINDING_BYTES);
        const pipe = world.createPipe(latency, host, {
          host: host.name,
          owner,
          remoteAddress,
          initiator: true,
          peerPassportDer: listener.passportDer.slice(),
          channelBinding: binding.slice(),
        }, listenerHost, listener, {
          host: listenerHost.name,
          owner: listenerHost.owner,
          remoteAddress: localAddress,
          initiator: false,
          peerPassportDer: passportDer.slice(),
          channelBinding: binding,
        });
        world.stats(listenerHost.name).accepts += 1;
        listener.onConnection(pipe.listener);
        // Flight 4: the session ticket tells the dialer it was accepted.
        scheduler.after(flight(), () => {
          if (!settle(() => resolve(pipe.dialer))) pipe.dialer.destroy();
        }, owner, 'dial-accepted');
      }
    });
  }

  return { listen, dial };
}
