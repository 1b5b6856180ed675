/**
 * Test data that checks itself: deterministic payloads, their SHA-256, and
 * reading exactly n bytes from a socket (plain or TLS).
 */
import { createHash } from 'node:crypto';

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** `n` pseudo-random bytes from `seed` (an LCG: the same seed, the same bytes). */
export function payload(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** Reads until `n` bytes or EOF (then fewer), never past `n`. */
export async function recvExactly(s: { recv(n: number): Promise<Buffer> }, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  while (got < n) {
    const d = await s.recv(Math.min(65536, n - got));
    if (d.length === 0) break;
    parts.push(d);
    got += d.length;
  }
  return Buffer.concat(parts);
}
