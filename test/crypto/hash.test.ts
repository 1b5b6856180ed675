import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CryptoError, defaultProvider as provider, type HashAlgorithm } from '../../src/crypto/index.js';

const isCode = (code: string) => (e: unknown) => e instanceof CryptoError && e.code === code;
const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// FIPS 180-4 example "abc".
const ABC: Record<HashAlgorithm, string> = {
  'SHA-1': 'a9993e364706816aba3e25717850c26c9cd0d89d',
  'SHA-256': 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  'SHA-384': 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
  'SHA-512':
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
};

for (const algorithm of Object.keys(ABC) as HashAlgorithm[]) {
  test(`${algorithm}: one-shot and incremental hashes give the FIPS 180-4 digest of "abc"`, () => {
    assert.equal(provider.hash(algorithm, Buffer.from('abc')).toString('hex'), ABC[algorithm]);
    const inc = provider.createHash(algorithm).update(Buffer.from('a')).update(new Uint8Array([0x62, 0x63]));
    assert.equal(inc.digest().toString('hex'), ABC[algorithm]);
    assert.equal(inc.outputLength, provider.hashLength(algorithm));
    assert.equal(inc.outputLength, ABC[algorithm].length / 2);
    assert.equal(inc.algorithm, algorithm);
  });
}

test('Hash: digest() does not finalise, so a transcript can be read at every step', () => {
  const transcript = provider.createHash('SHA-256');
  transcript.update(Buffer.from('client hello'));
  const first = transcript.digest();
  assert.deepEqual(transcript.digest(), first, 'digest twice gives the same value');
  transcript.update(Buffer.from('server hello'));
  assert.deepEqual(transcript.digest(), provider.hash('SHA-256', Buffer.from('client helloserver hello')));
  assert.notDeepEqual(transcript.digest(), first);
});

test('Hash: clone() is independent of the original in both directions', () => {
  const a = provider.createHash('SHA-384').update(Buffer.from('common'));
  const b = a.clone();
  a.update(Buffer.from('-a'));
  b.update(Buffer.from('-b'));
  assert.deepEqual(a.digest(), provider.hash('SHA-384', Buffer.from('common-a')));
  assert.deepEqual(b.digest(), provider.hash('SHA-384', Buffer.from('common-b')));
  assert.equal(b.algorithm, 'SHA-384');
});

test('HMAC: RFC 4231 test case 2 for SHA-256 and SHA-512', () => {
  const key = Buffer.from('Jefe');
  const data = Buffer.from('what do ya want for nothing?');
  assert.equal(provider.hmac('SHA-256', key, data).toString('hex'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  assert.equal(
    provider.hmac('SHA-512', key, data).toString('hex'),
    '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
  );
});

test('HKDF: RFC 5869 test case 1, extract and expand separately', () => {
  const prk = provider.hkdfExtract('SHA-256', h('000102030405060708090a0b0c'), h('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'));
  assert.equal(prk.toString('hex'), '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
  const okm = provider.hkdfExpand('SHA-256', prk, h('f0f1f2f3f4f5f6f7f8f9'), 42);
  assert.equal(okm.toString('hex'), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
});

test('HKDF: RFC 8448 early secret (empty salt means HashLen zeros) and "tls13 derived" expansion', () => {
  const zeros = Buffer.alloc(32);
  const early = provider.hkdfExtract('SHA-256', Buffer.alloc(0), zeros);
  assert.equal(early.toString('hex'), '33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a');
  assert.deepEqual(provider.hkdfExtract('SHA-256', zeros, zeros), early);
  const info = h('00200d746c73313320646572697665642 0e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(provider.hkdfExpand('SHA-256', early, info, 32).toString('hex'), '6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba');
  const handshake = provider.hkdfExtract('SHA-256', h('6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba'), h('1bea3fdfd25f94033804b68997a55d1931dc51124ad7f6e28959bb4672e3bd13'));
  assert.equal(handshake.toString('hex'), 'f2c66e28ed535dfb8721b7145ca51c8bc058514f79aa881d0d32cbe1341a2e45');
});

test('HKDF-Expand: up to 255*HashLen bytes, one more is bad_argument; prefixes agree', () => {
  const prk = provider.randomBytes(48);
  const max = provider.hkdfExpand('SHA-384', prk, Buffer.from('info'), 255 * 48);
  assert.equal(max.length, 255 * 48);
  assert.deepEqual(provider.hkdfExpand('SHA-384', prk, Buffer.from('info'), 50), max.subarray(0, 50));
  assert.equal(provider.hkdfExpand('SHA-384', prk, Buffer.from('info'), 0).length, 0);
  assert.throws(() => provider.hkdfExpand('SHA-384', prk, Buffer.from('info'), 255 * 48 + 1), isCode('bad_argument'));
  assert.throws(() => provider.hkdfExpand('SHA-384', prk, Buffer.from('info'), -1), isCode('bad_argument'));
  assert.throws(() => provider.hkdfExpand('SHA-384', prk, Buffer.from('info'), 1.5), isCode('bad_argument'));
});

test('randomBytes and constantTimeEqual', () => {
  assert.equal(provider.randomBytes(0).length, 0);
  const a = provider.randomBytes(32);
  assert.equal(a.length, 32);
  assert.notDeepEqual(provider.randomBytes(32), a);
  assert.throws(() => provider.randomBytes(-1), isCode('bad_argument'));
  assert.equal(provider.constantTimeEqual(a, Buffer.from(a)), true);
  assert.equal(provider.constantTimeEqual(a, a.subarray(0, 31)), false, 'different lengths: false, no throw');
  assert.equal(provider.constantTimeEqual(new Uint8Array(0), new Uint8Array(0)), true);
  const b = Buffer.from(a);
  b[31]! ^= 1;
  assert.equal(provider.constantTimeEqual(a, b), false);
});

test('unknown hash names are unsupported, wrong argument types bad_argument', () => {
  assert.throws(() => provider.createHash('MD5' as HashAlgorithm), isCode('unsupported'));
  assert.throws(() => provider.hash('SHA-3' as HashAlgorithm, Buffer.alloc(1)), isCode('unsupported'));
  assert.throws(() => provider.hashLength('toString' as HashAlgorithm), isCode('unsupported'));
  assert.throws(() => provider.hmac('SHA-256', 'key' as unknown as Uint8Array, Buffer.alloc(1)), isCode('bad_argument'));
  assert.throws(() => provider.createHash('SHA-256').update('text' as unknown as Uint8Array), isCode('bad_argument'));
});

test('randomBytes: the asked length, a buffer of its own each time, never the same bytes twice (across block refills), large requests too', () => {
  const seen = new Set<string>();
  const buffers = new Set<ArrayBufferLike>();
  for (let i = 0; i < 3000; i++) {
    const n = [1, 12, 16, 32, 48, 256][i % 6]!;
    const r = provider.randomBytes(n);
    assert.equal(r.length, n);
    assert.equal(r.byteOffset, 0);
    assert.equal(r.buffer.byteLength, n, 'not a view into shared memory');
    assert.ok(!buffers.has(r.buffer));
    buffers.add(r.buffer);
    if (n >= 16) {
      const hex = r.toString('hex');
      assert.ok(!seen.has(hex), 'repeated random output');
      seen.add(hex);
    }
  }
  const big = provider.randomBytes(100_000);
  assert.equal(big.length, 100_000);
  assert.ok(big.some((b) => b !== 0));
  assert.equal(provider.randomBytes(0).length, 0);
  assert.throws(() => provider.randomBytes(-1), /non-negative integer/);
});
