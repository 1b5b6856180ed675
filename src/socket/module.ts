/**
 * Python's socket module functions: create_connection(), create_server(),
 * getaddrinfo(), gethostname(), close(fd), has_ipv6, byte-order helpers.
 */
import { lookup } from 'node:dns/promises';
import { closeSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_V6ONLY,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
} from './constants.js';
import { EAI, gaiStrerror } from './errno.js';
import { OSError, OverflowError, ValueError, fromNodeError, gaierror } from './errors.js';
import { type Address, checkInt, pyTypeName } from './address.js';
import { socket } from './socket.js';
import { detachedTransports } from './transport.js';

const UINT16_MAX = 0xffff;
const UINT32_MAX = 0xffffffff;

function pyTuple(a: readonly unknown[]): string {
  return `(${a.map((x) => (typeof x === 'string' ? `'${x}'` : String(x))).join(', ')})`;
}

/** One resolved address: Python's getaddrinfo() 5-tuple. */
export type AddrInfo = [family: number, type: number, proto: number, canonname: string, sockaddr: Address];

async function resolve(host: string, family: number): Promise<Array<{ family: number; address: string }>> {
  const v = isIP(host.split('%')[0]!);
  if (v !== 0) {
    const fam = v === 6 ? AF_INET6 : AF_INET;
    if (family !== AF_UNSPEC && family !== fam) throw new gaierror(EAI.EAI_ADDRFAMILY, gaiStrerror(EAI.EAI_ADDRFAMILY));
    return [{ family: fam, address: host }];
  }
  try {
    const found = await lookup(host, { all: true, family: family === AF_INET6 ? 6 : family === AF_INET ? 4 : 0 });
    return found.map((r) => ({ family: r.family === 6 ? AF_INET6 : AF_INET, address: r.address }));
  } catch (e) {
    throw fromNodeError(e);
  }
}

function checkPort(port: unknown): number {
  if (typeof port === 'string' && /^\d+$/.test(port)) port = Number(port);
  if (typeof port === 'string') throw new gaierror(EAI.EAI_SERVICE, gaiStrerror(EAI.EAI_SERVICE));
  if (port === null) return 0;
  const p = checkInt(port);
  if (p < 0 || p > UINT16_MAX) throw new OverflowError(`getsockaddrarg: port must be 0-${UINT16_MAX}.`);
  return p;
}

/**
 * Python's getaddrinfo(host, port, family = 0, type = 0, proto = 0, flags = 0),
 * asynchronous (Node resolves names asynchronously). TCP results only.
 */
export async function getaddrinfo(
  host: string | null,
  port: number | string | null,
  family = AF_UNSPEC,
  type = 0,
  proto = 0,
  _flags = 0,
): Promise<AddrInfo[]> {
  const p = checkPort(port);
  const h = host ?? 'localhost';
  if (typeof h !== 'string') throw new TypeError(`getaddrinfo() argument 1 must be string or None, not ${pyTypeName(h)}`);
  const found = await resolve(h, checkInt(family));
  return found.map((r) => [
    r.family,
    type || SOCK_STREAM,
    proto || IPPROTO_TCP,
    '',
    r.family === AF_INET6 ? [r.address, p, 0, 0] : [r.address, p],
  ]);
}

/**
 * Python's create_connection(address, timeout = default, source_address = None):
 * tries each resolved address in turn; raises the first error if none connects.
 */
export async function createConnection(
  address: [string, number],
  timeout?: number | null,
  sourceAddress: Address | null = null,
): Promise<socket> {
  if (!Array.isArray(address) || address.length !== 2) {
    throw new TypeError(`create_connection() address must be a (host, port) pair, not ${pyTypeName(address)}`);
  }
  const [host, port] = address;
  const p = checkPort(port);
  const errors: Error[] = [];
  for (const r of await resolve(host, AF_UNSPEC)) {
    const sock = new socket(r.family, SOCK_STREAM);
    try {
      if (timeout !== undefined) sock.settimeout(timeout);
      if (sourceAddress !== null) sock.bind(sourceAddress);
      await sock.connect(r.family === AF_INET6 ? [r.address, p, 0, 0] : [r.address, p]);
      return sock;
    } catch (e) {
      errors.push(e as Error);
      sock.close();
    }
  }
  if (errors.length > 0) throw errors[0]!;
  throw new OSError('getaddrinfo returns an empty list');
}

/** Python's create_server() keyword arguments (`family`, `backlog`, `reuse_port`, `dualstack_ipv6`). */
export interface CreateServerOptions<F extends number = number> {
  /** Python's `family` (default AF_INET); the returned socket is a `socket<F>`. */
  family?: F;
  backlog?: number | null;
  reusePort?: boolean;
  dualstackIpv6?: boolean;
}

/**
 * Python's create_server(address, *, family = AF_INET, backlog = None,
 * reuse_port = False, dualstack_ipv6 = False) → a listening socket.
 */
export async function createServer<F extends number = typeof AF_INET>(address: [string, number], options: CreateServerOptions<F> = {}): Promise<socket<F>> {
  const family = options.family ?? (AF_INET as F);
  const dualstack = options.dualstackIpv6 ?? false;
  // Node 20's libuv (1.46) has no UV_TCP_REUSEPORT, so SO_REUSEPORT cannot be set.
  if (options.reusePort) throw new ValueError('SO_REUSEPORT not supported on this platform');
  if (dualstack) {
    if (!hasDualstackIpv6()) throw new ValueError('dualstack_ipv6 not supported on this platform');
    if (family !== AF_INET6) throw new ValueError('dualstack_ipv6 requires AF_INET6 family');
  }
  if (!Array.isArray(address) || address.length < 2) {
    throw new TypeError(`create_server() address must be a (host, port) pair, not ${pyTypeName(address)}`);
  }
  const host = address[0];
  const special = host === '' || host === 'localhost' || isIP(host.split('%')[0]!) !== 0;
  const numeric = special ? host : (await resolve(host, family))[0]!.address;
  const bindAddr = (family === AF_INET6 ? [numeric, address[1], 0, 0] : [numeric, address[1]]) as Address;
  const sock = new socket(family, SOCK_STREAM);
  try {
    sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    if (family === AF_INET6) sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, dualstack ? 0 : 1);
    try {
      sock.bind(bindAddr);
    } catch (e) {
      if (e instanceof OSError && e.errno !== null) {
        throw new OSError(e.errno, `${e.strerror} (while attempting to bind on address ${pyTuple(address)})`);
      }
      throw e;
    }
    if (options.backlog === null || options.backlog === undefined) sock.listen();
    else sock.listen(options.backlog);
    const server = sock._transport().server!;
    if (!server.listening) {
      // Only without tcp_wrap: node:net binds asynchronously; wait for the verdict.
      await new Promise<void>((res, rej) => {
        server.once('listening', () => res());
        server.once('error', (err) => rej(fromNodeError(err)));
      });
    }
    return sock;
  } catch (e) {
    sock.close();
    throw e;
  }
}

/** Python's has_ipv6: this host has an IPv6 stack (an IPv6 address on some interface). */
export const has_ipv6: boolean = Object.values(networkInterfaces()).some((list) =>
  (list ?? []).some((i) => i.family === 'IPv6'),
);

/** Python's has_dualstack_ipv6(). */
export function hasDualstackIpv6(): boolean {
  return has_ipv6;
}

/** Python's gethostname(). */
export function gethostname(): string {
  return hostname();
}

/** Python's socket.close(fd): closes a descriptor given up by detach(). */
export function close(fd: number): void {
  const n = checkInt(fd);
  const t = detachedTransports.get(n);
  if (t !== undefined) {
    detachedTransports.delete(n);
    t.close();
    return;
  }
  try {
    closeSync(n);
  } catch (e) {
    throw fromNodeError(e);
  }
}

function checkRange(x: unknown, max: number, what: string): number {
  const n = checkInt(x);
  if (n < 0) throw new OverflowError(`${what}: can't convert negative Python int to C ${max === UINT16_MAX ? '16-bit' : '32-bit'} unsigned integer`);
  if (n > max) throw new OverflowError(`${what}: Python int too large to convert to C ${max === UINT16_MAX ? '16-bit' : '32-bit'} unsigned integer`);
  return n;
}

/** Host and network byte order are converted as on little-endian Linux. */
export function htons(x: number): number {
  const n = checkRange(x, UINT16_MAX, 'htons');
  return ((n & 0xff) << 8) | (n >>> 8);
}
export const ntohs = htons;
export function htonl(x: number): number {
  const n = checkRange(x, UINT32_MAX, 'htonl');
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
}
export const ntohl = htonl;
