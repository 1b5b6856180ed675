/**
 * Name constraints (RFC 5280 §4.2.1.10) the way OpenSSL 3.0 checks them
 * (crypto/x509/v3_ncons.c: NAME_CONSTRAINTS_check, nc_match, nc_dns, nc_email,
 * nc_uri, nc_ip, nc_dn, and NAME_CONSTRAINTS_check_CN).
 *
 * Each name of a certificate (subject DN, subject emailAddress attributes,
 * every subjectAltName) is matched against the subtrees of its own type:
 * when permitted subtrees of that type exist one must match (else 47), and no
 * excluded subtree may match (else 48). A constraint with a minimum or maximum
 * is unsupported (49); a name type we cannot compare when a constraint of
 * that type exists is 51; a malformed name is 53.
 */
import type { CertFacts } from './cert-facts.js';
import { Tag } from './der-tags.js';
import type { GeneralSubtree, NameConstraints } from './extensions.js';
import type { GeneralName } from './general-name.js';
import { canonicalNameEncoding } from './name-canon.js';
import type { Name } from './name.js';
import { OID } from './oids.js';
import { X509_V } from './verify-codes.js';

const IPV4_LENGTH = 4;
const IPV6_LENGTH = 16;
/** v3_ncons.c NAME_CHECK_MAX: names × constraints beyond this are refused rather than checked (a DoS guard). */
const NAME_CHECK_MAX = 1 << 20;

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
function ia5CaseEqual(a: string, b: string): boolean {
  return a.length === b.length && asciiLower(a) === asciiLower(b);
}

function ncDn(nm: Name, base: Name): number {
  const n = canonicalNameEncoding(nm);
  const b = canonicalNameEncoding(base);
  if (b.length > n.length || !n.subarray(0, b.length).equals(b)) return X509_V.PERMITTED_VIOLATION;
  return X509_V.OK;
}

/** DNS: the base is a suffix on a label boundary; an empty base matches everything. */
function ncDns(dns: string, base: string): number {
  if (base.length === 0) return X509_V.OK;
  if (dns.length < base.length) return X509_V.PERMITTED_VIOLATION;
  let tail = dns;
  if (dns.length > base.length) {
    tail = dns.slice(dns.length - base.length);
    if (!base.startsWith('.') && dns[dns.length - base.length - 1] !== '.') return X509_V.PERMITTED_VIOLATION;
  }
  return ia5CaseEqual(base, tail) ? X509_V.OK : X509_V.PERMITTED_VIOLATION;
}

function ncEmail(eml: string, base: string): number {
  const baseAt = base.lastIndexOf('@');
  const emlAt = eml.lastIndexOf('@');
  if (emlAt === -1) return X509_V.UNSUPPORTED_NAME_SYNTAX;
  // A leading '.' in a host-only base matches any subdomain.
  if (baseAt === -1 && base.startsWith('.')) {
    if (eml.length > base.length && ia5CaseEqual(base, eml.slice(eml.length - base.length))) return X509_V.OK;
    return X509_V.PERMITTED_VIOLATION;
  }
  let baseHost = base;
  if (baseAt !== -1) {
    if (baseAt !== 0) {
      // A local part in the base must match exactly (case-sensitively).
      if (baseAt !== emlAt) return X509_V.PERMITTED_VIOLATION;
      if (base.slice(0, baseAt).includes('\0') || eml.slice(0, emlAt).includes('\0')) return X509_V.UNSUPPORTED_NAME_SYNTAX;
      if (base.slice(0, baseAt) !== eml.slice(0, emlAt)) return X509_V.PERMITTED_VIOLATION;
    }
    baseHost = base.slice(baseAt + 1);
  }
  return ia5CaseEqual(baseHost, eml.slice(emlAt + 1)) ? X509_V.OK : X509_V.PERMITTED_VIOLATION;
}

function ncUri(uri: string, base: string): number {
  const colon = uri.indexOf(':');
  if (colon === -1 || uri.length - colon < 3 || uri[colon + 1] !== '/' || uri[colon + 2] !== '/') return X509_V.UNSUPPORTED_NAME_SYNTAX;
  const hostStart = colon + 3;
  let end = uri.indexOf(':', hostStart);
  if (end === -1) end = uri.indexOf('/', hostStart);
  const host = end === -1 ? uri.slice(hostStart) : uri.slice(hostStart, end);
  if (host.length === 0) return X509_V.UNSUPPORTED_NAME_SYNTAX;
  if (base.startsWith('.')) {
    if (host.length > base.length && ia5CaseEqual(host.slice(host.length - base.length), base)) return X509_V.OK;
    return X509_V.PERMITTED_VIOLATION;
  }
  return ia5CaseEqual(host, base) ? X509_V.OK : X509_V.PERMITTED_VIOLATION;
}

function ncIp(ip: Buffer, base: Buffer): number {
  if (ip.length !== IPV4_LENGTH && ip.length !== IPV6_LENGTH) return X509_V.UNSUPPORTED_NAME_SYNTAX;
  if (base.length !== 2 * IPV4_LENGTH && base.length !== 2 * IPV6_LENGTH) return X509_V.UNSUPPORTED_NAME_SYNTAX;
  // An IPv4 address never matches an IPv6 constraint or the reverse.
  if (ip.length * 2 !== base.length) return X509_V.PERMITTED_VIOLATION;
  for (let i = 0; i < ip.length; i++) {
    const mask = base[ip.length + i] as number;
    if (((ip[i] as number) & mask) !== ((base[i] as number) & mask)) return X509_V.PERMITTED_VIOLATION;
  }
  return X509_V.OK;
}

function matchSingle(gen: GeneralName, base: GeneralName): number {
  if (gen.type === 'directoryName' && base.type === 'directoryName') return ncDn(gen.name, base.name);
  if (gen.type === 'dNSName' && base.type === 'dNSName') return ncDns(gen.value, base.value);
  if (gen.type === 'rfc822Name' && base.type === 'rfc822Name') return ncEmail(gen.value, base.value);
  if (gen.type === 'uniformResourceIdentifier' && base.type === 'uniformResourceIdentifier') return ncUri(gen.value, base.value);
  if (gen.type === 'iPAddress' && base.type === 'iPAddress') return ncIp(gen.bytes, base.bytes);
  return X509_V.UNSUPPORTED_CONSTRAINT_TYPE;
}

function sameType(gen: GeneralName, sub: GeneralSubtree): boolean {
  if (gen.type !== sub.base.type) return false;
  // otherName constraints apply only to the same type-id.
  if (gen.type === 'otherName' && sub.base.type === 'otherName') return gen.typeId === sub.base.typeId;
  return true;
}

/** RFC 5280 §4.2.1.10: minimum MUST be zero and maximum MUST be absent. */
function minMaxValid(sub: GeneralSubtree): boolean {
  return sub.minimum === 0 && sub.maximum === null;
}

/** nc_match: one name against one certificate's constraints. */
function ncMatch(gen: GeneralName, nc: NameConstraints): number {
  let match = 0;
  for (const sub of nc.permitted ?? []) {
    if (!sameType(gen, sub)) continue;
    if (!minMaxValid(sub)) return X509_V.SUBTREE_MINMAX;
    if (match === 2) continue;
    if (match === 0) match = 1;
    const r = matchSingle(gen, sub.base);
    if (r === X509_V.OK) match = 2;
    else if (r !== X509_V.PERMITTED_VIOLATION) return r;
  }
  if (match === 1) return X509_V.PERMITTED_VIOLATION;
  for (const sub of nc.excluded ?? []) {
    if (!sameType(gen, sub)) continue;
    if (!minMaxValid(sub)) return X509_V.SUBTREE_MINMAX;
    const r = matchSingle(gen, sub.base);
    if (r === X509_V.OK) return X509_V.EXCLUDED_VIOLATION;
    if (r !== X509_V.PERMITTED_VIOLATION) return r;
  }
  return X509_V.OK;
}

/** NAME_CONSTRAINTS_check: the subject DN, its emailAddress attributes and every SAN. */
export function checkNameConstraints(x: CertFacts, nc: NameConstraints): number {
  const subject = x.cert.subject;
  const nameCount = subject.rdns.reduce((n, rdn) => n + rdn.length, 0) + (x.subjectAltName?.length ?? 0);
  const constraintCount = (nc.permitted?.length ?? 0) + (nc.excluded?.length ?? 0);
  if (nameCount > 0 && constraintCount > NAME_CHECK_MAX / nameCount) return X509_V.UNSPECIFIED;
  if (!subject.isEmpty) {
    const r = ncMatch({ type: 'directoryName', name: subject, raw: subject.raw }, nc);
    if (r !== X509_V.OK) return r;
    for (const a of subject.attributes(OID.emailAddress)) {
      if (!a.isString || a.tag !== Tag.IA5_STRING) return X509_V.UNSUPPORTED_NAME_SYNTAX;
      const e = ncMatch({ type: 'rfc822Name', value: a.value, bytes: Buffer.from(a.value, 'latin1'), raw: a.rawValue }, nc);
      if (e !== X509_V.OK) return e;
    }
  }
  for (const gen of x.subjectAltName ?? []) {
    const r = ncMatch(gen, nc);
    if (r !== X509_V.OK) return r;
  }
  return X509_V.OK;
}

/**
 * cn2dnsid: a commonName counts as a DNS name only when it looks like one
 * (two or more labels of letters, digits, '_' and inner '-'); embedded NULs
 * are a syntax error. Returns the name, null when it is not DNS-like, or an error code.
 */
function cnToDnsId(cn: string): string | null | number {
  const value = cn.replace(/\0+$/, '');
  if (value.includes('\0')) return X509_V.UNSUPPORTED_NAME_SYNTAX;
  let isDnsName = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (/[A-Za-z0-9_]/.test(c)) continue;
    if (i > 0 && i < value.length - 1) {
      if (c === '-') continue;
      const next = value[i + 1] as string;
      const prev = value[i - 1] as string;
      if (c === '.' && next !== '.' && prev !== '-' && next !== '-') {
        isDnsName = true;
        continue;
      }
    }
    isDnsName = false;
    break;
  }
  return isDnsName ? value : null;
}

/** NAME_CONSTRAINTS_check_CN: DNS-like subject commonNames against DNS constraints. */
export function checkNameConstraintsCn(x: CertFacts, nc: NameConstraints): number {
  for (const a of x.cert.subject.attributes(OID.commonName)) {
    const id = cnToDnsId(a.value);
    if (typeof id === 'number') return id;
    if (id === null) continue;
    const r = ncMatch({ type: 'dNSName', value: id, bytes: Buffer.from(id, 'utf8'), raw: a.rawValue }, nc);
    if (r !== X509_V.OK) return r;
  }
  return X509_V.OK;
}
