/**
 * Connection.receive() lets the caller reuse its buffer as soon as it
 * returns, in every phase: plaintext handshake records (copied whole),
 * protected records (opened in place; only an unfinished record is kept,
 * copied). Here every byte reaches the engine through one scratch buffer
 * that is overwritten after each call, in pieces that cut records anywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider as provider } from '../../src/crypto/index.js';
import { Connection } from '../../src/tls/connection.js';
import { testPki } from './connection-certs.js';

const SCRATCH = 70_000;

/** Moves everything `from` has produced into `to` through `scratch`, in pieces of the given sizes (cycled). */
function moveThroughScratch(from: Connection, to: Connection, scratch: Buffer, sizes: readonly number[]): void {
  const out = Buffer.from(from.takeOutgoing());
  for (let at = 0, i = 0; at < out.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, out.length - at, scratch.length);
    out.copy(scratch, 0, at, at + n);
    to.receive(scratch.subarray(0, n));
    scratch.fill(0xa5); // the engine must not have kept a reference
    at += n;
  }
}

function readAll(c: Connection): Buffer {
  const parts: Buffer[] = [];
  for (let b; (b = c.read()).length > 0; ) parts.push(Buffer.from(b));
  return Buffer.concat(parts);
}

for (const sizes of [[1], [7, 300, 5], [16_401, 3], [65_536]]) {
  test(`a reused input buffer never corrupts the handshake or data (pieces of ${sizes.join('/')} bytes)`, () => {
    const pki = testPki();
    const c = Connection.client({ provider, serverName: 'localhost' });
    const s = Connection.server({ provider, certificates: [pki.servers.p256.certified] });
    const scratch = Buffer.alloc(SCRATCH);
    for (let i = 0; i < 10 && !(c.handshakeDone && s.handshakeDone && !c.hasOutgoing && !s.hasOutgoing); i++) {
      moveThroughScratch(c, s, scratch, sizes);
      moveThroughScratch(s, c, scratch, sizes);
    }
    assert.equal(c.handshakeDone && s.handshakeDone, true);
    // Big enough to be cut by the small piece sizes, but kept modest so 1-byte feeding stays quick.
    const data = provider.randomBytes(sizes[0] === 1 ? 40_000 : 200_000);
    c.write(data);
    moveThroughScratch(c, s, scratch, sizes);
    assert.ok(readAll(s).equals(data));
    s.write(data);
    moveThroughScratch(s, c, scratch, sizes);
    assert.ok(readAll(c).equals(data));
  });
}
