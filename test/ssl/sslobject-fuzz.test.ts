/**
 * DESIGN.md: random and mutated input from the network ends in an SSLError
 * (with the alert in `outgoing`), never in another exception or a hang —
 * checked through the SSLObject facade, for a fresh server and for an
 * established client.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';

const ca = CA.create();
const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
ca.issueCert('localhost').configureCert(sctx);
const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
ca.configureTrust(cctx);

/** Reasons OpenSSL gives to alerts received from the peer (errors.ts peerAlertReason). */
const PEER_ALERT = /^(SSLV3_ALERT_|TLSV1_ALERT_|TLSV13_ALERT_|TLSV1_(UNSUPPORTED_EXTENSION|CERTIFICATE_UNOBTAINABLE|UNRECOGNIZED_NAME|BAD_CERTIFICATE_STATUS_RESPONSE|BAD_CERTIFICATE_HASH_VALUE)$)/;

/** Feeds chunks, calling op after each; returns the first non-WantRead error (or null). */
function feed(obj: ssl.SSLObject, incoming: ssl.MemoryBIO, chunks: Uint8Array[], op: () => unknown): unknown {
  for (const c of chunks) {
    incoming.write(c);
    try {
      op();
    } catch (e) {
      if (!(e instanceof ssl.SSLWantReadError)) return e;
    }
  }
  return null;
}

function recordLike(): fc.Arbitrary<Uint8Array> {
  // A plausible record header (content type 20–24, version 3.x) and a body of any bytes.
  return fc
    .tuple(fc.integer({ min: 20, max: 24 }), fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 300 }))
    .map(([type, minor, body]) => Buffer.concat([Buffer.from([type, 3, minor, body.length >> 8, body.length & 0xff]), body]));
}

test('random bytes into a server SSLObject: only SSLError subclasses come out', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 200 }), recordLike()), { minLength: 1, maxLength: 6 }), (chunks) => {
      const incoming = new ssl.MemoryBIO();
      const outgoing = new ssl.MemoryBIO();
      const obj = sctx.wrapBio(incoming, outgoing, { serverSide: true });
      const err = feed(obj, incoming, chunks, () => obj.doHandshake());
      if (err !== null) {
        assert.ok(err instanceof ssl.SSLError, `unexpected ${String(err)}`);
        // Unless the peer's own alert ended it, our fatal alert was flushed to outgoing before raising.
        if (!PEER_ALERT.test(err.reason ?? '')) assert.ok(outgoing.pending > 0, `no alert queued for ${err.message}`);
      }
    }),
    { numRuns: 200 },
  );
});

test('random records after an established handshake: only SSLError subclasses come out', () => {
  fc.assert(
    fc.property(fc.array(recordLike(), { minLength: 1, maxLength: 4 }), (chunks) => {
      const ci = new ssl.MemoryBIO();
      const co = new ssl.MemoryBIO();
      const si = new ssl.MemoryBIO();
      const so = new ssl.MemoryBIO();
      const c = cctx.wrapBio(ci, co, { serverHostname: 'localhost' });
      const s = sctx.wrapBio(si, so, { serverSide: true });
      for (let i = 0; i < 4; i++) {
        for (const o of [c, s]) {
          try {
            o.doHandshake();
          } catch (e) {
            if (!(e instanceof ssl.SSLWantReadError)) throw e;
          }
        }
        si.write(co.read());
        ci.write(so.read());
      }
      assert.equal(c.version(), 'TLSv1.3');
      const err = feed(c, ci, chunks, () => c.read());
      if (err !== null) {
        assert.ok(err instanceof ssl.SSLError, `unexpected ${String(err)}`);
        if (!PEER_ALERT.test(err.reason ?? '')) assert.ok(co.pending > 0, `no alert queued for ${err.message}`);
      }
    }),
    { numRuns: 40 },
  );
});
