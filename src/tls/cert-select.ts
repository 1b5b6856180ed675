import type { CryptoProvider, PrivateKey, PublicKey } from '../crypto/provider.js';
import { CryptoError } from '../crypto/provider.js';
import type { CertifiedKey } from './config.js';
import { fatal } from './handshake-common.js';
import type { SignatureScheme } from './registry/signature-schemes.js';
import type { VersionName } from './registry/versions.js';
import { schemeFitsKey, signatureSchemeById, signatureSchemeName } from './registry/signature-schemes.js';

/** RFC 8446 §4.4.3: the CertificateVerify signature covers 64 spaces, a context string, a zero byte and the transcript hash. */
const CV_PAD = Buffer.alloc(64, 0x20);
const CV_SEPARATOR = Buffer.from([0]);
const SERVER_CONTEXT = Buffer.from('TLS 1.3, server CertificateVerify', 'latin1');
const CLIENT_CONTEXT = Buffer.from('TLS 1.3, client CertificateVerify', 'latin1');

export function certificateVerifyInput(fromServer: boolean, transcriptHash: Buffer): Buffer {
  return Buffer.concat([CV_PAD, fromServer ? SERVER_CONTEXT : CLIENT_CONTEXT, CV_SEPARATOR, transcriptHash]);
}

export interface CertificateChoice {
  readonly certified: CertifiedKey;
  readonly scheme: SignatureScheme;
}

/**
 * Picks the certificate and signature scheme to authenticate with: the first
 * of our certificates (in configured order) whose key can sign one of the
 * schemes the peer offered, taking the peer's most preferred such scheme
 * that we also allow (RFC 8446 §4.4.2.2, RFC 5246 §7.4.1.4.1). `keyFits`
 * narrows the keys further (TLS 1.2: the suite's authentication, the
 * certificate types a CertificateRequest names). Null when none fits.
 */
export function selectCertificate(
  ours: readonly CertifiedKey[],
  peerSchemes: readonly number[],
  allowed: readonly SignatureScheme[],
  version: VersionName = 'TLSv1.3',
  keyFits: (key: PrivateKey) => boolean = () => true,
): CertificateChoice | null {
  for (const certified of ours) {
    if (!keyFits(certified.key)) continue;
    for (const id of peerSchemes) {
      const scheme = allowed.find((s) => s.id === id);
      if (scheme && schemeFitsKey(scheme, certified.key, version)) return { certified, scheme };
    }
  }
  return null;
}

/** Signs a CertificateVerify. */
export function signCertificateVerify(choice: CertificateChoice, fromServer: boolean, transcriptHash: Buffer): Buffer {
  return choice.certified.key.sign(choice.scheme.algorithm, certificateVerifyInput(fromServer, transcriptHash));
}

/**
 * Checks the peer's CertificateVerify (RFC 8446 §4.4.3): the scheme must be one
 * we offered and fit the leaf's key, and the signature must verify. Throws the
 * alert the RFC asks for.
 */
export function verifyCertificateVerify(
  provider: CryptoProvider,
  leafSpki: Buffer,
  schemeId: number,
  signature: Buffer,
  offered: readonly SignatureScheme[],
  fromServer: boolean,
  transcriptHash: Buffer,
): SignatureScheme {
  return verifyPeerSignature(provider, leafSpki, schemeId, signature, offered, 'TLSv1.3', certificateVerifyInput(fromServer, transcriptHash), 'CertificateVerify');
}

/**
 * Checks a signature the peer made with its certificate's key over `signed`
 * (TLS 1.3 CertificateVerify; TLS 1.2 ServerKeyExchange and CertificateVerify,
 * RFC 5246 §7.4.3, §7.4.8): a scheme we offered, fitting the key (and
 * `keyFits`, e.g. the suite's authentication), and a valid signature.
 */
export function verifyPeerSignature(
  provider: CryptoProvider,
  leafSpki: Buffer,
  schemeId: number,
  signature: Buffer,
  offered: readonly SignatureScheme[],
  version: VersionName,
  signed: Buffer,
  what: string,
  keyFits: (key: PublicKey) => boolean = () => true,
): SignatureScheme {
  const scheme = signatureSchemeById(schemeId);
  const label = signatureSchemeName(schemeId) ?? `0x${schemeId.toString(16).padStart(4, '0')}`;
  if (!scheme || !offered.some((s) => s.id === schemeId)) fatal('illegal_parameter', `${what} uses signature scheme ${label}, which we did not offer`);
  let key: PublicKey;
  try {
    key = provider.importPublicKey(leafSpki);
  } catch (e) {
    fatal('bad_certificate', `peer certificate key cannot be used: ${(e as Error).message}`);
  }
  if (!schemeFitsKey(scheme, key, version) || !keyFits(key)) fatal('illegal_parameter', `${what} scheme ${label} does not match the certificate's ${key.type} key`);
  let ok: boolean;
  try {
    ok = key.verify(scheme.algorithm, signed, signature);
  } catch (e) {
    if (e instanceof CryptoError) fatal('decrypt_error', `${what} signature cannot be checked: ${e.message}`);
    throw e;
  }
  if (!ok) fatal('decrypt_error', `${what} signature does not verify`);
  return scheme;
}
