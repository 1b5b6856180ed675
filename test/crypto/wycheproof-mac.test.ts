import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultProvider as provider, type HashAlgorithm } from '../../src/crypto/index.js';
import { Tally, attempt, hex, loadWycheproof } from './wycheproof.js';

const BITS_PER_BYTE = 8;

function checkAll(tally: Tally): void {
  assert.deepEqual(tally.failures, []);
  assert.equal(tally.ran, tally.file.numberOfTests, tally.summary());
  assert.ok(tally.ran > 0);
}

for (const [name, hash] of [['hmac_sha256', 'SHA-256'], ['hmac_sha384', 'SHA-384']] as const) {
  test(`HMAC-${hash}: every Wycheproof vector (including truncated tags) verifies or fails as specified`, (t) => {
    const file = loadWycheproof(name);
    const tally = new Tally(file);
    for (const group of file.testGroups) {
      const tagLength = (group['tagSize'] as number) / BITS_PER_BYTE;
      for (const v of group.tests) {
        const outcome = attempt(() => {
          const mac = provider.hmac(hash as HashAlgorithm, hex(v['key']), hex(v['msg']));
          return provider.constantTimeEqual(mac.subarray(0, tagLength), hex(v['tag']));
        });
        tally.judge(v, outcome);
      }
    }
    t.diagnostic(tally.summary());
    checkAll(tally);
  });
}

for (const [name, hash] of [['hkdf_sha256', 'SHA-256'], ['hkdf_sha384', 'SHA-384']] as const) {
  test(`HKDF-${hash}: every Wycheproof vector extracts+expands to the expected OKM, oversize requests are refused`, (t) => {
    const file = loadWycheproof(name);
    const tally = new Tally(file);
    for (const group of file.testGroups) {
      for (const v of group.tests) {
        const outcome = attempt(() => {
          const prk = provider.hkdfExtract(hash, hex(v['salt']), hex(v['ikm']));
          return provider.hkdfExpand(hash, prk, hex(v['info']), v['size'] as number);
        });
        tally.judge(v, outcome, hex(v['okm']));
      }
    }
    t.diagnostic(tally.summary());
    checkAll(tally);
  });
}
