/**
 * Python's `ssl.SSLSocket` (python-ssl-api.md §6): a `socket.socket` whose
 * bytes go through an `SSLObject`. One engine path, two front doors
 * (DESIGN.md): this class is the SSLObject plus a `Pump` (./pump.ts) that
 * moves records between the object's MemoryBIOs and the socket.
 *
 * While TLS is active (`_sslobj` set) recv/send and friends are TLS; before
 * connect() and after unwrap()/shutdown()/close() they fall through to the
 * plain socket, as in Python. Blocking becomes awaiting: in blocking mode a
 * call settles when Python's would return; with a timeout the whole call
 * shares one deadline ("The read operation timed out"); non-blocking calls
 * never wait and raise SSLWantReadError / SSLWantWriteError.
 *
 * Full duplex: a pending recv and a pending sendall proceed together (they
 * take the socket's separate read and write turns); whatever the engine
 * produces is written at once whichever call produced it, so a read that
 * must write (KeyUpdate answer, alert) or a write that must read (a
 * handshake not yet done) never deadlocks. Two reads, or two writes, are
 * served in call order.
 *
 * Deviations, each deliberate:
 * - The handshake timeout reads "The handshake operation timed out" without
 *   Python's `_ssl.c:989: ` prefix (a C source position, not part of the text).
 * - A non-blocking send() that finds room queues the whole buffer (TLS
 *   records must not be split across calls); with no room it raises
 *   SSLWantWriteError, as Python does when the kernel buffer is full.
 * - `getpeercert()` after close()/unwrap() raises a TypeError with Python's
 *   AttributeError text ("'NoneType' object has no attribute 'getpeercert'").
 * - do_handshake(block=True) on a non-blocking socket waits without limit
 *   but leaves the timeout other calls see untouched (Python flips it for
 *   the duration of the call).
 * - An SSLSocket whose creation fails is always closed (Python leaves it to
 *   the garbage collector for non-OSError/ValueError failures; Node would
 *   keep the process alive for a leaked socket).
 */
import { SOCK_STREAM, SOL_SOCKET, SO_TYPE } from '../socket/constants.js';
import { ERRNO } from '../socket/errno.js';
import { NotImplementedError, OSError, TimeoutError, ValueError } from '../socket/errors.js';
import { bytesLike, socket } from '../socket/socket.js';
import type { Address, AddressOf } from '../socket/address.js';
import type { SendfileSource } from '../socket/sendfile.js';
import { SSLContext, encodeHostname, setDefaultSSLSocketClass, type WrapSocketOptions } from './context.js';
import { SSLError, wantWriteError } from './errors.js';
import { Pump, type WaitMode } from './pump.js';
import { sendfileUseSend } from './sslsocket-sendfile.js';
import { SSLSocketBase } from './sslsocket-base.js';
import { bytesOf, readTls, typeName, writeTls } from './sslsocket-io.js';
import { SSLSocketDuplex, recvChunks } from './socket-duplex.js';
import type { TLSDuplexOptions } from './tls-duplex.js';

const CREATE = Symbol('SSLSocket._create');
const DEFAULT_READ_LENGTH = 1024;

/** `wrapSocket()` options after SSLContext added itself. */
export type CreateOptions = WrapSocketOptions & { context: SSLContext };

function checkToken(className: string, token: unknown, family?: number, type?: number, proto?: number): [number?, number?, number?] {
  if (token !== CREATE) {
    throw new TypeError(`${className} does not have a public constructor. Instances are returned by SSLContext.wrap_socket().`);
  }
  return [family, type, proto];
}

/**
 * Python's `ssl.SSLSocket`. `F` is the address family of the socket it
 * wrapped (see `socket`): `wrapSocket()` of a `socket<AF_INET>` gives an
 * `SSLSocket<AF_INET>`, whose getsockname()/getpeername() are `[host, port]`.
 */
export class SSLSocket<F extends number = number> extends SSLSocketBase<F> {
  private _closeCalled = false;

  /** Not constructible directly, as in Python: use `SSLContext.wrapSocket()`. */
  constructor(token?: unknown, family?: number, type?: number, proto?: number) {
    super(...(checkToken(new.target.name, token, family, type, proto) as [F?, number?, number?]));
  }

  /**
   * Python's `SSLSocket._create` (python-ssl-api.md §6.1), in Python's order:
   * checks, adopt the socket (the original is detached even if a later step
   * fails), IDNA host name, "connected?" probe, then the TLS object and the
   * handshake.
   */
  static async _create(sock: unknown, options: CreateOptions): Promise<SSLSocket> {
    if (!(sock instanceof socket)) throw new TypeError(`wrap_socket() needs a socket.socket, not ${typeName(sock)}`);
    const context = options.context;
    const serverSide = options.serverSide ?? false;
    const serverHostname = options.serverHostname ?? null;
    const session = options.session ?? null;
    if (sock.getsockopt(SOL_SOCKET, SO_TYPE) !== SOCK_STREAM) throw new NotImplementedError('only stream sockets are supported');
    if (serverSide) {
      if (serverHostname) throw new ValueError('server_hostname can only be specified in client mode');
      if (session !== null) throw new ValueError('session can only be specified in client mode');
    }
    if (context.checkHostname && !serverHostname) throw new ValueError('check_hostname requires server_hostname');

    const self = new this(CREATE, sock.family, sock.type, sock.proto);
    const timeout = sock.gettimeout();
    self._adoptTransport(sock._detachTransport());
    try {
      self._context = context;
      self._session = session;
      self.serverSide = serverSide;
      self.serverHostname = encodeHostname(serverHostname);
      self.doHandshakeOnConnect = options.doHandshakeOnConnect ?? true;
      self.suppressRaggedEofs = options.suppressRaggedEofs ?? true;
      const connected = self._probeConnected();
      self.settimeout(timeout);
      self._connected = connected;
      if (connected) {
        self._newSslobj();
        if (self.doHandshakeOnConnect) {
          if (self.gettimeout() === 0) throw new ValueError('do_handshake_on_connect should not be specified for non-blocking sockets');
          await self.doHandshake();
        }
      }
    } catch (e) {
      self.close();
      throw e;
    }
    return self;
  }

  /**
   * Python's "see if we are connected": getpeername(), and when that says
   * ENOTCONN a non-blocking one-byte probe — bytes that arrived before the
   * peer reset the connection must not reach the caller as if they had come
   * through TLS (gh-108310). A connection reset by the peer counts as not
   * connected, as Linux's getpeername() reports it.
   */
  private _probeConnected(): boolean {
    const t = this._transport();
    // The transport already knows (the usual case): no getpeername() syscall per connection.
    if (t.surelyConnected) return true;
    let notconn: OSError | null = null;
    try {
      this.getpeername();
      if (t.error !== null && t.eof) notconn = OSError.fromErrno(ERRNO.ENOTCONN);
    } catch (e) {
      if (!(e instanceof OSError) || e.errno !== ERRNO.ENOTCONN) throw e;
      notconn = e;
    }
    if (notconn === null) return true;
    let data: Buffer | null = null;
    try {
      data = this._readRaw(1);
    } catch (e) {
      if (!(e instanceof OSError) || (e.errno !== ERRNO.ENOTCONN && e.errno !== ERRNO.EINVAL)) throw e;
    }
    if (data !== null && data.length > 0) {
      const reason = 'Closed before TLS handshake with data in recv buffer.';
      const err = new SSLError(notconn.errno, reason);
      err.reason = reason;
      err.library = null;
      throw err;
    }
    return false;
  }

  /** Creates the TLS layer (Python: `context._wrap_socket(self, ..., owner=self)`). */
  private _newSslobj(): void {
    const pump = new Pump(this);
    this._sslobj = this._context.sslobjectClass._create(pump.incoming, pump.outgoing, {
      serverSide: this.serverSide,
      serverHostname: this.serverHostname,
      session: this._session,
      context: this._context,
      owner: this,
    });
    this._pump = pump;
  }

  private get _classRepr(): string {
    const name = this.constructor.name;
    return this.constructor === SSLSocket ? "<class 'ssl.SSLSocket'>" : `<class '${name}'>`;
  }

  // ── connecting ─────────────────────────────────────────────────────────

  /** Python's connect(addr): TCP connect, then the handshake (if doHandshakeOnConnect). */
  override async connect(address: Address): Promise<void> {
    await this._realConnect(address, false);
  }

  /** Python's connect_ex(addr): the errno instead of raising; handshakes only when it is 0. */
  override async connectEx(address: Address): Promise<number> {
    return (await this._realConnect(address, true))!;
  }

  private async _realConnect(address: Address, connectEx: boolean): Promise<number | null> {
    if (this.serverSide) throw new ValueError("can't connect in server-side mode");
    if (this._connected || this._sslobj !== null) throw new ValueError('attempt to connect already-connected SSLSocket!');
    this._newSslobj();
    try {
      let rc: number | null = null;
      // The plain socket's connect: the inherited connectEx() would call our connect().
      if (connectEx) rc = await this._connectExVia(() => super.connect(address));
      else await super.connect(address);
      if (!rc) {
        this._connected = true;
        if (this.doHandshakeOnConnect) await this.doHandshake();
      }
      return rc;
    } catch (e) {
      this._dropTls();
      throw e;
    }
  }

  /** Python's accept(): the connection is wrapped server-side (and handshaken) before it is returned. */
  override async accept(): Promise<[SSLSocket<F>, AddressOf<F>]> {
    const [newsock, addr] = await super.accept();
    const conn = (await this.context.wrapSocket(newsock, {
      doHandshakeOnConnect: this.doHandshakeOnConnect,
      suppressRaggedEofs: this.suppressRaggedEofs,
      serverSide: true,
    })) as SSLSocket<F>;
    return [conn, addr];
  }

  /**
   * Python's do_handshake(block=False). With `block` on a non-blocking
   * socket it waits without limit (Python switches the timeout off for the
   * call; we do not touch the timeout other calls see).
   */
  async doHandshake(block = false): Promise<void> {
    this._checkConnected();
    const { obj, pump } = this._requireSslobj('do_handshake');
    const mode: WaitMode = block && this.gettimeout() === 0 ? { nonblocking: false, deadline: null } : this._deadline();
    await pump.run('handshake', mode, () => obj._handshakeOrWant());
  }

  // ── reading ────────────────────────────────────────────────────────────

  /**
   * Python's read(len=1024, buffer=None): what one TLS record yields (at
   * most `len`); empty after the peer's close_notify, and on a ragged EOF
   * when `suppressRaggedEofs` (./sslsocket-io.ts).
   */
  async read(len?: number, buffer?: null): Promise<Buffer>;
  async read(len: number, buffer: ArrayBufferView): Promise<number>;
  async read(len: number = DEFAULT_READ_LENGTH, target: ArrayBufferView | null = null): Promise<Buffer | number> {
    if (this._sslobj === null || this._pump === null) throw new ValueError('Read on closed or unwrapped SSL socket.');
    return readTls(this, this._sslobj, this._pump, len, target);
  }

  /** Python's recv(buflen=1024, flags=0). */
  override async recv(bufsize: number = DEFAULT_READ_LENGTH, flags = 0): Promise<Buffer> {
    if (this._sslobj === null) return super.recv(bufsize, flags);
    if (flags !== 0) throw new ValueError(`non-zero flags not allowed in calls to recv() on ${this._classRepr}`);
    return this.read(bufsize);
  }

  /** Python's recv_into(buffer, nbytes=None, flags=0). */
  override async recvInto(buffer: ArrayBufferView, nbytes: number | null = null, flags = 0): Promise<number> {
    let n = nbytes;
    if (n === null || n === undefined) n = ArrayBuffer.isView(buffer) && buffer.byteLength > 0 ? buffer.byteLength : DEFAULT_READ_LENGTH;
    if (this._sslobj === null) return super.recvInto(ArrayBuffer.isView(buffer) ? bytesOf(buffer) : buffer, n, flags);
    if (flags !== 0) throw new ValueError(`non-zero flags not allowed in calls to recv_into() on ${this._classRepr}`);
    if (!ArrayBuffer.isView(buffer)) {
      throw new TypeError(`recv_into() argument 'buffer' must be read-write bytes-like object, not ${typeName(buffer)}`);
    }
    return this.read(n, buffer);
  }

  override async recvfrom(bufsize: number = DEFAULT_READ_LENGTH, flags = 0): Promise<[Buffer, null]> {
    if (this._sslobj !== null) throw new ValueError(`recvfrom not allowed on instances of ${this._classRepr}`);
    return super.recvfrom(bufsize, flags);
  }

  /** Python: `ssl.SSLSocket.recvfrom_into`. */
  override async recvfromInto(buffer: Uint8Array, nbytes = 0, flags = 0): Promise<[number, null]> {
    if (this._sslobj !== null) throw new ValueError(`recvfrom_into not allowed on instances of ${this._classRepr}`);
    return super.recvfromInto(buffer, nbytes, flags);
  }

  override recvmsg(): never {
    throw new NotImplementedError(`recvmsg not allowed on instances of ${this._classRepr}`);
  }

  /** Python: `ssl.SSLSocket.recvmsg_into`. */
  override recvmsgInto(): never {
    throw new NotImplementedError(`recvmsg_into not allowed on instances of ${this._classRepr}`);
  }

  // ── writing ────────────────────────────────────────────────────────────

  /** Python's write(data) → bytes written: all of them, within one deadline (./sslsocket-io.ts). */
  async write(data: Uint8Array): Promise<number> {
    if (this._sslobj === null || this._pump === null) throw new ValueError('Write on closed or unwrapped SSL socket.');
    return writeTls(this, this._sslobj, this._pump, data);
  }

  /** Python's send(data, flags=0). */
  override async send(data: Uint8Array, flags = 0): Promise<number> {
    if (this._sslobj === null) return super.send(data, flags);
    if (flags !== 0) throw new ValueError(`non-zero flags not allowed in calls to send() on ${this._classRepr}`);
    return this.write(data);
  }

  /** Python's sendall(data, flags=0). */
  override async sendall(data: Uint8Array, flags = 0): Promise<void> {
    if (this._sslobj === null) return super.sendall(data, flags);
    if (flags !== 0) throw new ValueError(`non-zero flags not allowed in calls to sendall() on ${this._classRepr}`);
    const buf = bytesLike(data);
    let count = 0;
    while (count < buf.length) count += await this.send(buf.subarray(count));
  }

  override async sendto(data: Uint8Array, flagsOrAddress: number | Address, address?: Address): Promise<number> {
    if (this._sslobj !== null) throw new ValueError(`sendto not allowed on instances of ${this._classRepr}`);
    return super.sendto(data, flagsOrAddress, address);
  }

  override sendmsg(): never {
    throw new NotImplementedError(`sendmsg not allowed on instances of ${this._classRepr}`);
  }

  /**
   * Python's sendfile(file, offset=0, count=None): through TLS it is
   * Python's `_sendfile_use_send` (8192-byte reads, each sent with send());
   * on a plain socket, the socket's own.
   */
  override async sendfile(file: SendfileSource, offset = 0, count: number | null = null): Promise<number> {
    if (this._sslobj === null) return super.sendfile(file, offset, count);
    return sendfileUseSend(this, file, offset, count);
  }

  override dup(): never {
    throw new NotImplementedError(`Can't dup() ${this.constructor.name} instances`);
  }

  // ── closing ────────────────────────────────────────────────────────────

  /**
   * Python's unwrap(): sends close_notify, waits for the peer's, and returns
   * this same socket, now plain. Bytes the peer sent after its close_notify
   * stay unread on the socket (STARTTLS → ENDTLS).
   */
  async unwrap(): Promise<this> {
    const obj = this._sslobj;
    const pump = this._pump;
    if (obj === null || pump === null) throw new ValueError(`No SSL wrapper around ${this.toString()}`);
    const mode = this._deadline();
    // Our close_notify goes after every write already under way.
    const release = mode.nonblocking ? this._writeTurn.tryAcquire() : await this._writeTurn.acquire(mode.deadline);
    if (release === null) throw mode.nonblocking ? wantWriteError() : new TimeoutError('The write operation timed out');
    try {
      await pump.run('read', mode, () => obj.unwrap());
      // Our close_notify has reached the socket (it may queue behind sealed slices) before the plain socket is handed back.
      if (!(await pump.settle(mode.deadline))) throw new TimeoutError('The write operation timed out');
    } finally {
      release();
    }
    if (this._sslobj === obj) {
      this._dropTls();
      pump.returnUnread();
    }
    return this;
  }

  /** Python's shutdown(how): drops TLS without close_notify, then shuts the TCP connection down. */
  override shutdown(how: number): void {
    this._dropTls();
    super.shutdown(how);
  }

  /** Python's close(): no close_notify (use unwrap() for that); synchronous. */
  override close(): void {
    this._closeCalled = true;
    super.close();
    if (this._ioRefs <= 0) this._dropTls();
  }

  override _decrefSocketios(): void {
    super._decrefSocketios();
    if (this._closeCalled && this._ioRefs <= 0) this._dropTls();
  }

  override detach(): number {
    this._dropTls();
    return super.detach();
  }

  /** Beyond Python: this connection as a Node `Duplex` (node:https agents, undici, http servers); see ./socket-duplex.ts. */
  toDuplex(options?: TLSDuplexOptions): SSLSocketDuplex {
    return new SSLSocketDuplex(this, () => {
      this._sslobj?._sendCloseNotify();
      this._pump?.flush();
    }, options);
  }

  /** Beyond Python: `for await (const chunk of sock)` — recv() until EOF. */
  [Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    return recvChunks(this);
  }

  override toString(): string {
    return super.toString().replace(/^<socket\.socket/, `<ssl.${this.constructor.name}`);
  }
}

/**
 * Typing: `await ctx.wrapSocket(sock, …)` is an SSLSocket (context.ts cannot
 * name the class without importing this module, so the more precise
 * overload is added here, where the class is defined).
 */
declare module './context.js' {
  interface SSLContext {
    wrapSocket<F extends number>(sock: socket<F>, options?: WrapSocketOptions): Promise<SSLSocket<F>>;
  }
}

/** Python: `SSLContext.sslsocket_class = SSLSocket`. */
setDefaultSSLSocketClass(SSLSocket);
