/**
 * Certificate path validation with OpenSSL 3.0's verdicts (X509_verify_cert,
 * crypto/x509/x509_vfy.c), because Python's `ssl` reports OpenSSL's first
 * error: the same X509_V_ERR code, at the same depth, must come out of ours.
 *
 * The steps run in OpenSSL's order (verify_chain) and the first failure ends
 * verification, as with the default verify callback Python uses:
 *   1. the leaf's key against the security level (66)
 *   2. chain building (chain.ts: 2, 18, 19, 20, 22)
 *   3. per-certificate extension checks, leaf to root (check_extensions:
 *      34, 79, 94, X509_STRICT extras, 26, 25), then key sizes and signature
 *      digests for the security level (67, 68)
 *   4. host name / IP address (check_id: 62, 64) — before signatures and times
 *   5. CRLs with VERIFY_CRL_CHECK_LEAF / _CHAIN (revocation.ts: 3, 23, 11, 12, 8…)
 *   6. signatures and validity periods, root to leaf (internal_verify: 7, 9,
 *      10, 21, 32)
 *   7. name constraints, root to leaf (name-constraints.ts: 47, 48, 49, 51, 53)
 */
import type { CryptoProvider, PublicKey } from '../crypto/provider.js';
import { parseCertificate, type Certificate } from './certificate.js';
import { EXTRA_OID, publicKeyOf, certFacts, certTimeError, checkCa, kuRejects, likelyIssued, signingAllowed, xkuRejects, type CertFacts } from './cert-facts.js';
import { buildChain, X509_V_FLAG, type CertificateSource } from './chain.js';
import type { Crl } from './crl.js';
import { checkHost, checkIp, parseIpAddress, PYTHON_DEFAULT_HOST_FLAGS, X509_CHECK_FLAG, type HostnameSubject } from './hostname.js';
import { checkNameConstraints, checkNameConstraintsCn } from './name-constraints.js';
import { OID } from './oids.js';
import { checkRevocation, type CrlSource } from './revocation.js';
import { RecentMap, bytesKey } from '../crypto/recent.js';
import { checkAuthLevel, keySecurityBits, minimumSecurityBits } from './security-level.js';
import { X509_V, verifyErrorString } from './verify-codes.js';
import type { VerifiedChainCache } from './verify-cache.js';

export { X509_V_FLAG } from './chain.js';
export type { CertificateSource } from './chain.js';
export type { CrlSource } from './revocation.js';

/** OpenSSL's default X509_VERIFY_PARAM depth. */
export const DEFAULT_MAX_DEPTH = 100;

/** Which end of a TLS connection the certificate must serve (OpenSSL purposes sslserver / sslclient). */
export type VerifyPurpose = 'serverAuth' | 'clientAuth';

export interface VerifyOptions {
  /** The peer's certificates, leaf first, as DER or parsed. DER that does not parse throws X509Error. */
  readonly chain: readonly (Uint8Array | Certificate)[];
  /** Trust anchors (and their CRLs): a TrustStore or anything with the same lookups. */
  readonly store?: (CertificateSource & Partial<CrlSource>) | null;
  /** CRLs besides the store's. */
  readonly crls?: readonly Crl[];
  /** Verification time; default now. `null` switches time checks off (X509_V_FLAG_NO_CHECK_TIME). */
  readonly time?: Date | null;
  /** Default 'serverAuth' (what a client checks); null checks no purpose. */
  readonly purpose?: VerifyPurpose | null;
  /** Python's VerifyFlags / OpenSSL's X509_V_FLAG_* bits. Default VERIFY_X509_TRUSTED_FIRST. */
  readonly flags?: number;
  /** Maximum number of intermediate certificates (OpenSSL's verify depth); default 100. */
  readonly maxDepth?: number;
  /** Host name the leaf must be valid for (already IDNA-encoded). */
  readonly hostname?: string | null;
  /** IP address the leaf must be valid for, as text or bytes. */
  readonly ip?: string | Uint8Array | null;
  /** X509_CHECK_FLAG_* bits; default Python's NO_PARTIAL_WILDCARDS. */
  readonly hostFlags?: number;
  /** Python's `hostname_checks_common_name`; false adds X509_CHECK_FLAG_NEVER_CHECK_SUBJECT. Default true. */
  readonly hostnameChecksCommonName?: boolean;
  /** OpenSSL security level for keys and signature digests (Python contexts use 2); 0 or less checks nothing. Default 0. */
  readonly authLevel?: number;
  readonly provider: CryptoProvider;
  /** Verified chains remembered (per SSL context): a hit re-checks name and validity periods only (verify-cache.ts). */
  readonly cache?: VerifiedChainCache | null;
}

export type VerifyResult =
  | { readonly ok: true; readonly chain: Certificate[] }
  | {
      readonly ok: false;
      /** X509_V_ERR_* code. */
      readonly code: number;
      /** OpenSSL's text for the code (Python substitutes its own for 62 and 64: see pythonVerifyMessage). */
      readonly message: string;
      /** Depth of the certificate the error is about (0 = leaf). */
      readonly depth: number;
      readonly certificate: Certificate | null;
      /** The chain as far as it was built. */
      readonly chain: Certificate[];
    };

class VerifyFailure {
  constructor(
    readonly code: number,
    readonly depth: number,
    readonly certificate: CertFacts | null,
  ) {}
}

const EMPTY_SOURCE: CertificateSource = { certificatesBySubject: () => [] };

/** Seconds precision, as OpenSSL compares times as time_t. */
function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/** Peer certificates parsed lately, by their exact DER. */
const parsedPeers = new RecentMap<Certificate>(64);

/**
 * The peer's DER parsed, or the same parse of the same bytes seen lately: a
 * client meets the same server chain on every connection, and parsing plus
 * the facts derived from the certificate (cached per object) cost as much
 * as verifying it. The cached object owns a copy of the bytes, so it pins
 * no handshake buffer.
 */
function asCertificate(c: Uint8Array | Certificate): Certificate {
  if (!(c instanceof Uint8Array)) return c;
  const id = bytesKey(c);
  let cert = parsedPeers.get(id);
  if (cert === undefined) {
    cert = parseCertificate(Buffer.from(c));
    parsedPeers.set(id, cert);
  }
  return cert;
}

/** Verifies a peer's certificate chain; never throws for a verification failure (only for unparseable DER). */
export function verifyCertificateChain(options: VerifyOptions): VerifyResult {
  if (options.chain.length === 0) throw new TypeError('verifyCertificateChain: the chain must contain the leaf certificate');
  const flags = options.flags ?? X509_V_FLAG.TRUSTED_FIRST;
  const time = options.time === null || (flags & X509_V_FLAG.NO_CHECK_TIME) !== 0 ? null : wholeSeconds(options.time ?? new Date());
  const store = options.store ?? null;
  const authLevel = options.authLevel ?? 0;
  const hostFlags = (options.hostFlags ?? PYTHON_DEFAULT_HOST_FLAGS) | (options.hostnameChecksCommonName === false ? X509_CHECK_FLAG.NEVER_CHECK_SUBJECT : 0);
  const purpose = options.purpose === undefined ? 'serverAuth' : options.purpose;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const cacheKey =
    options.cache && (flags & X509_V_FLAG.CRL_CHECK) === 0 && (options.crls === undefined || options.crls.length === 0)
      ? options.cache.keyFor(options.chain, { store, storeGeneration: (store as { generation?: number } | null)?.generation, flags, purpose, maxDepth, authLevel, hostFlags })
      : null;
  if (cacheKey !== null) {
    const known = options.cache!.get(cacheKey);
    if (known !== undefined && stillValid(known, options.hostname ?? null, options.ip ?? null, hostFlags, time)) return { ok: true, chain: known.map((f) => f.cert) };
  }
  const peer = options.chain.map((c) => certFacts(asCertificate(c)));
  let chain: CertFacts[] = [peer[0] as CertFacts];
  try {
    // x509_verify_x509: a weak leaf key stops verification before anything else.
    if (authLevel > 0 && keySecurityBits(peer[0] as CertFacts) < minimumSecurityBits(authLevel)) {
      throw new VerifyFailure(X509_V.EE_KEY_TOO_SMALL, 0, peer[0] as CertFacts);
    }
    const built = buildChain({
      leaf: peer[0] as CertFacts,
      untrusted: peer.slice(1),
      store: store ?? EMPTY_SOURCE,
      flags,
      maxDepth,
      time,
    });
    chain = built.chain;
    if (built.error !== null) throw new VerifyFailure(built.error.code, built.error.depth, chain[built.error.depth] ?? null);
    checkExtensions(chain, purpose, flags);
    if (authLevel > 0) {
      const weak = checkAuthLevel(chain, authLevel);
      if (weak !== null) throw new VerifyFailure(weak.code, weak.depth, chain[weak.depth] ?? null);
    }
    checkIdentity(chain[0] as CertFacts, options.hostname ?? null, options.ip ?? null, hostFlags);
    if ((flags & X509_V_FLAG.CRL_CHECK) !== 0) {
      const revoked = checkRevocation({
        chain,
        checkAll: (flags & X509_V_FLAG.CRL_CHECK_ALL) !== 0,
        crls: options.crls ?? [],
        store: store !== null && store.crlsByIssuer !== undefined ? (store as CrlSource) : null,
        time,
        ignoreCritical: (flags & X509_V_FLAG.IGNORE_CRITICAL) !== 0,
        provider: options.provider,
      });
      if (revoked !== null) throw new VerifyFailure(revoked.code, revoked.depth, chain[revoked.depth] ?? null);
    }
    internalVerify(chain, flags, time, options.provider);
    checkChainNameConstraints(chain, hostFlags);
    if (cacheKey !== null) options.cache!.remember(cacheKey, chain);
    return { ok: true, chain: chain.map((f) => f.cert) };
  } catch (e) {
    if (!(e instanceof VerifyFailure)) throw e;
    return {
      ok: false,
      code: e.code,
      message: verifyErrorString(e.code),
      depth: e.depth,
      certificate: e.certificate?.cert ?? null,
      chain: chain.map((f) => f.cert),
    };
  }
}

/**
 * A remembered chain still passes what depends on the connection and the
 * clock: the name (check_id) and every certificate's validity period. Any
 * failure here sends the caller to full verification, which reports it
 * with OpenSSL's code and depth.
 */
function stillValid(chain: readonly CertFacts[], hostname: string | null, ip: string | Uint8Array | null, hostFlags: number, time: Date | null): boolean {
  try {
    checkIdentity(chain[0] as CertFacts, hostname, ip, hostFlags);
  } catch (e) {
    if (e instanceof VerifyFailure) return false;
    throw e;
  }
  return time === null || chain.every((f) => certTimeError(f.cert, time) === X509_V.OK);
}

// ─────────────────────────── check_extensions ───────────────────────────

/** check_purpose_ssl_server / _client (v3_purp.c). `requireCa` for every certificate above the leaf. */
function purposeAllows(f: CertFacts, purpose: VerifyPurpose, requireCa: boolean): boolean {
  if (purpose === 'serverAuth') {
    if (xkuRejects(f, OID.serverAuth, EXTRA_OID.nsSGC, EXTRA_OID.msSGC)) return false;
    if (requireCa) return checkCa(f) !== 0;
    return !kuRejects(f, 'digitalSignature', 'keyEncipherment', 'keyAgreement');
  }
  if (xkuRejects(f, OID.clientAuth)) return false;
  if (requireCa) return checkCa(f) !== 0;
  return !kuRejects(f, 'digitalSignature', 'keyAgreement');
}

/** X509_STRICT's RFC 5280 profile checks for one certificate of a chain longer than one (3.0's check_extensions). */
function strictError(x: CertFacts, i: number, num: number): number {
  const cert = x.cert;
  if (x.pathLen !== -1) {
    if (!x.ca) return X509_V.PATHLEN_INVALID_FOR_NON_CA;
    if (x.keyUsage === null || !x.keyUsage.has('keyCertSign')) return X509_V.PATHLEN_WITHOUT_KU_KEY_CERT_SIGN;
  }
  if (x.ca && x.bcons && !x.bconsCritical) return X509_V.CA_BCONS_NOT_CRITICAL;
  if (x.ca) {
    if (x.keyUsage === null) return X509_V.CA_CERT_MISSING_KEY_USAGE;
  } else if (x.keyUsage !== null && x.keyUsage.has('keyCertSign')) {
    return X509_V.KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA;
  }
  if (cert.issuer.isEmpty) return X509_V.ISSUER_NAME_EMPTY;
  if ((x.ca || (x.keyUsage !== null && x.keyUsage.has('cRLSign')) || x.subjectAltName === null) && cert.subject.isEmpty) return X509_V.SUBJECT_NAME_EMPTY;
  if (cert.subject.isEmpty && x.subjectAltName !== null && !x.sanCritical) return X509_V.EMPTY_SUBJECT_SAN_NOT_CRITICAL;
  if (x.subjectAltName !== null && x.subjectAltName.length === 0) return X509_V.EMPTY_SUBJECT_ALT_NAME;
  if (!cert.signatureAlgorithm.raw.equals(cert.tbsSignatureAlgorithm.raw)) return X509_V.SIGNATURE_ALGORITHM_INCONSISTENCY;
  if (x.akid !== null && x.akidCritical) return X509_V.AUTHORITY_KEY_IDENTIFIER_CRITICAL;
  if (x.skid !== null && x.skidCritical) return X509_V.SUBJECT_KEY_IDENTIFIER_CRITICAL;
  if (cert.version >= 3) {
    // OpenSSL 3.0 wants the keyIdentifier field itself (RFC 5280 §4.2.1.1 "MUST be included"), not just the extension.
    if (i + 1 < num && (x.akid === null || x.akid.keyIdentifier === null) && !x.selfSigned) return X509_V.MISSING_AUTHORITY_KEY_IDENTIFIER;
    if (x.ca && x.skid === null) return X509_V.MISSING_SUBJECT_KEY_IDENTIFIER;
  } else if (cert.extensions.list.length > 0) {
    return X509_V.EXTENSIONS_REQUIRE_VERSION_3;
  }
  return X509_V.OK;
}

function checkExtensions(chain: readonly CertFacts[], purpose: VerifyPurpose | null, flags: number): void {
  const strict = (flags & X509_V_FLAG.X509_STRICT) !== 0;
  const num = chain.length;
  let plen = 0;
  for (let i = 0; i < num; i++) {
    const x = chain[i] as CertFacts;
    const fail = (code: number): never => {
      throw new VerifyFailure(code, i, x);
    };
    if ((flags & X509_V_FLAG.IGNORE_CRITICAL) === 0 && x.unhandledCritical) fail(X509_V.UNHANDLED_CRITICAL_EXTENSION);
    const ca = checkCa(x);
    if (i === 0) {
      // The leaf may be a CA or not (self-signed leaves are CAs); strict mode only rejects "maybe" CAs.
      if (strict && ca !== 1 && ca !== 0) fail(X509_V.INVALID_CA);
    } else if (ca === 0 || ((i + 1 < num || strict) && ca !== 1)) {
      // Intermediates must be real CAs (basicConstraints cA); the anchor may be a v1 root unless strict.
      fail(X509_V.INVALID_CA);
    }
    if (num > 1 && x.cert.subjectPublicKeyInfo.keyType === 'ec' && x.cert.subjectPublicKeyInfo.curveOid === null) fail(X509_V.EC_KEY_EXPLICIT_PARAMS);
    if (strict && num > 1) {
      const code = strictError(x, i, num);
      if (code !== X509_V.OK) fail(code);
    }
    if (purpose !== null) {
      // Our stores hold no auxiliary trust settings, so the purpose decides for trusted certificates too.
      const allowed = x.invalid ? !strict : purposeAllows(x, purpose, i > 0);
      if (!allowed) fail(X509_V.INVALID_PURPOSE);
    }
    // RFC 5280 §4.2.1.9 / §6.1.4 (l)-(m): pathLenConstraint bounds the non-self-issued
    // intermediates below this CA; OpenSSL 3.0 checks it even on a self-issued CA.
    if (i > 1 && x.pathLen !== -1 && plen > x.pathLen) fail(X509_V.PATH_LENGTH_EXCEEDED);
    if (i > 0 && !x.selfIssued) plen++;
  }
}

// ─────────────────────────── check_id ───────────────────────────

export function hostnameSubject(cert: Certificate): HostnameSubject {
  const f = certFacts(cert);
  return {
    altNames:
      f.subjectAltName === null
        ? null
        : f.subjectAltName.map((g) => (g.type === 'dNSName' ? { type: 'dns' as const, value: g.value } : g.type === 'iPAddress' ? { type: 'ip' as const, value: g.bytes } : { type: 'other' as const })),
    commonNames: cert.subject.commonNames,
  };
}

function checkIdentity(leaf: CertFacts, hostname: string | null, ip: string | Uint8Array | null, hostFlags: number): void {
  if (hostname !== null && !checkHost(hostnameSubject(leaf.cert), hostname, hostFlags)) throw new VerifyFailure(X509_V.HOSTNAME_MISMATCH, 0, leaf);
  if (ip !== null) {
    const bytes = typeof ip === 'string' ? parseIpAddress(ip) : ip;
    if (bytes === null) throw new TypeError(`verifyCertificateChain: ${JSON.stringify(ip)} is not an IP address`);
    if (!checkIp(hostnameSubject(leaf.cert), bytes)) throw new VerifyFailure(X509_V.IP_ADDRESS_MISMATCH, 0, leaf);
  }
}

// ─────────────────────────── internal_verify ───────────────────────────

/** Per issuer key: certificates (by exact DER) it was seen to sign. */
const verifiedBy = new WeakMap<PublicKey, RecentMap<true>>();
const VERIFIED_PER_ISSUER = 256;

/**
 * X509_verify(subject, issuer key). A signature that verified once is
 * remembered (per issuer key object, by the subject's exact DER, bounded):
 * it is a fact about those bytes, and a client meets the same server chain
 * on every connection. Only successes are kept; everything else in the
 * chain (validity, purpose, names, revocation) is checked every time.
 */
function signatureValid(subject: Certificate, issuer: Certificate, provider: CryptoProvider): boolean | 'no_key' {
  const key = publicKeyOf(issuer, provider);
  if (key === null) return 'no_key';
  const alg = subject.signatureAlgorithm.algorithm;
  // X509_verify refuses a certificate whose two signature AlgorithmIdentifiers differ.
  if (alg === null || !subject.signatureAlgorithm.raw.equals(subject.tbsSignatureAlgorithm.raw)) return false;
  let seen = verifiedBy.get(key);
  const id = bytesKey(subject.raw);
  if (seen?.get(id) === true) return true;
  let ok: boolean;
  try {
    ok = key.verify(alg, subject.tbsRaw, subject.signatureValue);
  } catch {
    return false;
  }
  if (ok) {
    if (seen === undefined) verifiedBy.set(key, (seen = new RecentMap(VERIFIED_PER_ISSUER)));
    seen.set(id, true);
  }
  return ok;
}

function internalVerify(chain: readonly CertFacts[], flags: number, time: Date | null, provider: CryptoProvider): void {
  let n = chain.length - 1;
  let xi = chain[n] as CertFacts;
  let xs = xi;
  let checkSignature = true;
  if (likelyIssued(xi, xi) !== X509_V.OK) {
    if ((flags & X509_V_FLAG.PARTIAL_CHAIN) !== 0 || n === 0) {
      // A partial-chain anchor is trusted as it is; a lone leaf that is not self-issued cannot be checked.
      if ((flags & X509_V_FLAG.PARTIAL_CHAIN) === 0) throw new VerifyFailure(X509_V.UNABLE_TO_VERIFY_LEAF_SIGNATURE, 0, xi);
      checkSignature = false;
    } else {
      n--;
      xs = chain[n] as CertFacts;
    }
  }
  for (;;) {
    if (checkSignature && (xs !== xi || ((flags & X509_V_FLAG.CHECK_SS_SIGNATURE) !== 0 && xi.selfSigned))) {
      const issuerDepth = n + (xs === xi ? 0 : 1);
      const allowed = xs === xi && !xi.ca ? X509_V.OK : signingAllowed(xi);
      if (allowed !== X509_V.OK) throw new VerifyFailure(allowed, issuerDepth, xi);
      const valid = signatureValid(xs.cert, xi.cert, provider);
      if (valid === 'no_key') throw new VerifyFailure(X509_V.UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, issuerDepth, xi);
      if (!valid) throw new VerifyFailure(X509_V.CERT_SIGNATURE_FAILURE, n, xs);
    }
    checkSignature = true;
    if (time !== null) {
      const t = certTimeError(xs.cert, time);
      if (t !== X509_V.OK) throw new VerifyFailure(t, n, xs);
    }
    if (--n < 0) break;
    xi = xs;
    xs = chain[n] as CertFacts;
  }
}

// ─────────────────────────── check_name_constraints ───────────────────────────

function checkChainNameConstraints(chain: readonly CertFacts[], hostFlags: number): void {
  for (let i = chain.length - 1; i >= 0; i--) {
    const x = chain[i] as CertFacts;
    // Self-issued intermediates are exempt (RFC 5280 §6.1.3 (b)); the leaf never is.
    if (i !== 0 && x.selfIssued) continue;
    for (let j = chain.length - 1; j > i; j--) {
      const nc = (chain[j] as CertFacts).nameConstraints;
      if (nc === null) continue;
      let rv = checkNameConstraints(x, nc);
      const hasDnsSan = (x.subjectAltName ?? []).some((g) => g.type === 'dNSName');
      if (
        rv === X509_V.OK &&
        i === 0 &&
        (hostFlags & X509_CHECK_FLAG.NEVER_CHECK_SUBJECT) === 0 &&
        ((hostFlags & X509_CHECK_FLAG.ALWAYS_CHECK_SUBJECT) !== 0 || !hasDnsSan)
      ) {
        rv = checkNameConstraintsCn(x, nc);
      }
      if (rv !== X509_V.OK) throw new VerifyFailure(rv, i, x);
    }
  }
}
