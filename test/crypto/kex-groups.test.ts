/**
 * X448, P-521 and the X25519MLKEM768 hybrid in the provider: published
 * vectors, a differential check against the openssl command, and rejection of
 * every invalid peer value. (Wycheproof has no X448 / P-521 ECDH files in the
 * project's data set; the openssl differential stands in for them.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CryptoError, defaultProvider as provider } from '../../src/crypto/index.js';
import { MLKEM768 } from '../../src/crypto/algorithms.js';
import { opensslSkipReason } from '../helpers/openssl.js';

const isCode = (code: string) => (e: unknown) => e instanceof CryptoError && e.code === code;
const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const MLKEM = provider.supportsKeyExchange('X25519MLKEM768');
const NO_MLKEM = MLKEM ? false : 'node:crypto has no ML-KEM-768 here (Node < 24)';

test('X448: RFC 7748 §6.2 key pairs and shared secret', () => {
  const alice = provider.importKeyExchange('X448', h('9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b'));
  const bob = provider.importKeyExchange('X448', h('1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d'));
  assert.equal(alice.publicKey.toString('hex'), '9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0');
  assert.equal(bob.publicKey.toString('hex'), '3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609');
  const shared = '07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d';
  assert.equal(alice.deriveSharedSecret(bob.publicKey).toString('hex'), shared);
  assert.equal(bob.deriveSharedSecret(alice.publicKey).toString('hex'), shared);
});

test('X448: low-order peer values (all-zero shared secret) are bad_public_value (RFC 7748 §6.2)', () => {
  const a = provider.generateKeyExchange('X448');
  const one = Buffer.alloc(56);
  one[0] = 1;
  for (const bad of [Buffer.alloc(56), one]) assert.throws(() => a.deriveSharedSecret(bad), isCode('bad_public_value'));
});

test('P-521: 1·G is the SEC 2 generator; off-curve, compressed and infinity peer values are bad_public_value', () => {
  const one = Buffer.alloc(66);
  one[65] = 1;
  const g = provider.importKeyExchange('P-521', one);
  const gx = '00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66';
  const gy = '011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650';
  assert.equal(g.publicKey.toString('hex'), `04${gx}${gy}`);
  const a = provider.generateKeyExchange('P-521');
  // Shared secret with 1·G is our own public X coordinate.
  assert.deepEqual(a.deriveSharedSecret(g.publicKey), a.publicKey.subarray(1, 67));
  const offCurve = Buffer.from(g.publicKey);
  offCurve[132]! ^= 1;
  const compressed = Buffer.concat([Buffer.from([3]), h(gx)]);
  for (const [name, bad] of [
    ['off curve', offCurve],
    ['compressed', compressed],
    ['infinity', Buffer.from([0])],
    ['zeros', Buffer.concat([Buffer.from([4]), Buffer.alloc(132)])],
    ['x ≥ p', Buffer.concat([Buffer.from([4]), Buffer.alloc(66, 0xff), h(gy)])],
  ] as const) {
    assert.throws(() => a.deriveSharedSecret(bad), isCode('bad_public_value'), name);
  }
});

test('X448 and P-521: shared secrets equal what `openssl pkeyutl -derive` computes for the same keys', { skip: opensslSkipReason() ?? false }, () => {
  const openssl = 'openssl';
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-kex-'));
  try {
    for (const [group, algorithm] of [
      ['X448', ['-algorithm', 'X448']],
      ['P-521', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521']],
    ] as const) {
      for (let i = 0; i < 3; i++) {
        const ours = provider.generateKeyExchange(group);
        const key = join(dir, `${group}.pem`);
        execFileSync(openssl, ['genpkey', ...algorithm, '-out', key]);
        const theirSpki = execFileSync(openssl, ['pkey', '-in', key, '-pubout', '-outform', 'DER']);
        const peer = join(dir, `${group}-peer.der`);
        // Our public value wrapped in the SPKI of their key's type: same algorithm header, our key bits.
        const header = theirSpki.subarray(0, theirSpki.length - ours.publicKey.length);
        writeFileSync(peer, Buffer.concat([header, ours.publicKey]));
        const theirs = execFileSync(openssl, ['pkeyutl', '-derive', '-inkey', key, '-peerkey', peer, '-peerform', 'DER']);
        assert.deepEqual(ours.deriveSharedSecret(theirSpki.subarray(header.length)), theirs, `${group} #${i}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('respondKeyExchange (the server side) agrees with the initiator for every Diffie-Hellman group', () => {
  for (const group of ['X25519', 'X448', 'P-256', 'P-384', 'P-521'] as const) {
    const client = provider.generateKeyExchange(group);
    const { publicKey, sharedSecret } = provider.respondKeyExchange(group, client.publicKey);
    assert.deepEqual(client.deriveSharedSecret(publicKey), sharedSecret, group);
    assert.throws(() => provider.respondKeyExchange(group, client.publicKey.subarray(1)), isCode('bad_public_value'), group);
  }
});

test('X25519MLKEM768 is absent without error where node:crypto has no ML-KEM', { skip: MLKEM ? 'node:crypto has ML-KEM-768 here' : false }, () => {
  assert.equal(provider.supportsKeyExchange('X25519MLKEM768'), false);
  assert.throws(() => provider.generateKeyExchange('X25519MLKEM768'), isCode('unsupported'));
  assert.throws(() => provider.respondKeyExchange('X25519MLKEM768', Buffer.alloc(1216)), isCode('unsupported'));
});

test('X25519MLKEM768: ML-KEM part first; both sides agree on a 64-byte secret whose second half is the X25519 secret', { skip: NO_MLKEM }, () => {
  const client = provider.generateKeyExchange('X25519MLKEM768');
  assert.equal(client.publicKey.length, 1184 + 32);
  const { publicKey, sharedSecret } = provider.respondKeyExchange('X25519MLKEM768', client.publicKey);
  assert.equal(publicKey.length, 1088 + 32);
  assert.equal(sharedSecret.length, 64);
  assert.deepEqual(client.deriveSharedSecret(publicKey), sharedSecret);
  // The trailing 32 bytes of each value are plain X25519: a third party's X25519 key against
  // the server's X25519 half cannot know the secret, but the client's X25519 half must give it.
  const serverX = publicKey.subarray(1088);
  assert.equal(provider.importKeyExchange('X25519', Buffer.alloc(32, 7)).deriveSharedSecret(serverX).length, 32);
  // A flipped ciphertext byte decapsulates (implicit rejection) to another ML-KEM secret; X25519 half unchanged.
  const tampered = Buffer.from(publicKey);
  tampered[0]! ^= 1;
  const other = client.deriveSharedSecret(tampered);
  assert.notDeepEqual(other.subarray(0, 32), sharedSecret.subarray(0, 32));
  assert.deepEqual(other.subarray(32), sharedSecret.subarray(32));
});

test('X25519MLKEM768: wrong lengths, an invalid encapsulation key and a low-order X25519 half are bad_public_value', { skip: NO_MLKEM }, () => {
  const client = provider.generateKeyExchange('X25519MLKEM768');
  const { publicKey } = provider.respondKeyExchange('X25519MLKEM768', client.publicKey);
  for (const bad of [client.publicKey.subarray(1), Buffer.concat([client.publicKey, Buffer.alloc(1)]), publicKey]) {
    assert.throws(() => provider.respondKeyExchange('X25519MLKEM768', bad), isCode('bad_public_value'), `${bad.length} bytes`);
  }
  for (const bad of [publicKey.subarray(1), client.publicKey]) {
    assert.throws(() => client.deriveSharedSecret(bad), isCode('bad_public_value'), `${bad.length} bytes`);
  }
  // FIPS 203 §7.2: every 12-bit coefficient of the key must be < q = 3329; 0xfff is not.
  const badKey = Buffer.from(client.publicKey);
  badKey.fill(0xff, 0, 3);
  assert.throws(() => provider.respondKeyExchange('X25519MLKEM768', badKey), isCode('bad_public_value'));
  const lowOrder = Buffer.concat([client.publicKey.subarray(0, MLKEM768.encapsulationKeyLength), Buffer.alloc(32)]);
  assert.throws(() => provider.respondKeyExchange('X25519MLKEM768', lowOrder), isCode('bad_public_value'));
  const lowOrderReply = Buffer.concat([publicKey.subarray(0, MLKEM768.ciphertextLength), Buffer.alloc(32)]);
  assert.throws(() => client.deriveSharedSecret(lowOrderReply), isCode('bad_public_value'));
  assert.throws(() => provider.importKeyExchange('X25519MLKEM768', Buffer.alloc(96)), isCode('unsupported'));
});
