/**
 * Registries mapping the provider's neutral algorithm names onto node:crypto /
 * OpenSSL names and sizes. The one home of these constants in `src/crypto/`.
 */
import { CryptoError, type AeadAlgorithm, type EcCurve, type HashAlgorithm, type KeyExchangeGroup } from './provider.js';

export interface HashInfo {
  readonly nodeName: string;
  readonly outputLength: number;
}

export const HASHES: Readonly<Record<HashAlgorithm, HashInfo>> = {
  'SHA-1': { nodeName: 'sha1', outputLength: 20 },
  'SHA-256': { nodeName: 'sha256', outputLength: 32 },
  'SHA-384': { nodeName: 'sha384', outputLength: 48 },
  'SHA-512': { nodeName: 'sha512', outputLength: 64 },
};

/** OpenSSL digest name (as `asymmetricKeyDetails` reports it) → our name. */
export const HASH_BY_NODE_NAME: ReadonlyMap<string, HashAlgorithm> = new Map(
  (Object.keys(HASHES) as HashAlgorithm[]).map((h) => [HASHES[h].nodeName, h]),
);

export function hashInfo(algorithm: HashAlgorithm): HashInfo {
  const info = Object.hasOwn(HASHES, algorithm) ? HASHES[algorithm] : undefined;
  if (info === undefined) throw new CryptoError('unsupported', `unsupported hash algorithm ${String(algorithm)}`);
  return info;
}

/** RFC 5869 §2.3: HKDF-Expand can produce at most 255 blocks of HashLen. */
export const HKDF_MAX_BLOCKS = 255;

export interface AeadInfo {
  readonly nodeName: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  readonly keyLength: number;
}

/** RFC 8446 §5.3 / RFC 5116: every TLS AEAD takes a 12-byte nonce and yields a 16-byte tag. */
export const AEAD_NONCE_LENGTH = 12;
export const AEAD_TAG_LENGTH = 16;

export const AEADS: Readonly<Record<AeadAlgorithm, AeadInfo>> = {
  'AES-128-GCM': { nodeName: 'aes-128-gcm', keyLength: 16 },
  'AES-256-GCM': { nodeName: 'aes-256-gcm', keyLength: 32 },
  'CHACHA20-POLY1305': { nodeName: 'chacha20-poly1305', keyLength: 32 },
};

export function aeadInfo(algorithm: AeadAlgorithm): AeadInfo {
  const info = Object.hasOwn(AEADS, algorithm) ? AEADS[algorithm] : undefined;
  if (info === undefined) throw new CryptoError('unsupported', `unsupported AEAD algorithm ${String(algorithm)}`);
  return info;
}

export interface CurveInfo {
  /** OpenSSL curve name, as `createECDH` and `asymmetricKeyDetails.namedCurve` use. */
  readonly opensslName: string;
  /** Field element size in bytes: one coordinate of an uncompressed point, and the ECDH shared secret. */
  readonly coordinateLength: number;
  readonly bits: number;
  /** Byte length of the group order n: the size of r and s in an ECDSA signature. */
  readonly orderLength: number;
}

export const CURVES: Readonly<Record<EcCurve, CurveInfo>> = {
  'P-256': { opensslName: 'prime256v1', coordinateLength: 32, bits: 256, orderLength: 32 },
  'P-384': { opensslName: 'secp384r1', coordinateLength: 48, bits: 384, orderLength: 48 },
  'P-521': { opensslName: 'secp521r1', coordinateLength: 66, bits: 521, orderLength: 66 },
};

export const CURVE_BY_OPENSSL_NAME: ReadonlyMap<string, EcCurve> = new Map(
  (Object.keys(CURVES) as EcCurve[]).map((c) => [CURVES[c].opensslName, c]),
);

export function curveInfo(curve: EcCurve): CurveInfo {
  const info = Object.hasOwn(CURVES, curve) ? CURVES[curve] : undefined;
  if (info === undefined) throw new CryptoError('unsupported', `unsupported curve ${String(curve)}`);
  return info;
}

/** SEC 1 §2.3.3: first octet of an uncompressed point. TLS 1.3 (RFC 8446 §4.2.8.2) allows only this form. */
export const SEC1_UNCOMPRESSED = 0x04;

export const X25519_KEY_LENGTH = 32;
export const ED25519_BITS = 256;

/** A Montgomery curve used for Diffie-Hellman (RFC 7748): X25519 or X448. */
export interface MontgomeryInfo {
  /** node:crypto key type. */
  readonly nodeType: 'x25519' | 'x448';
  /** Length of a raw public value, private scalar and shared secret. */
  readonly keyLength: number;
  /**
   * Fixed DER wrapper around a raw private key (RFC 8410 §7: OIDs 1.3.101.110 / .111), OneAsymmetricKey v0:
   * SEQUENCE { INTEGER 0, SEQUENCE { OID }, OCTET STRING { OCTET STRING key } }.
   */
  readonly pkcs8Prefix: Buffer;
}

export const MONTGOMERY: Readonly<Record<'X25519' | 'X448', MontgomeryInfo>> = {
  X25519: {
    nodeType: 'x25519',
    keyLength: X25519_KEY_LENGTH,
    pkcs8Prefix: Buffer.from('302e020100300506032b656e04220420', 'hex'),
  },
  X448: {
    nodeType: 'x448',
    keyLength: 56,
    pkcs8Prefix: Buffer.from('3046020100300506032b656f043a0438', 'hex'),
  },
};

/**
 * ML-KEM-768 (FIPS 203) sizes, and the SubjectPublicKeyInfo wrapper around a raw
 * encapsulation key (OID 2.16.840.1.101.3.4.4.2, draft-ietf-lamps-kyber-certificates).
 */
export const MLKEM768 = {
  nodeType: 'ml-kem-768',
  encapsulationKeyLength: 1184,
  ciphertextLength: 1088,
  sharedSecretLength: 32,
  spkiPrefix: Buffer.from('308204b2300b0609608648016503040402038204a100', 'hex'),
} as const;

/** Every group the provider knows; X25519MLKEM768 is usable only where node:crypto has ML-KEM (see kex-hybrid.ts). */
export const KEY_EXCHANGE_GROUPS: ReadonlySet<KeyExchangeGroup> = new Set(['X25519', 'X448', 'P-256', 'P-384', 'P-521', 'X25519MLKEM768']);

/** Cipher used by `PrivateKey.toPem(password)`: PKCS#8 with PBES2 (PBKDF2 + AES-256-CBC). */
export const PEM_ENCRYPTION_CIPHER = 'aes-256-cbc';
