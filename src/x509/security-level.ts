/**
 * OpenSSL security levels applied to certificate chains (x509_vfy.c:
 * check_key_level, check_sig_level; Python's contexts run at level 2): every
 * key must offer, and every signature below the trust anchor must be made
 * with a digest offering, at least the level's number of security bits.
 */
import type { CertFacts } from './cert-facts.js';
import { DerReader } from './der-reader.js';
import { Tag } from './der-tags.js';
import { X509Error } from './errors.js';
import { X509_V } from './verify-codes.js';

/** minbits_table: security bits required at levels 1..5. */
const MIN_BITS_BY_LEVEL = [80, 112, 128, 192, 256] as const;

export function minimumSecurityBits(level: number): number {
  if (level <= 0) return 0;
  return MIN_BITS_BY_LEVEL[Math.min(level, MIN_BITS_BY_LEVEL.length) - 1] as number;
}

/** BN_security_bits for an RSA modulus of `bits` bits (NIST SP 800-57 equivalences). */
const RSA_SECURITY: readonly (readonly [modulusBits: number, securityBits: number])[] = [
  [15360, 256],
  [7680, 192],
  [3072, 128],
  [2048, 112],
  [1024, 80],
];
const ED25519_SECURITY_BITS = 128;

/** ec_pkey_security_bits: by the bit length of the group order. */
const EC_SECURITY: readonly (readonly [orderBits: number, securityBits: number])[] = [
  [512, 256],
  [384, 192],
  [256, 128],
  [224, 112],
  [160, 80],
];
const EC_ORDER_BITS: Readonly<Record<string, number>> = { 'P-256': 256, 'P-384': 384, 'P-521': 521 };

/** Bit length of a non-negative INTEGER's contents. */
function integerBits(n: Uint8Array): number {
  let i = 0;
  while (i < n.length - 1 && n[i] === 0) i++;
  return (n.length - i - 1) * 8 + (32 - Math.clz32(n[i] as number));
}

/** Bit length of the modulus in an RSAPublicKey (RFC 8017 §A.1.1) held in the SPKI's BIT STRING. */
function rsaModulusBits(publicKey: Uint8Array): number {
  const seq = DerReader.over(publicKey, 'RSAPublicKey', 0).sequence('');
  return integerBits(seq.expect(Tag.INTEGER, 'modulus').contents);
}

/** Order bit length from explicit ECParameters (SEC 1 §C.2: version, fieldID, curve, base, order, …). */
function explicitCurveOrderBits(parameters: Uint8Array): number {
  const p = DerReader.over(parameters, 'ECParameters', 0).sequence('');
  p.expect(Tag.INTEGER, 'version');
  p.expect(Tag.SEQUENCE, 'fieldID');
  p.expect(Tag.SEQUENCE, 'curve');
  p.read('base');
  return integerBits(p.expect(Tag.INTEGER, 'order').contents);
}

/**
 * EVP_PKEY_get_security_bits of the certificate's key, read from the
 * SubjectPublicKeyInfo (no key import needed); 0 when the key is unusable.
 */
export function keySecurityBits(f: CertFacts): number {
  const spki = f.cert.subjectPublicKeyInfo;
  try {
    switch (spki.keyType) {
      case 'rsa':
      case 'rsa-pss': {
        const bits = rsaModulusBits(spki.publicKey.bytes);
        return RSA_SECURITY.find(([modulus]) => bits >= modulus)?.[1] ?? 0;
      }
      case 'ec': {
        const params = spki.algorithm.parameters;
        const orderBits =
          spki.curve !== null ? EC_ORDER_BITS[spki.curve] : params !== null && params[0] === Tag.SEQUENCE ? explicitCurveOrderBits(params) : undefined;
        if (orderBits === undefined) return 0;
        return EC_SECURITY.find(([order]) => orderBits >= order)?.[1] ?? Math.floor(orderBits / 2);
      }
      case 'ed25519':
        return ED25519_SECURITY_BITS;
      default:
        return 0;
    }
  } catch (e) {
    if (e instanceof X509Error) return 0;
    throw e;
  }
}

/** X509_get_signature_info's security bits: half the digest size, with SHA-1's known weakness (63 bits). */
const SHA1_SECURITY_BITS = 63;
const DIGEST_SECURITY_BITS: Readonly<Record<string, number>> = { 'SHA-1': SHA1_SECURITY_BITS, 'SHA-256': 128, 'SHA-384': 192, 'SHA-512': 256 };

export function signatureSecurityBits(f: CertFacts): number {
  const alg = f.cert.signatureAlgorithm.algorithm;
  if (alg === null) return 0;
  if (alg.kind === 'ed25519') return ED25519_SECURITY_BITS;
  return DIGEST_SECURITY_BITS[alg.hash] ?? 0;
}

/** check_auth_level: issuer keys (67) and signatures below the anchor (68). */
export function checkAuthLevel(chain: readonly CertFacts[], level: number): { code: number; depth: number } | null {
  const min = minimumSecurityBits(level);
  for (let i = 0; i < chain.length; i++) {
    const f = chain[i] as CertFacts;
    if (i > 0 && keySecurityBits(f) < min) return { code: X509_V.CA_KEY_TOO_SMALL, depth: i };
    if (i < chain.length - 1 && signatureSecurityBits(f) < min) return { code: X509_V.CA_MD_TOO_WEAK, depth: i };
  }
  return null;
}
