/**
 * getsockopt()/setsockopt() for the options node:net can honour. The values
 * are kept on the Transport and applied to the node stream (TCP_NODELAY,
 * SO_KEEPALIVE) or to bind() (IPV6_V6ONLY). SO_REUSEADDR is recorded only:
 * libuv sets it on every bind, so it is always in effect. Options node:net
 * cannot read or set (SO_RCVBUF, SO_SNDBUF, SO_LINGER, SO_REUSEPORT, …)
 * raise OSError ENOPROTOOPT with a note saying so.
 */
import {
  AF_INET6,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_V6ONLY,
  SOL_SOCKET,
  SO_ACCEPTCONN,
  SO_DOMAIN,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_PROTOCOL,
  SO_REUSEADDR,
  SO_TYPE,
  TCP_NODELAY,
} from './constants.js';
import { ERRNO } from './errno.js';
import { OSError } from './errors.js';
import { checkInt } from './address.js';
import type { Transport } from './transport.js';

/** Integer options travel as a C int. */
const INT_BYTES = 4;

function unsupportedOption(what: string): OSError {
  return new OSError(ERRNO.ENOPROTOOPT, `Protocol not available (sslsock cannot honour ${what} over node:net)`);
}

function optionValue(t: Transport, type: number, level: number, opt: number): number {
  if (level === SOL_SOCKET) {
    switch (opt) {
      case SO_TYPE:
        return type;
      case SO_DOMAIN:
        return t.family;
      case SO_PROTOCOL:
        return IPPROTO_TCP;
      case SO_ERROR:
        return t.consumeError()?.errno ?? 0;
      case SO_ACCEPTCONN:
        return t.server !== null ? 1 : 0;
      case SO_REUSEADDR:
        return t.options.reuseaddr;
      case SO_KEEPALIVE:
        return t.options.keepalive;
    }
  } else if (level === IPPROTO_TCP && opt === TCP_NODELAY) {
    return t.options.nodelay;
  } else if (level === IPPROTO_IPV6 && opt === IPV6_V6ONLY && t.family === AF_INET6) {
    return t.options.v6only;
  }
  throw unsupportedOption(`getsockopt(${level}, ${opt})`);
}

/** Python's getsockopt(level, optname[, buflen]): an int, or bytes when buflen is given. */
export function getOption(t: Transport, type: number, level: unknown, opt: unknown, buflen?: unknown): number | Buffer {
  const value = optionValue(t, type, checkInt(level), checkInt(opt));
  if (buflen === undefined) return value;
  const out = Buffer.alloc(INT_BYTES);
  out.writeInt32LE(value);
  return out.subarray(0, Math.max(0, Math.min(checkInt(buflen), INT_BYTES)));
}

/** Python's setsockopt(level, optname, value) with an int, bool or bytes value. */
export function setOption(t: Transport, level: unknown, opt: unknown, value: number | boolean | Uint8Array | null): void {
  const lv = checkInt(level);
  const name = checkInt(opt);
  let v: number;
  if (value === null) v = 0;
  else if (value instanceof Uint8Array) v = value.length >= INT_BYTES ? Buffer.from(value).readInt32LE(0) : value[0] ?? 0;
  else v = checkInt(value);
  const on = v !== 0 ? 1 : 0;
  if (lv === SOL_SOCKET && name === SO_REUSEADDR) {
    t.options.reuseaddr = on;
  } else if (lv === SOL_SOCKET && name === SO_KEEPALIVE) {
    t.options.keepalive = on;
    if (t.connected) t.stream?.setKeepAlive(on === 1);
  } else if (lv === IPPROTO_TCP && name === TCP_NODELAY) {
    t.options.nodelay = on;
    if (t.connected) t.stream?.setNoDelay(on === 1);
  } else if (lv === IPPROTO_IPV6 && name === IPV6_V6ONLY && t.family === AF_INET6) {
    // Linux refuses to change IPV6_V6ONLY once the socket is bound.
    if (t.handle !== null || t.stream !== null || t.server !== null) throw OSError.fromErrno(ERRNO.EINVAL);
    t.options.v6only = on;
  } else {
    throw unsupportedOption(`setsockopt(${lv}, ${name})`);
  }
}
