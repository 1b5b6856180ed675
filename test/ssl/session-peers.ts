/**
 * What the session interop tests share (interop-sessions.test.ts,
 * interop-sessions12.test.ts): our echo server, `openssl s_client` and
 * `s_server` runs, a status-page fetch with our client, python3 scripts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { EchoServer } from './echo-server.js';
import { SIGNED_CERTFILE, SIGNING_CA, certdataSkip } from './port-fixtures.js';
import { HAVE_OPENSSL, HAVE_PYTHON, Peer, freePort } from '../tls/interop-peers.js';

export function peerSkip(have: boolean, name: string): string | false {
  if (certdataSkip) return certdataSkip;
  if (have) return false;
  if (process.env.CI) throw new Error(`${name} is required under CI`);
  return `${name} not installed`;
}
export const skipOpenssl = peerSkip(HAVE_OPENSSL, 'openssl');
export const skipPython = peerSkip(HAVE_PYTHON, 'python3');
export const skip = certdataSkip;

export async function withServer(context: ssl.SSLContext, body: (server: EchoServer) => Promise<void>): Promise<void> {
  const server = await EchoServer.start({ context });
  try {
    await body(server);
  } finally {
    await server.stop();
  }
}

export function tempDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-sess-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One `openssl s_client` connection that sends `line`, waits for its echo and leaves. */
export async function sClient(port: number, args: string[], line = 'hello'): Promise<string> {
  const peer = Peer.start('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', SIGNING_CA, '-servername', 'localhost', ...args]);
  try {
    peer.proc.stdin.write(`${line}\n`);
    assert.ok(await peer.waitFor(new RegExp(`^${line.toLowerCase()}$`, 'm'), 15_000), `no echo from our server: ${peer.out.toString()} ${peer.err}`);
    // Let s_client read the tickets that came with the handshake before it quits.
    await new Promise((r) => setTimeout(r, 100));
    peer.proc.stdin.end();
    await peer.exit();
    return peer.out.toString('latin1') + peer.err;
  } finally {
    peer.kill();
  }
}

/** `openssl s_server` on a free port with `extra` arguments (with -www our client fetches the status page, which says New or Reused). */
export async function withSServer(extra: string[], body: (port: number, peer: Peer) => Promise<void>): Promise<void> {
  const port = await freePort();
  const peer = Peer.start('openssl', ['s_server', '-accept', String(port), '-cert', SIGNED_CERTFILE, ...extra]);
  try {
    assert.ok(await peer.waitFor(/ACCEPT/), `s_server did not start: ${peer.err}`);
    await body(port, peer);
  } finally {
    peer.kill();
    await peer.exit();
  }
}

export async function fetchStatus(ctx: ssl.SSLContext, port: number, session: ssl.SSLSession | null): Promise<{ page: string; reused: boolean | null; session: ssl.SSLSession }> {
  const s = (await ctx.wrapSocket(new socket.socket(), { serverHostname: 'localhost', session })) as ssl.SSLSocket;
  try {
    await s.connect(['127.0.0.1', port]);
    await s.sendall(Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    const parts: Buffer[] = [];
    for (;;) {
      const b = await s.recv(65536);
      if (b.length === 0) break;
      parts.push(b);
    }
    return { page: Buffer.concat(parts).toString('latin1'), reused: s.sessionReused, session: s.session as ssl.SSLSession };
  } finally {
    s.close();
  }
}

/** Runs a python3 script; resolves with its stdout (throws with stderr on failure). */
export async function python(script: string, args: string[] = []): Promise<{ peer: Peer; done: Promise<string> }> {
  const peer = Peer.start('python3', ['-c', script, ...args]);
  const done = (async () => {
    const code = await peer.exit(60_000);
    if (code !== 0) throw new Error(`python3 exited ${code}: ${peer.err}`);
    return peer.out.toString();
  })();
  return { peer, done };
}

