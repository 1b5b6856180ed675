/**
 * Python's `socket.socket` for TCP over node:net.
 *
 * Blocking becomes awaiting: every call that can wait returns a Promise that
 * settles when Python's call would return. With `settimeout(t)` it rejects
 * with `TimeoutError('timed out')` after t seconds (the deadline covers the
 * whole call, as sendall() does since Python 3.5); in non-blocking mode
 * (`settimeout(0)` / `setblocking(false)`) it never waits and rejects with
 * `BlockingIOError` ([Errno 11]) at once. Reads and writes are independent
 * (a pending recv and a pending sendall may be awaited together); two reads,
 * or two writes, are served in call order.
 *
 * The Transport, the timeout and the internal API that SSLSocket drives
 * live in ./socket-core.ts (class SocketCore, which this class extends).
 *
 * Flow control: received bytes queue in the Transport up to RECV_HIGH_WATER,
 * then the node stream is paused (the peer's TCP window closes); sends queue
 * in node up to SEND_HIGH_WATER above the kernel buffer, then wait for
 * 'drain'. close() still delivers queued bytes, then FIN.
 *
 * recvInto(), recvfrom(), recvfromInto(), sendto(), sendfile() and makefile()
 * go through `this.recv` / `this.send` / `this.sendall`, so a subclass that
 * overrides those three (as SSLSocket does) gets the rest for free.
 *
 * Deviations forced by Node (each raises a clear error rather than
 * pretending): bind() takes numeric addresses only (no synchronous DNS);
 * dup(), sendmsg()/recvmsg() and socket types other than SOCK_STREAM are not
 * available; fileno() is -1 until the socket is bound or connected (libuv
 * creates descriptors lazily); SO_REUSEADDR is always in effect (libuv sets
 * it on every bind), getsockopt reports the value set by the caller.
 */
import * as net from 'node:net';
import { AF_INET6, MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL, SHUT_RD, SHUT_RDWR, SHUT_WR } from './constants.js';
import { DEFAULT_BACKLOG } from './limits.js';
import { EAI, ERRNO, gaiStrerror } from './errno.js';
import { NotImplementedError, OSError, ValueError, gaierror, oserror, timedOut } from './errors.js';
import {
  type Address,
  type AddressOf,
  checkAddress,
  checkInt,
  connectHost,
  numericBindHost,
  pyTypeName,
  toPythonAddress,
} from './address.js';
import { bindHandle, handleAddress, uvError } from './handle.js';
import { getdefaulttimeout } from './timeout.js';
import { SEND_HIGH_WATER, Transport } from './transport.js';
import { getOption, setOption } from './options.js';
import { type SendfileSource, readAt, sendfileFd } from './sendfile.js';
import { SocketFile, type MakefileOptions } from './makefile.js';

type BinaryMode = 'rb' | 'wb' | 'rwb' | 'wrb' | 'br' | 'bw' | 'b';
type TextMode = 'r' | 'w' | 'rw' | 'wr';

const RECV_FLAGS = MSG_PEEK | MSG_DONTWAIT | MSG_WAITALL;
const SEND_FLAGS = MSG_DONTWAIT;


import { SocketCore, bytesLike, sendBlocker } from './socket-core.js';

export { bytesLike } from './socket-core.js';

/**
 * Python's `socket.socket` (IPv4 and IPv6 TCP). Also exported as `Socket`.
 * `F` is the address family where the code says which: `new socket(AF_INET6)`
 * is a `socket<10>`, whose getsockname() is typed `[host, port, flowinfo,
 * scopeId]` (see AddressOf); a plain `socket` may be either.
 */
export class socket<F extends number = number> extends SocketCore<F> {
  // ── addresses, descriptors, options ───────────────────────────────────

  bind(address: Address): void {
    const t = this._transport();
    const a = checkAddress(this.family, address, 'bind');
    if (t.handle !== null || t.deferredBind !== null || t.stream !== null || t.server !== null) {
      throw OSError.fromErrno(ERRNO.EINVAL);
    }
    const host = numericBindHost(this.family, a.host);
    if (host === null) {
      throw new ValueError(
        `bind(): '${a.host}' is not a numeric ${this.family === AF_INET6 ? 'IPv6' : 'IPv4'} address; ` +
          'Node cannot resolve host names synchronously, so resolve it first (createServer() does)',
      );
    }
    const handle = bindHandle({ host, port: a.port, ipv6: this.family === AF_INET6, v6only: t.options.v6only !== 0 });
    if (handle === null) {
      t.deferredBind = { host, port: a.port };
      return;
    }
    t.handle = handle;
    t.fd = handle.fd;
    t.local = handleAddress(handle);
  }

  /** Python's listen(backlog = min(SOMAXCONN, 128)); synchronous. */
  listen(backlog?: number): void {
    const t = this._transport();
    const n = backlog === undefined ? DEFAULT_BACKLOG : Math.max(0, checkInt(backlog));
    if (t.connected || t.connecting) throw OSError.fromErrno(ERRNO.EINVAL);
    if (t.server !== null) return;
    // Linux binds an unbound socket to an ephemeral port on listen().
    if (t.handle === null && t.deferredBind === null) this.bind(this.family === AF_INET6 ? ['::', 0, 0, 0] : ['0.0.0.0', 0]);
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    if (t.handle !== null) {
      const status = t.handle.listen(n);
      if (status < 0) throw uvError(status);
      t.attachServer(server);
      server.listen(t.handle as unknown as net.ListenOptions, n);
      t.local = handleAddress(t.handle);
      t.handle = null;
    } else {
      t.attachServer(server);
      server.listen({ host: t.deferredBind!.host, port: t.deferredBind!.port, backlog: n });
      t.local = { address: t.deferredBind!.host, port: t.deferredBind!.port };
      t.deferredBind = null;
    }
  }

  /** Python's accept() → `[conn, address]`. */
  async accept(): Promise<[socket<F>, AddressOf<F>]> {
    const t = this._transport();
    if (t.server === null) throw OSError.fromErrno(ERRNO.EINVAL);
    const conn = await this._serve(t, t.readTurn, 0, () => {
      const c = t.pending.shift();
      if (c !== undefined) return c;
      if (t.error !== null) throw t.consumeError()!;
      return null;
    });
    const nt = new Transport(this.family);
    nt.attachStream(conn, true);
    const s = new socket(this.family, this.type, this.proto);
    s._adoptTransport(nt);
    // Python: accepted sockets take the default timeout (blocking if it is None).
    s._timeout = getdefaulttimeout();
    const addr = nt.peer ?? { address: conn.remoteAddress, port: conn.remotePort };
    return [s, toPythonAddress(this.family, addr.address, addr.port) as AddressOf<F>];
  }

  /** Python's connect(address): resolves when connected. */
  async connect(address: Address): Promise<void> {
    const t = this._transport();
    if (t.connected && t.connectUnreported) {
      // Linux: the first connect() after a non-blocking connect has completed returns 0.
      t.connectUnreported = false;
      return;
    }
    if (t.server !== null || t.connected) throw OSError.fromErrno(ERRNO.EISCONN);
    if (t.connecting) throw OSError.fromErrno(ERRNO.EALREADY);
    if (t.stream !== null) {
      // A non-blocking connect that failed: report its error once, then allow a retry.
      const pending = t.consumeError();
      t.dropStream();
      if (pending !== null) throw pending;
    }
    const a = checkAddress(this.family, address, 'connect');
    const host = connectHost(this.family, a.host);
    const ipVersion = net.isIP(host.split('%')[0]!);
    const want = this.family === AF_INET6 ? 6 : 4;
    if (ipVersion !== 0 && ipVersion !== want) throw new gaierror(EAI.EAI_ADDRFAMILY, gaiStrerror(EAI.EAI_ADDRFAMILY));
    const onread = t.onread();
    const stream =
      t.handle !== null
        ? new net.Socket({ handle: t.handle, allowHalfOpen: true, manualStart: true, onread } as net.SocketConstructorOpts)
        : new net.Socket({ allowHalfOpen: true, onread } as net.SocketConstructorOpts);
    const local = t.deferredBind;
    t.handle = null;
    t.deferredBind = null;
    t.attachStream(stream, false, onread);
    stream.connect({
      host,
      port: a.port,
      family: want,
      autoSelectFamily: false,
      ...(local !== null ? { localAddress: local.host, localPort: local.port } : {}),
    } as net.TcpNetConnectOpts);
    const { nonblocking, deadline } = this._deadline();
    if (nonblocking) {
      t.connectUnreported = true;
      throw OSError.fromErrno(ERRNO.EINPROGRESS);
    }
    while (t.connecting) {
      if (!(await t.writable.wait(deadline))) {
        t.dropStream();
        throw timedOut();
      }
    }
    if (t.closed) throw oserror('EBADF');
    if (!t.connected) {
      const err = t.consumeError() ?? oserror('ECONNABORTED');
      t.dropStream();
      throw err;
    }
  }

  /** Python's connect_ex(): the errno instead of raising (0 on success; 11 on timeout). */
  async connectEx(address: Address): Promise<number> {
    return this._connectExVia(() => this.connect(address));
  }

  /** Python's getsockname(): `(host, port)` for AF_INET, `(host, port, flowinfo, scope_id)` for AF_INET6. */
  getsockname(): AddressOf<F> {
    const t = this._transport();
    let a: { address?: string; port?: number } | null = null;
    if (t.stream !== null) a = t.local ?? { address: t.stream.localAddress, port: t.stream.localPort };
    else if (t.server !== null) {
      const sa = t.server.address();
      a = sa !== null && typeof sa === 'object' ? sa : t.local;
    } else if (t.handle !== null) a = handleAddress(t.handle);
    else if (t.deferredBind !== null) a = { address: t.deferredBind.host, port: t.deferredBind.port };
    return toPythonAddress(this.family, a?.address, a?.port) as AddressOf<F>;
  }

  /** Python's getpeername(), typed as getsockname(). */
  getpeername(): AddressOf<F> {
    const t = this._transport();
    if (!t.connected || t.peer === null) throw oserror('ENOTCONN');
    return toPythonAddress(this.family, t.peer.address, t.peer.port) as AddressOf<F>;
  }

  /** Python's getsockopt(level, optname[, buflen]) for the options node:net can honour. */
  getsockopt(level: number, optname: number, buflen?: number): number | Buffer {
    return getOption(this._transport(), this.type, level, optname, buflen);
  }

  /** Python's setsockopt(level, optname, value) for the options node:net can honour. */
  setsockopt(level: number, optname: number, value: number | boolean | Uint8Array | null, _optlen?: number): void {
    setOption(this._transport(), level, optname, value);
  }

  // ── reading ────────────────────────────────────────────────────────────

  /** Python's recv(bufsize[, flags]) → Buffer; empty at EOF, every time. */
  async recv(bufsize: number, flags = 0): Promise<Buffer> {
    const n = checkInt(bufsize);
    if (n < 0) throw new ValueError('negative buffersize in recv');
    return this._recv(n, checkInt(flags));
  }

  /** Python's recv_into(buffer[, nbytes[, flags]]) → number of bytes stored. */
  async recvInto(buffer: Uint8Array, nbytes = 0, flags = 0): Promise<number> {
    if (!(buffer instanceof Uint8Array)) {
      throw new TypeError(`recv_into() argument 'buffer' must be read-write bytes-like object, not ${pyTypeName(buffer)}`);
    }
    let n = checkInt(nbytes);
    if (n < 0) throw new ValueError('negative buffersize in recv_into');
    if (n === 0) n = buffer.length;
    if (n > buffer.length) throw new ValueError('buffer too small for requested bytes');
    // Through this.recv so that subclasses (SSLSocket) need override recv() only.
    const data = await this.recv(n, flags);
    buffer.set(data, 0);
    return data.length;
  }

  /** Python's recvfrom(): on a TCP socket the address is always None. */
  async recvfrom(bufsize: number, flags = 0): Promise<[Buffer, null]> {
    return [await this.recv(bufsize, flags), null];
  }

  /** Python: `socket.socket.recvfrom_into`. */
  async recvfromInto(buffer: Uint8Array, nbytes = 0, flags = 0): Promise<[number, null]> {
    return [await this.recvInto(buffer, nbytes, flags), null];
  }

  private async _recv(n: number, flags: number): Promise<Buffer> {
    const t = this._transport();
    if ((flags & ~RECV_FLAGS) !== 0) throw OSError.fromErrno(ERRNO.EOPNOTSUPP);
    if (!t.connected && !t.connecting) throw t.consumeError() ?? oserror('ENOTCONN');
    if (n === 0) return Buffer.alloc(0);
    const peek = (flags & MSG_PEEK) !== 0;
    const waitAll = (flags & MSG_WAITALL) !== 0;
    return this._serve(t, t.readTurn, flags, (nonblocking) => {
      if (t.rdShut) return Buffer.alloc(0);
      const enough = !waitAll || nonblocking || t.rxLength >= n || t.eof || t.error !== null;
      if (t.rxLength > 0 && enough) return t.take(n, peek);
      if (t.error !== null) throw t.consumeError()!;
      if (t.eof) return Buffer.alloc(0);
      return null;
    });
  }

  // ── writing ────────────────────────────────────────────────────────────

  /**
   * Python's send(data[, flags]) → bytes accepted. A blocking socket (no
   * timeout) takes everything, as a blocking send() on Linux does; with a
   * timeout or in non-blocking mode it takes what fits under the send
   * high-water mark, which may be less than all of it.
   */
  async send(data: Uint8Array, flags = 0): Promise<number> {
    const buf = bytesLike(data);
    const t = this._transport();
    flags = checkInt(flags);
    if ((flags & ~SEND_FLAGS) !== 0) throw OSError.fromErrno(ERRNO.EOPNOTSUPP);
    const all = this._timeout === null && (flags & MSG_DONTWAIT) === 0;
    let offset = 0;
    return this._serve(t, t.writeTurn, flags, () => {
      for (;;) {
        const blocker = sendBlocker(t);
        if (blocker !== null) throw blocker;
        if (offset >= buf.length && t.connected) return offset;
        const space = t.writeSpace;
        if (space === 0) return all || offset === 0 ? null : offset;
        const n = Math.min(space, buf.length - offset);
        t.write(buf.subarray(offset, offset + n));
        offset += n;
        if (!all) return offset;
      }
    });
  }

  /** Python's sendall(data[, flags]): every byte, in order, waiting for drain as needed. */
  async sendall(data: Uint8Array, flags = 0): Promise<void> {
    const buf = bytesLike(data);
    const t = this._transport();
    flags = checkInt(flags);
    if ((flags & ~SEND_FLAGS) !== 0) throw OSError.fromErrno(ERRNO.EOPNOTSUPP);
    let offset = 0;
    await this._serve(t, t.writeTurn, flags, () => {
      for (;;) {
        const blocker = sendBlocker(t);
        if (blocker !== null) throw blocker;
        if (offset >= buf.length && t.connected) return true;
        const space = t.writeSpace;
        if (space === 0) return null;
        const n = Math.min(space, buf.length - offset);
        t.write(buf.subarray(offset, offset + n));
        offset += n;
      }
    });
  }

  /** Python's sendto(): a connected TCP socket ignores the address, as Linux does. */
  async sendto(data: Uint8Array, flagsOrAddress: number | Address, address?: Address): Promise<number> {
    const flags = address === undefined ? 0 : checkInt(flagsOrAddress);
    checkAddress(this.family, address ?? flagsOrAddress, 'sendto');
    return this.send(data, flags);
  }

  /**
   * Python's sendfile(file, offset = 0, count = None) → bytes sent. `file`
   * is a descriptor, a `fs.promises.FileHandle` or an object with fileno();
   * its seek(), if any, is moved past the data sent, as Python does.
   */
  async sendfile(file: SendfileSource, offset = 0, count: number | null = null): Promise<number> {
    const mode = (file as { mode?: unknown }).mode;
    if (typeof mode === 'string' && !mode.includes('b')) throw new ValueError('file should be opened in binary mode');
    if (this._timeout === 0) throw new ValueError('non-blocking sockets are not supported');
    offset = checkInt(offset);
    if (offset < 0) throw new ValueError(`offset must be a non-negative integer (got ${offset})`);
    if (count !== null) {
      if (typeof count !== 'number' || !Number.isInteger(count)) {
        throw new TypeError(`count must be a positive integer (got ${String(count)})`);
      }
      if (count <= 0) throw new ValueError(`count must be a positive integer (got ${count})`);
    }
    const fd = sendfileFd(file);
    this._transport();
    let sent = 0;
    const chunk = Buffer.alloc(SEND_HIGH_WATER);
    try {
      for (;;) {
        const want = count === null ? chunk.length : Math.min(chunk.length, count - sent);
        if (want <= 0) break;
        const got = await readAt(fd, chunk, want, offset + sent);
        if (got === 0) break;
        // Through this.sendall so that subclasses (SSLSocket) encrypt; like
        // Python's send()-based fallback, each block gets its own timeout.
        await this.sendall(chunk.subarray(0, got));
        sent += got;
      }
    } finally {
      const seek = (file as { seek?: (pos: number) => unknown }).seek;
      if (sent > 0 && typeof seek === 'function') seek.call(file, offset + sent);
    }
    return sent;
  }

  // ── shutting down ──────────────────────────────────────────────────────

  /** Python's shutdown(how): SHUT_RD, SHUT_WR or SHUT_RDWR; synchronous. */
  shutdown(how: number): void {
    how = checkInt(how);
    const t = this._transport();
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) throw OSError.fromErrno(ERRNO.EINVAL);
    if (!t.connected) throw oserror('ENOTCONN');
    if (how !== SHUT_WR) {
      t.rdShut = true;
      t.discard();
      if (t.stream?.isPaused()) t.stream.resume();
    }
    if (how !== SHUT_RD) {
      t.wrShut = true;
      t.stream?.end();
    }
    t.wake();
  }

  /**
   * Python's makefile(mode = 'r', buffering = None, *, encoding, errors,
   * newline): binary modes ('rb', 'wb', 'rwb') give Buffers, text modes
   * ('r', 'w', 'rw', the default) give strings.
   */
  makefile(mode: BinaryMode, buffering?: number | null, options?: MakefileOptions): SocketFile<Buffer>;
  makefile(mode?: TextMode, buffering?: number | null, options?: MakefileOptions): SocketFile<string>;
  makefile(mode?: string, buffering?: number | null, options?: MakefileOptions): SocketFile;
  makefile(mode = 'r', buffering: number | null = null, options: MakefileOptions = {}): SocketFile {
    const f = new SocketFile(this, mode, buffering, options);
    this._ioRefs += 1;
    return f;
  }

  // ── what Node cannot do ───────────────────────────────────────────────

  dup(): never {
    throw new NotImplementedError('dup() is not available: Node cannot duplicate a socket descriptor into a second handle');
  }

  sendmsg(): never {
    throw new NotImplementedError('sendmsg() is not available: node:net cannot send ancillary data');
  }

  recvmsg(): never {
    throw new NotImplementedError('recvmsg() is not available: node:net cannot receive ancillary data');
  }

  /** Python: `socket.socket.recvmsg_into`. */
  recvmsgInto(): never {
    throw new NotImplementedError('recvmsg_into() is not available: node:net cannot receive ancillary data');
  }

  override toString(): string {
    if (this._t.closed) return `<socket.socket [closed] fd=-1, family=${this.family}, type=${this.type}, proto=${this.proto}>`;
    const parts = [`fd=${this.fileno()}`, `family=${this.family}`, `type=${this.type}`, `proto=${this.proto}`];
    const tuple = (a: Address): string => `(${a.map((x) => (typeof x === 'string' ? `'${x}'` : String(x))).join(', ')})`;
    try {
      parts.push(`laddr=${tuple(this.getsockname())}`);
    } catch {
      /* not bound */
    }
    try {
      parts.push(`raddr=${tuple(this.getpeername())}`);
    } catch {
      /* not connected */
    }
    return `<socket.socket ${parts.join(', ')}>`;
  }
}

/** Python's `socket.socket`, under the name JavaScript users expect for a class. */
export { socket as Socket };
