import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultProvider as provider, type KeyExchangeGroup } from '../../src/crypto/index.js';
import { Tally, attempt, hex, loadWycheproof } from './wycheproof.js';

test('X25519: every Wycheproof vector; low-order points giving an all-zero secret are refused (RFC 8446 §7.4.2)', (t) => {
  const file = loadWycheproof('x25519');
  const tally = new Tally(file);
  for (const group of file.testGroups) {
    for (const v of group.tests) {
      const outcome = attempt(() => provider.importKeyExchange('X25519', hex(v['private'])).deriveSharedSecret(hex(v['public'])));
      // Policy for "acceptable" vectors: twist points and non-canonical encodings are fine for
      // X25519 (RFC 7748 §5 masks the top bit); only an all-zero result is refused.
      tally.judge(v, outcome, hex(v['shared']), v.flags.includes('ZeroSharedSecret') ? 'reject' : 'accept');
    }
  }
  t.diagnostic(tally.summary());
  assert.deepEqual(tally.failures, []);
  assert.equal(tally.ran, 518);
  assert.equal(tally.ran, file.numberOfTests);
});

/** Wycheproof writes private scalars as signed big-endian integers: strip the sign octet, pad to the field size. */
function scalar(hexValue: unknown, length: number): Buffer {
  const raw = hex(hexValue);
  let start = 0;
  while (start < raw.length - 1 && raw[start] === 0 && raw.length - start > length) start++;
  const out = Buffer.alloc(length);
  raw.copy(out, length - (raw.length - start), start);
  return out;
}

for (const [name, group, size, count] of [
  ['ecdh_secp256r1_ecpoint', 'P-256', 32, 355],
  ['ecdh_secp384r1_ecpoint', 'P-384', 48, 790],
] as const) {
  test(`ECDH ${group}: every Wycheproof vector; compressed, malformed and off-curve peer points are refused`, (t) => {
    const file = loadWycheproof(name);
    const tally = new Tally(file);
    for (const g of file.testGroups) {
      for (const v of g.tests) {
        const outcome = attempt(() =>
          provider.importKeyExchange(group as KeyExchangeGroup, scalar(v['private'], size)).deriveSharedSecret(hex(v['public'])),
        );
        // The only "acceptable" vectors are valid compressed points: TLS 1.3 permits only
        // uncompressed ones (RFC 8446 §4.2.8.2), so our policy is to refuse them.
        tally.judge(v, outcome, hex(v['shared']), 'reject');
      }
    }
    t.diagnostic(tally.summary());
    assert.deepEqual(tally.failures, []);
    assert.equal(tally.ran, count);
    assert.equal(tally.ran, file.numberOfTests);
  });
}
