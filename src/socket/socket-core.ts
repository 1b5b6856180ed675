/**
 * The core of `socket.socket`: the Transport it owns, its timeout, and the
 * internal API that layers built on it drive (SSLSocket). The Python-facing
 * calls (bind, connect, recv, send, …) are in ./socket.ts, which extends this.
 *
 * ## Internal API for layers built on this one (SSLSocket)
 *
 * All connection state lives in a `Transport` (./transport.ts): the node
 * stream, the receive queue, the pending error, the readable/writable
 * conditions and the read/write turnstiles. An SSLSocket drives the raw
 * bytes through these underscore methods; none of them apply Python's
 * argument checks, and none throw TimeoutError — a `false` return means the
 * deadline passed, so the caller can raise its own text ("The read
 * operation timed out").
 *
 *   _transport()            the live Transport; throws EBADF when closed.
 *   _deadline()             `{ nonblocking, deadline }` for one operation,
 *                           from this socket's timeout (see ./wait.ts).
 *   _readRaw(max, borrow?)  sync: up to `max` buffered bytes; an empty Buffer
 *                           at EOF (every time); null if nothing has arrived
 *                           yet; throws the pending OSError (e.g. ECONNRESET).
 *                           `borrow`: a view that the next read may overwrite,
 *                           for a caller done with it before it yields.
 *   _peekRaw()              sync: the first buffered chunk, not taken (a
 *                           view: use it before yielding), or null if none.
 *   _waitReadableUntil(d)   resolves true once _readRaw would not return
 *                           null, false at deadline d.
 *   _writeRaw(bytes, owned, sent?, failed?) sync: queue all bytes for the peer, in
 *                           order, never dropped (copied unless `owned`: bytes
 *                           the caller never writes again); throws EPIPE / the
 *                           pending error. Ignores the high-water mark, so a
 *                           TLS engine can always flush what it produced.
 *                           `sent()` runs once node has let go of the bytes
 *                           (so their memory may be reused), never on failure;
 *                           `failed(err)` runs instead when the write failed.
 *   _writeSpace()           bytes that fit under the high-water mark now;
 *                           0 means "wait before writing more".
 *   _waitWritableUntil(d)   resolves true once there is room (or a state
 *                           that fails at once), false at deadline d.
 *   _pushBack(bytes)        put bytes back at the front of the receive queue
 *                           (plaintext read past close_notify before unwrap).
 *   _readTurn/_writeTurn    the FIFO locks recv/send take, so an SSLSocket
 *                           can order its own reads and writes the same way.
 *   _detachTransport()      take the Transport out (this socket becomes
 *                           closed, nothing is torn down); and
 *   _adoptTransport(t)      make a socket object own a detached Transport —
 *                           how wrapSocket() turns a plain socket into an
 *                           SSLSocket and unwrap() turns it back.
 *   _ioRefs/_decrefSocketios  makefile()'s reference count, as in Python.
 *   _connectExVia(connect)  connect_ex()'s errno-instead-of-raising rule
 *                           around a connect (SSLSocket's plain connect).
 *   _readiness()            what select() and waitReadable()/waitWritable()
 *                           ask (./readiness.ts), null once closed; a
 *                           subclass refines it (SSLSocket counts the bytes
 *                           its TLS layer holds as readable).
 *
 * A TLS read over these, sketched (writes mirror it with _writeTurn,
 * _writeSpace and _waitWritableUntil):
 *
 *   const { nonblocking, deadline } = this._deadline();
 *   const release = nonblocking ? this._readTurn.tryAcquire() : await this._readTurn.acquire(deadline);
 *   if (release === null) throw nonblocking ? new SSLWantReadError(…) : new TimeoutError(…);
 *   try {
 *     for (;;) {
 *       const plain = engine.read(n); if (plain.length > 0) return plain;
 *       const raw = this._readRaw(MAX_RECORD);
 *       if (raw === null) {
 *         if (nonblocking) throw new SSLWantReadError(…);
 *         if (!(await this._waitReadableUntil(deadline))) throw new TimeoutError('The read operation timed out');
 *         continue;
 *       }
 *       engine.receive(raw);                       // raw.length === 0 means EOF
 *       this._writeRaw(engine.takeOutgoing());     // KeyUpdate replies, alerts
 *     }
 *   } finally { release(); }
 */
import {
  AF_INET,
  AF_INET6,
  IPPROTO_TCP,
  MSG_DONTWAIT,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
} from './constants.js';
import { ERRNO, EWOULDBLOCK } from './errno.js';
import { type BlockingIOError, OSError, TimeoutError, ValueError, gaierror, oserror, timedOut } from './errors.js';
import { checkInt, pyTypeName } from './address.js';
import { getdefaulttimeout, parseTimeout } from './timeout.js';
import { Transport, detachedTransports, transportForFd } from './transport.js';
import { type Deadline, deadlineAfter } from './wait.js';
import { type Readiness, waitAny } from './readiness.js';

function wouldBlock(): BlockingIOError {
  return OSError.fromErrno(ERRNO.EAGAIN) as BlockingIOError;
}

/** Python's "a bytes-like object is required" check; returns a view, not a copy. */
export function bytesLike(data: unknown): Buffer {
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError(`a bytes-like object is required, not '${pyTypeName(data)}'`);
}

function currentFd(t: Transport): number {
  type H = { _handle?: { fd?: number } | null };
  const fd =
    (t.stream as unknown as H | null)?._handle?.fd ??
    (t.server as unknown as H | null)?._handle?.fd ??
    t.handle?.fd ??
    t.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : t.fd;
}

function closedTransport(family: number): Transport {
  const t = new Transport(family);
  t.closed = true;
  return t;
}

/** Why a send must fail now, or null if it may proceed (or wait). */
export function sendBlocker(t: Transport): OSError | null {
  if (t.closed) return oserror('EBADF');
  if (t.error !== null) return t.consumeError();
  if (t.wrShut) return oserror('EPIPE');
  if (t.connecting) return null;
  if (!t.connected || t.stream === null || t.stream.destroyed) return oserror('EPIPE');
  return null;
}

/**
 * Every socket object alive whose descriptor number has been handed out
 * (fileno(), detach(), socket(fileno=…)), so that select() can find the one
 * behind a bare descriptor. Only those: a socket whose number nobody was
 * told cannot be named by it, and a WeakRef (with its FinalizationRegistry
 * cell) per socket is not free — V8's scavenges treat both as strong, so
 * every closed socket, its node stream included, would survive into the
 * old generation until the next full GC.
 */
const liveSockets = new Set<WeakRef<SocketCore>>();
const forgetSocket = new FinalizationRegistry<WeakRef<SocketCore>>((ref) => liveSockets.delete(ref));

/**
 * The open socket object whose descriptor is `fd` (select() given a number,
 * or an object whose fileno() is a socket's), or null if no socket of this
 * process has it.
 */
export function socketForFd(fd: number): SocketCore | null {
  for (const ref of liveSockets) {
    const s = ref.deref();
    if (s !== undefined && s.fileno() === fd) return s;
  }
  return null;
}

/** The state and internal API every `socket.socket` has; see the header. */
export class SocketCore<F extends number = number> {
  /** Python's `family`: AF_INET or AF_INET6 (as a literal type when the constructor was given one, see AddressOf). */
  readonly family: F;
  readonly type: number;
  readonly proto: number;
  protected _t: Transport;
  protected _timeout: number | null;
  /** Python's `_closed`: close() was called, the descriptor may live on for makefile() objects. */
  protected _closed = false;
  /** Python's `_io_refs`: open makefile() objects. */
  _ioRefs = 0;
  /** In liveSockets (see there). */
  private _registered = false;

  /**
   * `new socket(family = AF_INET, type = SOCK_STREAM, proto = 0, fileno = null)`.
   * With `fileno`, adopts a descriptor given up by detach() (or any connected
   * TCP descriptor this process owns).
   */
  constructor(family: F = AF_INET as F, type: number = SOCK_STREAM, proto = 0, fileno: number | null = null) {
    family = checkInt(family) as F;
    type = checkInt(type);
    proto = checkInt(proto);
    if (family !== AF_INET && family !== AF_INET6) {
      throw new OSError(ERRNO.EAFNOSUPPORT, 'Address family not supported by protocol (sslsock offers AF_INET and AF_INET6)');
    }
    const baseType = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (baseType !== SOCK_STREAM) {
      throw new OSError(ERRNO.ESOCKTNOSUPPORT, 'Socket type not supported (sslsock offers SOCK_STREAM only)');
    }
    if (proto !== 0 && proto !== IPPROTO_TCP) throw OSError.fromErrno(ERRNO.EPROTONOSUPPORT);
    this.family = family;
    this.type = baseType;
    this.proto = proto;
    this._timeout = type & SOCK_NONBLOCK ? 0 : getdefaulttimeout();
    this._t = new Transport(family);
    if (fileno !== null) this._adoptTransport(transportForFd(family, checkInt(fileno)));
    if (fileno !== null) this._fdHandedOut();
  }

  /** Our descriptor number is known outside (see liveSockets): select() must be able to find us by it. */
  private _fdHandedOut(): void {
    this._t.fdHandedOut = true;
    if (this._registered) return;
    this._registered = true;
    const ref = new WeakRef(this);
    liveSockets.add(ref);
    forgetSocket.register(this, ref);
  }

  // ── internal API (see the header) ─────────────────────────────────────

  _transport(): Transport {
    if (this._t.closed) throw oserror('EBADF');
    return this._t;
  }

  _deadline(flags = 0): { nonblocking: boolean; deadline: Deadline } {
    const nonblocking = this._timeout === 0 || (flags & MSG_DONTWAIT) !== 0;
    return { nonblocking, deadline: nonblocking ? 0 : deadlineAfter(this._timeout) };
  }

  _readRaw(max: number, borrow = false): Buffer | null {
    const t = this._transport();
    if (t.rxLength > 0) return t.take(max, false, borrow);
    if (t.error !== null) throw t.consumeError()!;
    if (t.eof || t.rdShut) return Buffer.alloc(0);
    if (!t.connected && !t.connecting) throw oserror('ENOTCONN');
    return null;
  }

  _peekRaw(): Buffer | null {
    return this._transport().head;
  }

  _waitReadableUntil(deadline: Deadline): Promise<boolean> {
    const t = this._t;
    if (t.closed) return Promise.reject(oserror('EBADF'));
    return t.readable.waitFor(() => t.canRead, deadline);
  }

  _writeRaw(bytes: Uint8Array, owned = false, sent?: () => void, failed?: (err: Error) => void): void {
    const t = this._transport();
    const blocker = sendBlocker(t);
    if (blocker !== null) throw blocker;
    if (!t.connected) throw oserror('ENOTCONN');
    if (bytes.length > 0) t.write(bytes, owned, sent, failed);
  }

  _writeSpace(): number {
    return this._transport().writeSpace;
  }

  _waitWritableUntil(deadline: Deadline): Promise<boolean> {
    const t = this._t;
    if (t.closed) return Promise.reject(oserror('EBADF'));
    return t.writable.waitFor(() => t.canWrite, deadline);
  }

  _pushBack(bytes: Uint8Array): void {
    this._transport().pushBack(bytes);
  }

  get _readTurn() {
    return this._t.readTurn;
  }

  get _writeTurn() {
    return this._t.writeTurn;
  }

  _detachTransport(): Transport {
    const t = this._t;
    this._t = closedTransport(this.family);
    this._closed = true;
    return t;
  }

  _adoptTransport(t: Transport): void {
    if (t.family !== this.family) throw new ValueError('cannot adopt a transport of another address family');
    this._t.close();
    this._t = t;
    this._closed = false;
    t.ref();
    // A plain socket whose number was handed out, wrapped (or unwrapped): the number now names this object.
    if (t.fdHandedOut) this._fdHandedOut();
  }

  /** Python's `_decref_socketios()`: a makefile() object closed. */
  _decrefSocketios(): void {
    if (this._ioRefs > 0) this._ioRefs -= 1;
    if (this._closed && this._ioRefs === 0) this._t.close();
  }

  // ── timeouts ───────────────────────────────────────────────────────────

  /** Python's `sock.timeout` attribute. */
  get timeout(): number | null {
    return this._timeout;
  }

  settimeout(value: number | null): void {
    this._timeout = parseTimeout(value);
    // CPython stores the value, then fails to apply it to a closed descriptor.
    this._transport();
  }

  gettimeout(): number | null {
    return this._timeout;
  }

  setblocking(flag: boolean | number): void {
    this._timeout = flag ? null : 0;
    this._transport();
  }

  getblocking(): boolean {
    return this._timeout !== 0;
  }

  // ── descriptors ───────────────────────────────────────────────────────

  fileno(): number {
    const fd = this._t.closed ? -1 : currentFd(this._t);
    if (fd >= 0) this._fdHandedOut();
    return fd;
  }

  /** Python's bind(); synchronous, numeric addresses (plus '', 'localhost', '<broadcast>'). */
  /**
   * connect_ex()'s rule around one connect: 0 on success, else the errno of
   * the OSError (EWOULDBLOCK for a timeout, which carries none); gaierror and
   * errors without an errno still raise, as in Python. SSLSocket runs it
   * around the plain socket's connect.
   */
  async _connectExVia(connect: () => Promise<void>): Promise<number> {
    try {
      await connect();
      return 0;
    } catch (e) {
      if (e instanceof TimeoutError && e.errno === null) return EWOULDBLOCK;
      if (e instanceof OSError && !(e instanceof gaierror) && e.errno !== null) return e.errno;
      throw e;
    }
  }

  /**
   * Take a turn, then retry `attempt` until it returns a value, waiting on
   * the turn's condition between tries, within this socket's timeout.
   */
  protected async _serve<T>(
    t: Transport,
    turn: Transport['readTurn'],
    flags: number,
    attempt: (nonblocking: boolean) => T | null,
  ): Promise<T> {
    const { nonblocking, deadline } = this._deadline(flags);
    const release = nonblocking ? turn.tryAcquire() : await turn.acquire(deadline);
    if (release === null) throw nonblocking ? wouldBlock() : timedOut();
    const cond = turn === t.readTurn ? t.readable : t.writable;
    try {
      for (;;) {
        if (t.closed) throw oserror('EBADF');
        const result = attempt(nonblocking);
        if (result !== null) return result;
        if (nonblocking) throw wouldBlock();
        if (!(await cond.wait(deadline))) throw timedOut();
      }
    } finally {
      release();
    }
  }

  // ── readiness (Node has no select()) ──────────────────────────────────

  /**
   * Beyond Python: resolves true when recv()/accept() would not wait (data,
   * EOF, an error or a pending connection), false after `timeout` seconds
   * (null = no limit) — what `select([sock], [], [], timeout)` tells.
   */
  async waitReadable(timeout: number | null = null): Promise<boolean> {
    const deadline = deadlineAfter(parseTimeout(timeout));
    const r = this._readinessOrEBADF();
    return waitAny([{ readiness: r, ready: r.readable }], deadline);
  }

  /** Beyond Python: resolves true when send() would not wait (including a finished connect). */
  async waitWritable(timeout: number | null = null): Promise<boolean> {
    const deadline = deadlineAfter(parseTimeout(timeout));
    const r = this._readinessOrEBADF();
    return waitAny([{ readiness: r, ready: r.writable }], deadline);
  }

  /** See the header and ./readiness.ts; null once this socket is closed. */
  _readiness(): Readiness | null {
    const t = this._t;
    if (t.closed) return null;
    return {
      readable: () => t.canRead,
      writable: () => t.canWrite,
      watch: (onChange) => {
        const stopReadable = t.readable.subscribe(onChange);
        const stopWritable = t.writable.subscribe(onChange);
        return () => {
          stopReadable();
          stopWritable();
        };
      },
    };
  }

  private _readinessOrEBADF(): Readiness {
    const r = this._readiness();
    if (r === null) throw oserror('EBADF');
    return r;
  }

  // ── closing ────────────────────────────────────────────────────────────

  /** Python's close(): synchronous, idempotent; queued data still goes out. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    if (this._ioRefs <= 0) this._t.close();
  }

  /**
   * Python's detach(): this object becomes closed without closing the
   * descriptor, which is returned; `new socket(family, type, proto, fd)`
   * adopts it again (with any bytes already received).
   */
  detach(): number {
    const t = this._detachTransport();
    if (t.closed) return -1;
    const fd = currentFd(t);
    if (fd < 0) {
      t.close();
      return -1;
    }
    t.unref();
    t.fdHandedOut = true;
    detachedTransports.set(fd, t);
    return fd;
  }
}
