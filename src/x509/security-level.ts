/**
 * OpenSSL security levels applied to certificate chains (x509_vfy.c:
 * check_key_level, check_sig_level; Python's contexts run at level 2): every
 * key must offer, and every signature below the trust anchor must be made
 * with a digest offering, at least the level's number of security bits.
 */
import type { CryptoProvider } from '../crypto/provider.js';
import type { CertFacts } from './cert-facts.js';
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

/** EVP_PKEY_get_security_bits of the certificate's key; 0 when the key cannot be used. */
export function keySecurityBits(f: CertFacts, provider: CryptoProvider): number {
  let key;
  try {
    key = provider.importPublicKey(f.cert.subjectPublicKeyInfo.raw);
  } catch {
    return 0;
  }
  switch (key.type) {
    case 'rsa':
    case 'rsa-pss':
      return RSA_SECURITY.find(([modulus]) => key.bits >= modulus)?.[1] ?? 0;
    case 'ec':
      // Half the size of the group order.
      return Math.floor(key.bits / 2);
    case 'ed25519':
      return ED25519_SECURITY_BITS;
    default:
      return 0;
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
export function checkAuthLevel(chain: readonly CertFacts[], level: number, provider: CryptoProvider): { code: number; depth: number } | null {
  const min = minimumSecurityBits(level);
  for (let i = 0; i < chain.length; i++) {
    const f = chain[i] as CertFacts;
    if (i > 0 && keySecurityBits(f, provider) < min) return { code: X509_V.CA_KEY_TOO_SMALL, depth: i };
    if (i < chain.length - 1 && signatureSecurityBits(f) < min) return { code: X509_V.CA_MD_TOO_WEAK, depth: i };
  }
  return null;
}
