/** Hashes, HMAC and HKDF (RFC 5869) over node:crypto. */
import * as nodeCrypto from 'node:crypto';
import { HKDF_MAX_BLOCKS, hashInfo } from './algorithms.js';
import { asCryptoError, guard, requireBytes, view } from './errors.js';
import { CryptoError, type Hash, type HashAlgorithm } from './provider.js';

/** An incremental hash whose `digest()` reads a copy of the state, so the transcript can keep growing. */
export class NodeHash implements Hash {
  readonly outputLength: number;

  private constructor(
    readonly algorithm: HashAlgorithm,
    private readonly state: nodeCrypto.Hash,
  ) {
    this.outputLength = hashInfo(algorithm).outputLength;
  }

  static create(algorithm: HashAlgorithm): NodeHash {
    const { nodeName } = hashInfo(algorithm);
    return new NodeHash(algorithm, guard('unsupported', `createHash(${algorithm})`, () => nodeCrypto.createHash(nodeName)));
  }

  update(data: Uint8Array): this {
    requireBytes(data, 'hash input');
    // try/catch inline rather than guard(): the transcript calls this per handshake message.
    try {
      this.state.update(view(data));
    } catch (e) {
      throw asCryptoError(e, 'bad_argument', `${this.algorithm} update`);
    }
    return this;
  }

  digest(): Buffer {
    // Hash.copy() duplicates the OpenSSL context; digesting the copy leaves ours open.
    try {
      return this.state.copy().digest();
    } catch (e) {
      throw asCryptoError(e, 'bad_argument', `${this.algorithm} digest`);
    }
  }

  clone(): NodeHash {
    return new NodeHash(this.algorithm, guard('bad_argument', `${this.algorithm} clone`, () => this.state.copy()));
  }
}

export function hash(algorithm: HashAlgorithm, data: Uint8Array): Buffer {
  const { nodeName } = hashInfo(algorithm);
  requireBytes(data, 'hash input');
  return guard('bad_argument', `${algorithm} hash`, () => nodeCrypto.createHash(nodeName).update(view(data)).digest());
}

export function hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Buffer {
  const { nodeName } = hashInfo(algorithm);
  requireBytes(key, 'HMAC key');
  requireBytes(data, 'HMAC input');
  try {
    return nodeCrypto.createHmac(nodeName, view(key)).update(view(data)).digest();
  } catch (e) {
    throw asCryptoError(e, 'bad_argument', `HMAC-${algorithm}`);
  }
}

/** RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an absent (empty) salt is HashLen zero bytes. */
export function hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Buffer {
  const { outputLength } = hashInfo(algorithm);
  requireBytes(salt, 'HKDF salt');
  return hmac(algorithm, salt.length === 0 ? Buffer.alloc(outputLength) : salt, ikm);
}

/** The counter octet of HKDF-Expand's first block. */
const BLOCK_ONE = Buffer.from([1]);

/**
 * RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i), OKM = first L bytes of T(1)|T(2)|…
 * Written out rather than `hkdfSync`, which always extracts first; TLS 1.3's key schedule needs expand alone.
 */
export function hkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  const { nodeName, outputLength } = hashInfo(algorithm);
  requireBytes(prk, 'HKDF PRK');
  requireBytes(info, 'HKDF info');
  const max = HKDF_MAX_BLOCKS * outputLength;
  if (!Number.isSafeInteger(length) || length < 0 || length > max) {
    throw new CryptoError('bad_argument', `HKDF-Expand length must be an integer in 0..${max} for ${algorithm}, got ${length}`);
  }
  // Most TLS expansions (secrets, keys, IVs, Finished keys) are one block: HMAC straight from the PRK
  // bytes then, without importing it as a KeyObject first (that import cost as much as the HMAC), and
  // without a closure per call (this runs ~50 times per handshake).
  if (length <= outputLength) {
    let t1: Buffer;
    try {
      t1 = nodeCrypto.createHmac(nodeName, view(prk)).update(view(info)).update(BLOCK_ONE).digest();
    } catch (e) {
      throw asCryptoError(e, 'bad_argument', `HKDF-Expand-${algorithm}`);
    }
    return length === outputLength ? t1 : t1.subarray(0, length);
  }
  return guard('bad_argument', `HKDF-Expand-${algorithm}`, () => {
    const okm = Buffer.allocUnsafe(length);
    const key = nodeCrypto.createSecretKey(view(prk));
    const counter = Buffer.alloc(1);
    let previous: Buffer = Buffer.alloc(0);
    for (let offset = 0, i = 1; offset < length; offset += outputLength, i++) {
      counter[0] = i;
      previous = nodeCrypto.createHmac(nodeName, key).update(previous).update(view(info)).update(counter).digest();
      previous.copy(okm, offset, 0, Math.min(outputLength, length - offset));
    }
    return okm;
  });
}

/**
 * Small requests (randoms, session ids, nonces, ticket keys) are served from
 * a block of CSPRNG output fetched RANDOM_BLOCK bytes at a time, as Node's
 * own randomUUID() caches its entropy: one call into OpenSSL per block
 * instead of one per request (a call costs far more than its 32 bytes).
 * Every byte is handed out once, into a buffer of its own, and wiped from
 * the block as it leaves.
 */
const RANDOM_BLOCK = 4096;
const RANDOM_POOLED_MAX = 256;
let randomBlock: Buffer = Buffer.alloc(0);
let randomOffset = 0;

export function randomBytes(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new CryptoError('bad_argument', `randomBytes length must be a non-negative integer, got ${n}`);
  if (n > RANDOM_POOLED_MAX) return guard('bad_argument', 'randomBytes', () => nodeCrypto.randomBytes(n));
  if (randomOffset + n > randomBlock.length) {
    randomBlock = guard('bad_argument', 'randomBytes', () => nodeCrypto.randomFillSync(Buffer.allocUnsafeSlow(RANDOM_BLOCK)));
    randomOffset = 0;
  }
  const out = Buffer.allocUnsafeSlow(n);
  randomBlock.copy(out, 0, randomOffset, randomOffset + n);
  randomBlock.fill(0, randomOffset, randomOffset + n);
  randomOffset += n;
  return out;
}

/** Constant time in the content of equal-length inputs; lengths are not secret. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) {
    throw new CryptoError('bad_argument', 'constantTimeEqual takes two Uint8Arrays');
  }
  if (a.length !== b.length) return false;
  return nodeCrypto.timingSafeEqual(a, b);
}
