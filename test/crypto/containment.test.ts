/**
 * Property tests: whatever bytes reach the provider from the network or a
 * file, the only exception that can come out is CryptoError.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CryptoError, defaultProvider as provider, type KeyExchangeGroup } from '../../src/crypto/index.js';

const RUNS = 300;

/** Runs `op`; returns normally or throws CryptoError, anything else fails the property. */
function onlyCryptoError(op: () => unknown): boolean {
  try {
    op();
  } catch (e) {
    if (!(e instanceof CryptoError)) throw e;
  }
  return true;
}

const bytes = (max: number) => fc.uint8Array({ maxLength: max });

test('AEAD open: random ciphertexts, nonces and AADs fail only with CryptoError (bad_tag or bad_argument)', () => {
  const keys = (['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'] as const).map((a) => provider.createAead(a, provider.randomBytes(a === 'AES-128-GCM' ? 16 : 32)));
  fc.assert(
    fc.property(fc.constantFrom(...keys), bytes(14), bytes(32), bytes(64), (key, nonce, aad, ct) => {
      try {
        key.open(nonce, aad, ct);
        return false; // a random forgery must never authenticate
      } catch (e) {
        assert.ok(e instanceof CryptoError);
        assert.equal(e.code, nonce.length === 12 ? 'bad_tag' : 'bad_argument');
        return true;
      }
    }),
    { numRuns: RUNS },
  );
});

test('key exchange: random peer values are refused with bad_public_value or give a secret, nothing else', () => {
  const kex = (['X25519', 'P-256', 'P-384'] as KeyExchangeGroup[]).map((g) => provider.generateKeyExchange(g));
  fc.assert(
    fc.property(fc.constantFrom(...kex), bytes(100), fc.boolean(), (k, peer, fixPrefix) => {
      const value = Uint8Array.from(peer);
      if (fixPrefix && value.length > 0) value[0] = 0x04;
      try {
        k.deriveSharedSecret(value);
      } catch (e) {
        assert.ok(e instanceof CryptoError);
        assert.equal(e.code, 'bad_public_value');
      }
      return true;
    }),
    { numRuns: RUNS },
  );
});

test('key import: random and mutated key material fails only with CryptoError', () => {
  const seeds = [
    provider.generateSigningKey({ type: 'ec', curve: 'P-256' }),
    provider.generateSigningKey({ type: 'ed25519' }),
    provider.generateSigningKey({ type: 'rsa', bits: 1024 }),
  ];
  const ders = seeds.map((k) => k.toDer());
  const spkis = seeds.map((k) => k.publicKey.spki);
  const mutate = (base: Buffer) =>
    fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.nat({ max: base.length })).map(([i, x, cut]) => {
      const out = Buffer.from(base);
      out[i]! ^= x;
      return out.subarray(0, Math.max(cut, i + 1));
    });
  fc.assert(
    fc.property(
      fc.oneof(bytes(200), ...ders.map(mutate), ...spkis.map(mutate)),
      fc.option(fc.string(), { nil: undefined }),
      (data, password) =>
        onlyCryptoError(() => provider.importPrivateKey(data, password)) &&
        onlyCryptoError(() => provider.importPublicKey(data)) &&
        onlyCryptoError(() => provider.importPrivateKey(`-----BEGIN PRIVATE KEY-----\n${Buffer.from(data).toString('base64')}\n-----END PRIVATE KEY-----\n`)),
    ),
    { numRuns: RUNS },
  );
});

test('verify: random signatures return false, never throw', () => {
  const cases = [
    [provider.generateSigningKey({ type: 'ec', curve: 'P-256' }), { kind: 'ecdsa', hash: 'SHA-256' }],
    [provider.generateSigningKey({ type: 'ec', curve: 'P-384' }), { kind: 'ecdsa', hash: 'SHA-384' }],
    [provider.generateSigningKey({ type: 'ed25519' }), { kind: 'ed25519' }],
    [provider.generateSigningKey({ type: 'rsa', bits: 1024 }), { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }],
    [provider.generateSigningKey({ type: 'rsa', bits: 1024 }), { kind: 'rsa-pkcs1', hash: 'SHA-1' }],
  ] as const;
  fc.assert(
    fc.property(fc.constantFrom(...cases), bytes(160), bytes(16), ([key, alg], sig, data) => key.publicKey.verify(alg, data, sig) === false),
    { numRuns: RUNS },
  );
});
