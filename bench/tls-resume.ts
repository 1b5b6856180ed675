/**
 * Section "tls-resume": TLS 1.3 resumption with a session ticket (PSK with
 * (EC)DHE, RFC 8446 §2.2), same setup as "tls-socket" and "tls-handshake".
 *
 * - resumed handshake + 1-byte echo over loopback: `wrapSocket(..., {
 *   session })` ∥ `accept` vs `tls.connect({ session })` ∥ 'secureConnection',
 *   each side reusing one ticket got from a first connection (both servers
 *   keep stateless tickets and allow that); every call checks it resumed.
 * - resumed vs full handshake in memory (two SSLObjects): what a ticket saves
 *   us (no certificate, CertificateVerify or chain verification).
 */
import * as tls from 'node:tls';
import * as ssl from '../src/ssl/index.js';
import { JIT_WARMUP_MS, type BenchCase, type BenchSection } from './harness.js';
import { handshakeContexts, handshakeInMemory } from './tls-handshake.js';
import { certs, nodeConnect, nodeEchoOnce, nodeEndpoint, oursConnect, oursEchoOnce, oursEndpoint, type NodeEndpoint, type OursEndpoint } from './tls-socket.js';

const HOSTNAME = 'localhost';
const MAX_FLIGHTS = 10;

/** A first sslsock connection that reads its tickets; its session resumes the next ones. */
async function oursSession(e: OursEndpoint): Promise<ssl.SSLSession> {
  const [client, server] = await oursConnect(e);
  await server.sendall(Buffer.from('t'));
  await client.recv(1); // the tickets came before this byte
  const session = client.session as ssl.SSLSession;
  client.close();
  server.close();
  if (!session.hasTicket) throw new Error('tls-resume: sslsock got no ticket');
  return session;
}

async function nodeSession(e: NodeEndpoint): Promise<Buffer> {
  const [client, server] = await nodeConnect(e);
  const session = new Promise<Buffer>((resolve) => client.once('session', resolve));
  server.write('t');
  const s = await session;
  client.destroy();
  server.destroy();
  return s;
}

async function oursResumed(e: OursEndpoint, session: ssl.SSLSession): Promise<void> {
  const [client, server] = await oursConnect(e, session);
  if (client.sessionReused !== true || server.sessionReused !== true) throw new Error('tls-resume: sslsock did not resume');
  await oursEchoOnce(client, server);
}

async function nodeResumed(e: NodeEndpoint): Promise<void> {
  const [client, server] = await nodeConnect(e);
  if (!client.isSessionReused() || !server.isSessionReused()) throw new Error('tls-resume: node:tls did not resume');
  await nodeEchoOnce(client, server);
}

/** One in-memory handshake offering `session`; returns the client's session after reading the tickets. */
function resumeInMemory(cctx: ssl.SSLContext, sctx: ssl.SSLContext, session: ssl.SSLSession | null): ssl.SSLSession {
  const [ci, co, si, so] = [new ssl.MemoryBIO(), new ssl.MemoryBIO(), new ssl.MemoryBIO(), new ssl.MemoryBIO()];
  const client = cctx.wrapBio(ci, co, { serverHostname: HOSTNAME, session });
  const server = sctx.wrapBio(si, so, { serverSide: true });
  const step = (f: () => void): void => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof ssl.SSLWantReadError)) throw e;
    }
  };
  for (let i = 0; i < MAX_FLIGHTS && !(client.version() !== null && server.version() !== null); i++) {
    step(() => client.doHandshake());
    si.write(co.read());
    step(() => server.doHandshake());
    ci.write(so.read());
  }
  if (session !== null && !client.sessionReused) throw new Error('tls-resume: in-memory handshake did not resume');
  step(() => void client.read(1));
  return client.session!;
}

export const tlsResumeSection: BenchSection = {
  id: 'tls-resume',
  title: 'TLS 1.3 resumption with a session ticket (psk_dhe_ke), as tls-socket / tls-handshake',
  async setup(): Promise<BenchCase[]> {
    const c = certs();
    const ours = await oursEndpoint(c);
    const theirs = await nodeEndpoint(c);
    const ourSession = await oursSession(ours);
    const resumingNode: NodeEndpoint = { ...theirs, clientOptions: { ...theirs.clientOptions, session: await nodeSession(theirs) } };
    const { cctx, sctx } = handshakeContexts();
    const memSession = resumeInMemory(cctx, sctx, null);
    return [
      {
        name: 'resumed handshake + 1-byte echo, one at a time',
        ours: () => oursResumed(ours, ourSession),
        baseline: () => nodeResumed(resumingNode),
        baselineName: 'node:tls connect({ session }) ∥ secureConnection, same echo',
        goal: '≥ 1.0x per CPU-s',
        warmupMs: JIT_WARMUP_MS,
        dispose: async () => {
          ours.listener.close();
          await new Promise<void>((resolve) => (theirs.server as tls.Server).close(() => resolve()));
        },
      },
      {
        name: 'resumed handshake in memory',
        ours: () => void resumeInMemory(cctx, sctx, memSession),
        baseline: () => handshakeInMemory(cctx, sctx),
        baselineName: 'sslsock full handshake in memory (tls-handshake)',
        goal: '> 1x: a ticket skips the certificate, its signature and the chain',
        warmupMs: JIT_WARMUP_MS / 3, // most of both sides' code is warm from the row above
      },
    ];
  },
};
