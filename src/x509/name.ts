/**
 * Distinguished names (RFC 5280 §4.1.2.4): an RDNSequence of RDNs, each a
 * SET of AttributeTypeAndValue. Values are decoded like OpenSSL's
 * `ASN1_STRING_to_UTF8`; the raw DER is kept for exact re-encoding and for
 * issuer/subject byte comparison.
 */
import { DerReader, type DerElement } from './der-reader.js';
import { Tag, STRING_TAG_NAMES, describeTag } from './der-tags.js';
import { decodeString } from './der-values.js';
import { X509Error } from './errors.js';
import { canonicalNameEncoding, namesEqual } from './name-canon.js';
import { OID, oidLongName } from './oids.js';

export interface NameAttribute {
  /** Attribute type, dotted. */
  readonly oid: string;
  /** OpenSSL long name ('commonName', 'emailAddress', …) or the dotted OID when unknown. */
  readonly name: string;
  /** Identifier octet of the value (Tag.UTF8_STRING, Tag.PRINTABLE_STRING, …). */
  readonly tag: number;
  /**
   * The value as text for character strings; for any other value type the
   * RFC 4514 §2.4 form '#' + hex of its encoding.
   */
  readonly value: string;
  /** True when `value` was decoded from a character string type. */
  readonly isString: boolean;
  /** Complete encoding of the value element. */
  readonly rawValue: Buffer;
}

/** One RDN: its attributes in encoded order (several for a multi-valued RDN). */
export type RelativeDistinguishedName = readonly NameAttribute[];

/**
 * Value types OpenSSL 3.0 accepts in a name attribute, found by feeding it
 * every universal tag (test/x509/cert.test.ts keeps the list honest against
 * python3): the DirectoryString types, IA5String, NumericString and BIT STRING
 * (x500UniqueIdentifier). Anything else — VisibleString, SEQUENCE, INTEGER,
 * … — makes OpenSSL's d2i fail, so Python cannot load such a certificate;
 * we reject it too. (OpenSSL also takes BER constructed strings; DER does not.)
 */
export const NAME_VALUE_TAGS: ReadonlySet<number> = new Set([
  Tag.BIT_STRING,
  Tag.UTF8_STRING,
  Tag.NUMERIC_STRING,
  Tag.PRINTABLE_STRING,
  Tag.TELETEX_STRING,
  Tag.IA5_STRING,
  Tag.UNIVERSAL_STRING,
  Tag.BMP_STRING,
]);

/** RFC 4514 §3 short names for `toString()`. */
const SHORT_NAMES: ReadonlyMap<string, string> = new Map([
  [OID.commonName, 'CN'],
  [OID.localityName, 'L'],
  [OID.stateOrProvinceName, 'ST'],
  [OID.organizationName, 'O'],
  [OID.organizationalUnitName, 'OU'],
  [OID.countryName, 'C'],
  [OID.streetAddress, 'STREET'],
  [OID.domainComponent, 'DC'],
  [OID.userId, 'UID'],
]);

export class Name {
  constructor(
    /** The complete Name encoding (SEQUENCE). */
    readonly raw: Buffer,
    /** RDNs in encoded order (most significant first, e.g. C before CN). */
    readonly rdns: readonly RelativeDistinguishedName[],
  ) {}

  /** True for the empty RDNSequence. */
  get isEmpty(): boolean {
    return this.rdns.length === 0;
  }

  /** All attributes of a type, in order. */
  attributes(oid: string): NameAttribute[] {
    const out: NameAttribute[] = [];
    for (const rdn of this.rdns) for (const a of rdn) if (a.oid === oid) out.push(a);
    return out;
  }

  /** The commonName values (for legacy hostname matching). */
  get commonNames(): string[] {
    return this.attributes(OID.commonName).map((a) => a.value);
  }

  /**
   * OpenSSL's canonical form (x509_name_canon, see name-canon.ts) as a
   * string: two names are "the same" for chain building exactly when their
   * canonical keys are equal, so the key also serves as a Map key.
   */
  get canonicalKey(): string {
    return canonicalNameEncoding(this).toString('hex');
  }

  /** Canonical equality (what OpenSSL's X509_NAME_cmp decides). */
  equals(other: Name): boolean {
    return namesEqual(this, other);
  }

  /** RFC 4514-style string, most specific RDN first ('CN=localhost,O=Python Software Foundation,C=XY'). */
  toString(): string {
    return [...this.rdns]
      .reverse()
      .map((rdn) => rdn.map((a) => `${SHORT_NAMES.get(a.oid) ?? a.oid}=${a.isString ? escapeRfc4514(a.value) : a.value}`).join('+'))
      .join(',');
  }
}

function escapeRfc4514(s: string): string {
  return s
    .replace(/[\\,+"<>;=]/g, (c) => '\\' + c)
    .replace(/^[ #]/, (c) => '\\' + c)
    .replace(/ $/, '\\ ')
    .replace(/\0/g, '\\00');
}

/** Parses the AttributeTypeAndValues of one RDN (a SET, or an IMPLICIT-tagged SET such as nameRelativeToCRLIssuer). */
export function parseRdn(el: DerElement): RelativeDistinguishedName {
  const set = DerReader.of(el);
  const rdn: NameAttribute[] = [];
  // RFC 5280 §4.1.2.4: RDN ::= SET SIZE (1..MAX) OF AttributeTypeAndValue.
  if (set.done) throw new X509Error('bad_name', 'empty RelativeDistinguishedName', el.path, el.offset);
  // X.690 §11.6 wants SET OF members sorted; multi-valued RDNs in the wild often are
  // not and OpenSSL does not check, so order is kept as encoded and not enforced.
  for (let j = 0; !set.done; j++) {
    const atv = set.sequence(`[${j}]`);
    const oid = atv.oid('type');
    const valueEl = atv.read('value');
    atv.finish();
    rdn.push(makeAttribute(oid, valueEl));
  }
  return rdn;
}

/** Parses a Name from its SEQUENCE element. */
export function parseName(el: DerElement): Name {
  const seq = DerReader.of(el);
  const rdns: RelativeDistinguishedName[] = [];
  for (let i = 0; !seq.done; i++) rdns.push(parseRdn(seq.expect(Tag.SET, `[${i}]`)));
  return new Name(el.raw, rdns);
}

function makeAttribute(oid: string, valueEl: DerElement): NameAttribute {
  if (!NAME_VALUE_TAGS.has(valueEl.id)) {
    throw new X509Error('bad_name', `attribute value type ${describeTag(valueEl.id)} is not accepted in a name`, valueEl.path, valueEl.offset);
  }
  if (STRING_TAG_NAMES.has(valueEl.id)) return new Attribute(oid, valueEl, decodeString(valueEl).value, true);
  return new Attribute(oid, valueEl, '#' + valueEl.raw.toString('hex'), false);
}

/** NameAttribute with the long name and raw view made on first use. */
class Attribute implements NameAttribute {
  constructor(
    readonly oid: string,
    private readonly valueEl: DerElement,
    readonly value: string,
    readonly isString: boolean,
  ) {}
  get name(): string {
    return oidLongName(this.oid);
  }
  get tag(): number {
    return this.valueEl.id;
  }
  get rawValue(): Buffer {
    return this.valueEl.raw;
  }
}

/** Reads a Name (SEQUENCE) from a reader. */
export function readName(r: DerReader, field: string): Name {
  return parseName(r.expect(Tag.SEQUENCE, field));
}
