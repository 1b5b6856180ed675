/**
 * Byte-exact reading for the soak over the Python-style socket API (an
 * SSLSocket, or the plain socket it becomes after unwrap()): each helper
 * hashes what it reads so data is checked by SHA-256 without keeping it.
 */
import { createHash } from 'node:crypto';
import { SSLEOFError } from '../../src/ssl/index.js';

/** What the soak needs of a socket: recv() and sendall(), TLS or plain. */
export interface StreamSocket {
  recv(bufsize?: number): Promise<Buffer>;
  sendall(data: Uint8Array): Promise<void>;
}

const CHUNK = 64 * 1024;

/** Reads exactly `n` bytes, handing each chunk to `each` as it arrives; an Error names what ended early. */
async function recvEach(sock: StreamSocket, n: number, what: string, each: (b: Buffer) => unknown): Promise<void> {
  let got = 0;
  while (got < n) {
    const b = await sock.recv(Math.min(CHUNK, n - got));
    if (b.length === 0) throw new Error(`${what}: EOF after ${got} of ${n} bytes`);
    got += b.length;
    await each(b);
  }
}

/** Exactly `n` bytes. */
export async function recvExactly(sock: StreamSocket, n: number, what: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  await recvEach(sock, n, what, (b) => parts.push(b));
  return Buffer.concat(parts);
}

/**
 * Reads exactly `n` bytes and returns their SHA-256; with `echo`, each
 * chunk is sent back as it arrives (the server's half of the echo).
 */
export async function recvDigest(sock: StreamSocket, n: number, what: string, echo = false): Promise<Buffer> {
  const h = createHash('sha256');
  await recvEach(sock, n, what, (b) => {
    h.update(b);
    return echo ? sock.sendall(b) : undefined;
  });
  return h.digest();
}

/** The next recv() must be the end of the stream (b''), not more data. */
export async function expectEof(sock: StreamSocket, what: string): Promise<void> {
  const b = await sock.recv(1);
  if (b.length !== 0) throw new Error(`${what}: ${b.length} more byte(s) where EOF was expected`);
}

/**
 * The peer closed TCP without close_notify: with suppressRaggedEofs (Python's
 * default) recv() gives b''; without, it raises SSLEOFError.
 */
export async function expectRaggedEof(sock: StreamSocket & { suppressRaggedEofs: boolean }, what: string): Promise<void> {
  if (sock.suppressRaggedEofs) return expectEof(sock, `${what} (suppressRaggedEofs)`);
  try {
    await sock.recv(1);
  } catch (e) {
    if (e instanceof SSLEOFError) return;
    throw e;
  }
  throw new Error(`${what} with suppressRaggedEofs off: recv() did not raise SSLEOFError`);
}

export function sameDigest(a: Buffer, b: Buffer, what: string): void {
  if (!a.equals(b)) throw new Error(`${what}: SHA-256 mismatch (${a.toString('hex').slice(0, 16)}… vs ${b.toString('hex').slice(0, 16)}…)`);
}
