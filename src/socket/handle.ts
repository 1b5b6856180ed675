/**
 * Binding without listening or connecting.
 *
 * Python's bind() is synchronous, reports EADDRINUSE at once, and makes
 * getsockname() return the kernel-chosen port for port 0. node:net has no
 * public API for a bound-but-idle socket, so we use the libuv TCP handle that
 * node:net itself is built on (`process.binding('tcp_wrap')`, which Node 20
 * still exposes without a runtime warning). The handle is later handed to
 * `net.Server#listen(handle)` or `new net.Socket({ handle })`, both public
 * entry points that accept such a handle.
 *
 * libuv always sets SO_REUSEADDR and reports a bind conflict with a
 * listening socket late ("delayed error"), so we detect it by comparing the
 * bound port with the requested one, and listen() on the handle itself
 * before node:net does so that its error is synchronous too.
 */
import { OSError } from './errors.js';
import { strerror } from './errno.js';

/** The subset of libuv's TCPWrap that we use. */
export interface TcpHandle {
  readonly fd: number;
  bind(address: string, port: number): number;
  bind6(address: string, port: number, flags: number): number;
  listen(backlog: number): number;
  getsockname(out: { address?: string; port?: number; family?: string }): number;
  close(callback?: () => void): void;
}

interface TcpWrapBinding {
  TCP: new (type: number) => TcpHandle;
  constants: { SOCKET: number; SERVER: number; UV_TCP_IPV6ONLY: number; UV_TCP_REUSEPORT?: number };
}

let binding: TcpWrapBinding | null | undefined;

/** node's tcp_wrap binding, or null where this runtime does not offer it. */
export function tcpWrap(): TcpWrapBinding | null {
  if (binding === undefined) {
    try {
      const b = (process as unknown as { binding(name: string): TcpWrapBinding }).binding('tcp_wrap');
      binding = typeof b?.TCP === 'function' ? b : null;
    } catch {
      binding = null;
    }
  }
  return binding;
}

/** A libuv status (negative errno on Unix) as Python's OSError. */
export function uvError(status: number): OSError {
  return OSError.fromErrno(-status, strerror(-status));
}

export interface BindRequest {
  host: string;
  port: number;
  ipv6: boolean;
  /** IPV6_V6ONLY: accept only IPv6 peers on an AF_INET6 socket. */
  v6only: boolean;
}

/**
 * Bind a fresh libuv TCP handle; returns it, or null when tcp_wrap is not
 * available (the caller then defers the bind to listen()/connect()).
 * Throws the OSError Python would raise from bind().
 */
export function bindHandle(req: BindRequest): TcpHandle | null {
  const b = tcpWrap();
  if (b === null) return null;
  const handle = new b.TCP(b.constants.SOCKET);
  const status = req.ipv6
    ? handle.bind6(req.host, req.port, req.v6only ? b.constants.UV_TCP_IPV6ONLY : 0)
    : handle.bind(req.host, req.port);
  if (status < 0) {
    handle.close();
    throw uvError(status);
  }
  const out: { port?: number } = {};
  const got = handle.getsockname(out);
  // libuv swallows EADDRINUSE until listen()/connect(); the socket is left unbound.
  if (got < 0 || (req.port !== 0 && out.port !== req.port)) {
    handle.close();
    throw got < 0 ? uvError(got) : OSError.fromErrno(98);
  }
  return handle;
}

/** getsockname() of a bound handle. */
export function handleAddress(handle: TcpHandle): { address: string; port: number } {
  const out: { address?: string; port?: number } = {};
  const status = handle.getsockname(out);
  if (status < 0) throw uvError(status);
  return { address: out.address ?? '0.0.0.0', port: out.port ?? 0 };
}

