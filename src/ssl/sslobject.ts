/**
 * Python's `ssl.SSLObject` (python-ssl-api.md §7): TLS over two MemoryBIOs,
 * synchronous and always non-blocking. A thin facade over the engine's
 * `Connection`: bytes the peer sent are taken from `incoming` one record at a
 * time (so bytes after the peer's close_notify stay in `incoming`, for
 * STARTTLS → plaintext), and everything the engine produces is put into
 * `outgoing` — including a fatal alert, before the error is raised.
 *
 * `SSLSocket` is this object plus a pump between the BIOs and a socket
 * (DESIGN.md: one engine path, two front doors): it creates the object with
 * `SSLObject._create(incoming, outgoing, { ..., owner: socket })` so that the
 * SNI callback receives the socket, moves `outgoing` to the wire, feeds
 * received bytes into `incoming` (`incoming.writeEof()` at TCP EOF) and
 * retries on `SSLWantReadError`.
 */
import { Connection } from '../tls/connection.js';
import { TLSError } from '../tls/errors.js';
import { keepBytes } from '../tls/handshake-common.js';
import { groupByKex } from '../tls/registry/groups.js';
import { BioRecords } from './bio-records.js';
import type { PeerCertDict } from '../x509/peercert.js';
import { ValueError } from '../socket/errors.js';
import { asBytes, MemoryBIO } from './bio.js';
import { cipherTuple } from './ciphers.js';
import { SSLErrorNumber } from './constants.js';
import type { SSLContext } from './context.js';
import { copyChain, peerCertificate, sharedCiphers } from './sslobject-info.js';
import { isBytesLike, requireSSLContext, WANT_READ, type BytesLike, type SSLObjectCreateOptions, type WantRead } from './sslobject-boundary.js';
import { ObjectLink } from './object-link.js';
import { pyTypeName, requireInt } from './pyargs.js';
import { SessionSlot, type SSLSession } from './session.js';
import { exportKeyingMaterial, keyUpdate, verifyClientPostHandshake } from './post-handshake.js';
import type { AnyClientTicket } from '../tls/tickets.js';
import type { DeferredRecords } from '../tls/record.js';
import type { AeadKey } from '../crypto/provider.js';
import { eofError, makeSSLError, SSLError, sslErrorFromTLSError, wantReadError, zeroReturnError } from './errors.js';

export { requireSSLContext, WANT_READ, type SSLObjectCreateOptions, type WantRead } from './sslobject-boundary.js';
const CREATE = Symbol('SSLObject._create');

/** Channel binding types we produce: Python's, plus RFC 9266 'tls-exporter' (a documented addition). */
const BINDING_TYPES: ReadonlySet<string> = new Set(['tls-unique', 'tls-exporter']);
const DEFAULT_READ_LENGTH = 1024;

export class SSLObject {
  private _context!: SSLContext;
  private _serverSide = false;
  private _serverHostname: string | null = null;
  private incoming!: MemoryBIO;
  private outgoing!: MemoryBIO;
  private conn!: Connection;
  private owner: unknown = this;
  /** Takes whole records out of `incoming`. */
  private records!: BioRecords;
  private started = false;
  private counted = false;
  private eofReported = false;
  /** We queued close_notify (unwrap). */
  private closeSent = false;
  private verifiedChain: Buffer[] | null = null;
  /** Server: the suites the client offered (shared_ciphers). */
  private clientSuites: readonly number[] | null = null;
  private readonly sessions = new SessionSlot();

  /** Not constructible directly, as in Python: use `SSLContext.wrapBio()`. */
  constructor(...args: unknown[]) {
    if (args[0] !== CREATE) throw new TypeError('SSLObject does not have a public constructor. Instances are returned by SSLContext.wrap_bio().');
  }

  /** Python's `SSLObject._create`. Subclasses set as `ctx.sslobjectClass` are created the same way. */
  static _create<T extends SSLObject>(this: new (...args: unknown[]) => T, incoming: MemoryBIO, outgoing: MemoryBIO, options: SSLObjectCreateOptions): T {
    const obj = new this(CREATE);
    obj.init(incoming, outgoing, options);
    return obj;
  }

  private init(incoming: MemoryBIO, outgoing: MemoryBIO, o: SSLObjectCreateOptions): void {
    const ctx = o.context;
    const hostname = o.serverHostname;
    // The C layer's checks, in its order: NUL bytes, role vs protocol, empty / leading-dot names.
    if (hostname !== null && hostname.includes('\0')) throw new TypeError('argument must be encoded string without null bytes, not str');
    ctx._checkRole(o.serverSide);
    if (hostname !== null && (hostname.length === 0 || hostname.startsWith('.'))) {
      throw new ValueError('server_hostname cannot be an empty string or start with a leading dot.');
    }
    this._context = ctx;
    this._serverSide = o.serverSide;
    this._serverHostname = hostname;
    this.incoming = incoming;
    this.records = new BioRecords(incoming);
    this.outgoing = outgoing;
    if (o.owner !== undefined) this.owner = o.owner;
    const config = ctx.connectionConfig(new ObjectLink(this, ctx));
    const onClientHello = config.onClientHello;
    this.conn = o.serverSide
      ? Connection.server({
          ...config,
          onClientHello: (hello) => {
            this.clientSuites = hello.suites;
            return onClientHello?.(hello);
          },
        })
      : Connection.client(config);
    if (o.session !== null && o.session !== undefined) this.session = o.session;
  }

  // ---- attributes -----------------------------------------------------------

  get context(): SSLContext {
    return this._context;
  }
  /** Settable: in an SNI callback this switches the certificate, ALPN list and client-certificate policy. */
  set context(ctx: SSLContext) {
    requireSSLContext(ctx);
    this._context = ctx;
  }

  /** Python: `ssl.SSLObject.server_side`. */
  get serverSide(): boolean {
    return this._serverSide;
  }

  /** Python: `ssl.SSLObject.server_hostname`. */
  get serverHostname(): string | null {
    return this._serverHostname;
  }

  /** `session`: null before the handshake; then the last ticket read (TLS 1.3), else a session without ticket (as Python). */
  get session(): SSLSession | null {
    return this.sessions.get(this.conn, this._context, this._serverSide);
  }
  set session(value: unknown) {
    this.sessions.set(value, this.conn, this._context, this._serverSide);
  }

  /** Python: `ssl.SSLObject.session_reused`. */
  get sessionReused(): boolean {
    return this.conn.handshakeDone ? this.conn.negotiated.resumed : false;
  }

  // ---- I/O --------------------------------------------------------------------

  /** `do_handshake()`: raises SSLWantReadError until the peer's messages have arrived in `incoming`. */
  doHandshake(): void {
    this.drive(this.handshakeDone);
  }

  /** Internal (SSLSocket): doHandshake(), returning WANT_READ instead of raising SSLWantReadError. */
  _handshakeOrWant(): WantRead | undefined {
    return this.driveOrWant(this.handshakeDone) ? undefined : WANT_READ;
  }

  /** `read(len=1024, buffer=None)`: bytes, or the count when `buffer` is given; empty after the peer's close_notify. */
  read(len?: number, buffer?: null): Buffer;
  /** `read(len, buffer)`: fills `buffer`, returns the count. */
  read(len: number, buffer: Uint8Array): number;
  read(len: number = DEFAULT_READ_LENGTH, buffer?: Uint8Array | null): Buffer | number {
    let n = requireInt(len);
    const buf = buffer ?? null;
    if (buf !== null) {
      if (!(buf instanceof Uint8Array)) throw new TypeError(`read() argument 2 must be read-write bytes-like object, not ${pyTypeName(buf)}`);
      if (n <= 0 || n > buf.length) n = buf.length;
    } else if (n < 0) {
      throw new ValueError('size should not be negative');
    }
    if (n === 0) return buf !== null ? 0 : Buffer.alloc(0);
    const data = this._readOrWant(n);
    if (data === WANT_READ) throw wantReadError();
    if (buf === null) return data;
    buf.set(data);
    return data.length;
  }

  /**
   * Internal (SSLSocket): read() of up to `n` (> 0) bytes into a new
   * Buffer, returning WANT_READ instead of raising SSLWantReadError.
   */
  _readOrWant(n: number): Buffer | WantRead {
    if (!this.driveOrWant(this.handshakeDone)) return WANT_READ;
    for (;;) {
      if (this.conn.pendingPlaintext > 0) return this.conn.read(n);
      if (this.conn.peerClosed) {
        // OpenSSL: ZERO_RETURN; Python turns it into b'' unless we closed too (then SSLZeroReturnError).
        if (this.closeSent) throw zeroReturnError();
        return Buffer.alloc(0);
      }
      if (!this.step()) return WANT_READ;
    }
  }

  /**
   * Internal (SSLSocket, ./seal-offload.ts): write() of `data` (after the
   * handshake) with the records laid out in `out` at `offset` for the seal
   * worker, their nonces handed out; what the engine sealed before them is
   * moved to `outgoing` first. Null when they must go through write().
   */
  _writeDeferred(data: Uint8Array, out: Uint8Array, offset: number, accepts: (aead: AeadKey) => boolean): DeferredRecords | null {
    if (this.closeSent || this.eofReported || !this.conn.handshakeDone) return null;
    let deferred: DeferredRecords | null = null;
    this.guard(() => (deferred = this.conn.writeDeferred(data, out, offset, accepts)));
    this.flush();
    return deferred;
  }

  /** `write(data)`: the whole buffer is queued to `outgoing`; returns its length. */
  write(data: BytesLike): number {
    if (!isBytesLike(data)) throw new TypeError(`a bytes-like object is required, not '${pyTypeName(data)}'`);
    if (this.closeSent) throw makeSSLError(SSLError, SSLErrorNumber.SSL_ERROR_SSL, 'protocol is shutdown', 'SSL', 'PROTOCOL_IS_SHUTDOWN');
    // OpenSSL leaves the connection failed after an unexpected EOF: every later write is SSLEOFError,
    // also when SSLSocket's suppress_ragged_eofs turned the read's error into b''.
    if (this.eofReported) throw eofError(false);
    if (!this.driveOrWant(this.handshakeDone)) throw wantReadError();
    const bytes = asBytes(data);
    if (bytes.length === 0) return 0;
    try {
      this.conn.write(bytes, true);
    } catch (e) {
      this.fail(e);
    }
    this.flush();
    return bytes.length;
  }

  /** Decrypted bytes ready to `read()`. */
  pending(): number {
    return this.conn.pendingPlaintext;
  }

  /**
   * `unwrap()`: queues close_notify (first call) and waits for the peer's;
   * raises SSLWantReadError until it has been fed into `incoming`. Returns
   * undefined (Python's None) once both sides have closed.
   */
  unwrap(): void {
    if (!this.conn.handshakeDone) {
      throw makeSSLError(SSLError, SSLErrorNumber.SSL_ERROR_SSL, 'shutdown while in init', 'SSL', 'SHUTDOWN_WHILE_IN_INIT');
    }
    this._sendCloseNotify();
    while (!this.conn.peerClosed) {
      const before = this.conn.pendingPlaintext;
      if (!this.step()) throw wantReadError();
      // RFC 8446 §6.1 allows it, but OpenSSL refuses application data once it has sent close_notify.
      if (this.conn.pendingPlaintext > before) {
        throw makeSSLError(SSLError, SSLErrorNumber.SSL_ERROR_SSL, 'application data after close notify', 'SSL', 'APPLICATION_DATA_AFTER_CLOSE_NOTIFY');
      }
    }
  }

  /**
   * The first half of unwrap(): queues close_notify (once) without waiting
   * for the peer's; reading may go on. What a Node stream's `end()` does
   * (./wrap-stream.ts, ./socket-duplex.ts).
   */
  _sendCloseNotify(): void {
    if (this.closeSent) return;
    this.closeSent = true;
    this.guard(() => this.conn.close());
    this.flush();
  }

  /**
   * `verify_client_post_handshake()` (TLS 1.3 server): queues a
   * CertificateRequest; it leaves with the next write (or flush), the client
   * answers during its next read, and this side sees the certificate after
   * its next read. Python's errors, in OpenSSL's order.
   */
  verifyClientPostHandshake(): void {
    this.guard(() => verifyClientPostHandshake(this.conn, this._serverSide, this._context.verifyMode));
    this.flush();
  }

  /**
   * Beyond Python: sends a KeyUpdate now (RFC 8446 §4.6.3), asking the peer to
   * update its keys too when `requestPeerUpdate`; TLS 1.3 only.
   */
  keyUpdate(requestPeerUpdate = false): void {
    this.guard(() => keyUpdate(this.conn, requestPeerUpdate));
    this.flush();
  }

  /** Beyond Python: RFC 8446 §7.5 keying material (node:tls's exportKeyingMaterial, OpenSSL's -keymatexport). */
  exportKeyingMaterial(label: string, length: number, context: Uint8Array | null = null): Buffer {
    return exportKeyingMaterial(this.conn, label, length, context);
  }

  // ---- connection information -------------------------------------------------

  /**
   * Python's `getpeercert()`: the certificate dict; `{}` when the context does
   * not verify (CERT_NONE); null when the peer sent no certificate. Raises
   * ValueError('handshake not done yet') before the handshake, as Python.
   */
  getpeercert(binaryForm?: false): PeerCertDict | Record<string, never> | null;
  /** Python's `getpeercert(binary_form=True)`: the peer's DER certificate, or null when it sent none. */
  getpeercert(binaryForm: true): Buffer | null;
  getpeercert(binaryForm: boolean): PeerCertDict | Record<string, never> | Buffer | null;
  getpeercert(binaryForm = false): PeerCertDict | Buffer | Record<string, never> | null {
    return peerCertificate(this.conn, this._context, binaryForm);
  }

  /** `cipher()`: [name, protocol, secret bits], or null before the handshake. */
  cipher(): [string, string, number] | null {
    const s = this.conn.handshakeDone ? this.conn.negotiated.suite : null;
    return s === null ? null : cipherTuple(s);
  }

  /** `shared_ciphers()`: server only — the suites the client offered that this side enables, in our order. */
  sharedCiphers(): [string, string, number][] | null {
    if (!this._serverSide || !this.conn.handshakeDone || this.clientSuites === null) return null;
    return sharedCiphers(this._context, this.clientSuites);
  }

  version(): string | null {
    return this.conn.handshakeDone ? this.conn.negotiated.version : null;
  }

  /** `group()` (3.15): the key-exchange group's name as OpenSSL reports it ('x25519', 'secp256r1', 'X25519MLKEM768', …), or null before the handshake. */
  group(): string | null {
    const g = this.conn.handshakeDone ? this.conn.negotiated.group : null;
    return g === null ? null : groupByKex(g).name;
  }

  /** Python: `ssl.SSLObject.selected_alpn_protocol`. */
  selectedAlpnProtocol(): string | null {
    return this.conn.handshakeDone ? this.conn.negotiated.alpn : null;
  }

  /** NPN is not supported (HAS_NPN is false). Python: `ssl.SSLObject.selected_npn_protocol`. */
  selectedNpnProtocol(): null {
    process.emitWarning('ssl NPN is deprecated, use ALPN instead', 'DeprecationWarning');
    return null;
  }

  /** TLS compression is never used. */
  compression(): null {
    return null;
  }

  /** `get_channel_binding(cb_type='tls-unique')`; also RFC 9266 'tls-exporter'. Null before the handshake. */
  getChannelBinding(cbType = 'tls-unique'): Buffer | null {
    if (!BINDING_TYPES.has(cbType)) throw new ValueError(`'${cbType}' channel binding type not implemented`);
    if (!this.conn.handshakeDone) return null;
    return this.conn.channelBinding(cbType as 'tls-unique' | 'tls-exporter');
  }

  /** `get_verified_chain()` (3.13): DER, leaf first, ending at the trust anchor; the peer's chain when verification is off. */
  getVerifiedChain(): Buffer[] {
    if (!this.conn.handshakeDone) return [];
    return copyChain(this.verifiedChain ?? this.conn.negotiated.peerCertificates);
  }

  /** `get_unverified_chain()` (3.13): the certificates the peer sent, leaf first. */
  getUnverifiedChain(): Buffer[] {
    if (!this.conn.handshakeDone) return [];
    return copyChain(this.conn.negotiated.peerCertificates);
  }

  // ---- the pump between the BIOs and the engine ---------------------------------

  /** The `done` of everything that waits for the handshake: one function per object, not a closure per call. */
  private readonly handshakeDone = (): boolean => this.conn.handshakeDone;

  /** Feeds records until `done()` holds; raises WantRead / EOF when `incoming` runs dry first. */

  private drive(done: () => boolean): void {
    if (!this.driveOrWant(done)) throw wantReadError();
  }

  /** drive(), returning false where it would raise SSLWantReadError. */
  private driveOrWant(done: () => boolean): boolean {
    // The common case, every read and write after the handshake.
    if (this.conn.handshakeDone && done === this.handshakeDone) {
      this.flush();
      return true;
    }
    if (!this.counted) {
      this.counted = true;
      this._context._countHandshake(this._serverSide, false);
    }
    if (!this.started) {
      this.started = true;
      if (this._context.enabledVersions().length === 0) {
        throw makeSSLError(SSLError, SSLErrorNumber.SSL_ERROR_SSL, 'no protocols available', 'SSL', 'NO_PROTOCOLS_AVAILABLE');
      }
    }
    const wasDone = this.conn.handshakeDone;
    this.flush();
    let progressed = true;
    while (progressed && !done()) progressed = this.step();
    if (!wasDone && this.conn.handshakeDone) {
      this._context._countHandshake(this._serverSide, true);
      // The server counted its hit when it accepted the ticket; a client counts its own (as OpenSSL does).
      if (!this._serverSide && this.conn.negotiated.resumed) this._context._countResumption('hit');
    }
    return progressed;
  }

  /**
   * Moves one whole record from `incoming` into the engine and its output to
   * `outgoing`. Returns false when no whole record is there yet (Python's
   * SSLWantReadError, raised by the callers that must); raises SSLEOFError
   * when none will come.
   */
  private step(): boolean {
    if (this.conn.error) this.raise(this.conn.error);
    const record = this.conn.error ? null : this.records.next();
    if (record === null) {
      if (this.incoming.eof) {
        const first = !this.eofReported;
        this.eofReported = true;
        throw eofError(first);
      }
      return false;
    }
    try {
      this.conn.receive(record[0]!, record[1]);
    } catch (e) {
      this.fail(e);
    } finally {
      this.records.release(); // the engine keeps nothing of the record's bytes
    }
    this.flush();
    return true;
  }

  private flush(): void {
    let out: Buffer;
    try {
      out = this.conn.takeOutgoing();
    } catch (e) {
      this.raise(e);
    }
    if (out.length > 0) this.outgoing._writeOwned(out);
  }

  /** Runs an engine call; a failure is flushed (the alert reaches `outgoing`) and raised as Python's exception. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.fail(e);
    }
  }

  /** guard()'s failure half, for the hot paths that catch inline (no closure per call). */
  private fail(e: unknown): never {
    try {
      const out = this.conn.takeOutgoing();
      if (out.length > 0) this.outgoing._writeOwned(out);
    } catch {
      // Nothing more can be sent.
    }
    this.raise(e);
  }

  private raise(e: unknown): never {
    if (e instanceof TLSError) {
      const err = sslErrorFromTLSError(e);
      const cause = e.detail?.cause;
      if (cause !== null && cause !== undefined) (err as Error & { cause?: unknown }).cause = cause;
      throw err;
    }
    throw e;
  }

  /** Internal (tests, diagnostics): received ciphertext of a record not yet complete — its bytes, and the chunks holding them. */
  get _inboundBuffered(): { bytes: number; chunks: number } {
    return { bytes: this.incoming.pending + this.records.held, chunks: this.incoming._chunkCount + (this.records.held > 0 ? 1 : 0) };
  }

  /** Python's repr. */
  toString(): string {
    return `<ssl.SSLObject object${this._serverHostname !== null ? ` server_hostname=${this._serverHostname}` : ''}>`;
  }

  /** @internal ObjectLink's way in: the verified chain; the certificates the peer sent are kept once, not twice. */
  _setVerifiedChain(chain: readonly Uint8Array[]): void {
    const sent = this.conn.negotiated.peerCertificates;
    this.verifiedChain = chain.map((c) => sent.find((p) => p.equals(c)) ?? keepBytes(c));
  }

  /** @internal ObjectLink's way in: a NewSessionTicket arrived (wrapped with the context the object was created with). */
  _onTicket(ctx: SSLContext, t: AnyClientTicket): void {
    this.sessions.onTicket(ctx, t);
  }

  /** @internal What the SNI callback receives. */
  get _owner(): unknown {
    return this.owner;
  }
}
