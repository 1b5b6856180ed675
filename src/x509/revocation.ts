/**
 * CRL checking as OpenSSL 3.0 does it for VERIFY_CRL_CHECK_LEAF /
 * VERIFY_CRL_CHECK_CHAIN (x509_vfy.c: check_revocation, check_cert,
 * get_crl_sk / get_crl_score, check_crl, cert_crl), without the "extended CRL
 * support" OpenSSL also leaves off by default: no indirect CRLs, no delta
 * CRLs, no partitioning by reason.
 *
 * For each certificate to check, the best-scoring CRL is chosen among the
 * caller's CRLs and the store's (issuer name, issuer certificate on the path
 * via AKID, validity time, scope, no unhandled critical extension); none at
 * all is "unable to get certificate CRL" (3). The chosen CRL is then checked
 * (cRLSign, scope, times 11/12, signature 8) and searched for the serial (23).
 */
import type { CryptoProvider } from '../crypto/provider.js';
import { checkAkid, kuRejects, likelyIssued, publicKeyOf, type CertFacts } from './cert-facts.js';
import type { Crl } from './crl.js';
import { DerReader } from './der-reader.js';
import { TagClass, CONSTRUCTED } from './der-tags.js';
import { X509Error } from './errors.js';
import type { AuthorityKeyIdentifier, DistributionPoint } from './extensions.js';
import { parseGeneralName as parseGeneralNameFrom, type GeneralName } from './general-name.js';
import { namesEqual } from './name-canon.js';
import type { Name } from './name.js';
import { OID } from './oids.js';
import { X509_V } from './verify-codes.js';

/** Where CRLs come from besides the caller's list. */
export interface CrlSource {
  /** CRLs whose issuer equals `name`, in load order. */
  crlsByIssuer(name: Name): readonly Crl[];
}

// get_crl_score bits (x509_vfy.c).
const CRL_SCORE_NOCRITICAL = 0x100;
const CRL_SCORE_SCOPE = 0x080;
const CRL_SCORE_TIME = 0x040;
const CRL_SCORE_ISSUER_NAME = 0x020;
const CRL_SCORE_ISSUER_CERT = 0x018;
const CRL_SCORE_SAME_PATH = 0x008;
const CRL_SCORE_AKID = 0x004;

/** RFC 5280 §5.3.1: removeFromCRL (only meaningful in delta CRLs). */
const REASON_REMOVE_FROM_CRL = 8;

/** CRL extensions OpenSSL handles when critical (crl_cb in x_crl.c). */
const HANDLED_CRITICAL_CRL_EXTENSIONS: ReadonlySet<string> = new Set([OID.issuingDistributionPoint, OID.authorityKeyIdentifier, OID.deltaCRLIndicator]);

interface Idp {
  readonly distributionPoint: readonly GeneralName[] | null | 'relative';
  readonly onlyUser: boolean;
  readonly onlyCA: boolean;
  readonly onlyAttr: boolean;
  readonly someReasons: boolean;
  readonly indirect: boolean;
}

const ctx = (n: number, constructed: boolean): number => TagClass.CONTEXT | (constructed ? CONSTRUCTED : 0) | n;

/** RFC 5280 §5.2.5 IssuingDistributionPoint; 'invalid' when it does not decode or sets more than one "only" flag. */
function readIdp(crl: Crl): Idp | null | 'invalid' {
  const ext = crl.extensions.get(OID.issuingDistributionPoint);
  if (ext === null) return null;
  try {
    const top = DerReader.over(ext.value, ext.path, ext.valueOffset);
    const s = top.sequence('');
    top.finish();
    let distributionPoint: Idp['distributionPoint'] = null;
    const dp = s.optional(ctx(0, true), 'distributionPoint');
    if (dp !== null) {
      const r = DerReader.of(dp);
      const name = r.read('');
      r.finish();
      if (name.id === ctx(0, true)) {
        const names = DerReader.of(name);
        const list: GeneralName[] = [];
        for (let i = 0; !names.done; i++) list.push(parseGeneralNameFrom(names.read(`[${i}]`)));
        distributionPoint = list;
      } else {
        distributionPoint = 'relative';
      }
    }
    const flag = (n: number, field: string): boolean => {
      const el = s.optional(ctx(n, false), field);
      return el !== null && el.contents.length === 1 && el.contents[0] !== 0;
    };
    const onlyUser = flag(1, 'onlyContainsUserCerts');
    const onlyCA = flag(2, 'onlyContainsCACerts');
    const someReasons = s.optional(ctx(3, false), 'onlySomeReasons') !== null;
    const indirect = flag(4, 'indirectCRL');
    const onlyAttr = flag(5, 'onlyContainsAttributeCerts');
    s.finish();
    if (Number(onlyUser) + Number(onlyCA) + Number(onlyAttr) > 1) return 'invalid';
    return { distributionPoint, onlyUser, onlyCA, onlyAttr, someReasons, indirect };
  } catch (e) {
    if (e instanceof X509Error) return 'invalid';
    throw e;
  }
}

function hasUnhandledCritical(crl: Crl): boolean {
  if (crl.extensions.list.some((e) => e.critical && !HANDLED_CRITICAL_CRL_EXTENSIONS.has(e.oid))) return true;
  return crl.revoked.some((r) => r.extensions.list.some((e) => e.critical && e.oid !== OID.certificateIssuer));
}

function crlTimeError(crl: Crl, t: Date | null): number {
  if (t === null) return X509_V.OK;
  if (crl.thisUpdateTime.fraction !== '') return X509_V.ERROR_IN_CRL_LAST_UPDATE_FIELD;
  if (crl.thisUpdate.getTime() > t.getTime()) return X509_V.CRL_NOT_YET_VALID;
  if (crl.nextUpdateTime !== null) {
    if (crl.nextUpdateTime.fraction !== '') return X509_V.ERROR_IN_CRL_NEXT_UPDATE_FIELD;
    if ((crl.nextUpdate as Date).getTime() <= t.getTime()) return X509_V.CRL_HAS_EXPIRED;
  }
  return X509_V.OK;
}

function generalNamesIntersect(a: readonly GeneralName[], b: readonly GeneralName[]): boolean {
  return a.some((x) => b.some((y) => x.raw.equals(y.raw)));
}

/** crl_crldp_check: is the CRL's scope one that covers `x`? */
function inScope(x: CertFacts, crl: Crl, idp: Idp | null, score: number, crldp: readonly DistributionPoint[] | null): boolean {
  if (idp !== null) {
    if (idp.onlyAttr) return false;
    if (x.ca ? idp.onlyUser : idp.onlyCA) return false;
  }
  for (const dp of crldp ?? []) {
    const issuerOk =
      dp.crlIssuer === null
        ? (score & CRL_SCORE_ISSUER_NAME) !== 0
        : dp.crlIssuer.some((g) => g.type === 'directoryName' && namesEqual(g.name, crl.issuer));
    if (!issuerOk) continue;
    if (idp === null || idp.distributionPoint === null || dp.fullName === null) return true;
    if (idp.distributionPoint !== 'relative' && generalNamesIntersect(dp.fullName, idp.distributionPoint)) return true;
  }
  return (idp === null || idp.distributionPoint === null) && (score & CRL_SCORE_ISSUER_NAME) !== 0;
}

interface Scored {
  readonly crl: Crl;
  readonly score: number;
  readonly issuer: CertFacts | null;
  readonly idp: Idp | null | 'invalid';
}

function scoreCrl(crl: Crl, chain: readonly CertFacts[], depth: number, time: Date | null): Scored {
  const x = chain[depth] as CertFacts;
  const none: Scored = { crl, score: 0, issuer: null, idp: null };
  const idp = readIdp(crl);
  if (idp === 'invalid') return { ...none, idp };
  if (crl.extensions.has(OID.deltaCRLIndicator)) return none;
  // Indirect CRLs and reason partitions need extended CRL support, which is off.
  if (idp !== null && (idp.indirect || idp.someReasons)) return none;
  if (!namesEqual(x.cert.issuer, crl.issuer)) return none;
  let score = CRL_SCORE_ISSUER_NAME;
  if (!hasUnhandledCritical(crl)) score |= CRL_SCORE_NOCRITICAL;
  if (crlTimeError(crl, time) === X509_V.OK) score |= CRL_SCORE_TIME;
  // crl_akid_check: the CRL issuer must be the certificate's issuer or another certificate on the path.
  let akid: AuthorityKeyIdentifier | null;
  try {
    akid = crl.extensions.authorityKeyIdentifier;
  } catch (e) {
    if (e instanceof X509Error) return none;
    throw e;
  }
  const matches = (c: CertFacts | undefined): boolean => c !== undefined && namesEqual(c.cert.subject, crl.issuer) && checkAkid(c, akid) === X509_V.OK;
  let issuer: CertFacts | null = null;
  let cidx = depth === chain.length - 1 ? depth : depth + 1;
  // OpenSSL 3.0 takes the next certificate up (the certificate itself at the top) on its AKID alone:
  // the CRL's issuer name was already compared with the certificate's issuer name.
  if (checkAkid(chain[cidx] as CertFacts, akid) === X509_V.OK) {
    score |= CRL_SCORE_AKID | CRL_SCORE_ISSUER_CERT;
    issuer = chain[cidx] as CertFacts;
  } else {
    for (cidx++; cidx < chain.length; cidx++) {
      if (matches(chain[cidx])) {
        score |= CRL_SCORE_AKID | CRL_SCORE_SAME_PATH;
        issuer = chain[cidx] as CertFacts;
        break;
      }
    }
  }
  if ((score & CRL_SCORE_AKID) === 0) return none;
  let crldp: readonly DistributionPoint[] | null = null;
  try {
    crldp = x.cert.extensions.crlDistributionPoints;
  } catch (e) {
    if (!(e instanceof X509Error)) throw e;
  }
  if (inScope(x, crl, idp, score, crldp)) score |= CRL_SCORE_SCOPE;
  return { crl, score, issuer, idp };
}

/** get_crl_sk: the best score; among equals the newer thisUpdate; any non-zero score is a "near match". */
function bestCrl(candidates: readonly Crl[], chain: readonly CertFacts[], depth: number, time: Date | null): Scored | null {
  let best: Scored | null = null;
  for (const crl of candidates) {
    const s = scoreCrl(crl, chain, depth, time);
    if (s.score === 0 || (best !== null && s.score < best.score)) continue;
    if (best !== null && s.score === best.score && s.crl.thisUpdate.getTime() <= best.crl.thisUpdate.getTime()) continue;
    best = s;
  }
  return best;
}

export interface RevocationInput {
  readonly chain: readonly CertFacts[];
  readonly checkAll: boolean;
  readonly crls: readonly Crl[];
  readonly store: CrlSource | null;
  readonly time: Date | null;
  readonly ignoreCritical: boolean;
  readonly provider: CryptoProvider;
}

export interface RevocationError {
  readonly code: number;
  readonly depth: number;
}

function verifyCrlSignature(crl: Crl, issuer: CertFacts, provider: CryptoProvider): boolean {
  const alg = crl.signatureAlgorithm.algorithm;
  if (alg === null || !crl.signatureAlgorithm.raw.equals(crl.tbsSignatureAlgorithm.raw)) return false;
  const key = publicKeyOf(issuer.cert, provider);
  if (key === null) return false;
  try {
    return key.verify(alg, crl.tbsRaw, crl.signatureValue);
  } catch {
    return false;
  }
}

/** check_cert for the certificate at `depth`; null when it passes. */
function checkCertCrl(input: RevocationInput, depth: number): RevocationError | null {
  const { chain, time } = input;
  const x = chain[depth] as CertFacts;
  const fail = (code: number): RevocationError => ({ code, depth });
  const candidates = [...input.crls, ...(input.store?.crlsByIssuer(x.cert.issuer) ?? [])];
  const best = bestCrl(candidates, chain, depth, time);
  if (best === null) return fail(X509_V.UNABLE_TO_GET_CRL);
  const { crl, score } = best;

  // check_crl: find the CRL issuer.
  let issuer = best.issuer;
  if (issuer === null) {
    const top = chain[chain.length - 1] as CertFacts;
    if (depth < chain.length - 1) issuer = chain[depth + 1] as CertFacts;
    else if (likelyIssued(top, top) === X509_V.OK) issuer = top;
    else return fail(X509_V.UNABLE_TO_GET_CRL_ISSUER);
  }
  if (kuRejects(issuer, 'cRLSign')) return fail(X509_V.KEYUSAGE_NO_CRL_SIGN);
  if ((score & CRL_SCORE_SCOPE) === 0) return fail(X509_V.DIFFERENT_CRL_SCOPE);
  if ((score & CRL_SCORE_SAME_PATH) === 0) return fail(X509_V.CRL_PATH_VALIDATION_ERROR);
  if (best.idp === 'invalid') return fail(X509_V.INVALID_EXTENSION);
  if ((score & CRL_SCORE_TIME) === 0) {
    const t = crlTimeError(crl, time);
    if (t !== X509_V.OK) return fail(t);
  }
  if (!verifyCrlSignature(crl, issuer, input.provider)) return fail(X509_V.CRL_SIGNATURE_FAILURE);

  // cert_crl.
  if (!input.ignoreCritical && (score & CRL_SCORE_NOCRITICAL) === 0) return fail(X509_V.UNHANDLED_CRITICAL_CRL_EXTENSION);
  const entry = crl.findRevoked(x.cert.serialRaw);
  if (entry !== null) {
    let reason: number | null = null;
    try {
      reason = entry.reason;
    } catch (e) {
      if (!(e instanceof X509Error)) throw e;
    }
    if (reason !== REASON_REMOVE_FROM_CRL) return fail(X509_V.CERT_REVOKED);
  }
  // A full CRL in scope covers every reason, so OpenSSL's reasons loop ends after this one pass.
  return null;
}

/** check_revocation: the leaf, or with checkAll every certificate of the chain. */
export function checkRevocation(input: RevocationInput): RevocationError | null {
  const last = input.checkAll ? input.chain.length - 1 : 0;
  for (let depth = 0; depth <= last; depth++) {
    const err = checkCertCrl(input, depth);
    if (err !== null) return err;
  }
  return null;
}
