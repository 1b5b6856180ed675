import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CryptoError, defaultProvider as provider, type AeadAlgorithm } from '../../src/crypto/index.js';
import { Tally, attempt, hex, loadWycheproof, type WycheproofFile } from './wycheproof.js';

const TLS_NONCE_BITS = 96;
const TLS_TAG_BITS = 128;

/**
 * Valid vectors: seal gives exactly ct||tag and open gives the message back. Invalid: open refuses.
 * Groups with another nonce size cannot be expressed in TLS; our API must refuse their nonce
 * with CryptoError('bad_argument') (checked, and counted as "nonce size rejected by design").
 */
function runAead(file: WycheproofFile, algorithmFor: (keyBits: number) => AeadAlgorithm | null): Tally {
  const tally = new Tally(file);
  for (const group of file.testGroups) {
    const algorithm = algorithmFor(group['keySize'] as number);
    if (algorithm === null) {
      tally.skip(`with ${String(group['keySize'])}-bit keys (no such TLS AEAD)`, group.tests.length);
      continue;
    }
    if (group['tagSize'] !== TLS_TAG_BITS) {
      tally.skip(`with ${String(group['tagSize'])}-bit tags (TLS uses 128)`, group.tests.length);
      continue;
    }
    for (const t of group.tests) {
      const key = provider.createAead(algorithm, hex(t['key']));
      const [iv, aad, msg, ct, tag] = [hex(t['iv']), hex(t['aad']), hex(t['msg']), hex(t['ct']), hex(t['tag'])];
      const sealed = Buffer.concat([ct, tag]);
      if (group['ivSize'] !== TLS_NONCE_BITS) {
        for (const op of [() => key.seal(iv, aad, msg), () => key.open(iv, aad, sealed)]) {
          assert.throws(op, (e: unknown) => e instanceof CryptoError && e.code === 'bad_argument', `tcId ${t.tcId}: ${iv.length}-byte nonce`);
        }
        tally.skip('with non-12-byte nonces (rejected by design with bad_argument, checked)');
        continue;
      }
      if (t.result === 'valid') {
        // Sealing is deterministic given the nonce: it must reproduce the vector exactly.
        const out = key.seal(iv, aad, msg);
        if (!out.equals(sealed)) tally.failures.push(`tcId ${t.tcId}: seal gave ${out.toString('hex')}, expected ${sealed.toString('hex')}`);
      }
      const opened = attempt(() => key.open(iv, aad, sealed));
      if (t.result === 'valid') tally.judge(t, opened, msg);
      else tally.judge(t, opened);
    }
  }
  return tally;
}

function report(tally: Tally, expectedRan: number, expectedSkipped: number): void {
  assert.deepEqual(tally.failures, []);
  assert.equal(tally.ran, expectedRan, tally.summary());
  assert.equal(tally.skippedCount, expectedSkipped, tally.summary());
}

test('AES-GCM: every Wycheproof vector with 12-byte nonce and 128/256-bit key seals and opens as specified', (t) => {
  const file = loadWycheproof('aes_gcm');
  const tally = runAead(file, (bits) => (bits === 128 ? 'AES-128-GCM' : bits === 256 ? 'AES-256-GCM' : null));
  t.diagnostic(tally.summary());
  // 67 AES-128 + 66 AES-256 vectors have a 12-byte nonce; 103 use 192-bit keys; 80 other nonce sizes.
  report(tally, 133, 316 - 133);
  assert.equal(tally.skipped.get('with 192-bit keys (no such TLS AEAD)'), 103);
  assert.equal(tally.file.numberOfTests, 316);
});

test('ChaCha20-Poly1305: every Wycheproof vector seals and opens as specified', (t) => {
  const file = loadWycheproof('chacha20_poly1305');
  const tally = runAead(file, (bits) => (bits === 256 ? 'CHACHA20-POLY1305' : null));
  t.diagnostic(tally.summary());
  // 316 vectors with a 12-byte nonce, 9 with other sizes.
  report(tally, 316, 9);
  assert.equal(tally.file.numberOfTests, 325);
});
