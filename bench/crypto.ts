/**
 * Micro-benchmark: our AEAD seal+open of 16 KiB TLS records versus raw
 * node:crypto createCipheriv/createDecipheriv doing the same work, measured
 * side by side, interleaved in short rounds (best round wins) so load from
 * other processes and CPU frequency drift hit both alike.
 * Not a test. Run: npx tsc -p tsconfig.json && node build/bench/crypto.js
 * (this file alone may import node:crypto directly, for the baseline).
 */
import * as nodeCrypto from 'node:crypto';
import { defaultProvider, type AeadAlgorithm } from '../src/crypto/index.js';

const RECORD = 16384;
const TAG = 16;
const ROUNDS = 15;
const RECORDS_PER_ROUND = 1000;
const NODE_NAMES: Record<AeadAlgorithm, nodeCrypto.CipherGCMTypes> = {
  'AES-128-GCM': 'aes-128-gcm',
  'AES-256-GCM': 'aes-256-gcm',
  'CHACHA20-POLY1305': 'chacha20-poly1305' as nodeCrypto.CipherGCMTypes,
};
const KEY_LENGTH: Record<AeadAlgorithm, number> = { 'AES-128-GCM': 16, 'AES-256-GCM': 32, 'CHACHA20-POLY1305': 32 };

type SealOpen = (nonce: Buffer, aad: Buffer, plaintext: Buffer) => Buffer;

function ours(algorithm: AeadAlgorithm, key: Buffer): SealOpen {
  const aead = defaultProvider.createAead(algorithm, key);
  return (nonce, aad, plaintext) => aead.open(nonce, aad, aead.seal(nonce, aad, plaintext));
}

/** The plain node:crypto way a record layer would write it: raw key Buffer, Buffer.concat for ct||tag. */
function raw(algorithm: AeadAlgorithm, key: Buffer): SealOpen {
  const name = NODE_NAMES[algorithm];
  const options = { authTagLength: TAG };
  return (nonce, aad, plaintext) => {
    const c = nodeCrypto.createCipheriv(name, key, nonce, options);
    c.setAAD(aad);
    const sealed = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
    const d = nodeCrypto.createDecipheriv(name, key, nonce, options);
    d.setAuthTag(sealed.subarray(sealed.length - TAG));
    d.setAAD(aad);
    const out = d.update(sealed.subarray(0, sealed.length - TAG));
    d.final();
    return out;
  };
}

function timeRound(fn: SealOpen, nonces: Buffer[], aad: Buffer, plaintext: Buffer): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < RECORDS_PER_ROUND; i++) {
    const out = fn(nonces[i % nonces.length]!, aad, plaintext);
    if (out.length !== RECORD) throw new Error('round trip lost bytes');
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const mbps = (seconds: number) => (RECORDS_PER_ROUND * RECORD) / seconds / 1e6;

console.log(`AEAD seal+open, ${RECORD}-byte records, best of ${ROUNDS} rounds x ${RECORDS_PER_ROUND} records (MB/s of plaintext)`);
console.log(`node ${process.version}, OpenSSL ${process.versions.openssl}`);
console.log(['algorithm'.padEnd(20), 'sslsock'.padStart(10), 'raw node'.padStart(10), 'ratio'.padStart(8)].join(''));
for (const algorithm of Object.keys(NODE_NAMES) as AeadAlgorithm[]) {
  const key = nodeCrypto.randomBytes(KEY_LENGTH[algorithm]);
  const plaintext = nodeCrypto.randomBytes(RECORD);
  const aad = Buffer.from([23, 3, 3, (RECORD + TAG) >> 8, (RECORD + TAG) & 0xff]);
  const nonces = Array.from({ length: 64 }, () => nodeCrypto.randomBytes(12));
  const a = ours(algorithm, key);
  const b = raw(algorithm, key);
  // Same output from both before timing anything.
  if (!a(nonces[0]!, aad, plaintext).equals(b(nonces[0]!, aad, plaintext))) throw new Error(`${algorithm}: implementations disagree`);
  timeRound(a, nonces, aad, plaintext); // warm up
  timeRound(b, nonces, aad, plaintext);
  let bestOurs = Infinity;
  let bestRaw = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    bestOurs = Math.min(bestOurs, timeRound(a, nonces, aad, plaintext));
    bestRaw = Math.min(bestRaw, timeRound(b, nonces, aad, plaintext));
  }
  console.log(
    [algorithm.padEnd(20), mbps(bestOurs).toFixed(0).padStart(10), mbps(bestRaw).toFixed(0).padStart(10), (bestRaw / bestOurs).toFixed(2).padStart(8)].join(''),
  );
}
