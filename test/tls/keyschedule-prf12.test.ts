/** TLS 1.2 PRF (RFC 5246 §5), extended master secret (RFC 7627), key block, Finished, RFC 5705 exporter. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { defaultProvider as provider } from '../../src/crypto/index.js';
import type { HashAlgorithm } from '../../src/crypto/provider.js';
import { TLSError } from '../../src/tls/errors.js';
import type { KeyLogLabel } from '../../src/tls/keyschedule.js';
import {
  exportKeyingMaterial12,
  extendedMasterSecret,
  finishedVerifyData12,
  keyBlock12,
  masterSecret,
  prf12,
  verifyFinished12,
} from '../../src/tls/prf12.js';
import { ALL_SUITES } from '../../src/tls/registry/suites.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// The widely published TLS 1.2 PRF test vectors (ietf-tls list, 2009); both confirmed with `openssl kdf TLS1-PRF`.
test('PRF-SHA256 reproduces the published 100-byte test vector', () => {
  const out = prf12(provider, 'SHA-256', h('9bbe436ba940f017b17652849a71db35'), 'test label', h('a0ba9f936cda311827a6f796ffd5198c'), 100);
  assert.equal(
    out.toString('hex'),
    'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
  );
});

test('PRF-SHA384 reproduces the published 148-byte test vector', () => {
  const out = prf12(provider, 'SHA-384', h('b80b733d6ceefcdc71566ea48e5567df'), 'test label', h('cd665cf6a8447dd6ff8b27555edb7465'), 148);
  assert.equal(
    out.toString('hex'),
    '7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f',
  );
});

function opensslPrf(hash: HashAlgorithm, secret: Buffer, label: string, seed: Buffer, length: number): Buffer | null {
  const digest = hash.replace('-', '');
  const r = spawnSync('openssl', ['kdf', '-keylen', String(length), '-kdfopt', `digest:${digest}`, '-kdfopt', `hexsecret:${secret.toString('hex')}`, '-kdfopt', `hexseed:${Buffer.concat([Buffer.from(label), seed]).toString('hex')}`, 'TLS1-PRF'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return Buffer.from(r.stdout.trim().replace(/:/g, ''), 'hex');
}
const haveOpensslKdf = opensslPrf('SHA-256', h('01'), 'x', h('02'), 4) !== null;

const pms = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const clientRandom = Buffer.alloc(32, 0xc1);
const serverRandom = Buffer.alloc(32, 0x5e);

test('extended master secret, master secret, key block and Finished agree with OpenSSL\'s TLS1-PRF', { skip: haveOpensslKdf ? false : 'openssl kdf TLS1-PRF unavailable' }, () => {
  for (const hash of ['SHA-256', 'SHA-384'] as const) {
    const sessionHash = provider.hash(hash, Buffer.from('ClientHello..ClientKeyExchange'));
    const logged: [KeyLogLabel, string][] = [];
    const ems = extendedMasterSecret(provider, hash, pms, sessionHash, (l, s) => logged.push([l, s.toString('hex')]));
    assert.equal(ems.length, 48);
    assert.deepEqual(ems, opensslPrf(hash, pms, 'extended master secret', sessionHash, 48));
    assert.deepEqual(logged, [['CLIENT_RANDOM', ems.toString('hex')]]);
    const ms = masterSecret(provider, hash, pms, clientRandom, serverRandom);
    assert.deepEqual(ms, opensslPrf(hash, pms, 'master secret', Buffer.concat([clientRandom, serverRandom]), 48));
    assert.notDeepEqual(ms, ems);
    const th = provider.hash(hash, Buffer.from('transcript'));
    assert.deepEqual(finishedVerifyData12(provider, hash, ems, 'client', th), opensslPrf(hash, ems, 'client finished', th, 12));
    assert.deepEqual(finishedVerifyData12(provider, hash, ems, 'server', th), opensslPrf(hash, ems, 'server finished', th, 12));
  }
  for (const suite of ALL_SUITES.filter((s) => s.version === 'TLSv1.2')) {
    const ems = extendedMasterSecret(provider, suite.hash, pms, provider.hash(suite.hash, Buffer.alloc(0)));
    const kb = keyBlock12(provider, suite, ems, clientRandom, serverRandom);
    const total = 2 * suite.keyLength + 2 * suite.fixedIvLength;
    const expected = opensslPrf(suite.hash, ems, 'key expansion', Buffer.concat([serverRandom, clientRandom]), total)!;
    assert.deepEqual(Buffer.concat([kb.clientWriteKey, kb.serverWriteKey, kb.clientWriteIv, kb.serverWriteIv]), expected, suite.ianaName);
    assert.equal(kb.clientWriteKey.length, suite.keyLength);
    assert.equal(kb.clientWriteIv.length, suite.aead === 'CHACHA20-POLY1305' ? 12 : 4);
  }
});

test('verifyFinished12 accepts the right verify_data only', () => {
  const ms = masterSecret(provider, 'SHA-256', pms, clientRandom, serverRandom);
  const th = provider.hash('SHA-256', Buffer.from('t'));
  const vd = finishedVerifyData12(provider, 'SHA-256', ms, 'server', th);
  assert.equal(vd.length, 12);
  assert.equal(verifyFinished12(provider, 'SHA-256', ms, 'server', th, vd), true);
  assert.equal(verifyFinished12(provider, 'SHA-256', ms, 'client', th, vd), false);
  assert.equal(verifyFinished12(provider, 'SHA-256', ms, 'server', th, vd.subarray(0, 11)), false);
});

test('RFC 5705 exporter: no context differs from an empty context; reserved labels are refused', { skip: haveOpensslKdf ? false : 'openssl kdf TLS1-PRF unavailable' }, () => {
  const ms = masterSecret(provider, 'SHA-256', pms, clientRandom, serverRandom);
  const none = exportKeyingMaterial12(provider, 'SHA-256', ms, clientRandom, serverRandom, 'EXPORTER-Channel-Binding', null, 32);
  const empty = exportKeyingMaterial12(provider, 'SHA-256', ms, clientRandom, serverRandom, 'EXPORTER-Channel-Binding', Buffer.alloc(0), 32);
  assert.deepEqual(none, opensslPrf('SHA-256', ms, 'EXPORTER-Channel-Binding', Buffer.concat([clientRandom, serverRandom]), 32));
  assert.deepEqual(empty, opensslPrf('SHA-256', ms, 'EXPORTER-Channel-Binding', Buffer.concat([clientRandom, serverRandom, Buffer.from([0, 0])]), 32));
  assert.notDeepEqual(none, empty);
  assert.throws(() => exportKeyingMaterial12(provider, 'SHA-256', ms, clientRandom, serverRandom, 'key expansion', null, 32), TLSError);
});

test('randoms of the wrong size and TLS 1.3 suites are refused', () => {
  const ms = Buffer.alloc(48);
  assert.throws(() => masterSecret(provider, 'SHA-256', pms, Buffer.alloc(31), serverRandom), TLSError);
  assert.throws(() => keyBlock12(provider, ALL_SUITES[0]!, ms, clientRandom, serverRandom), TLSError);
});
