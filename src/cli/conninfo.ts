/**
 * What one TLS connection negotiated, read through the ssl API, in the one
 * shape `sslsock connect` prints (text or JSON) and `sslsock serve` logs and
 * answers with (`--www`).
 */
import { defaultProvider } from '../crypto/index.js';
import * as ssl from '../ssl/index.js';
import { parseCertificate } from '../x509/certificate.js';
import { fingerprint } from './pretty.js';

export interface CertSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** Key algorithm, with the curve for EC keys ('ec P-256', 'rsa', 'ed25519'). */
  readonly key: string;
  /** SHA-256 of the DER, as `openssl x509 -fingerprint -sha256` prints it. */
  readonly sha256: string;
}

export interface ConnectionInfo {
  readonly version: string | null;
  readonly cipher: string | null;
  readonly bits: number | null;
  /** The key exchange group, OpenSSL's name (SSLSocket.group()); null when none was used. */
  readonly group: string | null;
  readonly alpn: string | null;
  readonly resumed: boolean;
  /** The server name sent (client) or received (server) in the SNI extension. */
  readonly sni: string | null;
  /** The peer's certificates as it sent them, leaf first (empty: none sent). */
  readonly peerChain: readonly CertSummary[];
}

export function sha256Fingerprint(der: Uint8Array): string {
  return fingerprint(defaultProvider.hash('SHA-256', der));
}

export function summarizeCert(der: Uint8Array): CertSummary {
  const c = parseCertificate(der);
  const spki = c.subjectPublicKeyInfo;
  return {
    subject: c.subject.toString(),
    issuer: c.issuer.toString(),
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    key: `${spki.keyType ?? spki.algorithm.oid}${spki.curve !== null ? ` ${spki.curve}` : ''}`,
    sha256: sha256Fingerprint(der),
  };
}

export function connectionInfo(s: ssl.SSLSocket, sni: string | null): ConnectionInfo {
  const cipher = s.cipher();
  return {
    version: s.version(),
    cipher: cipher?.[0] ?? null,
    bits: cipher?.[2] ?? null,
    group: s.group(),
    alpn: s.selectedAlpnProtocol(),
    resumed: s.sessionReused === true,
    sni,
    peerChain: s.getUnverifiedChain().map(summarizeCert),
  };
}

const NONE = '(none)';

/** The negotiated parameters as label/value rows (the peer chain is printed separately). */
export function connectionRows(info: ConnectionInfo): [string, string][] {
  return [
    ['version', info.version ?? NONE],
    ['cipher', info.cipher === null ? NONE : `${info.cipher} (${info.bits} bits)`],
    ['group', info.group ?? NONE],
    ['alpn', info.alpn ?? NONE],
    ['sni', info.sni ?? NONE],
    ['resumed', info.resumed ? 'yes' : 'no'],
  ];
}

/** The chain as s_client shows it: depth, subject, issuer, then validity, key and fingerprint. */
export function chainLines(chain: readonly CertSummary[]): string[] {
  if (chain.length === 0) return ['  (no certificate)'];
  return chain.flatMap((c, depth) => [
    `  ${depth} s: ${c.subject}`,
    `    i: ${c.issuer}`,
    `    valid ${c.notBefore} .. ${c.notAfter}  key ${c.key}`,
    `    sha256 ${c.sha256}`,
  ]);
}
