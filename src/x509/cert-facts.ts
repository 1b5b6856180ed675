/**
 * What path validation needs to know about one certificate, computed once:
 * the equivalent of OpenSSL's cached extension flags (ossl_x509v3_cache_extensions
 * in crypto/x509/v3_purp.c) plus the small predicates built on them
 * (X509_check_akid, ossl_x509_likely_issued, check_ca, ossl_x509_signing_allowed,
 * certificate time checks). Kept apart from the certificate model so the
 * model stays a faithful parse and these stay OpenSSL's interpretation.
 */
import type { CryptoProvider, KeyType, PublicKey } from '../crypto/provider.js';
import type { Certificate } from './certificate.js';
import type { AuthorityKeyIdentifier, KeyUsage, NameConstraints } from './extensions.js';
import { X509Error } from './errors.js';
import type { GeneralName } from './general-name.js';
import { namesEqual } from './name-canon.js';
import { OID } from './oids.js';
import { X509_V } from './verify-codes.js';

/** Extension OIDs OpenSSL knows that our OID registry does not name. */
export const EXTRA_OID = {
  netscapeCertType: '2.16.840.1.113730.1.1',
  sbgpIpAddrBlock: '1.3.6.1.5.5.7.1.7',
  sbgpAutonomousSysNum: '1.3.6.1.5.5.7.1.8',
  proxyCertInfo: '1.3.6.1.5.5.7.1.14',
  nsSGC: '2.16.840.1.113730.4.1',
  msSGC: '1.3.6.1.4.1.311.10.3.3',
} as const;

/**
 * X509_supported_extension (v3_purp.c): a critical extension outside this list
 * makes the certificate fail with "unhandled critical extension".
 */
const SUPPORTED_CRITICAL: ReadonlySet<string> = new Set([
  EXTRA_OID.netscapeCertType,
  OID.keyUsage,
  OID.subjectAltName,
  OID.basicConstraints,
  OID.certificatePolicies,
  OID.cRLDistributionPoints,
  OID.extKeyUsage,
  EXTRA_OID.sbgpIpAddrBlock,
  EXTRA_OID.sbgpAutonomousSysNum,
  OID.ocspNoCheck,
  OID.policyConstraints,
  EXTRA_OID.proxyCertInfo,
  OID.nameConstraints,
  OID.policyMappings,
  OID.inhibitAnyPolicy,
]);

export interface CertFacts {
  readonly cert: Certificate;
  /** A known extension failed to decode (OpenSSL's EXFLAG_INVALID). */
  readonly invalid: boolean;
  /** basicConstraints present / cA / pathLenConstraint (-1 when absent) / marked critical. */
  readonly bcons: boolean;
  readonly ca: boolean;
  readonly pathLen: number;
  readonly bconsCritical: boolean;
  readonly keyUsage: KeyUsage | null;
  readonly extKeyUsage: readonly string[] | null;
  readonly subjectAltName: readonly GeneralName[] | null;
  readonly nameConstraints: NameConstraints | null;
  readonly akid: AuthorityKeyIdentifier | null;
  readonly skid: Buffer | null;
  readonly akidCritical: boolean;
  readonly skidCritical: boolean;
  readonly sanCritical: boolean;
  /** Some critical extension is not one OpenSSL handles (EXFLAG_CRITICAL). */
  readonly unhandledCritical: boolean;
  /** Subject equals issuer (EXFLAG_SI). */
  readonly selfIssued: boolean;
  /** Self-issued, AKID consistent with itself and signature algorithm fits its own key (EXFLAG_SS; the signature itself is not checked). */
  readonly selfSigned: boolean;
}

const factsCache = new WeakMap<Certificate, CertFacts>();

function attempt<T>(read: () => T): { value: T | null; ok: boolean } {
  try {
    return { value: read(), ok: true };
  } catch (e) {
    if (e instanceof X509Error) return { value: null, ok: false };
    throw e;
  }
}

export function certFacts(cert: Certificate): CertFacts {
  const hit = factsCache.get(cert);
  if (hit !== undefined) return hit;
  const ext = cert.extensions;
  const bc = attempt(() => ext.basicConstraints);
  const ku = attempt(() => ext.keyUsage);
  const eku = attempt(() => ext.extKeyUsage);
  const san = attempt(() => ext.subjectAltName);
  const nc = attempt(() => ext.nameConstraints);
  const akid = attempt(() => ext.authorityKeyIdentifier);
  const skid = attempt(() => ext.subjectKeyIdentifier);
  const crldp = attempt(() => ext.crlDistributionPoints);
  // A negative pathLenConstraint is invalid (v3_purp.c: X509V3_R_NEGATIVE_PATHLEN).
  const negativePathLen = bc.value !== null && bc.value.pathLen !== null && bc.value.pathLen < 0;
  // v3_purp.c setup_dp: a DistributionPoint with neither a name nor a cRLIssuer is X509_R_INVALID_DISTPOINT.
  const emptyDistPoint = (crldp.value ?? []).some((dp) => dp.fullName === null && dp.nameRelativeToCrlIssuer === null && (dp.crlIssuer === null || dp.crlIssuer.length === 0));
  const invalid = !bc.ok || !ku.ok || !eku.ok || !san.ok || !nc.ok || !akid.ok || !skid.ok || !crldp.ok || negativePathLen || emptyDistPoint;
  const critical = (oid: string): boolean => ext.get(oid)?.critical === true;
  // OpenSSL stops at the first unsupported critical extension; flags of critical ones before it are set.
  let unhandledCritical = false;
  for (const e of ext.list) {
    if (e.critical && !SUPPORTED_CRITICAL.has(e.oid)) {
      unhandledCritical = true;
      break;
    }
  }
  const selfIssued = namesEqual(cert.subject, cert.issuer);
  const partial = {
    cert,
    invalid,
    bcons: bc.value !== null,
    ca: bc.value?.ca === true,
    pathLen: bc.value?.pathLen ?? -1,
    bconsCritical: critical(OID.basicConstraints),
    keyUsage: ku.value,
    extKeyUsage: eku.value,
    subjectAltName: san.value,
    nameConstraints: nc.value,
    akid: akid.value,
    skid: skid.value,
    akidCritical: critical(OID.authorityKeyIdentifier),
    skidCritical: critical(OID.subjectKeyIdentifier),
    sanCritical: critical(OID.subjectAltName),
    unhandledCritical,
    selfIssued,
    selfSigned: false,
  };
  const facts: CertFacts = {
    ...partial,
    selfSigned: selfIssued && checkAkid(partial, akid.value) === X509_V.OK && sigAlgMatchesKey(cert, cert) === X509_V.OK,
  };
  factsCache.set(cert, facts);
  return facts;
}

/** X509_check_akid: does `issuer` fit the authority key identifier of a certificate it may have issued? */
export function checkAkid(issuer: Pick<CertFacts, 'cert' | 'skid'>, akid: AuthorityKeyIdentifier | null): number {
  if (akid === null) return X509_V.OK;
  if (akid.keyIdentifier !== null && issuer.skid !== null && !akid.keyIdentifier.equals(issuer.skid)) return X509_V.AKID_SKID_MISMATCH;
  if (akid.authorityCertSerialNumber !== null && akid.authorityCertSerialNumber !== issuer.cert.serialNumber) return X509_V.AKID_ISSUER_SERIAL_MISMATCH;
  if (akid.authorityCertIssuer !== null) {
    // Only the first directoryName counts (OpenSSL takes "any notice of the first").
    const dir = akid.authorityCertIssuer.find((g) => g.type === 'directoryName');
    if (dir !== undefined && dir.type === 'directoryName' && !namesEqual(dir.name, issuer.cert.issuer)) return X509_V.AKID_ISSUER_SERIAL_MISMATCH;
  }
  return X509_V.OK;
}

/** Key types a signature algorithm can come from (check_sig_alg_match: RSA keys also make RSASSA-PSS signatures). */
function keyTypesFor(kind: string): readonly KeyType[] {
  switch (kind) {
    case 'ecdsa':
      return ['ec'];
    case 'rsa-pkcs1':
      return ['rsa'];
    case 'rsa-pss':
      return ['rsa', 'rsa-pss'];
    case 'ed25519':
      return ['ed25519'];
    default:
      return [];
  }
}

/**
 * Signature algorithms the provider cannot verify but OpenSSL still pairs
 * with a key type (OBJ_find_sigid_algs): a certificate signed with one can
 * still be self-signed, a CA, or an issuer during chain building; only its
 * signature check fails.
 */
const LEGACY_SIGNATURE_KEY_TYPES: ReadonlyMap<string, readonly KeyType[]> = new Map([
  ['1.2.840.113549.1.1.2', ['rsa']], // md2WithRSAEncryption
  ['1.2.840.113549.1.1.4', ['rsa']], // md5WithRSAEncryption
  ['1.2.840.113549.1.1.14', ['rsa']], // sha224WithRSAEncryption
  ['1.2.840.10045.4.3.1', ['ec']], // ecdsa-with-SHA224
]);

/** check_sig_alg_match: the subject's (TBS) signature algorithm is one the issuer's key type makes. */
export function sigAlgMatchesKey(issuer: Certificate, subject: Certificate): number {
  const keyType = issuer.subjectPublicKeyInfo.keyType;
  if (keyType === null) return X509_V.NO_ISSUER_PUBLIC_KEY;
  const alg = subject.tbsSignatureAlgorithm.algorithm;
  const types = alg !== null ? keyTypesFor(alg.kind) : LEGACY_SIGNATURE_KEY_TYPES.get(subject.tbsSignatureAlgorithm.oid);
  if (types === undefined) return X509_V.UNSUPPORTED_SIGNATURE_ALGORITHM;
  return types.includes(keyType) ? X509_V.OK : X509_V.SIGNATURE_ALGORITHM_MISMATCH;
}

/** ossl_x509_likely_issued: name chaining, AKID and key type, without the signature. */
export function likelyIssued(issuer: CertFacts, subject: CertFacts): number {
  if (!namesEqual(issuer.cert.subject, subject.cert.issuer)) return X509_V.SUBJECT_ISSUER_MISMATCH;
  if (issuer.invalid || subject.invalid) return X509_V.UNSPECIFIED;
  const akid = checkAkid(issuer, subject.akid);
  if (akid !== X509_V.OK) return akid;
  return sigAlgMatchesKey(issuer.cert, subject.cert);
}

/** ku_reject: keyUsage present and none of the wanted bits asserted. */
export function kuRejects(f: CertFacts, ...bits: Parameters<KeyUsage['has']>[0][]): boolean {
  return f.keyUsage !== null && !bits.some((b) => f.keyUsage!.has(b));
}

/** xku_reject: extKeyUsage present and none of the wanted purposes listed. */
export function xkuRejects(f: CertFacts, ...oids: string[]): boolean {
  return f.extKeyUsage !== null && !oids.some((o) => f.extKeyUsage!.includes(o));
}

/**
 * X509_check_ca's internal check_ca: 0 not a CA; 1 basicConstraints cA; 3 a
 * self-signed v1 certificate; 4 keyUsage (with keyCertSign) but no basicConstraints.
 * (5, Netscape CA types, is not supported.)
 */
export function checkCa(f: CertFacts): 0 | 1 | 3 | 4 {
  if (kuRejects(f, 'keyCertSign')) return 0;
  if (f.bcons) return f.ca ? 1 : 0;
  if (f.cert.version === 1 && f.selfSigned) return 3;
  if (f.keyUsage !== null) return 4;
  return 0;
}

/** ossl_x509_signing_allowed: the issuer's keyUsage, when present, must allow certificate signing. */
export function signingAllowed(issuer: CertFacts): number {
  return kuRejects(issuer, 'keyCertSign') ? X509_V.KEYUSAGE_NO_CERTSIGN : X509_V.OK;
}

/**
 * X509_cmp_time as ossl_x509_check_cert_time uses it: an RFC 5280 time must be
 * exactly YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ (else a "format error" code); a
 * certificate is not yet valid when notBefore > t and expired when
 * notAfter <= t (OpenSSL maps "equal" to "before").
 */
export function certTimeError(cert: Certificate, t: Date): number {
  if (cert.notBeforeTime.fraction !== '') return X509_V.ERROR_IN_CERT_NOT_BEFORE_FIELD;
  if (cert.notBefore.getTime() > t.getTime()) return X509_V.CERT_NOT_YET_VALID;
  if (cert.notAfterTime.fraction !== '') return X509_V.ERROR_IN_CERT_NOT_AFTER_FIELD;
  if (cert.notAfter.getTime() <= t.getTime()) return X509_V.CERT_HAS_EXPIRED;
  return X509_V.OK;
}

const keyCache = new WeakMap<Certificate, { readonly provider: CryptoProvider; readonly key: PublicKey | null }>();

/**
 * The certificate's public key imported through `provider`, or null when the
 * provider cannot use it. Cached per certificate: store certificates are
 * imported once, not on every verification.
 */
export function publicKeyOf(cert: Certificate, provider: CryptoProvider): PublicKey | null {
  const hit = keyCache.get(cert);
  if (hit !== undefined && hit.provider === provider) return hit.key;
  let key: PublicKey | null;
  try {
    key = provider.importPublicKey(cert.subjectPublicKeyInfo.raw);
  } catch {
    key = null;
  }
  keyCache.set(cert, { provider, key });
  return key;
}
