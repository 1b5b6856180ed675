import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CryptoError, defaultProvider as provider, type KeyExchangeGroup } from '../../src/crypto/index.js';

const isCode = (code: string) => (e: unknown) => e instanceof CryptoError && e.code === code;
const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const GROUPS: readonly [KeyExchangeGroup, number, number][] = [
  ['X25519', 32, 32],
  ['P-256', 65, 32],
  ['P-384', 97, 48],
  ['P-521', 133, 66],
  ['X448', 56, 56],
];

for (const [group, publicLength, secretLength] of GROUPS) {
  test(`${group}: two fresh key pairs agree on the shared secret`, () => {
    const a = provider.generateKeyExchange(group);
    const b = provider.generateKeyExchange(group);
    assert.equal(a.group, group);
    assert.equal(a.publicKey.length, publicLength);
    if (group.startsWith('P-')) assert.equal(a.publicKey[0], 0x04, 'uncompressed point');
    const secret = a.deriveSharedSecret(b.publicKey);
    assert.equal(secret.length, secretLength);
    assert.deepEqual(b.deriveSharedSecret(a.publicKey), secret);
    assert.notDeepEqual(a.publicKey, b.publicKey);
  });

  test(`${group}: peer values of the wrong length are bad_public_value`, () => {
    const a = provider.generateKeyExchange(group);
    const peer = provider.generateKeyExchange(group).publicKey;
    for (const bad of [Buffer.alloc(0), peer.subarray(0, peer.length - 1), Buffer.concat([peer, Buffer.from([0])])]) {
      assert.throws(() => a.deriveSharedSecret(bad), isCode('bad_public_value'), `${bad.length} bytes`);
    }
  });
}

test('X25519: RFC 7748 §6.1 key pairs and shared secret', () => {
  const alice = provider.importKeyExchange('X25519', h('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'));
  const bob = provider.importKeyExchange('X25519', h('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'));
  assert.equal(alice.publicKey.toString('hex'), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
  assert.equal(bob.publicKey.toString('hex'), 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
  const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
  assert.equal(alice.deriveSharedSecret(bob.publicKey).toString('hex'), shared);
  assert.equal(bob.deriveSharedSecret(alice.publicKey).toString('hex'), shared);
});

test('X25519: RFC 8448 §3 pinned client and server keys give the trace\'s public values and (EC)DHE secret', () => {
  const client = provider.importKeyExchange('X25519', h('70a1a8f491e82d530542c6d7a8dcd8cfa9e31f59bb336b550b13bfe199f542c5'));
  const server = provider.importKeyExchange('X25519', h('5aa93ea18f4c5e4a39856f573af4ec1503bad0d5cdabaffc26c1ab4c361f86c8'));
  assert.equal(client.publicKey.toString('hex'), '4cfdfcd178b784bf328cae793b136f2aedce005ff183d7bb1495207236647037');
  assert.equal(server.publicKey.toString('hex'), 'c7bb6bdfc26350b929a08a41a76ddac210b096868d960c4845987dc3a7fa650a');
  const ikm = '1bea3fdfd25f94033804b68997a55d1931dc51124ad7f6e28959bb4672e3bd13';
  assert.equal(client.deriveSharedSecret(server.publicKey).toString('hex'), ikm);
});

test('X25519: a low-order peer point (all-zero shared secret) is bad_public_value', () => {
  const a = provider.generateKeyExchange('X25519');
  assert.throws(() => a.deriveSharedSecret(Buffer.alloc(32)), isCode('bad_public_value'));
  assert.throws(() => a.deriveSharedSecret(h('0100000000000000000000000000000000000000000000000000000000000000')), isCode('bad_public_value'));
  // RFC 7748 §5 order-8 point
  assert.throws(() => a.deriveSharedSecret(h('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800')), isCode('bad_public_value'));
});

test('P-256: compressed, hybrid, infinity, off-curve and out-of-range points are bad_public_value', () => {
  const a = provider.generateKeyExchange('P-256');
  const good = provider.generateKeyExchange('P-256').publicKey;
  const x = good.subarray(1, 33);
  const y = good.subarray(33);
  const compressed = Buffer.concat([Buffer.from([0x02 | (y[31]! & 1)]), x]);
  const hybrid = Buffer.concat([Buffer.from([0x06 | (y[31]! & 1)]), x, y]);
  const offCurve = Buffer.from(good);
  offCurve[64]! ^= 1;
  const p = h('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff');
  const xTooBig = Buffer.concat([Buffer.from([4]), p, y]);
  for (const [name, bad] of [
    ['compressed', compressed],
    ['hybrid', hybrid],
    ['infinity', Buffer.from([0])],
    ['infinity padded', Buffer.concat([Buffer.from([0]), Buffer.alloc(64)])],
    ['zeros', Buffer.concat([Buffer.from([4]), Buffer.alloc(64)])],
    ['off curve', offCurve],
    ['x = p', xTooBig],
  ] as const) {
    assert.throws(() => a.deriveSharedSecret(bad), isCode('bad_public_value'), name);
  }
  assert.equal(a.deriveSharedSecret(good).length, 32);
});

test('importKeyExchange: NIST scalars must be in [1, n-1] and the right length; the public point is derived', () => {
  const one = Buffer.alloc(32);
  one[31] = 1;
  // 1·G is the generator itself (SEC 2 §2.4.2).
  const g = provider.importKeyExchange('P-256', one);
  assert.equal(
    g.publicKey.toString('hex'),
    '046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
  );
  const n = h('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
  assert.throws(() => provider.importKeyExchange('P-256', Buffer.alloc(32)), isCode('bad_key'));
  assert.throws(() => provider.importKeyExchange('P-256', n), isCode('bad_key'));
  assert.throws(() => provider.importKeyExchange('P-256', Buffer.alloc(31, 1)), isCode('bad_argument'));
  assert.throws(() => provider.importKeyExchange('P-384', Buffer.alloc(32, 1)), isCode('bad_argument'));
  assert.throws(() => provider.importKeyExchange('X25519', Buffer.alloc(31, 1)), isCode('bad_argument'));
  assert.throws(() => provider.generateKeyExchange('P-192' as KeyExchangeGroup), isCode('unsupported'));
  assert.throws(() => provider.importKeyExchange('P-521', Buffer.alloc(65, 1)), isCode('bad_argument'));
  assert.throws(() => provider.importKeyExchange('X448', Buffer.alloc(32, 1)), isCode('bad_argument'));
});
