import type { EcCurve, HashAlgorithm, KeyType, SignatureAlgorithm } from '../../crypto/provider.js';

/**
 * Signature schemes (RFC 8446 §4.2.3, IANA "TLS SignatureScheme"). The one
 * home of signature scheme code points, and of the rules for where each may
 * be used and with which key.
 */
export const SignatureSchemeCode = {
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
  rsa_pkcs1_sha256: 0x0401,
  ecdsa_secp256r1_sha256: 0x0403,
  rsa_pkcs1_sha384: 0x0501,
  ecdsa_secp384r1_sha384: 0x0503,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
} as const;

export type SignatureSchemeName = keyof typeof SignatureSchemeCode;

/** Digest sizes, for RSA-PSS salt lengths (RFC 8446 §4.2.3: salt length MUST equal the digest length). */
const DIGEST_LENGTH: Record<HashAlgorithm, number> = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

/** A signature scheme we implement. */
export interface SignatureScheme {
  readonly id: number;
  readonly name: SignatureSchemeName;
  /** What the crypto provider must do. */
  readonly algorithm: SignatureAlgorithm;
  /**
   * The key type the scheme needs. rsa_pss_rsae_* and rsa_pkcs1_* need an
   * rsaEncryption key ('rsa'); rsa_pss_pss_* need an id-RSASSA-PSS key
   * ('rsa-pss') (RFC 8446 §4.2.3).
   */
  readonly keyType: KeyType;
  /**
   * For ECDSA in TLS 1.3 the curve is part of the scheme (RFC 8446 §4.2.3);
   * in TLS 1.2 the same code point means "ECDSA with this hash" on any curve.
   */
  readonly curve: EcCurve | null;
  /** May sign a TLS 1.3 CertificateVerify. PKCS#1 v1.5 and SHA-1 may not (RFC 8446 §4.2.3, §4.4.3). */
  readonly tls13: boolean;
  /** May sign a TLS 1.2 ServerKeyExchange / CertificateVerify. SHA-1 is refused (as OpenSSL 3 at security level ≥ 1). */
  readonly tls12: boolean;
  // Every scheme listed here is acceptable in a certificate signature (signature_algorithms_cert).
}

function ecdsa(name: SignatureSchemeName, hash: HashAlgorithm, curve: EcCurve | null, handshake: boolean): SignatureScheme {
  return { id: SignatureSchemeCode[name], name, algorithm: { kind: 'ecdsa', hash }, keyType: 'ec', curve, tls13: handshake, tls12: handshake };
}
function pss(name: SignatureSchemeName, hash: HashAlgorithm, keyType: 'rsa' | 'rsa-pss'): SignatureScheme {
  return { id: SignatureSchemeCode[name], name, algorithm: { kind: 'rsa-pss', hash, saltLength: DIGEST_LENGTH[hash] }, keyType, curve: null, tls13: true, tls12: true };
}
function pkcs1(name: SignatureSchemeName, hash: HashAlgorithm, tls12: boolean): SignatureScheme {
  return { id: SignatureSchemeCode[name], name, algorithm: { kind: 'rsa-pkcs1', hash }, keyType: 'rsa', curve: null, tls13: false, tls12 };
}

export const ECDSA_SECP256R1_SHA256 = ecdsa('ecdsa_secp256r1_sha256', 'SHA-256', 'P-256', true);
export const ECDSA_SECP384R1_SHA384 = ecdsa('ecdsa_secp384r1_sha384', 'SHA-384', 'P-384', true);
export const ECDSA_SECP521R1_SHA512 = ecdsa('ecdsa_secp521r1_sha512', 'SHA-512', 'P-521', true);
export const ED25519: SignatureScheme = { id: SignatureSchemeCode.ed25519, name: 'ed25519', algorithm: { kind: 'ed25519' }, keyType: 'ed25519', curve: null, tls13: true, tls12: true };
export const RSA_PSS_RSAE_SHA256 = pss('rsa_pss_rsae_sha256', 'SHA-256', 'rsa');
export const RSA_PSS_RSAE_SHA384 = pss('rsa_pss_rsae_sha384', 'SHA-384', 'rsa');
export const RSA_PSS_RSAE_SHA512 = pss('rsa_pss_rsae_sha512', 'SHA-512', 'rsa');
export const RSA_PSS_PSS_SHA256 = pss('rsa_pss_pss_sha256', 'SHA-256', 'rsa-pss');
export const RSA_PSS_PSS_SHA384 = pss('rsa_pss_pss_sha384', 'SHA-384', 'rsa-pss');
export const RSA_PSS_PSS_SHA512 = pss('rsa_pss_pss_sha512', 'SHA-512', 'rsa-pss');
export const RSA_PKCS1_SHA256 = pkcs1('rsa_pkcs1_sha256', 'SHA-256', true);
export const RSA_PKCS1_SHA384 = pkcs1('rsa_pkcs1_sha384', 'SHA-384', true);
export const RSA_PKCS1_SHA512 = pkcs1('rsa_pkcs1_sha512', 'SHA-512', true);
export const ECDSA_SHA1 = ecdsa('ecdsa_sha1', 'SHA-1', null, false);
export const RSA_PKCS1_SHA1 = pkcs1('rsa_pkcs1_sha1', 'SHA-1', false);

/** Every scheme we implement, in our default preference order (OpenSSL's). */
export const ALL_SIGNATURE_SCHEMES: readonly SignatureScheme[] = [
  ECDSA_SECP256R1_SHA256,
  ECDSA_SECP384R1_SHA384,
  ECDSA_SECP521R1_SHA512,
  ED25519,
  RSA_PSS_RSAE_SHA256,
  RSA_PSS_RSAE_SHA384,
  RSA_PSS_RSAE_SHA512,
  RSA_PSS_PSS_SHA256,
  RSA_PSS_PSS_SHA384,
  RSA_PSS_PSS_SHA512,
  RSA_PKCS1_SHA256,
  RSA_PKCS1_SHA384,
  RSA_PKCS1_SHA512,
  ECDSA_SHA1,
  RSA_PKCS1_SHA1,
];

/** What we advertise in signature_algorithms by default: every scheme usable in a TLS 1.3 or TLS 1.2 handshake. */
export const DEFAULT_SIGNATURE_SCHEMES: readonly SignatureScheme[] = ALL_SIGNATURE_SCHEMES.filter((s) => s.tls13 || s.tls12);

/** Schemes we accept on certificates (signature_algorithms_cert): all of them, SHA-1 included as OpenSSL's default does for chains. */
export const CERTIFICATE_SIGNATURE_SCHEMES: readonly SignatureScheme[] = ALL_SIGNATURE_SCHEMES;

const byId = new Map(ALL_SIGNATURE_SCHEMES.map((s) => [s.id, s]));

/** The implemented scheme for a code point, or null (unknown or not implemented, e.g. ed448). */
export function signatureSchemeById(id: number): SignatureScheme | null {
  return byId.get(id) ?? null;
}

const nameById = new Map<number, SignatureSchemeName>(
  (Object.entries(SignatureSchemeCode) as [SignatureSchemeName, number][]).map(([name, code]) => [code, name]),
);

/** The IANA name for any registered code point, or null. */
export function signatureSchemeName(id: number): SignatureSchemeName | null {
  return nameById.get(id) ?? null;
}

/**
 * Whether `scheme` can be produced / checked with a key of this type and
 * curve in the given protocol version (RFC 8446 §4.2.3: the ECDSA curve is
 * bound to the scheme in TLS 1.3 only).
 */
export function schemeFitsKey(scheme: SignatureScheme, key: { readonly type: KeyType; readonly curve: EcCurve | null }, version: 'TLSv1.3' | 'TLSv1.2'): boolean {
  if (scheme.keyType !== key.type) return false;
  if (version === 'TLSv1.3' && scheme.curve !== null && scheme.curve !== key.curve) return false;
  return version === 'TLSv1.3' ? scheme.tls13 : scheme.tls12;
}
