/** Record layer (RFC 8446 §5): framing, fragmentation, limits, TLS 1.3 protection, CCS handling. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider as provider } from '../../src/crypto/index.js';
import { TLSError } from '../../src/tls/errors.js';
import { RecordLayer, AES_GCM_KEY_UPDATE_THRESHOLD, MAX_PLAINTEXT_LENGTH, type PaddingPolicy } from '../../src/tls/record.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, type CipherSuite } from '../../src/tls/registry/suites.js';

const KEY16 = Buffer.alloc(16, 0x11);
const KEY32 = Buffer.alloc(32, 0x22);
const IV = Buffer.from('000102030405060708090a0b', 'hex');

function keyFor(suite: CipherSuite): Buffer {
  return suite.keyLength === 16 ? KEY16 : KEY32;
}

/** A writer and a reader sharing one TLS 1.3 key. */
function pair(suite: CipherSuite = TLS_AES_128_GCM_SHA256, padding?: PaddingPolicy) {
  const writer = new RecordLayer(padding ? { provider, padding } : { provider });
  const reader = new RecordLayer({ provider });
  writer.setWriteKey(suite, keyFor(suite), IV);
  reader.setReadKey(suite, keyFor(suite), IV);
  return { writer, reader };
}

function header(type: number, version: number, length: number): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type;
  h.writeUInt16BE(version, 1);
  h.writeUInt16BE(length, 3);
  return h;
}

/** Seals a TLS 1.3 record by hand (RFC 8446 §5.2–5.3), bypassing the record layer's own checks. */
function sealRaw13(inner: Buffer, seq: bigint, suite: CipherSuite = TLS_AES_128_GCM_SHA256, outerLength?: number): Buffer {
  const nonce = Buffer.from(IV);
  const s = Buffer.alloc(8);
  s.writeBigUInt64BE(seq);
  for (let i = 0; i < 8; i++) nonce[4 + i]! ^= s[i]!;
  const h = header(ContentType.application_data, 0x0303, outerLength ?? inner.length + 16);
  return Buffer.concat([h, provider.createAead(suite.aead, keyFor(suite)).seal(nonce, h, inner)]);
}

function readAll(rl: RecordLayer): { type: number; payload: Buffer }[] {
  const out = [];
  for (let r; (r = rl.nextRecord()) !== null; ) out.push({ type: r.type, payload: Buffer.from(r.payload) });
  return out;
}

function splitRecords(bytes: Buffer): Buffer[] {
  const out = [];
  for (let o = 0; o < bytes.length; ) {
    const n = 5 + bytes.readUInt16BE(o + 3);
    out.push(bytes.subarray(o, o + n));
    o += n;
  }
  return out;
}

function throwsAlert(fn: () => unknown, alert: string, reason?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TLSError, `expected TLSError, got ${String(e)}`);
    assert.equal(e.alert, alert, e.reason);
    if (reason) assert.match(e.reason, reason);
    return true;
  });
}

const big = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff));

test('fragments a large write into 2^14-byte records and the peer reassembles it', () => {
  for (const protect of [false, true]) {
    const { writer, reader } = protect ? pair() : { writer: new RecordLayer({ provider }), reader: new RecordLayer({ provider }) };
    const data = big(40000);
    writer.write(ContentType.application_data, data);
    const wire = writer.takeOutgoing();
    const records = splitRecords(wire);
    const overhead = protect ? 17 : 0;
    assert.deepEqual(records.map((r) => r.length - 5), [MAX_PLAINTEXT_LENGTH + overhead, MAX_PLAINTEXT_LENGTH + overhead, 40000 - 2 * MAX_PLAINTEXT_LENGTH + overhead]);
    reader.feed(wire);
    const got = readAll(reader);
    assert.equal(got.length, 3);
    assert.ok(got.every((r) => r.type === ContentType.application_data));
    assert.deepEqual(Buffer.concat(got.map((r) => r.payload)), data);
  }
});

test('coalesces many small writes of one type into full records; writeBatch does the same', () => {
  const { writer, reader } = pair();
  const chunks = Array.from({ length: 1000 }, (_, i) => big(100).fill(i & 0xff, 0, 1));
  for (const c of chunks.slice(0, 500)) writer.write(ContentType.application_data, c);
  writer.writeBatch(chunks.slice(500));
  assert.equal(writer.writeSeq, 6n, 'six full records sealed, the remainder still pending');
  assert.equal(writer.hasOutgoing, true);
  const wire = writer.takeOutgoing();
  assert.equal(splitRecords(wire).length, 7);
  reader.feed(wire);
  assert.deepEqual(Buffer.concat(readAll(reader).map((r) => r.payload)), Buffer.concat(chunks));
  assert.equal(writer.hasOutgoing, false);
  assert.equal(writer.takeOutgoing().length, 0);
});

test('a content type change, an alert and a key change each end the pending record', () => {
  const { writer, reader } = pair();
  writer.write(ContentType.handshake, Buffer.from('hs1'));
  writer.write(ContentType.handshake, Buffer.from('hs2'));
  writer.write(ContentType.application_data, Buffer.from('app'));
  writer.write(ContentType.alert, Buffer.from([1, 0]));
  writer.write(ContentType.alert, Buffer.from([2, 40]));
  reader.feed(writer.takeOutgoing());
  assert.deepEqual(readAll(reader), [
    { type: ContentType.handshake, payload: Buffer.from('hs1hs2') },
    { type: ContentType.application_data, payload: Buffer.from('app') },
    { type: ContentType.alert, payload: Buffer.from([1, 0]) },
    { type: ContentType.alert, payload: Buffer.from([2, 40]) },
  ]);
  // Pending plaintext handshake data is sent in the clear before the key switches.
  const plain = new RecordLayer({ provider });
  plain.write(ContentType.handshake, Buffer.from('hello'));
  plain.setWriteKey(TLS_AES_128_GCM_SHA256, KEY16, IV);
  plain.write(ContentType.handshake, Buffer.from('secret'));
  const records = splitRecords(plain.takeOutgoing());
  assert.equal(records.length, 2);
  assert.deepEqual(records[0], Buffer.concat([header(ContentType.handshake, 0x0303, 5), Buffer.from('hello')]));
  assert.equal(records[1]![0], ContentType.application_data);
});

test('write() copies its input, so the caller may reuse the buffer before takeOutgoing()', () => {
  const { writer, reader } = pair();
  const buf = Buffer.from('first');
  writer.write(ContentType.application_data, buf);
  buf.fill(0x7a);
  reader.feed(writer.takeOutgoing());
  assert.deepEqual(readAll(reader)[0]!.payload, Buffer.from('first'));
});

test('plaintext records: 2^14 bytes accepted, 2^14+1 is record_overflow (from the header alone)', () => {
  const ok = new RecordLayer({ provider });
  ok.feed(Buffer.concat([header(ContentType.handshake, 0x0303, MAX_PLAINTEXT_LENGTH), Buffer.alloc(MAX_PLAINTEXT_LENGTH, 1)]));
  assert.equal(ok.nextRecord()!.payload.length, MAX_PLAINTEXT_LENGTH);
  const bad = new RecordLayer({ provider });
  bad.feed(header(ContentType.handshake, 0x0303, MAX_PLAINTEXT_LENGTH + 1));
  throwsAlert(() => bad.nextRecord(), 'record_overflow');
});

test('protected TLS 1.3 records: ciphertext 2^14+257 is record_overflow; 2^14+256 passes the length check', () => {
  const { reader } = pair();
  reader.feed(header(ContentType.application_data, 0x0303, 2 ** 14 + 257));
  throwsAlert(() => reader.nextRecord(), 'record_overflow');
  const r2 = pair().reader;
  r2.feed(Buffer.concat([header(ContentType.application_data, 0x0303, 2 ** 14 + 256), Buffer.alloc(2 ** 14 + 256)]));
  throwsAlert(() => r2.nextRecord(), 'bad_record_mac');
});

test('a decrypted TLSInnerPlaintext over 2^14+1 bytes is record_overflow; exactly 2^14+1 is accepted', () => {
  const { reader } = pair();
  const full = Buffer.concat([Buffer.alloc(MAX_PLAINTEXT_LENGTH, 0x41), Buffer.from([ContentType.application_data])]);
  reader.feed(sealRaw13(full, 0n));
  assert.equal(reader.nextRecord()!.payload.length, MAX_PLAINTEXT_LENGTH);
  const over = Buffer.concat([Buffer.alloc(MAX_PLAINTEXT_LENGTH, 0x41), Buffer.from([ContentType.application_data, 0])]);
  reader.feed(sealRaw13(over, 1n));
  throwsAlert(() => reader.nextRecord(), 'record_overflow', /2\^14\+1/);
});

test('strips zero padding to recover the inner content type; the padding policy is clamped to the record limit', () => {
  const { reader } = pair();
  reader.feed(sealRaw13(Buffer.concat([Buffer.from('hi'), Buffer.from([ContentType.handshake]), Buffer.alloc(300)]), 0n));
  assert.deepEqual(reader.nextRecord(), { type: ContentType.handshake, payload: Buffer.from('hi') });
  // Content ending in zero bytes keeps them: only the bytes after the type are padding.
  reader.feed(sealRaw13(Buffer.from([0, 0, ContentType.application_data, 0, 0]), 1n));
  assert.deepEqual(reader.nextRecord(), { type: ContentType.application_data, payload: Buffer.alloc(2) });

  const padded = pair(TLS_AES_128_GCM_SHA256, () => 1000);
  padded.writer.write(ContentType.application_data, Buffer.from('abc'));
  padded.writer.write(ContentType.handshake, big(MAX_PLAINTEXT_LENGTH));
  const records = splitRecords(padded.writer.takeOutgoing());
  assert.equal(records[0]!.length, 5 + 3 + 1 + 1000 + 16);
  assert.equal(records[1]!.length, 5 + MAX_PLAINTEXT_LENGTH + 1 + 16, 'no room for padding in a full record');
  padded.reader.feed(Buffer.concat(records));
  assert.deepEqual(readAll(padded.reader).map((r) => [r.type, r.payload.length]), [[ContentType.application_data, 3], [ContentType.handshake, MAX_PLAINTEXT_LENGTH]]);
});

test('an all-zero TLSInnerPlaintext is unexpected_message', () => {
  const { reader } = pair();
  reader.feed(sealRaw13(Buffer.alloc(10), 0n));
  throwsAlert(() => reader.nextRecord(), 'unexpected_message', /all-zero/);
});

test('a flipped bit anywhere in a protected record is bad_record_mac, and the read side stays failed', () => {
  const { writer } = pair();
  writer.write(ContentType.application_data, Buffer.from('attack at dawn'));
  const wire = writer.takeOutgoing();
  for (const at of [5, 10, wire.length - 1]) {
    const { reader } = pair();
    const bad = Buffer.from(wire);
    bad[at]! ^= 0x01;
    reader.feed(bad);
    throwsAlert(() => reader.nextRecord(), 'bad_record_mac');
    reader.feed(wire);
    throwsAlert(() => reader.nextRecord(), 'bad_record_mac');
  }
  // The header is additional data: changing its length field (with a matching body) fails too.
  const { reader } = pair();
  const tampered = Buffer.concat([wire, Buffer.alloc(1)]);
  tampered.writeUInt16BE(wire.length - 5 + 1, 3);
  reader.feed(tampered);
  throwsAlert(() => reader.nextRecord(), 'bad_record_mac');
});

test('per-record nonce is iv XOR the 64-bit sequence number, including its high word', () => {
  const { writer, reader } = pair();
  const seq = (1n << 40n) + 3n;
  writer.writeDirection.setSequence(seq);
  reader.readDirection.setSequence(seq);
  writer.write(ContentType.application_data, Buffer.from('x'));
  const wire = writer.takeOutgoing();
  assert.deepEqual(wire, sealRaw13(Buffer.from([0x78, ContentType.application_data]), seq));
  reader.feed(wire);
  assert.deepEqual(reader.nextRecord()!.payload, Buffer.from('x'));
  assert.equal(writer.writeSeq, seq + 1n);
  assert.equal(reader.readSeq, seq + 1n);
  // A record sealed under another sequence number does not open.
  const r2 = pair().reader;
  r2.feed(wire);
  throwsAlert(() => r2.nextRecord(), 'bad_record_mac');
});

test('sequence numbers count records per key and reset when the key changes', () => {
  const { writer, reader } = pair();
  for (let i = 0; i < 3; i++) writer.write(ContentType.alert, Buffer.from([1, 0]));
  reader.feed(writer.takeOutgoing());
  assert.equal(readAll(reader).length, 3);
  assert.equal(writer.writeSeq, 3n);
  assert.equal(reader.readSeq, 3n);
  writer.setWriteKey(TLS_AES_128_GCM_SHA256, KEY16, IV);
  assert.equal(writer.writeSeq, 0n);
  assert.deepEqual(writer.recordCounts, { written: 3, read: 0 });
});

test('the write side refuses to wrap the sequence number past 2^64-1', () => {
  const { writer, reader } = pair();
  writer.writeDirection.setSequence(0xffffffffffffffffn);
  reader.readDirection.setSequence(0xffffffffffffffffn);
  writer.write(ContentType.application_data, Buffer.from('last'));
  reader.feed(writer.takeOutgoing());
  assert.deepEqual(reader.nextRecord()!.payload, Buffer.from('last'));
  throwsAlert(() => writer.write(ContentType.application_data, big(MAX_PLAINTEXT_LENGTH)), 'internal_error', /wrap/);
});

test('writeNeedsKeyUpdate turns on at the AES-GCM record limit, never for ChaCha20-Poly1305', () => {
  for (const suite of [TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384]) {
    const { writer } = pair(suite);
    writer.writeDirection.setSequence(BigInt(AES_GCM_KEY_UPDATE_THRESHOLD - 1));
    assert.equal(writer.writeNeedsKeyUpdate, false);
    writer.write(ContentType.application_data, big(MAX_PLAINTEXT_LENGTH));
    assert.equal(writer.writeNeedsKeyUpdate, true, suite.ianaName);
    writer.setWriteKey(suite, keyFor(suite), IV);
    assert.equal(writer.writeNeedsKeyUpdate, false, 'a new key starts a new count');
  }
  const chacha = pair(TLS_CHACHA20_POLY1305_SHA256).writer;
  chacha.writeDirection.setSequence(1n << 62n);
  assert.equal(chacha.writeNeedsKeyUpdate, false);
  assert.equal(new RecordLayer({ provider }).writeNeedsKeyUpdate, false);
});

test('returns null until a whole record has arrived, one byte at a time', () => {
  const { writer, reader } = pair(TLS_CHACHA20_POLY1305_SHA256);
  writer.write(ContentType.handshake, Buffer.from('finished message'));
  const wire = writer.takeOutgoing();
  for (let i = 0; i < wire.length - 1; i++) {
    reader.feed(wire.subarray(i, i + 1));
    assert.equal(reader.nextRecord(), null);
    assert.equal(reader.bufferedBytes, i + 1);
  }
  reader.feed(wire.subarray(wire.length - 1));
  assert.deepEqual(reader.nextRecord(), { type: ContentType.handshake, payload: Buffer.from('finished message') });
  assert.equal(reader.bufferedBytes, 0);
});

test('change_cipher_spec: drop-once drops exactly one 0x01 record, in the clear or between protected records', () => {
  const ccs = Buffer.concat([header(ContentType.change_cipher_spec, 0x0303, 1), Buffer.from([1])]);
  const { writer, reader } = pair();
  reader.setChangeCipherSpecPolicy('drop-once');
  writer.write(ContentType.handshake, Buffer.from('EE'));
  reader.feed(Buffer.concat([ccs, writer.takeOutgoing()]));
  assert.deepEqual(readAll(reader), [{ type: ContentType.handshake, payload: Buffer.from('EE') }]);
  assert.equal(reader.readSeq, 1n, 'the dropped record does not use a sequence number');
  reader.feed(ccs);
  throwsAlert(() => reader.nextRecord(), 'unexpected_message', /second/);

  const plain = new RecordLayer({ provider });
  plain.setChangeCipherSpecPolicy('drop-once');
  plain.feed(Buffer.concat([header(ContentType.change_cipher_spec, 0x0303, 1), Buffer.from([2])]));
  throwsAlert(() => plain.nextRecord(), 'unexpected_message', /0x01/);

  const rejecting = new RecordLayer({ provider });
  rejecting.setChangeCipherSpecPolicy('reject');
  rejecting.feed(ccs);
  throwsAlert(() => rejecting.nextRecord(), 'unexpected_message');
});

test('change_cipher_spec: delivered in the clear by default (TLS 1.2), rejected under TLS 1.3 protection, and never accepted encrypted', () => {
  const ccs = Buffer.concat([header(ContentType.change_cipher_spec, 0x0303, 1), Buffer.from([1])]);
  const plain = new RecordLayer({ provider });
  plain.feed(ccs);
  assert.deepEqual(plain.nextRecord(), { type: ContentType.change_cipher_spec, payload: Buffer.from([1]) });

  const { reader } = pair();
  reader.feed(ccs);
  throwsAlert(() => reader.nextRecord(), 'unexpected_message');

  const enc = pair();
  enc.reader.setChangeCipherSpecPolicy('drop-once');
  enc.writer.write(ContentType.change_cipher_spec, Buffer.from([1]));
  enc.reader.feed(enc.writer.takeOutgoing());
  throwsAlert(() => enc.reader.nextRecord(), 'unexpected_message', /protected change_cipher_spec/);
});

test('record version: unprotected records are read whatever their minor version (0x0300-0x03ff); a major byte other than 3 is protocol_version', () => {
  const rl = new RecordLayer({ provider });
  for (const v of [0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x03ff]) {
    rl.feed(Buffer.concat([header(ContentType.handshake, v, 2), Buffer.from('CH')]));
    assert.deepEqual(rl.nextRecord(), { type: ContentType.handshake, payload: Buffer.from('CH') });
  }
  rl.feed(Buffer.concat([header(ContentType.handshake, 0x0203, 2), Buffer.from('CH')]));
  throwsAlert(() => rl.nextRecord(), 'protocol_version', /wrong version number/);
  // Not TLS at all: an HTTP request, or an HTTP reply.
  for (const text of ['GET / HTTP/1.1\r\n\r\n', 'HTTP/1.0 400 Bad Request\r\n\r\n']) {
    const http = new RecordLayer({ provider });
    http.feed(Buffer.from(text));
    throwsAlert(() => http.nextRecord(), 'protocol_version', /wrong version number/);
  }
});

test('record version: TLS 1.3 protected records must say 0x0303 (decode_error, checked before decryption); the compatibility CCS need not', () => {
  const { writer, reader } = pair();
  writer.write(ContentType.handshake, Buffer.from('Finished'));
  const rec = Buffer.from(writer.takeOutgoing());
  rec.writeUInt16BE(0x0301, 1);
  reader.setChangeCipherSpecPolicy('drop-once');
  reader.feed(Buffer.concat([header(ContentType.change_cipher_spec, 0x0301, 1), Buffer.from([1]), rec]));
  throwsAlert(() => reader.nextRecord(), 'decode_error', /0x0301/);
});

test('record version: once TLS 1.2 is negotiated (requireRecordVersion) every record must carry it', () => {
  const rl = new RecordLayer({ provider });
  rl.requireRecordVersion(0x0303);
  rl.feed(Buffer.concat([header(ContentType.handshake, 0x0303, 2), Buffer.from('CK')]));
  assert.deepEqual(rl.nextRecord(), { type: ContentType.handshake, payload: Buffer.from('CK') });
  rl.feed(Buffer.concat([header(ContentType.handshake, 0x0301, 2), Buffer.from('CK')]));
  throwsAlert(() => rl.nextRecord(), 'protocol_version', /negotiated version/);
});

test('unknown outer or inner content types are unexpected_message', () => {
  const rl = new RecordLayer({ provider });
  rl.feed(Buffer.concat([header(24, 0x0303, 1), Buffer.from([0])]));
  throwsAlert(() => rl.nextRecord(), 'unexpected_message', /unknown content type 24/);
  const { reader } = pair();
  reader.feed(sealRaw13(Buffer.from([1, 2, 3, 99]), 0n));
  throwsAlert(() => reader.nextRecord(), 'unexpected_message', /inner content type 99/);
  assert.throws(() => new RecordLayer({ provider }).write(99, Buffer.from('x')), TLSError);
});

test('zero-length handshake records are unexpected_message, malformed alert records decode_error, empty application data is fine', () => {
  const hs = new RecordLayer({ provider });
  hs.feed(header(ContentType.handshake, 0x0303, 0));
  throwsAlert(() => hs.nextRecord(), 'unexpected_message', /zero-length handshake/);
  const { reader } = pair();
  reader.feed(sealRaw13(Buffer.from([ContentType.handshake, 0, 0]), 0n));
  throwsAlert(() => reader.nextRecord(), 'unexpected_message', /zero-length handshake/);
  const alert = new RecordLayer({ provider });
  alert.feed(Buffer.concat([header(ContentType.alert, 0x0303, 4), Buffer.from([1, 0, 1, 0])]));
  throwsAlert(() => alert.nextRecord(), 'decode_error', /exactly one/);
  const app = pair().reader;
  app.feed(sealRaw13(Buffer.from([ContentType.application_data]), 0n));
  assert.deepEqual(app.nextRecord(), { type: ContentType.application_data, payload: Buffer.alloc(0) });
});

test('under TLS 1.3 read protection an unprotected handshake or alert record is unexpected_message', () => {
  for (const type of [ContentType.handshake, ContentType.alert]) {
    const { reader } = pair();
    reader.feed(Buffer.concat([header(type, 0x0303, 2), Buffer.from([2, 40])]));
    throwsAlert(() => reader.nextRecord(), 'unexpected_message', /unprotected/);
  }
});

test('a protected record too short to hold a tag is bad_record_mac', () => {
  const { reader } = pair();
  reader.feed(Buffer.concat([header(ContentType.application_data, 0x0303, 5), Buffer.alloc(5)]));
  throwsAlert(() => reader.nextRecord(), 'bad_record_mac');
});

test('the initial ClientHello record may carry 0x0301; later plaintext records say 0x0303; protected records always 0x0303', () => {
  const rl = new RecordLayer({ provider });
  rl.setPlaintextRecordVersion(0x0301);
  rl.write(ContentType.handshake, Buffer.from('CH'));
  rl.setPlaintextRecordVersion(0x0303);
  rl.write(ContentType.handshake, Buffer.from('CH2'));
  rl.setWriteKey(TLS_AES_128_GCM_SHA256, KEY16, IV);
  rl.write(ContentType.handshake, Buffer.from('Fin'));
  const records = splitRecords(rl.takeOutgoing());
  assert.deepEqual(records.map((r) => r.readUInt16BE(1)), [0x0301, 0x0303, 0x0303]);
});

test('property: arbitrary or mutated input ends in records, null or a TLSError, never another exception', async () => {
  const fc = await import('fast-check');
  const { writer } = pair();
  writer.write(ContentType.handshake, Buffer.from('EncryptedExtensions'));
  writer.write(ContentType.application_data, big(3000));
  const valid = writer.takeOutgoing();
  const readerFor = (mode: number): RecordLayer => {
    if (mode === 0) return new RecordLayer({ provider });
    const r = pair(mode === 1 ? TLS_AES_128_GCM_SHA256 : TLS_CHACHA20_POLY1305_SHA256).reader;
    r.setChangeCipherSpecPolicy('drop-once');
    return r;
  };
  const feedAll = (rl: RecordLayer, chunks: Uint8Array[]): void => {
    try {
      for (const c of chunks) {
        rl.feed(c);
        while (rl.nextRecord() !== null);
      }
    } catch (e) {
      if (!(e instanceof TLSError)) throw e;
    }
  };
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 }), fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (mode, chunks) => feedAll(readerFor(mode), chunks)),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.integer({ min: 1, max: 50 }), (at, xor, split) => {
      const m = Buffer.from(valid);
      m[at]! ^= xor;
      feedAll(readerFor(1), [m.subarray(0, split), m.subarray(split)]);
    }),
    { numRuns: 300 },
  );
});

test('property: any split of a multi-record stream into chunks yields the same records', async () => {
  const fc = await import('fast-check');
  const { writer } = pair(TLS_CHACHA20_POLY1305_SHA256);
  const messages = [big(10), big(MAX_PLAINTEXT_LENGTH + 5), big(1), big(700)];
  writer.write(ContentType.handshake, messages[0]!);
  writer.write(ContentType.application_data, messages[1]!);
  writer.write(ContentType.alert, Buffer.from([1, 0]));
  writer.write(ContentType.application_data, messages[2]!);
  writer.write(ContentType.handshake, messages[3]!);
  const wire = writer.takeOutgoing();
  const expected = [
    [ContentType.handshake, 10],
    [ContentType.application_data, MAX_PLAINTEXT_LENGTH],
    [ContentType.application_data, 5],
    [ContentType.alert, 2],
    [ContentType.application_data, 1],
    [ContentType.handshake, 700],
  ];
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: wire.length - 1 }), { maxLength: 40 }), (cuts) => {
      const reader = new RecordLayer({ provider });
      reader.setReadKey(TLS_CHACHA20_POLY1305_SHA256, KEY32, IV);
      const points = [0, ...cuts.sort((a, b) => a - b), wire.length];
      const got: [number, number][] = [];
      const bytes: Buffer[] = [];
      for (let i = 1; i < points.length; i++) {
        reader.feed(wire.subarray(points[i - 1], points[i]));
        for (let r; (r = reader.nextRecord()) !== null; ) {
          got.push([r.type, r.payload.length]);
          bytes.push(Buffer.from(r.payload));
        }
      }
      assert.deepEqual(got, expected);
      assert.deepEqual(bytes[1], messages[1]!.subarray(0, MAX_PLAINTEXT_LENGTH));
      assert.equal(reader.bufferedBytes, 0);
    }),
    { numRuns: 150 },
  );
});

test('readRecord(header, body): the same records as feed()+nextRecord(), a dropped CCS is null, failures stick, and it refuses a partial or queued record', () => {
  const { writer, reader } = pair(TLS_AES_256_GCM_SHA384, (_type, n) => (n === 3 ? 40 : 0));
  writer.write(ContentType.application_data, Buffer.from('abc'));
  writer.flush();
  writer.write(ContentType.handshake, Buffer.alloc(20_000, 9));
  const records = splitRecords(writer.takeOutgoing());
  assert.equal(records.length, 3);
  const got = records.map((r) => {
    assert.ok(reader.canReadRecord(r.subarray(0, 5), r.subarray(5)));
    const rec = reader.readRecord(r.subarray(0, 5), r.subarray(5));
    return rec === null ? null : { type: rec.type, payload: Buffer.from(rec.payload) };
  });
  assert.deepEqual(got, [
    { type: ContentType.application_data, payload: Buffer.from('abc') },
    { type: ContentType.handshake, payload: Buffer.alloc(MAX_PLAINTEXT_LENGTH, 9) },
    { type: ContentType.handshake, payload: Buffer.alloc(20_000 - MAX_PLAINTEXT_LENGTH, 9) },
  ]);
  // The compatibility CCS is dropped (null) while drop-once is armed.
  reader.setChangeCipherSpecPolicy('drop-once');
  assert.equal(reader.readRecord(header(ContentType.change_cipher_spec, 0x0303, 1), Buffer.from([1])), null);
  // Not one whole record, or something queued before it: not taken (the caller feeds instead).
  writer.write(ContentType.application_data, Buffer.from('x'));
  const [next] = splitRecords(writer.takeOutgoing());
  assert.equal(reader.canReadRecord(next!.subarray(0, 5), next!.subarray(5, -1)), false);
  assert.throws(() => reader.readRecord(next!.subarray(0, 5), next!.subarray(5, -1)), (e: unknown) => e instanceof TLSError && e.alert === 'internal_error');
  reader.feed(next!.subarray(0, 3));
  assert.equal(reader.canReadRecord(next!.subarray(0, 5), next!.subarray(5)), false);
  reader.feed(next!.subarray(3));
  assert.deepEqual(readAll(reader), [{ type: ContentType.application_data, payload: Buffer.from('x') }]);
  // A tampered record is bad_record_mac, and the read side stays failed for both ways in.
  writer.write(ContentType.application_data, Buffer.from('y'));
  const [bad] = splitRecords(writer.takeOutgoing());
  bad![bad!.length - 1]! ^= 1;
  assert.throws(() => reader.readRecord(bad!.subarray(0, 5), bad!.subarray(5)), (e: unknown) => e instanceof TLSError && e.alert === 'bad_record_mac');
  assert.throws(() => reader.nextRecord(), (e: unknown) => e instanceof TLSError && e.alert === 'bad_record_mac');
});
