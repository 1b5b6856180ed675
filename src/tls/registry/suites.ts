import type { AeadAlgorithm, HashAlgorithm } from '../../crypto/provider.js';

/**
 * Cipher suites we implement: the three TLS 1.3 suites and the TLS 1.2
 * ECDHE + AEAD suites (no RSA key exchange, no CBC). The one home of suite
 * code points and names.
 */
export interface CipherSuite {
  readonly id: number;
  /** IANA name, e.g. TLS_AES_128_GCM_SHA256 / TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256. */
  readonly ianaName: string;
  /** OpenSSL name, as Python's cipher() reports it (TLS 1.3 suites: same as IANA). */
  readonly opensslName: string;
  readonly version: 'TLSv1.3' | 'TLSv1.2';
  readonly aead: AeadAlgorithm;
  /** The suite's hash: HKDF / transcript (1.3), PRF (1.2). */
  readonly hash: HashAlgorithm;
  readonly keyLength: number;
  /** TLS 1.3: the 12-byte IV. TLS 1.2: the implicit part (4 for GCM, 12 for ChaCha20). */
  readonly fixedIvLength: number;
  /** TLS 1.2: explicit nonce bytes carried in each record (8 for GCM, 0 for ChaCha20). 0 for 1.3. */
  readonly explicitNonceLength: number;
  /** TLS 1.2 authentication; null for TLS 1.3 (any). */
  readonly auth: 'RSA' | 'ECDSA' | null;
  /** Secret bits, as cipher()[2] reports. */
  readonly bits: number;
}

function tls13(id: number, name: string, aead: AeadAlgorithm, hash: HashAlgorithm, keyLength: number): CipherSuite {
  return { id, ianaName: name, opensslName: name, version: 'TLSv1.3', aead, hash, keyLength, fixedIvLength: 12, explicitNonceLength: 0, auth: null, bits: keyLength * 8 };
}

function tls12(id: number, ianaName: string, opensslName: string, auth: 'RSA' | 'ECDSA', aead: AeadAlgorithm, hash: HashAlgorithm, keyLength: number): CipherSuite {
  const chacha = aead === 'CHACHA20-POLY1305';
  return { id, ianaName, opensslName, version: 'TLSv1.2', aead, hash, keyLength, fixedIvLength: chacha ? 12 : 4, explicitNonceLength: chacha ? 0 : 8, auth, bits: keyLength * 8 };
}

export const TLS_AES_128_GCM_SHA256 = tls13(0x1301, 'TLS_AES_128_GCM_SHA256', 'AES-128-GCM', 'SHA-256', 16);
export const TLS_AES_256_GCM_SHA384 = tls13(0x1302, 'TLS_AES_256_GCM_SHA384', 'AES-256-GCM', 'SHA-384', 32);
export const TLS_CHACHA20_POLY1305_SHA256 = tls13(0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'CHACHA20-POLY1305', 'SHA-256', 32);

/** All suites, in our default preference order (OpenSSL's order for TLS 1.3). */
export const ALL_SUITES: readonly CipherSuite[] = [
  TLS_AES_256_GCM_SHA384,
  TLS_CHACHA20_POLY1305_SHA256,
  TLS_AES_128_GCM_SHA256,
  tls12(0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDSA', 'AES-256-GCM', 'SHA-384', 32),
  tls12(0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'RSA', 'AES-256-GCM', 'SHA-384', 32),
  tls12(0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDSA', 'CHACHA20-POLY1305', 'SHA-256', 32),
  tls12(0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305', 'RSA', 'CHACHA20-POLY1305', 'SHA-256', 32),
  tls12(0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDSA', 'AES-128-GCM', 'SHA-256', 16),
  tls12(0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'RSA', 'AES-128-GCM', 'SHA-256', 16),
];

export const TLS13_SUITES: readonly CipherSuite[] = ALL_SUITES.filter((s) => s.version === 'TLSv1.3');
export const TLS12_SUITES: readonly CipherSuite[] = ALL_SUITES.filter((s) => s.version === 'TLSv1.2');

const byId = new Map(ALL_SUITES.map((s) => [s.id, s]));
export function suiteById(id: number): CipherSuite | null {
  return byId.get(id) ?? null;
}

/** Signalling cipher suite values, never negotiated (RFC 5746 §3.3, RFC 7507 §2). */
export const SignalingSuite = {
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV: 0x00ff,
  TLS_FALLBACK_SCSV: 0x5600,
} as const;
