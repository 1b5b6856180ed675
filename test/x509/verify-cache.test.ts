import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultProvider } from '../../src/crypto/index.js';
import { CA } from '../../src/testing/index.js';
import { TrustStore } from '../../src/x509/store.js';
import { X509_V } from '../../src/x509/verify-codes.js';
import { VerifiedChainCache } from '../../src/x509/verify-cache.js';
import type { CertFacts } from '../../src/x509/cert-facts.js';
import { X509_V_FLAG, verifyCertificateChain, type VerifyOptions, type VerifyResult } from '../../src/x509/verify.js';

const DAY = 86_400_000;

/** A cache that counts the lookups it answered. */
class CountingCache extends VerifiedChainCache {
  hits = 0;
  override get(key: string): readonly CertFacts[] | undefined {
    const v = super.get(key);
    if (v !== undefined) this.hits++;
    return v;
  }
}

function setup(): { chain: Buffer[]; store: TrustStore; cache: CountingCache; base: VerifyOptions } {
  const root = CA.create({ keyType: 'ecdsa-p256' });
  const ca = root.createChildCA();
  const leaf = ca.issueCert('example.test', { notAfter: new Date(Date.now() + 10 * DAY) });
  const chain = [leaf.certDer, ca.certDer];
  const store = new TrustStore(defaultProvider);
  store.addCertificate(root.certDer);
  const cache = new CountingCache();
  return { chain, store, cache, base: { chain, store, provider: defaultProvider, hostname: 'example.test', authLevel: 2, cache } };
}

/** What a result says, certificates as DER, to compare cached and fresh verdicts. */
function verdict(r: VerifyResult): unknown {
  const chain = r.chain.map((c) => Buffer.from(c.raw).toString('hex'));
  return r.ok ? { ok: true, chain } : { ok: false, code: r.code, depth: r.depth, message: r.message, chain };
}

test('a verified chain is served from the cache with the same built chain (anchor included)', () => {
  const { base, cache } = setup();
  const first = verifyCertificateChain(base);
  assert.equal(first.ok, true);
  assert.equal(first.chain.length, 3);
  assert.equal(cache.size, 1);
  const again = verifyCertificateChain(base);
  assert.equal(cache.hits, 1);
  assert.deepEqual(verdict(again), verdict(first));
  assert.deepEqual(verdict(again), verdict(verifyCertificateChain({ ...base, cache: null })));
});

test('a hit still checks the name: a different host name fails exactly as without the cache', () => {
  const { base, cache } = setup();
  assert.equal(verifyCertificateChain(base).ok, true);
  const wrong = verifyCertificateChain({ ...base, hostname: 'other.test' });
  assert.equal(wrong.ok, false);
  assert.equal(!wrong.ok && wrong.code, X509_V.HOSTNAME_MISMATCH);
  assert.deepEqual(verdict(wrong), verdict(verifyCertificateChain({ ...base, hostname: 'other.test', cache: null })));
  const ip = verifyCertificateChain({ ...base, hostname: null, ip: '127.0.0.1' });
  assert.equal(!ip.ok && ip.code, X509_V.IP_ADDRESS_MISMATCH);
  assert.equal(cache.size, 1, 'failures are not recorded');
});

test('a hit still checks validity periods: an expired leaf is not served from the cache', () => {
  const { base, cache } = setup();
  assert.equal(verifyCertificateChain(base).ok, true);
  const later = new Date(Date.now() + 30 * DAY);
  const expired = verifyCertificateChain({ ...base, time: later });
  assert.equal(expired.ok, false);
  assert.equal(!expired.ok && expired.code, X509_V.CERT_HAS_EXPIRED);
  assert.deepEqual(verdict(expired), verdict(verifyCertificateChain({ ...base, time: later, cache: null })));
  const early = verifyCertificateChain({ ...base, time: new Date(Date.now() - 30 * DAY) });
  assert.equal(!early.ok && early.code, X509_V.CERT_NOT_YET_VALID);
  assert.equal(cache.size, 1, 'failures are not recorded');
  assert.equal(verifyCertificateChain(base).ok, true, 'now is still fine');
});

test('a changed trust store is not served from an earlier result', () => {
  const { base, cache, store } = setup();
  assert.equal(verifyCertificateChain(base).ok, true);
  const generation = store.generation;
  store.addCertificate(CA.create({ keyType: 'ecdsa-p256' }).certDer);
  assert.ok(store.generation > generation);
  assert.equal(verifyCertificateChain(base).ok, true);
  assert.equal(cache.hits, 0, 'the store changed: a miss');
  assert.equal(cache.size, 2);
  // Adding a certificate the store already holds changes nothing, so the result stays reusable.
  assert.equal(store.addCertificate(store.getCaCerts(true)[0] as Uint8Array), false);
  verifyCertificateChain(base);
  assert.equal(cache.hits, 1);
});

test('another store with the same contents, other flags, purpose or security level each miss', () => {
  const { base, cache, store } = setup();
  assert.equal(verifyCertificateChain(base).ok, true);
  const twin = new TrustStore(defaultProvider);
  for (const c of store.getCaCerts(true)) twin.addCertificate(c as Uint8Array);
  assert.equal(verifyCertificateChain({ ...base, store: twin }).ok, true);
  assert.equal(verifyCertificateChain({ ...base, flags: X509_V_FLAG.TRUSTED_FIRST | X509_V_FLAG.X509_STRICT }).ok, true);
  const asClient = verifyCertificateChain({ ...base, purpose: 'clientAuth' });
  assert.deepEqual(verdict(asClient), verdict(verifyCertificateChain({ ...base, purpose: 'clientAuth', cache: null })));
  verifyCertificateChain({ ...base, authLevel: 0 });
  assert.equal(cache.hits, 0);
});

test('failures are never cached as successes: an untrusted chain fails every time', () => {
  const { base, cache } = setup();
  const empty = new TrustStore(defaultProvider);
  for (let i = 0; i < 2; i++) {
    const r = verifyCertificateChain({ ...base, store: empty });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, X509_V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  }
  assert.equal(cache.size, 0);
  assert.equal(cache.hits, 0);
});

test('CRL checking bypasses the cache: a chain cached without it is checked for CRLs', () => {
  const { base, cache } = setup();
  assert.equal(verifyCertificateChain(base).ok, true);
  const flags = X509_V_FLAG.TRUSTED_FIRST | X509_V_FLAG.CRL_CHECK;
  const r = verifyCertificateChain({ ...base, flags });
  assert.equal(!r.ok && r.code, X509_V.UNABLE_TO_GET_CRL);
  assert.equal(cache.hits, 0);
  assert.equal(cache.size, 1);
});

test('the cache is bounded', () => {
  const { base } = setup();
  const small = new VerifiedChainCache(2);
  const root = CA.create({ keyType: 'ecdsa-p256' });
  const store = new TrustStore(defaultProvider);
  store.addCertificate(root.certDer);
  for (let i = 0; i < 4; i++) {
    const leaf = root.issueCert(`h${i}.test`);
    assert.equal(verifyCertificateChain({ ...base, chain: [leaf.certDer], store, hostname: `h${i}.test`, cache: small }).ok, true);
  }
  assert.equal(small.size, 2);
});
