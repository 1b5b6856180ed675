/**
 * Host name and IP address checks against a certificate, as OpenSSL 3.0 does
 * them for Python (`X509_VERIFY_PARAM_set1_host` / `set1_ip`, crypto/x509/v3_utl.c),
 * plus the Python-side preparation of `server_hostname`: IDNA encoding
 * (`str.encode('idna')`, IDNA 2003) and the "is this an IP literal" decision
 * (`a2i_IPADDRESS` in Modules/_ssl.c; `ssl._inet_paton` for match_hostname).
 *
 * The certificate side is a small structural view (`HostnameSubject`) so this
 * file does not depend on the certificate model.
 */
import { domainToASCII } from 'node:url';

/** OpenSSL's X509_CHECK_FLAG_* host flags (openssl/x509v3.h); Python's `_host_flags` default is NO_PARTIAL_WILDCARDS. */
export const X509_CHECK_FLAG = {
  ALWAYS_CHECK_SUBJECT: 0x1,
  NO_WILDCARDS: 0x2,
  NO_PARTIAL_WILDCARDS: 0x4,
  MULTI_LABEL_WILDCARDS: 0x8,
  SINGLE_LABEL_SUBDOMAINS: 0x10,
  NEVER_CHECK_SUBJECT: 0x20,
} as const;

/** Python's SSLContext default `_host_flags`. */
export const PYTHON_DEFAULT_HOST_FLAGS = X509_CHECK_FLAG.NO_PARTIAL_WILDCARDS;

/** What host matching needs from a certificate. */
export interface HostnameSubject {
  /** subjectAltName entries in certificate order; null when the certificate has no SAN extension. */
  readonly altNames: readonly HostnameAltName[] | null;
  /** The subject's commonName values (UTF-8 decoded), in name order. */
  readonly commonNames: readonly string[];
}

export type HostnameAltName =
  | { readonly type: 'dns'; readonly value: string } // IA5String content, as stored
  | { readonly type: 'ip'; readonly value: Uint8Array } // 4 or 16 bytes (any length is compared bytewise)
  | { readonly type: 'other' };

// ---------------------------------------------------------------------------
// DNS names (v3_utl.c: do_x509_check, equal_wildcard, valid_star, wildcard_match)

const LABEL_START = 1 << 0;
const LABEL_IDNA = 1 << 1;
const LABEL_HYPHEN = 1 << 2;
const IDNA_PREFIX = 'xn--';

function isAlnum(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/** ASCII-only case folding, as OpenSSL's equal_nocase (non-ASCII bytes compare exactly). */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * skip_prefix: for a host given with a leading '.' (a "sub-domain" query,
 * _X509_CHECK_FLAG_DOT_SUBDOMAINS), a longer pattern is compared by its
 * suffix of the host's length, provided the skipped prefix has no NUL (and,
 * with SINGLE_LABEL_SUBDOMAINS, no '.').
 */
function skipPrefix(pattern: string, subjectLength: number, flags: number): string {
  let p = pattern;
  while (p.length > subjectLength && !p.startsWith('\0')) {
    if ((flags & X509_CHECK_FLAG.SINGLE_LABEL_SUBDOMAINS) !== 0 && p.startsWith('.')) break;
    p = p.slice(1);
  }
  return p.length === subjectLength ? p : pattern;
}

function equalNocase(pattern: string, subject: string, dotSubdomains = false, flags = 0): boolean {
  if (dotSubdomains) pattern = skipPrefix(pattern, subject.length, flags);
  if (pattern.length !== subject.length) return false;
  // The pattern must not contain NUL characters (a classic certificate forgery trick).
  if (pattern.includes('\0')) return false;
  return asciiLower(pattern) === asciiLower(subject);
}

/**
 * The index of the one legal wildcard in `p`, or -1 (then `p` is compared
 * literally). OpenSSL's valid_star: at most one '*', only in the first label,
 * never in an IDNA (xn--) label, and the pattern needs at least two dots after
 * the star (`*.com` is not a wildcard).
 */
function validStar(p: string, flags: number): number {
  let star = -1;
  let state = LABEL_START;
  let dots = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*') {
      const atStart = (state & LABEL_START) !== 0;
      const atEnd = i === p.length - 1 || p[i + 1] === '.';
      if (star !== -1 || (state & LABEL_IDNA) !== 0 || dots !== 0) return -1;
      if ((flags & X509_CHECK_FLAG.NO_PARTIAL_WILDCARDS) !== 0 && (!atStart || !atEnd)) return -1;
      if (!atStart && !atEnd) return -1;
      star = i;
      state &= ~LABEL_START;
    } else if (isAlnum(c)) {
      if ((state & LABEL_START) !== 0 && p.length - i >= IDNA_PREFIX.length && asciiLower(p.slice(i, i + IDNA_PREFIX.length)) === IDNA_PREFIX) {
        state |= LABEL_IDNA;
      }
      state &= ~(LABEL_HYPHEN | LABEL_START);
    } else if (c === '.') {
      if ((state & (LABEL_HYPHEN | LABEL_START)) !== 0) return -1;
      state = LABEL_START;
      dots++;
    } else if (c === '-') {
      if ((state & LABEL_START) !== 0) return -1;
      state |= LABEL_HYPHEN;
    } else {
      return -1;
    }
  }
  if ((state & (LABEL_START | LABEL_HYPHEN)) !== 0 || dots < 2) return -1;
  return star;
}

function wildcardMatch(prefix: string, suffix: string, subject: string, flags: number): boolean {
  if (subject.length < prefix.length + suffix.length) return false;
  if (!equalNocase(prefix, subject.slice(0, prefix.length))) return false;
  const wildStart = prefix.length;
  const wildEnd = subject.length - suffix.length;
  if (!equalNocase(subject.slice(wildEnd), suffix)) return false;
  let allowMulti = false;
  let allowIdna = false;
  // A wildcard that is the whole first label must match at least one character.
  if (prefix.length === 0 && suffix.startsWith('.')) {
    if (wildStart === wildEnd) return false;
    allowIdna = true;
    if ((flags & X509_CHECK_FLAG.MULTI_LABEL_WILDCARDS) !== 0) allowMulti = true;
  }
  // IDNA labels cannot match partial wildcards.
  if (!allowIdna && subject.length >= IDNA_PREFIX.length && asciiLower(subject.slice(0, IDNA_PREFIX.length)) === IDNA_PREFIX) return false;
  // The wildcard may match a literal '*'.
  if (wildEnd === wildStart + 1 && subject[wildStart] === '*') return true;
  for (let i = wildStart; i < wildEnd; i++) {
    const c = subject[i] as string;
    if (!(isAlnum(c) || c === '-' || (allowMulti && c === '.'))) return false;
  }
  return true;
}

/** OpenSSL's equal_wildcard: `pattern` from the certificate, `subject` the host asked for. */
export function dnsPatternMatches(pattern: string, host: string, flags: number = PYTHON_DEFAULT_HOST_FLAGS): boolean {
  // Host names starting with '.' can only match via a sub-domain suffix match, never a wildcard.
  const dotSubdomains = host.length > 1 && host.startsWith('.');
  if ((flags & X509_CHECK_FLAG.NO_WILDCARDS) !== 0) return equalNocase(pattern, host, dotSubdomains, flags);
  const star = dotSubdomains ? -1 : validStar(pattern, flags);
  if (star === -1) return equalNocase(pattern, host, dotSubdomains, flags);
  return wildcardMatch(pattern.slice(0, star), pattern.slice(star + 1), host, flags);
}

/**
 * X509_check_host: DNS subjectAltNames when any is present (case-insensitive,
 * wildcards as above); the subject commonName only when the certificate has
 * no DNS SAN (IP or other SANs do not count) and NEVER_CHECK_SUBJECT is not set.
 */
export function checkHost(cert: HostnameSubject, host: string, flags: number = PYTHON_DEFAULT_HOST_FLAGS): boolean {
  // A trailing NUL is tolerated by X509_VERIFY_PARAM_set1_host; embedded ones never match.
  if (host.length === 0 || host.includes('\0')) return false;
  let dnsSanPresent = false;
  for (const san of cert.altNames ?? []) {
    if (san.type !== 'dns') continue;
    dnsSanPresent = true;
    if (san.value.length > 0 && dnsPatternMatches(san.value, host, flags)) return true;
  }
  if (dnsSanPresent && (flags & X509_CHECK_FLAG.ALWAYS_CHECK_SUBJECT) === 0) return false;
  if ((flags & X509_CHECK_FLAG.NEVER_CHECK_SUBJECT) !== 0) return false;
  return cert.commonNames.some((cn) => cn.length > 0 && dnsPatternMatches(cn, host, flags));
}

/** X509_check_ip: the address bytes against iPAddress SANs only (never the commonName). */
export function checkIp(cert: HostnameSubject, address: Uint8Array): boolean {
  for (const san of cert.altNames ?? []) {
    if (san.type === 'ip' && san.value.length > 0 && Buffer.from(san.value).equals(Buffer.from(address))) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// IP literals

const IPV4_BYTES = 4;
const IPV6_BYTES = 16;
const IPV6_GROUP_HEX_DIGITS = 4;
const IPV6_GROUPS = 8;
/** inet_pton's IPv4 form: exactly four decimal octets without leading zeros. */
const DOTTED_QUAD_STRICT = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const BYTE_MAX = 255;
/** C isspace() in the "C" locale. */
const C_SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);

/**
 * sscanf("%d.%d.%d.%d%n") as OpenSSL's ipv4_from_asc uses it: each %d skips
 * leading white space and takes an optional sign; after the fourth number only
 * the end of the string or white space may follow (the rest is ignored).
 */
function ipv4FromAsc(text: string): Buffer | null {
  const out = Buffer.alloc(IPV4_BYTES);
  let i = 0;
  for (let part = 0; part < IPV4_BYTES; part++) {
    if (part > 0) {
      if (text[i] !== '.') return null;
      i++;
    }
    while (i < text.length && C_SPACE.has(text[i] as string)) i++;
    let sign = 1;
    if (text[i] === '+' || text[i] === '-') {
      if (text[i] === '-') sign = -1;
      i++;
    }
    const start = i;
    while (i < text.length && (text[i] as string) >= '0' && (text[i] as string) <= '9') i++;
    if (i === start) return null;
    const value = sign * Number(text.slice(start, i));
    if (value < 0 || value > BYTE_MAX) return null;
    out[part] = value === 0 ? 0 : value; // -0 is 0
  }
  if (i < text.length && !C_SPACE.has(text[i] as string)) return null;
  return out;
}

/** OpenSSL's ipv6_from_asc: ':'-separated groups, one '::', an optional trailing dotted quad. */
function ipv6FromAsc(text: string): Buffer | null {
  const tmp = Buffer.alloc(IPV6_BYTES);
  let total = 0;
  let zeroPos = -1;
  let zeroCount = 0;
  const elements = text.split(':');
  for (let k = 0; k < elements.length; k++) {
    const elem = elements[k] as string;
    if (total === IPV6_BYTES) return null;
    if (elem.length === 0) {
      // A zero-length element comes from '::' (one, two or three of them).
      if (zeroPos === -1) zeroPos = total;
      else if (zeroPos !== total) return null;
      zeroCount++;
    } else if (elem.length > IPV6_GROUP_HEX_DIGITS) {
      // Could be the final a.b.c.d form: needs 4 bytes left and must end the string.
      if (total > IPV6_BYTES - IPV4_BYTES) return null;
      if (k !== elements.length - 1) return null;
      const v4 = ipv4FromAsc(elem);
      if (v4 === null) return null;
      v4.copy(tmp, total);
      total += IPV4_BYTES;
    } else {
      if (!/^[0-9a-fA-F]+$/.test(elem)) return null;
      tmp.writeUInt16BE(parseInt(elem, 16), total);
      total += 2;
    }
  }
  if (zeroPos === -1) {
    if (total !== IPV6_BYTES) return null;
    return tmp;
  }
  if (total === IPV6_BYTES) return null;
  if (zeroCount > 3) return null;
  if (zeroCount === 3) {
    if (total > 0) return null;
  } else if (zeroCount === 2) {
    if (zeroPos !== 0 && zeroPos !== total) return null;
  } else if (zeroPos === 0 || zeroPos === total) {
    return null;
  }
  const out = Buffer.alloc(IPV6_BYTES);
  tmp.copy(out, 0, 0, zeroPos);
  tmp.copy(out, IPV6_BYTES - (total - zeroPos), zeroPos, total);
  return out;
}

/**
 * OpenSSL's a2i_IPADDRESS, which CPython's _ssl uses to decide whether
 * `server_hostname` is an IP address (then: no SNI, and the check is against
 * iPAddress SANs): IPv6 when the text contains ':', else a lenient dotted quad.
 * Returns the address bytes, or null when the text is not an IP literal.
 */
export function parseIpAddress(text: string): Buffer | null {
  if (text.includes('\0')) return null;
  return text.includes(':') ? ipv6FromAsc(text) : ipv4FromAsc(text);
}

/** True when CPython would treat `server_hostname` as an IP address (see parseIpAddress). */
export function isIpAddress(text: string): boolean {
  return parseIpAddress(text) !== null;
}

/** glibc inet_aton: 1–4 parts in C notation (0x hex, 0 octal, decimal), then end of string or white space. */
function inetAton(text: string): Buffer | null {
  const parts: number[] = [];
  let i = 0;
  for (;;) {
    let base = 10;
    if (text[i] === '0') {
      base = 8;
      if (text[i + 1] === 'x' || text[i + 1] === 'X') {
        base = 16;
        i += 2;
      }
    }
    const start = i;
    const digit = base === 16 ? /[0-9a-fA-F]/ : base === 8 ? /[0-7]/ : /[0-9]/;
    while (i < text.length && digit.test(text[i] as string)) i++;
    if (i === start && base !== 8) return null;
    const value = i === start ? 0 : parseInt(text.slice(start, i), base);
    parts.push(value);
    if (text[i] === '.') {
      if (parts.length === IPV4_BYTES) return null;
      i++;
      continue;
    }
    break;
  }
  if (i < text.length && !C_SPACE.has(text[i] as string)) return null;
  const limits = [0xffffffff, 0xffffff, 0xffff, BYTE_MAX];
  const last = parts[parts.length - 1] as number;
  if (parts.slice(0, -1).some((p) => p > BYTE_MAX) || last > (limits[parts.length - 1] as number)) return null;
  let value = last;
  for (let k = 0; k < parts.length - 1; k++) value += (parts[k] as number) * 2 ** (8 * (3 - k));
  const out = Buffer.alloc(IPV4_BYTES);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/** glibc inet_pton(AF_INET6): hex groups of 1–4 digits, at most one '::', an optional strict dotted-quad tail. */
function inetPton6(text: string): Buffer | null {
  let hex = text;
  if (text.includes('.')) {
    // Rewrite the dotted-quad tail as two hex groups, then parse one form.
    const lastColon = text.lastIndexOf(':');
    const tail = text.slice(lastColon + 1);
    if (lastColon === -1 || !DOTTED_QUAD_STRICT.test(tail)) return null;
    const b = tail.split('.').map(Number) as [number, number, number, number];
    hex = `${text.slice(0, lastColon + 1)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const halves = hex.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string): number[] | null => {
    if (s === '') return [];
    const groups = s.split(':');
    if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
    return groups.map((g) => parseInt(g, 16));
  };
  let groups: number[];
  if (halves.length === 2) {
    const left = parse(halves[0] as string);
    const right = parse(halves[1] as string);
    if (left === null || right === null || left.length + right.length > IPV6_GROUPS - 1) return null;
    groups = [...left, ...new Array<number>(IPV6_GROUPS - left.length - right.length).fill(0), ...right];
  } else {
    const all = parse(hex);
    if (all === null || all.length !== IPV6_GROUPS) return null;
    groups = all;
  }
  const out = Buffer.alloc(IPV6_BYTES);
  groups.forEach((g, k) => out.writeUInt16BE(g, 2 * k));
  return out;
}

function inetNtoa(addr: Buffer): string {
  return Array.from(addr).join('.');
}

/**
 * Python's `ssl._inet_paton` (used by the legacy `match_hostname`): a
 * canonical dotted quad or any IPv6 form inet_pton accepts. Throws Python's
 * ValueError texts (as a plain Error whose `pythonType` is 'ValueError').
 */
export function inetPaton(ipname: string): Buffer {
  const v4 = inetAton(ipname);
  if (v4 !== null) {
    if (inetNtoa(v4) === ipname) return v4;
    throw pythonValueError(`'${ipname}' is not a quad-dotted IPv4 address.`);
  }
  const v6 = inetPton6(ipname);
  if (v6 !== null) return v6;
  throw pythonValueError(`'${ipname}' is neither an IPv4 nor an IP6 address.`);
}

function pythonValueError(message: string): Error {
  return Object.assign(new Error(message), { pythonType: 'ValueError' as const });
}

// ---------------------------------------------------------------------------
// IDNA (Python's 'idna' codec, IDNA 2003)

/** Raised when a host name cannot be IDNA-encoded; the ssl layer turns it into Python's UnicodeError. */
export class IdnaError extends Error {
  override readonly name = 'IdnaError';
}

/** RFC 1035 §2.3.4: labels are 63 octets or less. */
const MAX_LABEL_LENGTH = 63;
/** Label separators of RFC 3490 §3.1: full stop, ideographic full stop, fullwidth full stop, halfwidth ideographic full stop. */
const IDNA_DOTS = /[.\u3002\uFF0E\uFF61]/;

/**
 * Nameprep (RFC 3491) differs from UTS #46 non-transitional processing (what
 * `domainToASCII` implements) in a few deviation characters: map those the
 * IDNA 2003 way before handing the label over.
 */
function idna2003Deviations(label: string): string {
  return label.replace(/ß/g, 'ss').replace(/ς/g, 'σ').replace(/[\u200c\u200d]/g, '');
}

function toAsciiLabel(label: string): string {
  // ASCII labels are kept exactly (case preserved), as Python's ToASCII step 1.
  if (/^[\x00-\x7f]*$/.test(label)) {
    if (label.length === 0 || label.length > MAX_LABEL_LENGTH) throw new IdnaError('label empty or too long');
    return label;
  }
  const ascii = domainToASCII(idna2003Deviations(label));
  if (ascii === '' || ascii.includes('.')) throw new IdnaError(`invalid IDNA label ${JSON.stringify(label)}`);
  if (ascii.length > MAX_LABEL_LENGTH) throw new IdnaError('label empty or too long');
  return ascii;
}

/**
 * `server_hostname.encode('idna').decode('ascii')`: ASCII names pass unchanged
 * (only label lengths are checked), other labels become A-labels. Throws
 * IdnaError (Python: UnicodeError) for empty or over-long labels.
 */
export function idnaEncodeHostname(name: string): string {
  if (name.length === 0) return name;
  if (/^[\x00-\x7f]*$/.test(name)) {
    const labels = name.split('.');
    for (const label of labels.slice(0, -1)) {
      if (label.length === 0 || label.length > MAX_LABEL_LENGTH) throw new IdnaError('label empty or too long');
    }
    if ((labels[labels.length - 1] as string).length > MAX_LABEL_LENGTH) throw new IdnaError('label too long');
    return name;
  }
  const labels = name.split(IDNA_DOTS);
  let trailingDot = '';
  if (labels.length > 0 && labels[labels.length - 1] === '') {
    trailingDot = '.';
    labels.pop();
  }
  return labels.map(toAsciiLabel).join('.') + trailingDot;
}

/**
 * What CPython's _ssl does with an (already IDNA-encoded) server_hostname:
 * an IP literal (a2i_IPADDRESS) is checked against iPAddress SANs and sent
 * without SNI; anything else is a DNS name for X509_VERIFY_PARAM_set1_host and SNI.
 */
export function peerIdentity(serverHostname: string): { readonly hostname: string | null; readonly ip: Buffer | null } {
  const ip = parseIpAddress(serverHostname);
  return ip !== null ? { hostname: null, ip } : { hostname: serverHostname, ip: null };
}
