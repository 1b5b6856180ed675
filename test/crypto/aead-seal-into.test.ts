/** AeadKey.sealInto: sealing plaintext given in parts straight into a caller's buffer gives exactly seal()'s bytes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CryptoError, defaultProvider as provider, type AeadAlgorithm } from '../../src/crypto/index.js';

const ALGORITHMS: readonly [AeadAlgorithm, number][] = [
  ['AES-128-GCM', 16],
  ['AES-256-GCM', 32],
  ['CHACHA20-POLY1305', 32],
];
const TAG = 16;

const isCode = (code: string) => (e: unknown) => e instanceof CryptoError && e.code === code;

for (const [algorithm, keyLength] of ALGORITHMS) {
  test(`${algorithm}: sealInto over any split of the plaintext writes seal()'s output at the offset and nothing else`, () => {
    const key = provider.createAead(algorithm, provider.randomBytes(keyLength));
    const nonce = provider.randomBytes(12);
    const aad = provider.randomBytes(13);
    for (const size of [0, 1, 17, 16385]) {
      const plaintext = provider.randomBytes(size);
      const expected = key.seal(nonce, aad, plaintext);
      const splits = [[plaintext], [plaintext.subarray(0, size >> 1), Buffer.alloc(0), plaintext.subarray(size >> 1)], [...plaintext].map((b) => Buffer.from([b])).slice(0, 40)];
      for (const parts of splits) {
        if (parts.reduce((n, p) => n + p.length, 0) !== size) continue;
        const offset = 7;
        const out = Buffer.alloc(offset + size + TAG + 5, 0xee);
        assert.equal(key.sealInto(nonce, aad, parts, out, offset), size + TAG);
        assert.deepEqual(out.subarray(offset, offset + size + TAG), expected);
        assert.ok(out.subarray(0, offset).every((b) => b === 0xee), 'bytes before the offset untouched');
        assert.ok(out.subarray(offset + size + TAG).every((b) => b === 0xee), 'bytes after the record untouched');
        assert.deepEqual(key.open(nonce, aad, out.subarray(offset, offset + size + TAG)), plaintext);
      }
    }
  });
}

test('sealInto refuses an output too small for plaintext and tag, or a bad offset, before writing', () => {
  const key = provider.createAead('AES-128-GCM', provider.randomBytes(16));
  const nonce = provider.randomBytes(12);
  const out = Buffer.alloc(20, 0xee);
  assert.throws(() => key.sealInto(nonce, Buffer.alloc(0), [Buffer.alloc(3), Buffer.alloc(2)], out, 0), isCode('bad_argument'));
  assert.throws(() => key.sealInto(nonce, Buffer.alloc(0), [Buffer.alloc(4)], out, 1), isCode('bad_argument'));
  assert.throws(() => key.sealInto(nonce, Buffer.alloc(0), [Buffer.alloc(1)], out, -1), isCode('bad_argument'));
  assert.throws(() => key.sealInto(nonce, Buffer.alloc(0), [Buffer.alloc(1)], out, 0.5), isCode('bad_argument'));
  assert.ok(out.every((b) => b === 0xee));
  assert.equal(key.sealInto(nonce, Buffer.alloc(0), [Buffer.alloc(4)], out, 0), 20);
});
