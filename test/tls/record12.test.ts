/**
 * TLS 1.2 AEAD record protection behind the same RecordLayer: RFC 5288 GCM
 * (explicit 8-byte nonce, salt || nonce_explicit), RFC 7905 ChaCha20-Poly1305
 * (iv XOR seq), RFC 5246 §6.2.3.3 additional data seq || type || version || length.
 * Expected records are computed independently by Python's `cryptography` when available.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { defaultProvider as provider } from '../../src/crypto/index.js';
import { TLSError } from '../../src/tls/errors.js';
import { RecordLayer, MAX_PLAINTEXT_LENGTH } from '../../src/tls/record.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import { ALL_SUITES, type CipherSuite } from '../../src/tls/registry/suites.js';

const suite = (name: string): CipherSuite => ALL_SUITES.find((s) => s.ianaName === name)!;
const GCM128 = suite('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
const GCM256 = suite('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384');
const CHACHA = suite('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256');

const material = (s: CipherSuite) => ({
  key: Buffer.from(Array.from({ length: s.keyLength }, (_, i) => (i * 13 + 1) & 0xff)),
  iv: Buffer.from(Array.from({ length: s.fixedIvLength }, (_, i) => (i * 29 + 7) & 0xff)),
});

function pair12(s: CipherSuite) {
  const { key, iv } = material(s);
  const writer = new RecordLayer({ provider });
  const reader = new RecordLayer({ provider });
  writer.setWriteKey12(s, key, iv);
  reader.setReadKey12(s, key, iv);
  return { writer, reader };
}

function throwsAlert(fn: () => unknown, alert: string): void {
  assert.throws(fn, (e: unknown) => e instanceof TLSError && e.alert === alert);
}

const PYTHON_SEAL = `
import sys, json
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
out = []
for c in json.loads(sys.argv[1]):
    key, iv, pt = bytes.fromhex(c['key']), bytes.fromhex(c['iv']), bytes.fromhex(c['pt'])
    seq = c['seq'].to_bytes(8, 'big')
    aad = seq + bytes([c['type']]) + b'\\x03\\x03' + len(pt).to_bytes(2, 'big')
    if c['chacha']:
        nonce = bytes(a ^ b for a, b in zip(iv, b'\\x00' * 4 + seq))
        body = ChaCha20Poly1305(key).encrypt(nonce, pt, aad)
    else:
        body = seq + AESGCM(key).encrypt(iv + seq, pt, aad)
    out.append((bytes([c['type']]) + b'\\x03\\x03' + len(body).to_bytes(2, 'big') + body).hex())
print(json.dumps(out))
`;

function pythonHasCryptography(): boolean {
  const r = spawnSync('python3', ['-c', 'import cryptography'], { encoding: 'utf8' });
  return r.status === 0;
}

test('TLS 1.2 GCM and ChaCha20 records match an independent implementation (Python cryptography)', { skip: pythonHasCryptography() ? false : 'python3 with the cryptography package is not installed' }, () => {
  const cases: { s: CipherSuite; seq: number; type: number; pt: Buffer }[] = [];
  for (const s of [GCM128, GCM256, CHACHA]) {
    cases.push({ s, seq: 0, type: ContentType.handshake, pt: Buffer.from('14000000c0ffee', 'hex') });
    cases.push({ s, seq: 1, type: ContentType.application_data, pt: Buffer.from('GET / HTTP/1.1\r\n\r\n') });
    cases.push({ s, seq: 0x1_0000_0005, type: ContentType.alert, pt: Buffer.from([1, 0]) });
  }
  const input = cases.map((c) => ({ ...material(c.s), key: material(c.s).key.toString('hex'), iv: material(c.s).iv.toString('hex'), pt: c.pt.toString('hex'), seq: c.seq, type: c.type, chacha: c.s.aead === 'CHACHA20-POLY1305' }));
  const r = spawnSync('python3', ['-c', PYTHON_SEAL, JSON.stringify(input)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const expected = JSON.parse(r.stdout) as string[];
  cases.forEach((c, i) => {
    const { writer, reader } = pair12(c.s);
    writer.writeDirection.setSequence(BigInt(c.seq));
    reader.readDirection.setSequence(BigInt(c.seq));
    writer.write(c.type, c.pt);
    const wire = writer.takeOutgoing();
    assert.equal(wire.toString('hex'), expected[i], `${c.s.ianaName} seq ${c.seq}`);
    reader.feed(Buffer.from(expected[i]!, 'hex'));
    assert.deepEqual(reader.nextRecord(), { type: c.type, payload: c.pt });
  });
});

test('TLS 1.2 GCM record layout: header, explicit nonce = sequence number, AAD = seq||type||0x0303||plaintext length', () => {
  const { writer } = pair12(GCM128);
  const { key, iv } = material(GCM128);
  writer.writeDirection.setSequence(7n);
  const pt = Buffer.from('hello, world');
  writer.write(ContentType.application_data, pt);
  const wire = writer.takeOutgoing();
  assert.equal(wire[0], ContentType.application_data, 'TLS 1.2 keeps the real content type in the header');
  assert.equal(wire.readUInt16BE(1), 0x0303);
  assert.equal(wire.readUInt16BE(3), 8 + pt.length + 16);
  const explicit = wire.subarray(5, 13);
  assert.equal(explicit.readBigUInt64BE(0), 7n);
  const aad = Buffer.concat([explicit, Buffer.from([ContentType.application_data, 3, 3, 0, pt.length])]);
  const opened = provider.createAead('AES-128-GCM', key).open(Buffer.concat([iv, explicit]), aad, wire.subarray(13));
  assert.deepEqual(opened, pt);
  // With the length in the AAD being the ciphertext length instead, it does not open.
  const wrongAad = Buffer.from(aad);
  wrongAad.writeUInt16BE(pt.length + 16, 11);
  assert.throws(() => provider.createAead('AES-128-GCM', key).open(Buffer.concat([iv, explicit]), wrongAad, wire.subarray(13)));
});

test('TLS 1.2 ChaCha20-Poly1305 record layout: no explicit nonce, nonce = iv XOR seq (RFC 7905 §2)', () => {
  const { writer } = pair12(CHACHA);
  const { key, iv } = material(CHACHA);
  writer.writeDirection.setSequence(0x0102030405060708n);
  const pt = Buffer.from('chacha');
  writer.write(ContentType.handshake, pt);
  const wire = writer.takeOutgoing();
  assert.equal(wire.readUInt16BE(3), pt.length + 16);
  const nonce = Buffer.from(iv);
  const seq = Buffer.from('0102030405060708', 'hex');
  for (let i = 0; i < 8; i++) nonce[4 + i]! ^= seq[i]!;
  const aad = Buffer.concat([seq, Buffer.from([ContentType.handshake, 3, 3, 0, pt.length])]);
  assert.deepEqual(provider.createAead('CHACHA20-POLY1305', key).open(nonce, aad, wire.subarray(5)), pt);
});

test('TLS 1.2 reader: round trip of fragmented data, then bit flips and short records are bad_record_mac', () => {
  for (const s of [GCM128, CHACHA]) {
    const { writer, reader } = pair12(s);
    const data = Buffer.alloc(50000, 0x5a);
    writer.write(ContentType.application_data, data);
    const wire = writer.takeOutgoing();
    reader.feed(wire);
    const parts = [];
    for (let r; (r = reader.nextRecord()) !== null; ) parts.push(r.payload);
    assert.equal(parts.length, 4);
    assert.deepEqual(Buffer.concat(parts), data);
    assert.equal(reader.readSeq, 4n);

    const flipped = pair12(s);
    flipped.writer.write(ContentType.alert, Buffer.from([1, 0]));
    const rec = flipped.writer.takeOutgoing();
    rec[rec.length - 3]! ^= 0x80;
    flipped.reader.feed(rec);
    throwsAlert(() => flipped.reader.nextRecord(), 'bad_record_mac');

    const short = pair12(s).reader;
    short.feed(Buffer.from([ContentType.application_data, 3, 3, 0, 10, ...Buffer.alloc(10)]));
    throwsAlert(() => short.nextRecord(), 'bad_record_mac');
  }
});

test('TLS 1.2 limits: ciphertext over 2^14+2048 and decrypted plaintext over 2^14 are record_overflow', () => {
  const { reader } = pair12(GCM128);
  reader.feed(Buffer.from([ContentType.application_data, 3, 3, ...[0, 0].map((_, i) => ((2 ** 14 + 2049) >> (8 * (1 - i))) & 0xff)]));
  throwsAlert(() => reader.nextRecord(), 'record_overflow');

  // A correctly sealed record carrying 2^14+1 bytes of plaintext (within the ciphertext limit).
  const { key, iv } = material(GCM128);
  const pt = Buffer.alloc(MAX_PLAINTEXT_LENGTH + 1, 1);
  const seq = Buffer.alloc(8);
  const aad = Buffer.concat([seq, Buffer.from([ContentType.application_data, 3, 3]), Buffer.from([(pt.length >> 8) & 0xff, pt.length & 0xff])]);
  const body = Buffer.concat([seq, provider.createAead('AES-128-GCM', key).seal(Buffer.concat([iv, seq]), aad, pt)]);
  const h = Buffer.from([ContentType.application_data, 3, 3, body.length >> 8, body.length & 0xff]);
  const r2 = pair12(GCM128).reader;
  r2.feed(Buffer.concat([h, body]));
  throwsAlert(() => r2.nextRecord(), 'record_overflow');
});

test('TLS 1.2 keys: wrong key or IV sizes are refused; TLS 1.3 suites are refused by the TLS 1.2 setters and vice versa', () => {
  const rl = new RecordLayer({ provider });
  assert.throws(() => rl.setWriteKey12(GCM128, Buffer.alloc(16), Buffer.alloc(12)), TLSError);
  assert.throws(() => rl.setWriteKey12(CHACHA, Buffer.alloc(32), Buffer.alloc(4)), TLSError);
  assert.throws(() => rl.setWriteKey12(ALL_SUITES[0]!, Buffer.alloc(32), Buffer.alloc(12)), TLSError);
  assert.throws(() => rl.setWriteKey(GCM128, Buffer.alloc(16), Buffer.alloc(12)), TLSError);
  assert.equal(rl.writeProtection, 'none');
});
