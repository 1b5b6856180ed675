import assert from 'node:assert/strict';
import * as nodeCrypto from 'node:crypto';
import { setImmediate as turn } from 'node:timers/promises';
import { test } from 'node:test';
import { defaultProvider as provider } from '../../src/crypto/index.js';
import { MontgomeryKeyExchange } from '../../src/crypto/kex-dh.js';
import { type Generate, KeySharePool, MAX_AGE_MS, MAX_IN_FLIGHT, POOL_TARGET, keySharePool } from '../../src/crypto/keyshare-pool.js';

/** Turns the event loop until the pool holds `n` pairs (generations finish on libuv's thread pool). */
async function fill(pool: KeySharePool, n: number): Promise<void> {
  for (let i = 0; i < 10_000 && pool.size < n; i++) await turn();
  assert.ok(pool.size >= n, `the pool holds ${pool.size} pairs, wanted ${n}`);
}

test('an empty pool hands out nothing, starts filling, and stops at its target', async () => {
  const pool = new KeySharePool('x25519', 5);
  assert.equal(pool.take(), undefined);
  await fill(pool, 5);
  for (let i = 0; i < 20; i++) await turn();
  assert.equal(pool.size, 5, 'never more than the target');
});

test('each pair is handed out once, and its public value belongs to its private key', async () => {
  const pool = new KeySharePool('x25519', POOL_TARGET);
  pool.take();
  const seen = new Set<string>();
  const peer = nodeCrypto.generateKeyPairSync('x25519');
  const peerX = Buffer.from(peer.publicKey.export({ format: 'jwk' }).x!, 'base64url');
  for (let round = 0; round < 3; round++) {
    await fill(pool, POOL_TARGET);
    for (let i = 0; i < POOL_TARGET; i++) {
      const pair = pool.take();
      assert.ok(pair !== undefined);
      assert.ok(!seen.has(pair.publicJwk.x!), 'a pair came out twice');
      seen.add(pair.publicJwk.x!);
      // The pooled public value is the one the private key's peers derive against.
      const mine = new MontgomeryKeyExchange('X25519', pair.privateKey, pair.publicJwk);
      const theirs = nodeCrypto.diffieHellman({ privateKey: peer.privateKey, publicKey: nodeCrypto.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: pair.publicJwk.x! }, format: 'jwk' }) });
      assert.deepEqual(mine.deriveSharedSecret(peerX), theirs);
    }
  }
  assert.equal(seen.size, 3 * POOL_TARGET);
});

test('pairs older than MAX_AGE_MS are dropped unused', async () => {
  const pool = new KeySharePool('x448', 3);
  pool.take();
  await fill(pool, 3);
  assert.equal(pool.take(performance.now() + MAX_AGE_MS + 1), undefined, 'a stale pair was handed out');
  assert.equal(pool.size, 0);
  await fill(pool, 3);
  assert.ok(pool.take() !== undefined);
});

test('at most MAX_IN_FLIGHT generations run at once, and a failed one stops the pool', () => {
  const pending: Array<Parameters<Generate>[2]> = [];
  const pool = new KeySharePool('x25519', 4, (type, options, callback) => {
    assert.equal(type, 'x25519');
    assert.deepEqual(options, { publicKeyEncoding: { format: 'jwk' } });
    pending.push(callback);
  });
  // Nothing completes while the caller loops: no more than MAX_IN_FLIGHT are started.
  for (let i = 0; i < 100; i++) assert.equal(pool.take(), undefined);
  assert.equal(pending.length, MAX_IN_FLIGHT);
  // Each completion starts the next until the target is met.
  const real = nodeCrypto.generateKeyPairSync('x25519', { publicKeyEncoding: { format: 'jwk' } }) as unknown as { publicKey: nodeCrypto.JsonWebKey; privateKey: nodeCrypto.KeyObject };
  let completed = 0;
  while (completed < pending.length) pending[completed++]!(null, real.publicKey, real.privateKey);
  assert.equal(pool.size, 4);
  assert.equal(pending.length, 4);
  assert.ok(pool.take() !== undefined);
  assert.equal(pending.length, 5, 'taking one started its replacement');
  // A generation that fails stops the pool: callers generate inline from then on.
  pending[4]!(new Error('no'), undefined as never, undefined as never);
  while (pool.take() !== undefined);
  assert.equal(pending.length, 5, 'a broken pool started another generation');
});

test('the provider takes X25519 shares from the process-wide pool when it has them', async () => {
  const pool = keySharePool('x25519');
  provider.generateKeyExchange('X25519');
  await fill(pool, 2);
  const before = pool.size;
  const share = provider.generateKeyExchange('X25519');
  assert.equal(share.publicKey.length, 32);
  assert.equal(pool.size, before - 1, 'the share did not come from the pool');
  // And it still agrees with a peer.
  const peer = provider.generateKeyExchange('X25519');
  assert.deepEqual(share.deriveSharedSecret(peer.publicKey), peer.deriveSharedSecret(share.publicKey));
});
