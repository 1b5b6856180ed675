/**
 * BioRecords (src/ssl/bio-records.ts): whole records out of a MemoryBIO, and
 * the join buffer it lends for a body that arrived in pieces — reused from
 * record to record, never shared by two records at once, and never behind
 * plaintext handed to the application.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ssl from '../../src/ssl/index.js';
import { MemoryBIO } from '../../src/ssl/bio.js';
import { BioRecords } from '../../src/ssl/bio-records.js';
import { CA } from '../../src/testing/index.js';

/** A record header (application_data, 0x0303) announcing `length` bytes. */
function header(length: number): Buffer {
  return Buffer.from([23, 3, 3, length >> 8, length & 0xff]);
}

/** Writes a record whose body arrives in two pieces (two chunks queued in the BIO). */
function writeSplit(bio: MemoryBIO, body: Buffer): void {
  bio._writeOwned(header(body.length));
  const cut = body.length >> 1;
  bio._writeOwned(Buffer.from(body.subarray(0, cut)));
  bio._writeOwned(Buffer.from(body.subarray(cut)));
}

test('a body that arrived in pieces is joined, and the join buffer serves the next one once released', () => {
  const bio = new MemoryBIO();
  const records = new BioRecords(bio);
  const first = Buffer.alloc(16_000, 1);
  writeSplit(bio, first);
  const a = records.next()!;
  assert.equal(a.length, 2);
  assert.deepEqual(a[0], header(first.length));
  assert.deepEqual(a[1], first);
  const lent = a[1]!;
  records.release();
  const second = Buffer.alloc(12_345, 2);
  writeSplit(bio, second);
  const b = records.next()!;
  assert.deepEqual(b[1], second);
  // The same memory (not a fresh 16 KiB per record; Node's shared pool would give another offset).
  assert.ok(b[1]!.buffer === lent.buffer && b[1]!.byteOffset === lent.byteOffset, 'the released join buffer is reused');
  records.release();
});

test('two records lent at once never share a join buffer', () => {
  const bio1 = new MemoryBIO();
  const bio2 = new MemoryBIO();
  const r1 = new BioRecords(bio1);
  const r2 = new BioRecords(bio2);
  const one = Buffer.alloc(9000, 0x11);
  const two = Buffer.alloc(9000, 0x22);
  writeSplit(bio1, one);
  writeSplit(bio2, two);
  const a = r1.next()!;
  const b = r2.next()!; // r1 has not released: r2 must not get the same memory
  assert.notEqual(a[1]!.buffer, b[1]!.buffer);
  assert.deepEqual(a[1], one);
  assert.deepEqual(b[1], two);
  r1.release();
  r2.release();
});

test('records whose bodies arrive in pieces: the plaintext read earlier stays intact as later records come', () => {
  const ca = CA.create();
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ca.issueCert('localhost').configureCert(sctx);
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ca.configureTrust(cctx);
  const c = { incoming: new ssl.MemoryBIO(), outgoing: new ssl.MemoryBIO() };
  const s = { incoming: new ssl.MemoryBIO(), outgoing: new ssl.MemoryBIO() };
  const cobj = cctx.wrapBio(c.incoming, c.outgoing, { serverHostname: 'localhost' });
  const sobj = sctx.wrapBio(s.incoming, s.outgoing, { serverSide: true });
  // Every flight is cut into 1000-byte pieces, so handshake records (plaintext era included) are joined too.
  const move = (from: ssl.MemoryBIO, to: ssl.MemoryBIO): void => {
    const bytes = from.read();
    for (let i = 0; i < bytes.length; i += 1000) to.write(bytes.subarray(i, i + 1000));
  };
  for (let i = 0; i < 10; i++) {
    for (const obj of [cobj, sobj]) {
      try {
        obj.doHandshake();
      } catch (e) {
        if (!(e instanceof ssl.SSLWantReadError)) throw e;
      }
    }
    move(c.outgoing, s.incoming);
    move(s.outgoing, c.incoming);
  }
  const kept: Buffer[] = [];
  for (let n = 0; n < 6; n++) {
    const data = Buffer.alloc(40_000, 0x30 + n);
    cobj.write(data);
    move(c.outgoing, s.incoming);
    const got: Buffer[] = [];
    let length = 0;
    while (length < data.length) {
      const part = sobj.read(data.length - length) as Buffer;
      got.push(part);
      length += part.length;
    }
    kept.push(...got);
    assert.deepEqual(Buffer.concat(got), data);
  }
  // Reading later records reused the join memory; nothing handed out earlier may have changed.
  let at = 0;
  for (let n = 0; n < 6; n++) {
    let seen = 0;
    while (seen < 40_000) {
      const part = kept[at++]!;
      assert.ok(part.every((x) => x === 0x30 + n), `plaintext of write ${n} changed after later records were read`);
      seen += part.length;
    }
  }
});
