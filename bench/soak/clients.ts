/**
 * The soak's clients: ours (SSLSocket through the public API, the way a
 * Python client is written) and node:tls. Each sends its header and data
 * while reading the echo (full duplex, so 256 KiB never waits on a full
 * TCP window), checks the echo's SHA-256, the TLS version and resumption,
 * and ends as planned. Both return the connection's session, which the
 * primers hand to the resuming connections.
 */
import { createHash } from 'node:crypto';
import * as tls from 'node:tls';
import * as socket from '../../src/socket/index.js';
import type * as ssl from '../../src/ssl/index.js';
import { expectRaggedEof, recvDigest, recvExactly, sameDigest } from './io.js';
import { abortAfter, clientKeyUpdate, makePayload, resumes, showsCert, type ConnSpec } from './plan.js';
import { describe } from './server.js';
import { HOSTNAME, LOOPBACK, type ClientContexts } from './setup.js';
import type { Tally } from './tally.js';

export type Session = ssl.SSLSession | Buffer | null;

export interface ClientEnv {
  readonly port: number;
  readonly contexts: ClientContexts;
  readonly tally: Tally;
}

/** Runs one client connection; errors are counted in the tally, never thrown. The session, when there is one. */
export async function runClient(env: ClientEnv, spec: ConnSpec, session: Session): Promise<Session> {
  try {
    const s = spec.client === 'ours' ? await oursClient(env, spec, session as ssl.SSLSession | null) : await nodeClient(env, spec, session as Buffer | null);
    env.tally.clientCompleted++;
    return s;
  } catch (e) {
    env.tally.fail(`client #${spec.id} (${describe(spec)})`, e);
    return null;
  }
}

/**
 * The primers one after the other (so each resuming connection has a
 * session to offer: one per client kind, TLS version and certificate), then the plan,
 * `concurrency` connections at a time, until done or `stopped()`.
 */
export async function runClients(env: ClientEnv, primers: readonly ConnSpec[], plan: readonly ConnSpec[], concurrency: number, stopped: () => boolean): Promise<void> {
  const sessions = new Map<string, Session>();
  const key = (s: ConnSpec): string => `${s.client}/${s.version}/${showsCert(s.auth)}`;
  for (const spec of primers) sessions.set(key(spec), await runClient(env, spec, null));
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < plan.length && !stopped(); i = next++) {
      const spec = plan[i]!;
      await runClient(env, spec, resumes(spec.auth) ? (sessions.get(key(spec)) ?? null) : null);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function checkClientSession(spec: ConnSpec, version: string | null, reused: boolean | null): void {
  if (version !== `TLSv${spec.version}`) throw new Error(`version ${version}, planned TLSv${spec.version}`);
  if (reused !== resumes(spec.auth)) throw new Error(`session reused: ${reused}`);
}

async function oursClient(env: ClientEnv, spec: ConnSpec, session: ssl.SSLSession | null): Promise<Session> {
  const { data, plain, header } = makePayload(spec);
  const raw = await socket.createConnection([LOOPBACK, env.port], env.tally.secondsLeft());
  const ctx = env.contexts.ours(spec.version, spec.auth);
  // The handshake runs inside holding(), so a run past its deadline can close this socket too.
  const suppressRaggedEofs = spec.ending !== 'server-ragged-strict';
  const sock = await ctx.wrapSocket(raw, { serverHostname: HOSTNAME, session, doHandshakeOnConnect: false, suppressRaggedEofs });
  return env.tally.holding(sock, async (s) => {
    await s.doHandshake();
    checkClientSession(spec, s.version(), s.sessionReused);
    if (spec.ending === 'abort') return abortOurs(s, spec, Buffer.concat([header, data]));
    const [, echo] = await Promise.all([sendWithKeyUpdate(s, spec, Buffer.concat([header, data])), recvDigest(s, spec.size, 'echo')]);
    sameDigest(echo, createHash('sha256').update(data).digest(), 'echo');
    env.tally.bytesVerified += spec.size;
    const got = s.session as ssl.SSLSession | null;
    if (spec.ending === 'close-notify' || spec.ending === 'unwrap') await s.unwrap();
    if (spec.ending === 'unwrap') {
      const [, plainEcho] = await Promise.all([s.sendall(plain), recvDigest(s, spec.plainSize, 'plain echo')]);
      sameDigest(plainEcho, createHash('sha256').update(plain).digest(), 'plain echo');
      env.tally.bytesVerified += spec.plainSize;
    }
    if (spec.ending === 'server-ragged' || spec.ending === 'server-ragged-strict') await expectRaggedEof(s, 'the server\'s ragged EOF');
    // 'ragged' and 'ragged-strict': close() without unwrap() sends no close_notify.
    return got;
  });
}

async function sendWithKeyUpdate(s: ssl.SSLSocket, spec: ConnSpec, bytes: Buffer): Promise<void> {
  if (!clientKeyUpdate(spec)) return s.sendall(bytes);
  const half = Math.ceil(bytes.length / 2);
  await s.sendall(bytes.subarray(0, half));
  s.keyUpdate(true);
  await s.sendall(bytes.subarray(half));
}

/**
 * Reads half the echo and closes with the rest unread while sendall() may
 * still be under way: that sendall must then settle (fail or finish), not
 * hang.
 */
async function abortOurs(s: ssl.SSLSocket, spec: ConnSpec, bytes: Buffer): Promise<Session> {
  let sendError: unknown = null;
  const sending = s.sendall(bytes).catch((e: unknown) => (sendError = e));
  await recvExactly(s, abortAfter(spec), 'echo before the abort');
  s.close();
  await sending;
  if (sendError !== null && !(sendError instanceof socket.OSError)) throw sendError;
  return null;
}

function nodeClient(env: ClientEnv, spec: ConnSpec, session: Buffer | null): Promise<Session> {
  const { data, header } = makePayload(spec);
  const expected = createHash('sha256').update(data).digest();
  const stopAt = spec.ending === 'abort' ? abortAfter(spec) : spec.size;
  return new Promise<Session>((resolve, reject) => {
    const s = tls.connect({ ...env.contexts.node(spec.version, spec.auth), host: LOOPBACK, port: env.port, ...(session ? { session } : {}) });
    const closer = { close: () => s.destroy(new Error('closed at the soak deadline')) };
    env.tally.open.add(closer);
    const hash = createHash('sha256');
    let got = 0;
    let latest: Buffer | null = null;
    let failure: Error | null = null;
    const fail = (e: Error): void => {
      failure ??= e;
      s.destroy();
    };
    s.setTimeout(env.tally.secondsLeft() * 1000, () => fail(new Error('node:tls client timed out')));
    s.on('session', (sess: Buffer) => (latest = sess));
    s.on('secureConnect', () => {
      try {
        checkClientSession(spec, s.getProtocol(), s.isSessionReused());
      } catch (e) {
        return fail(e as Error);
      }
      s.write(header);
      s.write(data);
    });
    s.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      got += chunk.length;
      // Abort: TCP closed with the rest of the echo unread (destroy() sends no close_notify).
      if (spec.ending === 'abort') return got >= stopAt ? s.destroy() : undefined;
      if (got > spec.size) return fail(new Error(`echo: ${got} bytes, more than the ${spec.size} sent`));
      if (got < spec.size) return;
      try {
        sameDigest(hash.digest(), expected, 'echo');
      } catch (e) {
        return fail(e as Error);
      }
      env.tally.bytesVerified += spec.size;
      // end(): close_notify then FIN, and the socket closes once the server's close_notify and FIN arrive; destroy(): TCP close only (ragged).
      if (spec.ending === 'close-notify') s.end();
      // server-ragged: the server closes; node:tls sees 'end' and closes too.
      else if (spec.ending !== 'server-ragged') s.destroy();
    });
    s.on('error', fail);
    s.on('close', () => {
      env.tally.open.delete(closer);
      if (failure === null && (got < stopAt || (got !== spec.size && spec.ending !== 'abort'))) failure = new Error(`echo: closed after ${got} of ${spec.size} bytes`);
      if (failure !== null) reject(failure);
      else resolve(latest);
    });
  });
}
