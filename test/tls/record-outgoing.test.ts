/**
 * The record layer's outgoing bytes: records are sealed into a shared arena
 * and handed out as views, so a view once taken must never change, however
 * much is written afterwards, and batches of any size come out contiguous.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider as provider } from '../../src/crypto/index.js';
import { RecordLayer, MAX_PLAINTEXT_LENGTH, recycleOutgoing } from '../../src/tls/record.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { ALL_SUITES, TLS_AES_256_GCM_SHA384 } from '../../src/tls/registry/suites.js';

const KEY32 = Buffer.alloc(32, 0x22);
const KEY16 = Buffer.alloc(16, 0x11);
const IV = Buffer.from('000102030405060708090a0b', 'hex');
const TLS12_AES_128_GCM = ALL_SUITES.find((s) => s.ianaName === 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256')!;

function readAll(rl: RecordLayer): Buffer {
  const parts: Buffer[] = [];
  for (let r; (r = rl.nextRecord()) !== null; ) parts.push(Buffer.from(r.payload));
  return Buffer.concat(parts);
}

test('taken ciphertext never changes while later batches of every size are written', () => {
  const writer = new RecordLayer({ provider });
  const reader = new RecordLayer({ provider });
  writer.setWriteKey(TLS_AES_256_GCM_SHA384, KEY32, IV);
  reader.setReadKey(TLS_AES_256_GCM_SHA384, KEY32, IV);
  const taken: { view: Buffer; copy: Buffer }[] = [];
  const sent: Buffer[] = [];
  // Small, record-sized, odd and multi-megabyte batches, so arenas are reused, retired and outgrown.
  const sizes = [1, 100, MAX_PLAINTEXT_LENGTH, 65536, 3, 200_000, 17, 2_500_000, 65536, 65536, 65536, 65536, 65536, 9, 1_100_000, 5];
  for (const [i, size] of sizes.entries()) {
    const data = Buffer.alloc(size, i + 1);
    writer.write(ContentType.application_data, data);
    data.fill(0xff); // the record layer must not keep a reference to the caller's buffer
    sent.push(Buffer.alloc(size, i + 1));
    const view = writer.takeOutgoing();
    taken.push({ view, copy: Buffer.from(view) });
  }
  for (const t of taken) assert.deepEqual(t.view, t.copy);
  for (const t of taken) reader.feed(t.view);
  assert.deepEqual(readAll(reader), Buffer.concat(sent));
  assert.equal(writer.takeOutgoing().length, 0);
  assert.deepEqual(writer.takeOutgoingChunks(), []);
});

test('a partial record topped up by a later write is one full record of both, for TLS 1.3 and TLS 1.2', () => {
  for (const [suite, key, iv, set] of [
    [TLS_AES_256_GCM_SHA384, KEY32, IV, 13],
    [TLS12_AES_128_GCM, KEY16, IV.subarray(0, 4), 12],
  ] as const) {
    const writer = new RecordLayer({ provider });
    const reader = new RecordLayer({ provider });
    if (set === 13) {
      writer.setWriteKey(suite, key, iv);
      reader.setReadKey(suite, key, iv);
    } else {
      writer.setWriteKey12(suite, key, iv);
      reader.setReadKey12(suite, key, iv);
    }
    const a = Buffer.alloc(1000, 1);
    const b = Buffer.alloc(MAX_PLAINTEXT_LENGTH + 500, 2);
    writer.write(ContentType.application_data, a);
    writer.write(ContentType.application_data, b);
    reader.feed(writer.takeOutgoing());
    const first = reader.nextRecord()!;
    assert.equal(first.payload.length, MAX_PLAINTEXT_LENGTH);
    assert.deepEqual(first.payload, Buffer.concat([a, b]).subarray(0, MAX_PLAINTEXT_LENGTH));
    const second = reader.nextRecord()!;
    assert.deepEqual(second.payload, b.subarray(MAX_PLAINTEXT_LENGTH - a.length));
    assert.equal(reader.nextRecord(), null);
    assert.equal(writer.recordCounts.written, 2);
  }
});

test('retainBuffered: after it, the fed buffer may be overwritten and the partial record still completes', () => {
  const writer = new RecordLayer({ provider });
  const reader = new RecordLayer({ provider });
  writer.setWriteKey(TLS_AES_256_GCM_SHA384, KEY32, IV);
  reader.setReadKey(TLS_AES_256_GCM_SHA384, KEY32, IV);
  const first = Buffer.alloc(MAX_PLAINTEXT_LENGTH, 0x31);
  const second = Buffer.alloc(5000, 0x32);
  writer.write(ContentType.application_data, first);
  writer.write(ContentType.application_data, second);
  const wire = Buffer.from(writer.takeOutgoing());
  // One whole record plus a header and a few bytes of the next, in a buffer the caller will reuse.
  const cut = 5 + MAX_PLAINTEXT_LENGTH + 17 + 5 + 100;
  const transient = Buffer.from(wire.subarray(0, cut));
  reader.feed(transient);
  assert.deepEqual(reader.nextRecord()?.payload, first);
  assert.equal(reader.nextRecord(), null);
  reader.retainBuffered();
  assert.equal(reader.bufferedBytes, cut - (5 + MAX_PLAINTEXT_LENGTH + 17));
  transient.fill(0);
  reader.feed(wire.subarray(cut));
  assert.deepEqual(reader.nextRecord()?.payload, second);
  assert.equal(reader.bufferedBytes, 0);
  reader.retainBuffered(); // nothing buffered: a no-op
  assert.equal(reader.nextRecord(), null);
});

test('recycleOutgoing: a batch handed back is sealed into again; one never handed back, or handed back twice, is not reused twice', () => {
  const writer = new RecordLayer({ provider });
  const reader = new RecordLayer({ provider });
  writer.setWriteKey(TLS_AES_256_GCM_SHA384, KEY32, IV);
  reader.setReadKey(TLS_AES_256_GCM_SHA384, KEY32, IV);
  const data = Buffer.alloc(65536, 0x41);
  writer.write(ContentType.application_data, data);
  const first = writer.takeOutgoing();
  reader.feed(Buffer.from(first));
  recycleOutgoing(first);
  recycleOutgoing(first); // a second call for the same batch is ignored
  recycleOutgoing(first.subarray(0, 10)); // so is anything but the exact view handed out
  writer.write(ContentType.application_data, data);
  const second = writer.takeOutgoing();
  assert.equal(second.buffer, first.buffer, 'the recycled arena is reused');
  reader.feed(Buffer.from(second));
  writer.write(ContentType.application_data, data);
  const third = writer.takeOutgoing();
  assert.notEqual(third.buffer, second.buffer, 'an arena still handed out is never sealed into');
  const kept = Buffer.from(second);
  writer.write(ContentType.application_data, data);
  writer.takeOutgoing();
  assert.deepEqual(second, kept);
  reader.feed(third);
  assert.deepEqual(readAll(reader), Buffer.concat([data, data, data]));
  // A new connection's small batches come from Node's shared pool, which is never taken in.
  const fresh = new RecordLayer({ provider });
  fresh.write(ContentType.handshake, Buffer.alloc(10, 1));
  const small = fresh.takeOutgoing();
  recycleOutgoing(small);
  writer.write(ContentType.application_data, data);
  assert.notEqual(writer.takeOutgoing().buffer, small.buffer);
});

test('write(…, now) after expectWrite: sealed at once into an arena of exactly the batch, none copied from the caller first, and a small batch after a large one pins only its own size', () => {
  for (const suite of [TLS_AES_256_GCM_SHA384, TLS12_AES_128_GCM]) {
    const writer = new RecordLayer({ provider });
    const reader = new RecordLayer({ provider });
    const key = suite.keyLength === 16 ? KEY16 : KEY32;
    if (suite.version === 'TLSv1.3') {
      writer.setWriteKey(suite, key, IV);
      reader.setReadKey(suite, key, IV);
    } else {
      writer.setWriteKey12(suite, key, IV.subarray(0, suite.fixedIvLength));
      reader.setReadKey12(suite, key, IV.subarray(0, suite.fixedIvLength));
    }
    const overhead = suite.version === 'TLSv1.3' ? 5 + 1 + 16 : 5 + 8 + 16;
    for (const size of [1_000_000, 100, 70_000, 4096, MAX_PLAINTEXT_LENGTH]) {
      const data = Buffer.alloc(size, size & 0xff);
      writer.expectWrite(size);
      for (let off = 0; off < size; off += MAX_PLAINTEXT_LENGTH) {
        writer.write(ContentType.application_data, data.subarray(off, off + MAX_PLAINTEXT_LENGTH), true);
      }
      assert.equal(writer.hasOutgoing, true);
      data.fill(0xee); // sealed already: overwriting the caller's buffer changes nothing
      const out = writer.takeOutgoing();
      const records = Math.ceil(size / MAX_PLAINTEXT_LENGTH);
      assert.equal(out.length, size + records * overhead);
      // Its own memory, of its own size (a small batch after a 1 MB one does not get a 1 MB arena).
      if (size >= MAX_PLAINTEXT_LENGTH) assert.equal(out.buffer.byteLength, out.length, `${suite.ianaName} ${size}`);
      // Smaller ones are a slice of Node's shared pool (Buffer.poolSize: 8 KiB on Node 20, 64 KiB on Node 24), never a 1 MB arena.
      else assert.ok(out.buffer.byteLength <= Buffer.poolSize, `${suite.ianaName} ${size}: ${out.buffer.byteLength}`);
      reader.feed(out);
      assert.deepEqual(readAll(reader), Buffer.alloc(size, size & 0xff));
    }
  }
});

test('a writer whose arenas come back (a pump recycles them) gets roomy ones even for exact writes, so a recycled arena fits any later batch', () => {
  const writer = new RecordLayer({ provider });
  writer.setWriteKey(TLS_AES_256_GCM_SHA384, KEY32, IV);
  const batch = (size: number): Buffer => {
    writer.expectWrite(size);
    for (let off = 0; off < size; off += MAX_PLAINTEXT_LENGTH) writer.write(ContentType.application_data, Buffer.alloc(Math.min(MAX_PLAINTEXT_LENGTH, size - off), 1), true);
    return writer.takeOutgoing();
  };
  const big = batch(65536);
  const small = batch(16384);
  assert.equal(small.buffer.byteLength, small.length); // nothing recycled yet: exact
  recycleOutgoing(big);
  // From now on every arena is as large as the largest batch (recycled or new; more batches than the pool holds).
  for (let i = 0; i < 6; i++) {
    const next = batch(16384);
    assert.ok(next.buffer.byteLength >= big.length, `batch ${i}: ${next.buffer.byteLength}`);
  }
});

test('an alert or a handshake message after a 1 MiB write gets an arena of its own size, not one sized by the bulk batch', () => {
  for (const recycle of [false, true]) {
    const writer = new RecordLayer({ provider });
    writer.setWriteKey(TLS_AES_256_GCM_SHA384, KEY32, IV);
    writer.write(ContentType.application_data, Buffer.alloc(1024 * 1024, 1));
    const bulk = writer.takeOutgoing();
    assert.ok(bulk.length > 1024 * 1024);
    if (recycle) recycleOutgoing(bulk); // a pump's writer: arenas come back
    for (const [type, content] of [
      [ContentType.alert, Buffer.from([1, 0])],
      [ContentType.handshake, Buffer.from([24, 0, 0, 1, 0])], // a KeyUpdate
    ] as const) {
      writer.write(type, content);
      const out = writer.takeOutgoing();
      assert.equal(out.length, 5 + content.length + 1 + 16);
      assert.ok(out.buffer.byteLength <= Buffer.poolSize, `${recycle ? 'recycling' : 'plain'} writer, type ${type}: a ${out.buffer.byteLength}-byte arena`);
    }
  }
});
