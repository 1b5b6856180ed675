/**
 * Chain building as OpenSSL 3.0 does it (crypto/x509/x509_vfy.c, build_chain),
 * so that the chain we validate — and the first error we report — is the one
 * OpenSSL (and therefore Python) would find:
 *
 * - trusted-first (VERIFY_X509_TRUSTED_FIRST, Python's default): at every step
 *   the trust store is asked for an issuer before the peer's certificates;
 * - issuer candidates match by canonical name, authority key identifier and
 *   key type; among several, the first valid at the verification time wins,
 *   else the one expiring last (so an expired cross-signature or renewed root
 *   is passed over);
 * - peer certificates may come in any order and include superfluous ones;
 *   each is used at most once, which also ends loops;
 * - without trusted-first, an "alternative chain" retry replaces untrusted
 *   issuers by trusted ones from the top down, as OpenSSL does;
 * - a trusted certificate ends the chain when it is self-signed, or at once
 *   with VERIFY_X509_PARTIAL_CHAIN;
 * - the chain may hold at most maxDepth + 1 certificates beyond the leaf
 *   (X509_V_ERR_CERT_CHAIN_TOO_LONG).
 */
import type { Certificate } from './certificate.js';
import { certFacts, certTimeError, likelyIssued, type CertFacts } from './cert-facts.js';
import type { Name } from './name.js';
import { X509_V } from './verify-codes.js';

/** OpenSSL's X509_V_FLAG_* bits (Python's VerifyFlags use the same values). */
export const X509_V_FLAG = {
  CRL_CHECK: 0x4,
  CRL_CHECK_ALL: 0x8,
  IGNORE_CRITICAL: 0x10,
  X509_STRICT: 0x20,
  ALLOW_PROXY_CERTS: 0x40,
  CHECK_SS_SIGNATURE: 0x4000,
  TRUSTED_FIRST: 0x8000,
  PARTIAL_CHAIN: 0x80000,
  NO_ALT_CHAINS: 0x100000,
  NO_CHECK_TIME: 0x200000,
} as const;

/** Where trusted certificates (and CRLs) come from: a TrustStore, or any lookup by subject. */
export interface CertificateSource {
  /** Trusted certificates whose subject equals `name` (canonically), in load order. */
  certificatesBySubject(name: Name): readonly Certificate[];
}

export interface BuildInput {
  readonly leaf: CertFacts;
  /** The peer's other certificates, in the order received. */
  readonly untrusted: readonly CertFacts[];
  readonly store: CertificateSource;
  readonly flags: number;
  readonly maxDepth: number;
  /** Verification time, or null when time checks are off. */
  readonly time: Date | null;
}

export interface BuildResult {
  /** Leaf first; the certificates at index >= numUntrusted came from the trust store. */
  readonly chain: CertFacts[];
  readonly numUntrusted: number;
  /** Null when a trusted chain was built; otherwise the code and depth to report. */
  readonly error: { readonly code: number; readonly depth: number } | null;
}

const enum Trust {
  Trusted,
  Untrusted,
}

function timeOk(f: CertFacts, time: Date | null): boolean {
  return time === null || certTimeError(f.cert, time) === X509_V.OK;
}

/**
 * Among candidates that issued `subject`, the first valid at `time`, else the
 * one with the latest notAfter (find_issuer / X509_STORE_CTX_get1_issuer).
 */
function bestIssuer(candidates: readonly CertFacts[], subject: CertFacts, time: Date | null, skip: (c: CertFacts) => boolean): CertFacts | null {
  let fallback: CertFacts | null = null;
  for (const c of candidates) {
    if (skip(c) || likelyIssued(c, subject) !== X509_V.OK) continue;
    if (timeOk(c, time)) return c;
    if (fallback === null || c.cert.notAfter.getTime() > fallback.cert.notAfter.getTime()) fallback = c;
  }
  return fallback;
}

function sameCertificate(a: CertFacts, b: CertFacts): boolean {
  return a === b || a.cert.raw.equals(b.cert.raw);
}

export function buildChain(input: BuildInput): BuildResult {
  const { store, flags, time } = input;
  const partialChain = (flags & X509_V_FLAG.PARTIAL_CHAIN) !== 0;
  const chain: CertFacts[] = [input.leaf];
  let numUntrusted = 1;
  const pool = [...input.untrusted];
  const maxDepth = input.maxDepth + 1;

  const trustedIssuer = (subject: CertFacts): CertFacts | null =>
    bestIssuer(
      store.certificatesBySubject(subject.cert.issuer).map(certFacts),
      subject,
      time,
      () => false,
    );

  /** check_trust: is anything from index `from` on a trust anchor? */
  const checkTrust = (from: number): Trust => {
    for (let i = from; i < chain.length; i++) {
      // X509_check_trust without auxiliary trust settings: a trusted self-signed certificate is an anchor.
      const f = chain[i] as CertFacts;
      if (f.selfSigned && !f.invalid) return Trust.Trusted;
    }
    if (from < chain.length) return partialChain ? Trust.Trusted : Trust.Untrusted;
    if (from === chain.length && partialChain) {
      // Last resort: the leaf itself is in the store.
      const leaf = chain[0] as CertFacts;
      const match = store.certificatesBySubject(leaf.cert.subject).find((c) => c.raw.equals(leaf.cert.raw));
      if (match !== undefined) {
        chain[0] = certFacts(match);
        numUntrusted = 0;
        return Trust.Trusted;
      }
    }
    return Trust.Untrusted;
  };

  const S_UNTRUSTED = 1;
  const S_TRUSTED = 2;
  const S_ALTERNATE = 4;
  let search = pool.length > 0 ? S_UNTRUSTED : 0;
  let mayAlternate = false;
  if (search === 0 || (flags & X509_V_FLAG.TRUSTED_FIRST) !== 0) search |= S_TRUSTED;
  else if ((flags & X509_V_FLAG.NO_ALT_CHAINS) === 0) mayAlternate = true;
  let altUntrusted = 0;
  let trust = Trust.Untrusted;

  while (search !== 0) {
    let num = chain.length;
    if ((search & S_TRUSTED) !== 0) {
      let i = num;
      if ((search & S_ALTERNATE) !== 0) i = altUntrusted;
      const curr = chain[i - 1] as CertFacts;
      let issuer = num > maxDepth ? null : trustedIssuer(curr);
      if (issuer !== null) {
        let ok = true;
        const selfSigned = curr.selfSigned;
        if ((search & S_ALTERNATE) !== 0) {
          // An alternative trusted issuer mid-chain: drop what was above it and retry from there.
          search &= ~S_ALTERNATE;
          chain.length = i;
          num = i;
          numUntrusted = num;
        }
        if (!selfSigned) {
          chain.push(issuer);
        } else if (!sameCertificate(curr, issuer)) {
          // A self-signed peer certificate that merely mimics a trusted one.
          issuer = null;
          ok = false;
        } else {
          // The peer sent a trust anchor itself: use the store's copy.
          num -= 1;
          numUntrusted = num;
          chain[num] = issuer;
        }
        if (ok) {
          search &= ~S_UNTRUSTED;
          trust = checkTrust(num);
          if (trust !== Trust.Untrusted) break;
          if (!selfSigned) continue;
        }
      }
      if ((search & S_UNTRUSTED) === 0) {
        if ((search & S_ALTERNATE) !== 0 && --altUntrusted > 0) continue;
        if (!mayAlternate || (search & S_ALTERNATE) !== 0 || numUntrusted < 2) break;
        search |= S_ALTERNATE;
        altUntrusted = numUntrusted - 1;
      }
    }
    if ((search & S_UNTRUSTED) !== 0) {
      num = chain.length;
      const curr = chain[num - 1] as CertFacts;
      const issuer =
        curr.selfSigned || num > maxDepth
          ? null
          : bestIssuer(pool, curr, time, (c) => !(curr.selfIssued && chain.length === 1) && chain.some((x) => sameCertificate(x, c)));
      if (issuer === null) {
        search &= ~S_UNTRUSTED;
        search |= S_TRUSTED;
        continue;
      }
      pool.splice(pool.indexOf(issuer), 1);
      chain.push(issuer);
      numUntrusted += 1;
    }
  }

  const num = chain.length;
  if (num <= maxDepth && trust === Trust.Untrusted && num === numUntrusted) trust = checkTrust(num);
  if (trust === Trust.Trusted) return { chain, numUntrusted, error: null };

  const top = chain[chain.length - 1] as CertFacts;
  const depth = chain.length - 1;
  let code: number;
  if (chain.length > maxDepth) code = X509_V.CERT_CHAIN_TOO_LONG;
  else if (top.selfSigned) code = chain.length === 1 ? X509_V.DEPTH_ZERO_SELF_SIGNED_CERT : X509_V.SELF_SIGNED_CERT_IN_CHAIN;
  else code = numUntrusted < chain.length ? X509_V.UNABLE_TO_GET_ISSUER_CERT : X509_V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
  return { chain, numUntrusted, error: { code, depth } };
}
