/**
 * The peers a scripted peer runs against, the same bytes to each: our server
 * in memory or `openssl s_server` over TCP (for a scripted client), and our
 * client in memory or `openssl s_client` over TCP (for a scripted server).
 */
import { Connection } from '../../../src/tls/connection.js';
import type { ConnectionConfig } from '../../../src/tls/config.js';
import { testPki } from '../connection-certs.js';
import { HAVE_OPENSSL, Peer, freePort, listenOnce } from '../interop-peers.js';
import { type Heard, memoryWire, provider, socketWire, tcpWire, type Wire } from './scripted-peer.js';

export const skipOpenssl = HAVE_OPENSSL ? false : 'openssl not installed';

/** A server to script against: ours in memory, or openssl s_server. */
export interface Target {
  readonly name: string;
  readonly wire: Wire;
  /** Application data the server received so far. */
  received(): Promise<string>;
  done(): Promise<void>;
}

export function ourServer(config: Partial<ConnectionConfig> = {}): Target {
  const pki = testPki();
  const s = Connection.server({ provider, certificates: [pki.servers.p256.certified], ...config });
  const wire = memoryWire(s);
  return {
    name: 'sslsock',
    wire,
    async received() {
      return s.read().toString('latin1');
    },
    async done() {},
  };
}

export async function opensslServer(args: string[] = []): Promise<Target> {
  const pki = testPki();
  const leaf = pki.servers.p256;
  const port = await freePort();
  const peer = Peer.start('openssl', ['s_server', '-accept', String(port), '-cert', leaf.certFile, '-key', leaf.keyFile, '-naccept', '1', '-quiet', ...args]);
  const wire = await tcpWire(port);
  return {
    name: 'openssl s_server',
    wire,
    async received() {
      await peer.waitStdout(1, 2000);
      return peer.out.toString('latin1');
    },
    async done() {
      wire.close();
      peer.kill();
      await peer.exit();
    },
  };
}

/** A client to script a server against: ours in memory, or openssl s_client. */
export interface ClientTarget {
  readonly name: string;
  readonly wire: Wire;
  done(): Promise<void>;
}

export function ourClient(config: Partial<ConnectionConfig> = {}): ClientTarget {
  const c = Connection.client({ provider, serverName: 'localhost', ...config });
  const wire = memoryWire(c);
  return { name: 'sslsock', wire, async done() {} };
}

export async function opensslClient(args: string[] = []): Promise<ClientTarget> {
  const listener = await listenOnce();
  const peer = Peer.start('openssl', ['s_client', '-connect', `127.0.0.1:${listener.port}`, '-servername', 'localhost', '-CAfile', testPki().caFile, ...args]);
  const wire = socketWire(await listener.accepted);
  listener.close();
  return {
    name: 'openssl s_client',
    wire,
    async done() {
      wire.close();
      peer.kill();
      await peer.exit();
    },
  };
}

export interface Outcome {
  /** The handshake completed (and, for a scripted client, the server read our application data). */
  readonly completed: boolean;
  /** The alert the peer sent, if any. */
  readonly alert: string | null;
  /** Set only when our honest side could not follow the peer (a script or peer problem, never expected). */
  readonly clientError?: string;
}

export const COMPLETED: Outcome = { completed: true, alert: null };
export const alert = (a: string | null): Outcome => ({ completed: false, alert: a });
export const heardOutcome = (h: Heard): Outcome => (h.clientError ? { completed: false, alert: h.alert, clientError: `${h.clientError.alert}: ${h.clientError.reason}` } : alert(h.alert));
