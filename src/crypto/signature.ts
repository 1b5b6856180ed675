/**
 * Sign and verify: which signature algorithm fits which key, and how each
 * maps onto node:crypto's sign/verify options.
 *
 * Policy (both enforced here, in one place):
 * - SHA-1 is accepted for verification only (legacy certificates and TLS 1.2
 *   peers, RFC 8446 §4.2.3 allows it only for verifying certificates); we
 *   never create a SHA-1 signature.
 * - ECDSA signatures must be strict DER; we parse them ourselves and hand
 *   OpenSSL the fixed-width r||s, so BER leniency cannot reach the verifier.
 */
import * as nodeCrypto from 'node:crypto';
import { CURVES, HASHES } from './algorithms.js';
import { DerError, ecdsaDerToP1363 } from './der.js';
import { guard, requireBytes, view } from './errors.js';
import { CryptoError, type EcCurve, type HashAlgorithm, type KeyType, type SignatureAlgorithm } from './provider.js';

/** What sign/verify needs to know about a key besides the KeyObject itself. */
export interface KeyFacts {
  readonly type: KeyType;
  readonly curve: EcCurve | null;
  /** RSASSA-PSS parameter restrictions carried by an id-RSASSA-PSS key (RFC 4055 §3.1), if any. */
  readonly pssRestrictions: { readonly hash: HashAlgorithm | null; readonly mgf1Hash: HashAlgorithm | null; readonly minSaltLength: number } | null;
}

type NodeSignOptions = {
  readonly hash: string | null;
  readonly options: Omit<nodeCrypto.SignKeyObjectInput, 'key'>;
};

function describe(algorithm: SignatureAlgorithm): string {
  return algorithm.kind === 'ed25519' ? 'Ed25519' : `${algorithm.kind}/${algorithm.hash}`;
}

function checkHash(hash: HashAlgorithm, forSigning: boolean, algorithm: SignatureAlgorithm): string {
  const info = Object.hasOwn(HASHES, hash) ? HASHES[hash] : undefined;
  if (info === undefined) throw new CryptoError('unsupported', `unsupported hash ${String(hash)} in ${describe(algorithm)}`);
  if (forSigning && hash === 'SHA-1') throw new CryptoError('unsupported', `refusing to create a SHA-1 signature (${describe(algorithm)})`);
  return info.nodeName;
}

/** Maps (algorithm, key) to node:crypto options, or throws CryptoError('unsupported') when they do not fit. */
function nodeOptions(algorithm: SignatureAlgorithm, key: KeyFacts, forSigning: boolean): NodeSignOptions {
  const mismatch = (): CryptoError => new CryptoError('unsupported', `${describe(algorithm)} cannot be used with a ${key.type} key`);
  if (typeof algorithm !== 'object' || algorithm === null) throw new CryptoError('bad_argument', 'signature algorithm must be an object');
  switch (algorithm.kind) {
    case 'ecdsa': {
      if (key.type !== 'ec') throw mismatch();
      return { hash: checkHash(algorithm.hash, forSigning, algorithm), options: { dsaEncoding: forSigning ? 'der' : 'ieee-p1363' } };
    }
    case 'rsa-pkcs1': {
      if (key.type !== 'rsa') throw mismatch(); // an id-RSASSA-PSS key may only make PSS signatures (RFC 4055 §1.2)
      return { hash: checkHash(algorithm.hash, forSigning, algorithm), options: { padding: nodeCrypto.constants.RSA_PKCS1_PADDING } };
    }
    case 'rsa-pss': {
      if (key.type !== 'rsa' && key.type !== 'rsa-pss') throw mismatch();
      const hash = checkHash(algorithm.hash, forSigning, algorithm);
      const { saltLength } = algorithm;
      if (!Number.isSafeInteger(saltLength) || saltLength < 0) {
        throw new CryptoError('bad_argument', `RSA-PSS salt length must be a non-negative integer, got ${saltLength}`);
      }
      const r = key.pssRestrictions;
      if (r !== null) {
        if (r.hash !== null && r.hash !== algorithm.hash) throw new CryptoError('unsupported', `this RSA-PSS key is restricted to ${r.hash}, not ${algorithm.hash}`);
        if (r.mgf1Hash !== null && r.mgf1Hash !== algorithm.hash) throw new CryptoError('unsupported', `this RSA-PSS key is restricted to MGF1 with ${r.mgf1Hash}, not ${algorithm.hash}`);
        if (saltLength < r.minSaltLength) throw new CryptoError('unsupported', `this RSA-PSS key requires a salt of at least ${r.minSaltLength} bytes, not ${saltLength}`);
      }
      return { hash, options: { padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength } };
    }
    case 'ed25519': {
      if (key.type !== 'ed25519') throw mismatch();
      return { hash: null, options: {} }; // PureEdDSA hashes internally (RFC 8032 §5.1.6)
    }
    default:
      throw new CryptoError('unsupported', `unsupported signature algorithm ${JSON.stringify(algorithm)}`);
  }
}

export function sign(algorithm: SignatureAlgorithm, key: nodeCrypto.KeyObject, facts: KeyFacts, data: Uint8Array): Buffer {
  const { hash, options } = nodeOptions(algorithm, facts, true);
  requireBytes(data, 'data to sign');
  return guard('bad_key', `${describe(algorithm)} sign`, () => nodeCrypto.sign(hash, view(data), { ...options, key }));
}

export function verify(
  algorithm: SignatureAlgorithm,
  key: nodeCrypto.KeyObject,
  facts: KeyFacts,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const { hash, options } = nodeOptions(algorithm, facts, false);
  requireBytes(data, 'signed data');
  requireBytes(signature, 'signature');
  let sig: Buffer = view(signature);
  if (algorithm.kind === 'ecdsa') {
    try {
      sig = ecdsaDerToP1363(signature, CURVES[facts.curve!].orderLength);
    } catch (e) {
      if (e instanceof DerError) return false;
      throw e;
    }
  }
  try {
    return nodeCrypto.verify(hash, view(data), { ...options, key }, sig);
  } catch {
    // The key/algorithm fit was checked above, so OpenSSL failing here means the
    // signature itself is unusable (wrong length, out of range): "does not verify".
    return false;
  }
}
