/**
 * Encoders for the builder's names: distinguished names (RFC 5280 §4.1.2.4)
 * and GeneralNames (§4.2.1.6), from plain specs. Split from builder.ts so
 * each file does one thing.
 */
import { der, Tag, X509Error } from './der.js';
import { GeneralNameTag } from './general-name.js';
import { parseIpAddress } from './hostname.js';
import { OID, oidFromName } from './oids.js';

// ───────────────────────────── names ─────────────────────────────

/** One attribute: `['commonName', 'localhost']`, `['CN', 'x']`, or with an explicit string tag. */
export type NameAttributeSpec =
  | readonly [type: string, value: string]
  | { readonly type: string; readonly value: string; /** a `Tag.*_STRING` value; default by attribute type */ readonly tag?: number };

/**
 * A distinguished name: RDNs in order (most significant first, as printed by
 * `openssl x509 -subject -nameopt RFC2253` reversed). An RDN is one attribute,
 * or an array of attributes for a multi-valued RDN. A `Uint8Array` is an
 * already-encoded Name, copied byte for byte (how an issuer name must match
 * its CA's subject, RFC 5280 §7.1).
 */
export type NameSpec = readonly (NameAttributeSpec | readonly NameAttributeSpec[])[] | Uint8Array;

/** OpenSSL short names accepted besides the identifiers and long names of `oids.ts`. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  CN: OID.commonName,
  C: OID.countryName,
  L: OID.localityName,
  ST: OID.stateOrProvinceName,
  O: OID.organizationName,
  OU: OID.organizationalUnitName,
  SN: OID.surname,
  GN: OID.givenName,
  DC: OID.domainComponent,
  UID: OID.userId,
  street: OID.streetAddress,
  email: OID.emailAddress,
};

/**
 * RFC 5280 §4.1.2.4 / Appendix A: countryName, serialNumber and dnQualifier
 * are PrintableString; emailAddress and domainComponent are IA5String;
 * everything else is UTF8String (the "MUST use UTF8String" of §4.1.2.4).
 */
const ATTRIBUTE_STRING_TAG: ReadonlyMap<string, number> = new Map([
  [OID.countryName, Tag.PRINTABLE_STRING],
  [OID.serialNumber, Tag.PRINTABLE_STRING],
  [OID.dnQualifier, Tag.PRINTABLE_STRING],
  [OID.emailAddress, Tag.IA5_STRING],
  [OID.domainComponent, Tag.IA5_STRING],
]);

function attributeOid(type: string): string {
  const dotted = Object.hasOwn(SHORT_NAMES, type) ? SHORT_NAMES[type]! : oidFromName(type);
  if (dotted === null) throw new X509Error('bad_name', `unknown name attribute type '${type}'`);
  return dotted;
}

function encodeAttribute(a: NameAttributeSpec): Buffer {
  const [type, value, tag] = isTuple(a) ? [a[0], a[1], undefined] : [a.type, a.value, a.tag];
  const oid = attributeOid(type);
  return der.sequence(der.oid(oid), der.string(tag ?? ATTRIBUTE_STRING_TAG.get(oid) ?? Tag.UTF8_STRING, value));
}

function isTuple(a: NameAttributeSpec): a is readonly [string, string] {
  return Array.isArray(a) && typeof a[0] === 'string';
}

/** DER Name (RDNSequence). */
export function encodeName(name: NameSpec): Buffer {
  if (name instanceof Uint8Array) return Buffer.from(name);
  const rdns = name.map((rdn) => {
    const multi = Array.isArray(rdn) && typeof rdn[0] !== 'string';
    const attrs = multi ? (rdn as readonly NameAttributeSpec[]) : [rdn as NameAttributeSpec];
    if (attrs.length === 0) throw new X509Error('bad_name', 'a relative distinguished name needs at least one attribute');
    return der.setOf(...attrs.map(encodeAttribute));
  });
  return der.sequence(...rdns);
}

// ───────────────────────────── general names ─────────────────────────────

/**
 * A GeneralName (RFC 5280 §4.2.1.6). In name constraints an `ip` value is
 * `address/prefixLength` (`10.0.0.0/8`, `fd00::/8`), encoded as address‖mask.
 */
export type GeneralNameSpec =
  | { readonly type: 'dns'; readonly value: string }
  | { readonly type: 'ip'; readonly value: string }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'uri'; readonly value: string }
  | { readonly type: 'dirName'; readonly value: NameSpec }
  | { readonly type: 'rid'; readonly value: string }
  /** otherName: `value` is the complete DER of the [0] EXPLICIT value's contents. */
  | { readonly type: 'other'; readonly typeId: string; readonly value: Uint8Array };

const IPV4_BITS = 32;
const IPV6_BITS = 128;
const BITS_PER_BYTE = 8;

function ipBytes(text: string): Buffer {
  const bytes = parseIpAddress(text);
  if (bytes === null) throw new X509Error('bad_general_name', `'${text}' is not an IP address`);
  return bytes;
}

/** `addr/len` → address ‖ netmask (RFC 5280 §4.2.1.10). */
function ipConstraintBytes(text: string): Buffer {
  const slash = text.indexOf('/');
  if (slash < 0) throw new X509Error('bad_general_name', `IP name constraint '${text}' needs a /prefix length`);
  const addr = ipBytes(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  const prefix = Number(prefixText);
  const maxBits = addr.length === 4 ? IPV4_BITS : IPV6_BITS;
  if (!/^\d+$/.test(prefixText) || prefix > maxBits) throw new X509Error('bad_general_name', `bad prefix length in IP name constraint '${text}'`);
  const mask = Buffer.alloc(addr.length);
  for (let bit = 0; bit < prefix; bit++) mask[bit >> 3]! |= 0x80 >> (bit % BITS_PER_BYTE);
  return Buffer.concat([addr, mask]);
}

export function encodeGeneralName(g: GeneralNameSpec, inConstraint = false): Buffer {
  switch (g.type) {
    case 'dns':
      return der.implicit(GeneralNameTag.dNSName, der.ia5String(g.value));
    case 'email':
      return der.implicit(GeneralNameTag.rfc822Name, der.ia5String(g.value));
    case 'uri':
      return der.implicit(GeneralNameTag.uniformResourceIdentifier, der.ia5String(g.value));
    case 'ip':
      return der.contextPrimitive(GeneralNameTag.iPAddress, inConstraint ? ipConstraintBytes(g.value) : ipBytes(g.value));
    case 'dirName':
      // Name is a CHOICE, so the [4] tag is explicit (X.680 §31.2.7).
      return der.explicit(GeneralNameTag.directoryName, encodeName(g.value));
    case 'rid':
      return der.implicit(GeneralNameTag.registeredID, der.oid(g.value));
    case 'other':
      // OtherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }, implicitly tagged [0].
      return der.implicit(GeneralNameTag.otherName, der.sequence(der.oid(g.typeId), der.explicit(0, g.value)));
    default: {
      const never: never = g;
      throw new X509Error('bad_general_name', `unknown GeneralName type ${String((never as { type: unknown }).type)}`);
    }
  }
}

export function encodeGeneralNames(names: readonly GeneralNameSpec[]): Buffer {
  return der.sequence(...names.map((n) => encodeGeneralName(n)));
}
