import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultProvider as provider, type HashAlgorithm, type SignatureAlgorithm } from '../../src/crypto/index.js';
import { Tally, attempt, hex, loadWycheproof, type WycheproofTest } from './wycheproof.js';

/**
 * Runs every vector of a signature-verification file. `algorithmFor` reads the group's parameters;
 * `policy` states what we do with "acceptable" vectors.
 */
function runVerify(
  name: string,
  algorithmFor: (group: Record<string, unknown>) => SignatureAlgorithm,
  policy?: (v: WycheproofTest) => 'accept' | 'reject',
): Tally {
  const file = loadWycheproof(name);
  const tally = new Tally(file);
  for (const group of file.testGroups) {
    const key = provider.importPublicKey(hex(group['publicKeyDer']));
    const algorithm = algorithmFor(group);
    for (const v of group.tests) {
      tally.judge(v, attempt(() => key.verify(algorithm, hex(v['msg']), hex(v['sig']))), undefined, policy?.(v));
    }
  }
  return tally;
}

function check(tally: Tally, count: number): void {
  assert.deepEqual(tally.failures, []);
  assert.equal(tally.ran, count, tally.summary());
  assert.equal(tally.ran, tally.file.numberOfTests);
}

const sha = (group: Record<string, unknown>): HashAlgorithm => group['sha'] as HashAlgorithm;

test('ECDSA P-256/SHA-256: every Wycheproof vector, strict DER (BER, trailing bytes, bad integers refused)', (t) => {
  const tally = runVerify('ecdsa_secp256r1_sha256', (g) => ({ kind: 'ecdsa', hash: sha(g) }));
  t.diagnostic(tally.summary());
  check(tally, 484);
});

test('ECDSA P-384/SHA-384: every Wycheproof vector, strict DER', (t) => {
  const tally = runVerify('ecdsa_secp384r1_sha384', (g) => ({ kind: 'ecdsa', hash: sha(g) }));
  t.diagnostic(tally.summary());
  check(tally, 504);
});

test('Ed25519: every Wycheproof vector (malleable S, truncated and padded signatures refused)', (t) => {
  const tally = runVerify('ed25519', () => ({ kind: 'ed25519' }));
  t.diagnostic(tally.summary());
  check(tally, 151);
});

test('RSA-PSS 2048/SHA-256/MGF1-SHA-256/salt 32: every Wycheproof vector', (t) => {
  const tally = runVerify('rsa_pss_2048_sha256_mgf1_32', (g) => {
    assert.equal(g['mgfSha'], g['sha'], 'our RSA-PSS uses MGF1 with the signature hash');
    return { kind: 'rsa-pss', hash: sha(g), saltLength: g['sLen'] as number };
  });
  t.diagnostic(tally.summary());
  check(tally, 108);
});

test('RSA PKCS#1 v1.5 2048/SHA-256: every Wycheproof vector (padding and DigestInfo variants refused)', (t) => {
  // The one "acceptable" vector omits the NULL parameters of the DigestInfo AlgorithmIdentifier;
  // OpenSSL compares the whole encoded DigestInfo, so it is refused.
  const tally = runVerify('rsa_signature_2048_sha256', (g) => ({ kind: 'rsa-pkcs1', hash: sha(g) }), () => 'reject');
  t.diagnostic(tally.summary());
  check(tally, 259);
});
