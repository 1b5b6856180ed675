/**
 * Section "crypto": our AEAD seal+open of one 16 KiB TLS record versus raw
 * node:crypto createCipheriv/createDecipheriv doing the same work (the plain
 * way a record layer would write it: raw key Buffer, Buffer.concat for
 * ciphertext || tag), and as a reference the fastest correct use of
 * node:crypto (key imported into a KeyObject once, no joining) — the
 * ceiling the provider is honestly measured against. MB/s of plaintext.
 *
 * Two ways to run it:
 * - as a `BenchSection` (`cryptoSection`, id "crypto") for bench/main.ts;
 * - standalone: `npx tsc -p tsconfig.json && node build/bench/crypto.js`
 *   (best of 15 interleaved rounds of 1000 records per side).
 * (A bench file, so it may import node:crypto directly, for the baseline.)
 */
import * as nodeCrypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { defaultProvider, type AeadAlgorithm } from '../src/crypto/index.js';
import type { BenchCase, BenchSection } from './harness.js';

const RECORD = 16384;
const TAG = 16;
const NONCES = 64;
const NODE_NAMES: Record<AeadAlgorithm, nodeCrypto.CipherGCMTypes> = {
  'AES-128-GCM': 'aes-128-gcm',
  'AES-256-GCM': 'aes-256-gcm',
  'CHACHA20-POLY1305': 'chacha20-poly1305' as nodeCrypto.CipherGCMTypes,
};
const KEY_LENGTH: Record<AeadAlgorithm, number> = { 'AES-128-GCM': 16, 'AES-256-GCM': 32, 'CHACHA20-POLY1305': 32 };
const ALGORITHMS = Object.keys(NODE_NAMES) as AeadAlgorithm[];

type SealOpen = (nonce: Buffer, aad: Buffer, plaintext: Buffer) => Buffer;

function ours(algorithm: AeadAlgorithm, key: Buffer): SealOpen {
  const aead = defaultProvider.createAead(algorithm, key);
  return (nonce, aad, plaintext) => aead.open(nonce, aad, aead.seal(nonce, aad, plaintext));
}

/** `keyed`: the key imported into a KeyObject once and the tag kept apart (the ceiling); else the plain way. */
function raw(algorithm: AeadAlgorithm, key: Buffer, keyed = false): SealOpen {
  const name = NODE_NAMES[algorithm];
  if (keyed) {
    const k = nodeCrypto.createSecretKey(key);
    const options = { authTagLength: TAG };
    return (nonce, aad, plaintext) => {
      const c = nodeCrypto.createCipheriv(name, k, nonce, options);
      c.setAAD(aad);
      const body = c.update(plaintext);
      c.final();
      const d = nodeCrypto.createDecipheriv(name, k, nonce, options);
      d.setAuthTag(c.getAuthTag());
      d.setAAD(aad);
      const out = d.update(body);
      d.final();
      return out;
    };
  }
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

interface Pair {
  readonly ours: () => void;
  readonly raw: () => void;
  readonly ceiling: () => void;
}

/** Both sides over the same key, record and nonces; checked to agree before anything is timed. */
function pairFor(algorithm: AeadAlgorithm): Pair {
  const key = nodeCrypto.randomBytes(KEY_LENGTH[algorithm]);
  const plaintext = nodeCrypto.randomBytes(RECORD);
  const aad = Buffer.from([23, 3, 3, (RECORD + TAG) >> 8, (RECORD + TAG) & 0xff]);
  const nonces = Array.from({ length: NONCES }, () => nodeCrypto.randomBytes(12));
  const a = ours(algorithm, key);
  const b = raw(algorithm, key);
  const c = raw(algorithm, key, true);
  for (const f of [b, c]) if (!a(nonces[0]!, aad, plaintext).equals(f(nonces[0]!, aad, plaintext))) throw new Error(`${algorithm}: implementations disagree`);
  let i = 0;
  let j = 0;
  let k = 0;
  const check = (out: Buffer): void => {
    if (out.length !== RECORD) throw new Error(`${algorithm}: round trip lost bytes`);
  };
  return {
    ours: () => check(a(nonces[i++ % NONCES]!, aad, plaintext)),
    raw: () => check(b(nonces[j++ % NONCES]!, aad, plaintext)),
    ceiling: () => check(c(nonces[k++ % NONCES]!, aad, plaintext)),
  };
}

/** For bench/main.ts: one 16 KiB record sealed and opened per call. */
export const cryptoSection: BenchSection = {
  id: 'crypto',
  title: 'AEAD seal+open of 16 KiB records (provider vs raw node:crypto)',
  setup(): BenchCase[] {
    return ALGORITHMS.map((algorithm) => {
      const p = pairFor(algorithm);
      return {
        name: `${algorithm} seal+open, 16 KiB`,
        ours: p.ours,
        baseline: p.raw,
        baselineName: 'node:crypto createCipheriv/createDecipheriv (Buffer key, concat)',
        bytesPerCall: RECORD,
        references: [{ name: 'ceiling (KeyObject once, no concat)', fn: p.ceiling }],
      };
    });
  },
};

const ROUNDS = 15;
const RECORDS_PER_ROUND = 1000;

function timeRound(fn: () => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < RECORDS_PER_ROUND; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function main(): void {
  const mbps = (seconds: number): number => (RECORDS_PER_ROUND * RECORD) / seconds / 1e6;
  console.log(`AEAD seal+open, ${RECORD}-byte records, best of ${ROUNDS} rounds x ${RECORDS_PER_ROUND} records (MB/s of plaintext)`);
  console.log(`node ${process.version}, OpenSSL ${process.versions.openssl}`);
  console.log(['algorithm'.padEnd(20), 'sslsock'.padStart(10), 'raw node'.padStart(10), 'ratio'.padStart(8)].join(''));
  for (const algorithm of ALGORITHMS) {
    const p = pairFor(algorithm);
    timeRound(p.ours); // warm up
    timeRound(p.raw);
    let bestOurs = Infinity;
    let bestRaw = Infinity;
    for (let r = 0; r < ROUNDS; r++) {
      bestOurs = Math.min(bestOurs, timeRound(p.ours));
      bestRaw = Math.min(bestRaw, timeRound(p.raw));
    }
    console.log(
      [algorithm.padEnd(20), mbps(bestOurs).toFixed(0).padStart(10), mbps(bestRaw).toFixed(0).padStart(10), (bestRaw / bestOurs).toFixed(2).padStart(8)].join(''),
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
