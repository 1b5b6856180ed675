import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CryptoError, defaultProvider as provider, type AeadAlgorithm } from '../../src/crypto/index.js';

const ALGORITHMS: readonly [AeadAlgorithm, number][] = [
  ['AES-128-GCM', 16],
  ['AES-256-GCM', 32],
  ['CHACHA20-POLY1305', 32],
];
const RECORD = 16384; // TLS max plaintext record (RFC 8446 §5.1)

const isCode = (code: string) => (e: unknown) => e instanceof CryptoError && e.code === code;

for (const [algorithm, keyLength] of ALGORITHMS) {
  test(`${algorithm}: seal then open returns the plaintext for empty, small and 16 KiB records`, () => {
    const key = provider.createAead(algorithm, provider.randomBytes(keyLength));
    assert.equal(key.keyLength, keyLength);
    assert.equal(key.nonceLength, 12);
    assert.equal(key.tagLength, 16);
    for (const size of [0, 1, 100, RECORD, RECORD + 256]) {
      const nonce = provider.randomBytes(12);
      const aad = Buffer.from([23, 3, 3, size >> 8, size & 0xff]);
      const plaintext = provider.randomBytes(size);
      const sealed = key.seal(nonce, aad, plaintext);
      assert.equal(sealed.length, size + 16);
      // A 1-byte ciphertext equals its plaintext by chance 1 time in 256: only compare lengths where a collision cannot happen.
      if (size >= 16) assert.notDeepEqual(sealed.subarray(0, size), plaintext, 'ciphertext differs from plaintext');
      assert.deepEqual(key.open(nonce, aad, sealed), plaintext);
    }
  });

  test(`${algorithm}: any change to ciphertext, tag, AAD or nonce fails with bad_tag`, () => {
    const key = provider.createAead(algorithm, provider.randomBytes(keyLength));
    const nonce = provider.randomBytes(12);
    const aad = Buffer.from('header');
    const sealed = key.seal(nonce, aad, Buffer.from('attack at dawn'));
    for (const index of [0, 5, sealed.length - 16, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[index]! ^= 0x01;
      assert.throws(() => key.open(nonce, aad, tampered), isCode('bad_tag'), `flipped byte ${index}`);
    }
    assert.throws(() => key.open(nonce, Buffer.from('headex'), sealed), isCode('bad_tag'));
    const otherNonce = Buffer.from(nonce);
    otherNonce[11]! ^= 1;
    assert.throws(() => key.open(otherNonce, aad, sealed), isCode('bad_tag'));
    assert.throws(() => key.open(nonce, aad, sealed.subarray(0, sealed.length - 1)), isCode('bad_tag'), 'truncated tag');
    assert.throws(() => key.open(nonce, aad, sealed.subarray(0, 15)), isCode('bad_tag'), 'shorter than a tag');
    // A different key of the same algorithm cannot open it either.
    const other = provider.createAead(algorithm, provider.randomBytes(keyLength));
    assert.throws(() => other.open(nonce, aad, sealed), isCode('bad_tag'));
  });

  test(`${algorithm}: wrong key or nonce length is bad_argument`, () => {
    assert.throws(() => provider.createAead(algorithm, Buffer.alloc(keyLength - 1)), isCode('bad_argument'));
    assert.throws(() => provider.createAead(algorithm, Buffer.alloc(keyLength + 1)), isCode('bad_argument'));
    const key = provider.createAead(algorithm, Buffer.alloc(keyLength));
    for (const n of [0, 8, 11, 13, 16]) {
      assert.throws(() => key.seal(Buffer.alloc(n), Buffer.alloc(0), Buffer.alloc(1)), isCode('bad_argument'), `nonce ${n}`);
      assert.throws(() => key.open(Buffer.alloc(n), Buffer.alloc(0), Buffer.alloc(17)), isCode('bad_argument'), `nonce ${n}`);
    }
    assert.throws(() => key.seal(Buffer.alloc(12), 'aad' as unknown as Uint8Array, Buffer.alloc(1)), isCode('bad_argument'));
  });
}

test('AEAD: works on Uint8Array views at non-zero offsets and keeps its own copy of the key', () => {
  const keyBytes = new Uint8Array(40).fill(7).subarray(4, 36);
  const key = provider.createAead('CHACHA20-POLY1305', keyBytes);
  const reference = provider.createAead('CHACHA20-POLY1305', new Uint8Array(32).fill(7));
  keyBytes.fill(0); // the caller wiping its buffer must not change the prepared key
  const backing = new Uint8Array(64).map((_, i) => i);
  const nonce = backing.subarray(1, 13);
  const aad = backing.subarray(13, 18);
  const plaintext = backing.subarray(18, 50);
  const sealed = key.seal(nonce, aad, plaintext);
  assert.deepEqual(reference.seal(Buffer.from(nonce), Buffer.from(aad), Buffer.from(plaintext)), sealed);
  const framed = new Uint8Array(sealed.length + 3);
  framed.set(sealed, 3);
  assert.deepEqual(key.open(nonce, aad, framed.subarray(3)), Buffer.from(plaintext));
});

test('AEAD: each sealed record is its own memory; sealing more records never changes earlier ones', () => {
  const key = provider.createAead('AES-128-GCM', provider.randomBytes(16));
  const nonce = Buffer.alloc(12);
  const records = Array.from({ length: 40 }, (_, i) => key.seal(nonce, Buffer.alloc(0), Buffer.alloc(RECORD / 2 + i, i)));
  const snapshots = records.map((r) => Buffer.from(r));
  for (let i = 0; i < 40; i++) key.seal(nonce, Buffer.alloc(0), Buffer.alloc(RECORD, 0xff));
  records.forEach((r, i) => {
    assert.deepEqual(r, snapshots[i]);
    assert.equal(r.length, RECORD / 2 + i + 16);
    assert.equal(r.byteOffset % 8, 0, 'slices are 8-byte aligned');
    assert.deepEqual(key.open(nonce, Buffer.alloc(0), r), Buffer.alloc(RECORD / 2 + i, i));
  });
});

test('AEAD: RFC 8439 §2.8.2 ChaCha20-Poly1305 test vector', () => {
  const key = provider.createAead('CHACHA20-POLY1305', Buffer.from('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f', 'hex'));
  const nonce = Buffer.from('070000004041424344454647', 'hex');
  const aad = Buffer.from('50515253c0c1c2c3c4c5c6c7', 'hex');
  const plaintext = Buffer.from("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
  const sealed = key.seal(nonce, aad, plaintext);
  assert.equal(sealed.subarray(-16).toString('hex'), '1ae10b594f09e26a7e902ecbd0600691');
  assert.equal(sealed.subarray(0, 16).toString('hex'), 'd31a8d34648e60db7b86afbc53ef7ec2');
});

test('AEAD: unknown algorithm is unsupported', () => {
  assert.throws(() => provider.createAead('AES-192-GCM' as AeadAlgorithm, Buffer.alloc(24)), isCode('unsupported'));
});
