/**
 * X.509 v3 extensions (RFC 5280 §4.2) and CRL extensions (§5.2, §5.3).
 *
 * `Extensions` holds the raw list (duplicates rejected up front, §4.2) and
 * decodes the known ones on first access, caching the result. A malformed
 * known extension throws `X509Error('bad_extension' | DER code)` from its
 * accessor with the path `….extensions[i].extnValue…`; `errors()` collects
 * every such fault without throwing. Unknown extensions — critical or not —
 * are kept; path validation decides what an unknown critical one means.
 */
import { DerReader, type DerElement } from './der-reader.js';
import { Tag, TagClass, CONSTRUCTED } from './der-tags.js';
import { decodeBitString, decodeIntegerBytes, decodeSmallInteger, integerFromBytes, type BitString } from './der-values.js';
import { X509Error } from './errors.js';
import { parseGeneralName, parseGeneralNames, type GeneralName } from './general-name.js';
import { OID, oidLongName } from './oids.js';
import { parseRdn } from './name.js';

export interface Extension {
  readonly oid: string;
  /** OpenSSL's long name ('X509v3 Basic Constraints') or the dotted OID. */
  readonly name: string;
  readonly critical: boolean;
  /** Contents of extnValue (the DER of the extension's own structure). */
  readonly value: Buffer;
  /** Absolute offset of `value` in the parsed certificate/CRL. */
  readonly valueOffset: number;
  /** Field path of extnValue, e.g. 'tbsCertificate.extensions[2].extnValue'. */
  readonly path: string;
  /** The complete Extension encoding. */
  readonly raw: Buffer;
}

export interface BasicConstraints {
  readonly ca: boolean;
  /** pathLenConstraint, or null when absent (unlimited). */
  readonly pathLen: number | null;
}

/** RFC 5280 §4.2.1.3 KeyUsage bit positions. */
export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;
export type KeyUsageName = keyof typeof KeyUsageBit;

export interface KeyUsage {
  /** Bit i set ⇔ named bit i asserted (`mask & (1 << KeyUsageBit.keyCertSign)`). */
  readonly mask: number;
  has(bit: KeyUsageName): boolean;
}

export interface GeneralSubtree {
  readonly base: GeneralName;
  readonly minimum: number;
  readonly maximum: number | null;
}

export interface NameConstraints {
  readonly permitted: readonly GeneralSubtree[] | null;
  readonly excluded: readonly GeneralSubtree[] | null;
}

export interface AuthorityKeyIdentifier {
  readonly keyIdentifier: Buffer | null;
  readonly authorityCertIssuer: readonly GeneralName[] | null;
  readonly authorityCertSerialNumber: bigint | null;
}

export interface AccessDescription {
  /** accessMethod OID (OID.ocsp, OID.caIssuers, …). */
  readonly method: string;
  readonly location: GeneralName;
}

export interface DistributionPoint {
  /** distributionPoint fullName, or null. */
  readonly fullName: readonly GeneralName[] | null;
  /** distributionPoint nameRelativeToCRLIssuer, raw encoding, or null. */
  readonly nameRelativeToCrlIssuer: Buffer | null;
  readonly reasons: BitString | null;
  readonly crlIssuer: readonly GeneralName[] | null;
}

export interface PolicyInformation {
  readonly policyId: string;
  /** The complete policyQualifiers encoding, undecoded, or null. */
  readonly qualifiers: Buffer | null;
}

function ctx(n: number, constructed: boolean): number {
  return TagClass.CONTEXT | (constructed ? CONSTRUCTED : 0) | n;
}

/** Opens the extension value as exactly one SEQUENCE. */
function valueSequence(ext: Extension): DerReader {
  const top = DerReader.over(ext.value, ext.path, ext.valueOffset);
  const s = top.sequence('');
  top.finish();
  return s;
}

function valueElement(ext: Extension, id: number): DerElement {
  const top = DerReader.over(ext.value, ext.path, ext.valueOffset);
  const el = top.expect(id, '');
  top.finish();
  return el;
}

/** RFC 5280 §4.2.1.9. A DEFAULT FALSE cA encoded explicitly is tolerated, as OpenSSL does. */
export function decodeBasicConstraints(ext: Extension): BasicConstraints {
  const s = valueSequence(ext);
  const caEl = s.optional(Tag.BOOLEAN, 'cA');
  const ca = caEl === null ? false : decodeBool(caEl);
  const pl = s.optional(Tag.INTEGER, 'pathLenConstraint');
  const pathLen = pl === null ? null : decodeSmallInteger(pl, 0, Number.MAX_SAFE_INTEGER);
  s.finish();
  return { ca, pathLen };
}

function decodeBool(el: DerElement): boolean {
  const c = el.contents;
  if (c.length !== 1 || (c[0] !== 0 && c[0] !== 0xff)) throw new X509Error('bad_boolean', 'BOOLEAN must be one octet 0x00 or 0xff', el.path, el.offset);
  return c[0] === 0xff;
}

/** RFC 5280 §4.2.1.3. */
export function decodeKeyUsage(ext: Extension): KeyUsage {
  const bits = decodeBitString(valueElement(ext, Tag.BIT_STRING));
  let mask = 0;
  for (let i = 0; i < bits.bitLength && i < 32; i++) if (bits.bytes[i >> 3]! & (0x80 >> (i & 7))) mask |= 1 << i;
  return { mask, has: (bit) => (mask & (1 << KeyUsageBit[bit])) !== 0 };
}

/** RFC 5280 §4.2.1.12: SEQUENCE SIZE (1..MAX) OF KeyPurposeId. */
export function decodeExtKeyUsage(ext: Extension): string[] {
  const s = valueSequence(ext);
  const out: string[] = [];
  for (let i = 0; !s.done; i++) out.push(s.oid(`[${i}]`));
  if (out.length === 0) throw new X509Error('bad_extension', 'ExtKeyUsageSyntax must not be empty', ext.path, ext.valueOffset);
  return out;
}

/** SubjectAltName / IssuerAltName (RFC 5280 §4.2.1.6–7). */
export function decodeAltName(ext: Extension): GeneralName[] {
  return parseGeneralNames(valueElement(ext, Tag.SEQUENCE));
}

/** RFC 5280 §4.2.1.10. */
export function decodeNameConstraints(ext: Extension): NameConstraints {
  const s = valueSequence(ext);
  const subtrees = (el: DerElement | null): GeneralSubtree[] | null => {
    if (el === null) return null;
    const r = DerReader.of(el);
    const out: GeneralSubtree[] = [];
    for (let i = 0; !r.done; i++) {
      const st = r.sequence(`[${i}]`);
      const base = parseGeneralName(st.read('base'));
      const minEl = st.optional(ctx(0, false), 'minimum');
      const maxEl = st.optional(ctx(1, false), 'maximum');
      st.finish();
      out.push({ base, minimum: minEl === null ? 0 : decodeSmallInteger(minEl, 0, Number.MAX_SAFE_INTEGER), maximum: maxEl === null ? null : decodeSmallInteger(maxEl, 0, Number.MAX_SAFE_INTEGER) });
    }
    if (out.length === 0) throw new X509Error('bad_extension', 'GeneralSubtrees must not be empty', el.path, el.offset);
    return out;
  };
  const permitted = subtrees(s.optional(ctx(0, true), 'permittedSubtrees'));
  const excluded = subtrees(s.optional(ctx(1, true), 'excludedSubtrees'));
  s.finish();
  // §4.2.1.10: at least one of permittedSubtrees and excludedSubtrees MUST be present.
  if (permitted === null && excluded === null) throw new X509Error('bad_extension', 'NameConstraints has neither permitted nor excluded subtrees', ext.path, ext.valueOffset);
  return { permitted, excluded };
}

/** RFC 5280 §4.2.1.1. */
export function decodeAuthorityKeyIdentifier(ext: Extension): AuthorityKeyIdentifier {
  const s = valueSequence(ext);
  const kid = s.optional(ctx(0, false), 'keyIdentifier');
  const issuer = s.optional(ctx(1, true), 'authorityCertIssuer');
  const serial = s.optional(ctx(2, false), 'authorityCertSerialNumber');
  s.finish();
  return {
    keyIdentifier: kid === null ? null : kid.contents,
    authorityCertIssuer: issuer === null ? null : parseGeneralNames(issuer),
    authorityCertSerialNumber: serial === null ? null : integerFromBytes(decodeIntegerBytes(serial)),
  };
}

/** RFC 5280 §4.2.1.2: KeyIdentifier ::= OCTET STRING. */
export function decodeSubjectKeyIdentifier(ext: Extension): Buffer {
  return valueElement(ext, Tag.OCTET_STRING).contents;
}

/** RFC 5280 §4.2.2.1 AuthorityInfoAccess (and §4.2.2.2 SubjectInfoAccess). */
export function decodeInfoAccess(ext: Extension): AccessDescription[] {
  const s = valueSequence(ext);
  const out: AccessDescription[] = [];
  for (let i = 0; !s.done; i++) {
    const ad = s.sequence(`[${i}]`);
    const method = ad.oid('accessMethod');
    const location = parseGeneralName(ad.read('accessLocation'));
    ad.finish();
    out.push({ method, location });
  }
  if (out.length === 0) throw new X509Error('bad_extension', 'AuthorityInfoAccessSyntax must not be empty', ext.path, ext.valueOffset);
  return out;
}

/** RFC 5280 §4.2.1.13 CRLDistributionPoints (also FreshestCRL). */
export function decodeCrlDistributionPoints(ext: Extension): DistributionPoint[] {
  const s = valueSequence(ext);
  const out: DistributionPoint[] = [];
  for (let i = 0; !s.done; i++) {
    const dp = s.sequence(`[${i}]`);
    let fullName: GeneralName[] | null = null;
    let relative: Buffer | null = null;
    const dpn = dp.explicit(0, 'distributionPoint');
    if (dpn !== null) {
      // DistributionPointName ::= CHOICE { fullName [0] GeneralNames, nameRelativeToCRLIssuer [1] RDN } (IMPLICIT).
      const full = dpn.optional(ctx(0, true), 'fullName');
      if (full !== null) fullName = parseGeneralNames(full);
      else {
        const rel = dpn.expect(ctx(1, true), 'nameRelativeToCRLIssuer');
        parseRdn(rel); // validated as OpenSSL's d2i does; kept raw
        relative = rel.raw;
      }
      dpn.finish();
    }
    const reasonsEl = dp.optional(ctx(1, false), 'reasons');
    const issuerEl = dp.optional(ctx(2, true), 'cRLIssuer');
    dp.finish();
    out.push({
      fullName,
      nameRelativeToCrlIssuer: relative,
      reasons: reasonsEl === null ? null : decodeBitString(reasonsEl),
      crlIssuer: issuerEl === null ? null : parseGeneralNames(issuerEl),
    });
  }
  if (out.length === 0) throw new X509Error('bad_extension', 'CRLDistributionPoints must not be empty', ext.path, ext.valueOffset);
  return out;
}

/** RFC 5280 §4.2.1.4; qualifiers are kept undecoded. */
export function decodeCertificatePolicies(ext: Extension): PolicyInformation[] {
  const s = valueSequence(ext);
  const out: PolicyInformation[] = [];
  const seen = new Set<string>();
  for (let i = 0; !s.done; i++) {
    const pi = s.sequence(`[${i}]`);
    const policyId = pi.oid('policyIdentifier');
    const q = pi.optional(Tag.SEQUENCE, 'policyQualifiers');
    pi.finish();
    // §4.2.1.4: a policy OID appears at most once.
    if (seen.has(policyId)) throw new X509Error('bad_extension', `policy ${policyId} appears twice`, pi.path);
    seen.add(policyId);
    out.push({ policyId, qualifiers: q === null ? null : q.raw });
  }
  if (out.length === 0) throw new X509Error('bad_extension', 'certificatePolicies must not be empty', ext.path, ext.valueOffset);
  return out;
}

/** CRLNumber / DeltaCRLIndicator (RFC 5280 §5.2.3–4): INTEGER (0..MAX). */
export function decodeCrlNumber(ext: Extension): bigint {
  const v = integerFromBytes(decodeIntegerBytes(valueElement(ext, Tag.INTEGER)));
  if (v < 0n) throw new X509Error('bad_extension', 'CRL number must not be negative', ext.path, ext.valueOffset);
  return v;
}

/** RFC 5280 §5.3.1 CRLReason ENUMERATED. */
export function decodeCrlReason(ext: Extension): number {
  const v = decodeSmallInteger(valueElement(ext, Tag.ENUMERATED), 0, CRL_REASON_MAX);
  if (v === CRL_REASON_UNUSED) throw new X509Error('bad_extension', 'CRL reason code 7 is not used', ext.path, ext.valueOffset);
  return v;
}

/** RFC 5280 §5.3.1: reason codes 0..10 (7 is unused). */
export const CrlReason = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
/** 'keyCompromise', 'superseded', … */
export type CrlReasonName = keyof typeof CrlReason;
const CRL_REASON_MAX = 10;
const CRL_REASON_UNUSED = 7;

/** Extension with its name, path and views computed on first use (parsing stays allocation-light). */
class ParsedExtension implements Extension {
  constructor(
    readonly oid: string,
    readonly critical: boolean,
    private readonly valueEl: DerElement,
    private readonly extEl: DerElement,
  ) {}
  get name(): string {
    return oidLongName(this.oid);
  }
  get value(): Buffer {
    return this.valueEl.contents;
  }
  get valueOffset(): number {
    return this.valueEl.contentsOffset;
  }
  get path(): string {
    return this.valueEl.path;
  }
  get raw(): Buffer {
    return this.extEl.raw;
  }
}

/** Parses the `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` element. */
export function parseExtensionList(el: DerElement): Extension[] {
  const r = DerReader.of(el);
  const out: Extension[] = [];
  const seen = new Set<string>();
  for (let i = 0; !r.done; i++) {
    const extEl = r.expect(Tag.SEQUENCE, `[${i}]`);
    const s = DerReader.of(extEl);
    const oid = s.oid('extnID');
    const critEl = s.optional(Tag.BOOLEAN, 'critical');
    // DEFAULT FALSE written out explicitly is not DER, but OpenSSL accepts it; so do we.
    const critical = critEl === null ? false : decodeBool(critEl);
    const valueEl = s.expect(Tag.OCTET_STRING, 'extnValue');
    s.finish();
    if (seen.has(oid)) throw new X509Error('duplicate_extension', `extension ${oidLongName(oid)} appears more than once`, extEl.path, extEl.offset);
    seen.add(oid);
    out.push(new ParsedExtension(oid, critical, valueEl, extEl));
  }
  if (out.length === 0) throw new X509Error('bad_extension', 'Extensions must not be empty', el.path, el.offset);
  return out;
}

type Decoder<T> = (ext: Extension) => T;

/** Decoders of the known extensions, by OID: `errors()` runs them all. */
const DECODERS: ReadonlyMap<string, Decoder<unknown>> = new Map<string, Decoder<unknown>>([
  [OID.basicConstraints, decodeBasicConstraints],
  [OID.keyUsage, decodeKeyUsage],
  [OID.extKeyUsage, decodeExtKeyUsage],
  [OID.subjectAltName, decodeAltName],
  [OID.issuerAltName, decodeAltName],
  [OID.nameConstraints, decodeNameConstraints],
  [OID.authorityKeyIdentifier, decodeAuthorityKeyIdentifier],
  [OID.subjectKeyIdentifier, decodeSubjectKeyIdentifier],
  [OID.authorityInfoAccess, decodeInfoAccess],
  [OID.subjectInfoAccess, decodeInfoAccess],
  [OID.cRLDistributionPoints, decodeCrlDistributionPoints],
  [OID.freshestCRL, decodeCrlDistributionPoints],
  [OID.certificatePolicies, decodeCertificatePolicies],
  [OID.cRLNumber, decodeCrlNumber],
  [OID.deltaCRLIndicator, decodeCrlNumber],
  [OID.cRLReason, decodeCrlReason],
]);

/** True when sslsock can decode extensions with this OID. */
export function isKnownExtension(oid: string): boolean {
  return DECODERS.has(oid);
}

/** A certificate's or CRL's extensions with lazily decoded, cached accessors. */
export class Extensions {
  private readonly byOid: Map<string, Extension>;
  private readonly cache = new Map<string, unknown>();

  constructor(readonly list: readonly Extension[]) {
    this.byOid = new Map(list.map((e) => [e.oid, e]));
  }

  get(oid: string): Extension | null {
    return this.byOid.get(oid) ?? null;
  }

  has(oid: string): boolean {
    return this.byOid.has(oid);
  }

  /** Decodes (once) the extension `oid` with `decoder`; null when absent. Throws X509Error when malformed. */
  decode<T>(oid: string, decoder: Decoder<T>): T | null {
    if (this.cache.has(oid)) return this.cache.get(oid) as T;
    const ext = this.byOid.get(oid);
    if (ext === undefined) return null;
    const value = decoder(ext);
    this.cache.set(oid, value);
    return value;
  }

  /** Every known extension that fails to decode, as errors (nothing thrown). */
  errors(): X509Error[] {
    const out: X509Error[] = [];
    for (const ext of this.list) {
      const decoder = DECODERS.get(ext.oid);
      if (decoder === undefined) continue;
      try {
        this.decode(ext.oid, decoder);
      } catch (e) {
        if (!(e instanceof X509Error)) throw e;
        out.push(e);
      }
    }
    return out;
  }

  /** Critical extensions sslsock cannot decode. */
  unknownCritical(): Extension[] {
    return this.list.filter((e) => e.critical && !DECODERS.has(e.oid));
  }

  get basicConstraints(): BasicConstraints | null {
    return this.decode(OID.basicConstraints, decodeBasicConstraints);
  }
  get keyUsage(): KeyUsage | null {
    return this.decode(OID.keyUsage, decodeKeyUsage);
  }
  /** KeyPurposeId OIDs (OID.serverAuth, …). */
  get extKeyUsage(): readonly string[] | null {
    return this.decode(OID.extKeyUsage, decodeExtKeyUsage);
  }
  get subjectAltName(): readonly GeneralName[] | null {
    return this.decode(OID.subjectAltName, decodeAltName);
  }
  get issuerAltName(): readonly GeneralName[] | null {
    return this.decode(OID.issuerAltName, decodeAltName);
  }
  get nameConstraints(): NameConstraints | null {
    return this.decode(OID.nameConstraints, decodeNameConstraints);
  }
  get authorityKeyIdentifier(): AuthorityKeyIdentifier | null {
    return this.decode(OID.authorityKeyIdentifier, decodeAuthorityKeyIdentifier);
  }
  get subjectKeyIdentifier(): Buffer | null {
    return this.decode(OID.subjectKeyIdentifier, decodeSubjectKeyIdentifier);
  }
  get authorityInfoAccess(): readonly AccessDescription[] | null {
    return this.decode(OID.authorityInfoAccess, decodeInfoAccess);
  }
  get crlDistributionPoints(): readonly DistributionPoint[] | null {
    return this.decode(OID.cRLDistributionPoints, decodeCrlDistributionPoints);
  }
  get certificatePolicies(): readonly PolicyInformation[] | null {
    return this.decode(OID.certificatePolicies, decodeCertificatePolicies);
  }
  get crlNumber(): bigint | null {
    return this.decode(OID.cRLNumber, decodeCrlNumber);
  }
  get deltaCrlIndicator(): bigint | null {
    return this.decode(OID.deltaCRLIndicator, decodeCrlNumber);
  }
  /** CRL entry reasonCode (RFC 5280 §5.3.1). */
  get crlReason(): number | null {
    return this.decode(OID.cRLReason, decodeCrlReason);
  }

  /** The OCSP responder URIs of AuthorityInfoAccess. */
  get ocspUris(): string[] {
    return accessUris(this.authorityInfoAccess, OID.ocsp);
  }
  /** The caIssuers URIs of AuthorityInfoAccess. */
  get caIssuersUris(): string[] {
    return accessUris(this.authorityInfoAccess, OID.caIssuers);
  }
}

function accessUris(aia: readonly AccessDescription[] | null, method: string): string[] {
  if (aia === null) return [];
  const out: string[] = [];
  for (const ad of aia) if (ad.method === method && ad.location.type === 'uniformResourceIdentifier') out.push(ad.location.value);
  return out;
}
