/**
 * Address checking and conversion: Python's (host, port[, flowinfo,
 * scopeid]) tuples ↔ what node:net takes and reports, plus inet_pton /
 * inet_ntop. Argument errors carry Python's exact messages.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { AF_INET, AF_INET6 } from './constants.js';
import { PORT_MAX } from './limits.js';
import { OSError, OverflowError, ValueError, oserror } from './errors.js';

/** Python's AF_INET address `(host, port)`. */
export type AddressInet = [host: string, port: number];
/** Python's AF_INET6 address `(host, port, flowinfo, scope_id)`. */
export type AddressInet6 = [host: string, port: number, flowinfo: number, scopeId: number];
/** An AF_INET address `[host, port]` or AF_INET6 `[host, port, flowinfo, scopeid]`. */
export type Address = AddressInet | AddressInet6;
/**
 * The address a socket of family `F` reports (getsockname(), getpeername(),
 * accept()): `AddressInet` for AF_INET, `AddressInet6` for AF_INET6, and
 * either (`Address`) when the family is not known where the socket is typed.
 */
export type AddressOf<F extends number> = F extends typeof AF_INET ? AddressInet : F extends typeof AF_INET6 ? AddressInet6 : Address;

/** A checked address: host as given (may be a name), numbers in range. */
export interface CheckedAddress {
  host: string;
  port: number;
  flowinfo: number;
  scopeid: number;
}

const FLOWINFO_MAX = 0xfffff;
const IPV4_BYTES = 4;
const IPV6_BYTES = 16;
const IPV6_GROUPS = 8;
const BAD_PACKED_LENGTH = 'invalid length of packed IP address string';

/** Python's type name for a JS value, for "not str" / "not int" messages. */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (Array.isArray(v)) return 'tuple';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'function') return 'function';
  return (v as object).constructor?.name ?? 'object';
}

/** Python's `operator.index()` check: an integer, else TypeError. */
export function checkInt(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`'${pyTypeName(v)}' object cannot be interpreted as an integer`);
  }
  return v;
}

function checkHost(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('latin1');
  throw new TypeError(`str, bytes or bytearray expected, not ${pyTypeName(v)}`);
}

/**
 * Check an address the way CPython's getsockaddrarg() does for `family`;
 * `op` is the calling method's name, which Python puts in some messages.
 */
export function checkAddress(family: number, address: unknown, op: string): CheckedAddress {
  if (family === AF_INET) {
    if (!Array.isArray(address)) {
      throw new TypeError(`${op}(): AF_INET address must be tuple, not ${pyTypeName(address)}`);
    }
    if (address.length !== 2) throw new TypeError('AF_INET address must be a pair (host, port)');
    const host = checkHost(address[0]);
    const port = checkInt(address[1]);
    if (port < 0 || port > PORT_MAX) throw new OverflowError(`${op}(): port must be 0-${PORT_MAX}.`);
    return { host, port, flowinfo: 0, scopeid: 0 };
  }
  if (family === AF_INET6) {
    if (!Array.isArray(address)) {
      throw new TypeError(`${op}(): AF_INET6 address must be tuple, not ${pyTypeName(address)}`);
    }
    if (address.length < 2 || address.length > 4) {
      throw new TypeError('AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])');
    }
    const host = checkHost(address[0]);
    const port = checkInt(address[1]);
    const flowinfo = address.length > 2 ? checkInt(address[2]) : 0;
    const scopeid = address.length > 3 ? checkInt(address[3]) : 0;
    if (port < 0 || port > PORT_MAX) throw new OverflowError(`${op}(): port must be 0-${PORT_MAX}.`);
    if (flowinfo < 0 || flowinfo > FLOWINFO_MAX) {
      throw new OverflowError(`${op}(): flowinfo must be 0-${FLOWINFO_MAX}.`);
    }
    return { host, port, flowinfo, scopeid };
  }
  throw oserror('EAFNOSUPPORT');
}

/**
 * The numeric host for a bind(): Python resolves names synchronously, Node
 * cannot, so bind() takes numeric addresses plus Python's special names
 * ('' = any address, '<broadcast>') and 'localhost'.
 */
export function numericBindHost(family: number, host: string): string | null {
  const bare = host.split('%')[0]!;
  if (host === '') return family === AF_INET6 ? '::' : '0.0.0.0';
  if (host === '<broadcast>' && family === AF_INET) return '255.255.255.255';
  if (host === 'localhost') return family === AF_INET6 ? '::1' : '127.0.0.1';
  if (family === AF_INET && isIPv4(host)) return host;
  if (family === AF_INET6 && isIPv6(bare)) return host;
  return null;
}

/** The host to hand to node:net for connect(): '' means "this host", as in C. */
export function connectHost(family: number, host: string): string {
  if (host === '') return family === AF_INET6 ? '::' : '0.0.0.0';
  if (host === '<broadcast>' && family === AF_INET) return '255.255.255.255';
  return host;
}

/** A node:net address report as Python's tuple for the socket's family. */
export function toPythonAddress(family: number, host: string | undefined, port: number | undefined): Address {
  const h = host ?? (family === AF_INET6 ? '::' : '0.0.0.0');
  const p = port ?? 0;
  if (family !== AF_INET6) return [h, p];
  const pct = h.indexOf('%');
  const scope = pct >= 0 ? Number(h.slice(pct + 1)) : 0;
  return [h, p, 0, Number.isInteger(scope) ? scope : 0];
}

/** Python's `socket.inet_pton(family, ip_string)` → packed bytes. */
export function inet_pton(family: number, ip: string): Buffer {
  if (typeof ip !== 'string') throw new TypeError(`inet_pton() argument 2 must be str, not ${pyTypeName(ip)}`);
  if (family === AF_INET) {
    if (!isIPv4(ip)) throw new OSError('illegal IP address string passed to inet_pton');
    return Buffer.from(ip.split('.').map(Number));
  }
  if (family === AF_INET6) {
    const packed = packIPv6(ip);
    if (packed === null) throw new OSError('illegal IP address string passed to inet_pton');
    return packed;
  }
  throw oserror('EAFNOSUPPORT');
}

function packIPv6(ip: string): Buffer | null {
  if (!isIPv6(ip) || ip.includes('%')) return null;
  let text = ip;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) is two 16-bit groups.
    if (!isIPv4(last)) return null;
    const q = last.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((q[0]! << 8) | q[1]!).toString(16)}:${((q[2]! << 8) | q[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = IPV6_GROUPS - head.length - rest.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return null;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest];
  if (groups.length !== IPV6_GROUPS || groups.some((g) => !(g >= 0 && g <= 0xffff))) return null;
  const out = Buffer.alloc(IPV6_BYTES);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** Python's `socket.inet_ntop(family, packed_ip)` → text, in glibc's form. */
export function inet_ntop(family: number, packed: Uint8Array): string {
  if (!(packed instanceof Uint8Array)) {
    throw new TypeError(`a bytes-like object is required, not '${pyTypeName(packed)}'`);
  }
  if (family === AF_INET) {
    if (packed.length !== IPV4_BYTES) throw new ValueError(BAD_PACKED_LENGTH);
    return Array.from(packed).join('.');
  }
  if (family === AF_INET6) {
    if (packed.length !== IPV6_BYTES) throw new ValueError(BAD_PACKED_LENGTH);
    const words: number[] = [];
    for (let i = 0; i < IPV6_GROUPS; i++) words.push((packed[2 * i]! << 8) | packed[2 * i + 1]!);
    // glibc inet_ntop6: compress the longest run (≥ 2) of zero words, first on ties.
    let bestBase = -1;
    let bestLen = 0;
    for (let i = 0; i < IPV6_GROUPS; ) {
      if (words[i] !== 0) { i++; continue; }
      let j = i;
      while (j < IPV6_GROUPS && words[j] === 0) j++;
      if (j - i > bestLen) { bestBase = i; bestLen = j - i; }
      i = j;
    }
    if (bestLen < 2) bestBase = -1;
    const v4 = (): string => `${packed[12]}.${packed[13]}.${packed[14]}.${packed[15]}`;
    // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) forms.
    if (bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      return bestLen === 6 ? `::${v4()}` : `::ffff:${v4()}`;
    }
    let out = '';
    for (let i = 0; i < IPV6_GROUPS; i++) {
      if (i === bestBase) { out += '::'; i += bestLen - 1; continue; }
      if (out !== '' && !out.endsWith(':')) out += ':';
      out += words[i]!.toString(16);
    }
    return out;
  }
  throw oserror('EAFNOSUPPORT');
}

