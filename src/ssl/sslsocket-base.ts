/**
 * The state an `SSLSocket` (./sslsocket.ts) carries and everything that only
 * reads it: Python's attributes (`context`, `session`, `sessionReused`) and
 * the synchronous connection information (`getpeercert()`, `cipher()`,
 * `version()`, channel bindings, chains), each a delegation to the
 * `SSLObject` while TLS is active and Python's "no TLS" answer otherwise.
 * What a socket *does* (connect, handshake, read, write, unwrap, close)
 * lives in the subclass and in ./sslsocket-io.ts.
 */
import type { PeerCertDict } from '../x509/peercert.js';
import { socket } from '../socket/socket.js';
import { ValueError } from '../socket/errors.js';
import type { Readiness } from '../socket/readiness.js';
import type { SSLContext } from './context.js';
import { requireSSLContext, type SSLObject } from './sslobject.js';
import type { Pump } from './pump.js';
import { CHANNEL_BINDING_TYPES } from './module.js';

export abstract class SSLSocketBase<F extends number = number> extends socket<F> {
  /** Python's plain instance attributes (writable, as in Python). */
  serverSide = false;
  serverHostname: string | null = null;
  doHandshakeOnConnect = true;
  suppressRaggedEofs = true;

  /** The TLS layer while it is active: null before connect() and after unwrap()/shutdown()/close(). */
  _sslobj: SSLObject | null = null;
  protected _context!: SSLContext;
  protected _session: unknown = null;
  protected _connected = false;
  protected _pump: Pump | null = null;

  protected _checkConnected(): void {
    // getpeername() raises ENOTCONN if the socket is really not connected.
    if (!this._connected) this.getpeername();
  }

  /** The TLS layer, or Python's AttributeError text (as a TypeError) when there is none. */
  protected _requireSslobj(attr: string): { obj: SSLObject; pump: Pump } {
    if (this._sslobj === null || this._pump === null) throw new TypeError(`'NoneType' object has no attribute '${attr}'`);
    return { obj: this._sslobj, pump: this._pump };
  }

  /** Drops the TLS layer (after close(), shutdown(), detach(), unwrap()). */
  protected _dropTls(): void {
    this._pump?.release();
    this._sslobj = null;
    this._pump = null;
  }

  // ── attributes ─────────────────────────────────────────────────────────

  get context(): SSLContext {
    return this._context;
  }
  /** As Python: the context is stored first, then applied to the TLS layer (which must exist). */
  set context(ctx: SSLContext) {
    requireSSLContext(ctx);
    this._context = ctx;
    this._requireSslobj('context').obj.context = ctx;
  }

  get session(): unknown {
    return this._sslobj === null ? null : this._sslobj.session;
  }
  set session(value: unknown) {
    this._session = value;
    if (this._sslobj !== null) this._sslobj.session = value;
  }

  get sessionReused(): boolean | null {
    return this._sslobj === null ? null : this._sslobj.sessionReused;
  }

  /** Decrypted bytes buffered and not yet read (`SSL_pending`); 0 without TLS. */
  pending(): number {
    return this._sslobj === null ? 0 : this._sslobj.pending();
  }

  /**
   * Beyond Python, deliberately: select() (and waitReadable()) count an
   * SSLSocket as readable while its TLS layer already holds decrypted bytes
   * (`pending() > 0`) or a whole record taken from the socket — Python's
   * select sees only the descriptor, hence its docs' advice to drain
   * `pending()` before selecting. That advice stays harmless here.
   */
  override _readiness(): Readiness | null {
    const plain = super._readiness();
    if (plain === null) return null;
    return { ...plain, readable: () => plain.readable() || this.pending() > 0 || (this._pump?.holdsRecord ?? false) };
  }

  // ── connection information ─────────────────────────────────────────────

  /**
   * Python's `getpeercert()`: the certificate dict; `{}` when the context does
   * not verify (CERT_NONE); null when the peer sent no certificate
   * (python-ssl-api.md §6.6). ValueError before the handshake, OSError
   * (ENOTCONN) when not connected, as Python.
   */
  getpeercert(binaryForm?: false): PeerCertDict | Record<string, never> | null;
  /** Python's `getpeercert(binary_form=True)`: the peer's DER certificate, or null when it sent none. */
  getpeercert(binaryForm: true): Buffer | null;
  getpeercert(binaryForm: boolean): PeerCertDict | Record<string, never> | Buffer | null;
  getpeercert(binaryForm = false): PeerCertDict | Record<string, never> | Buffer | null {
    this._checkConnected();
    return this._requireSslobj('getpeercert').obj.getpeercert(binaryForm);
  }

  selectedAlpnProtocol(): string | null {
    return this._sslobj === null ? null : this._sslobj.selectedAlpnProtocol();
  }

  selectedNpnProtocol(): null {
    process.emitWarning('ssl NPN is deprecated, use ALPN instead', 'DeprecationWarning');
    return null;
  }

  cipher(): [string, string, number] | null {
    return this._sslobj === null ? null : this._sslobj.cipher();
  }

  sharedCiphers(): [string, string, number][] | null {
    return this._sslobj === null ? null : this._sslobj.sharedCiphers();
  }

  compression(): null {
    return null;
  }

  version(): string | null {
    return this._sslobj === null ? null : this._sslobj.version();
  }

  /** `group()` (3.15): the negotiated key-exchange group's OpenSSL name, or null before the handshake. */
  group(): string | null {
    return this._sslobj === null ? null : this._sslobj.group();
  }

  getChannelBinding(cbType = 'tls-unique'): Buffer | null {
    if (this._sslobj !== null) return this._sslobj.getChannelBinding(cbType);
    if (!CHANNEL_BINDING_TYPES.includes(cbType)) throw new ValueError(`${cbType} channel binding type not implemented`);
    return null;
  }

  /** Python 3.13's get_verified_chain(): DER, leaf first; [] without TLS (as later Pythons). */
  getVerifiedChain(): Buffer[] {
    return this._sslobj === null ? [] : this._sslobj.getVerifiedChain();
  }

  getUnverifiedChain(): Buffer[] {
    return this._sslobj === null ? [] : this._sslobj.getUnverifiedChain();
  }

  verifyClientPostHandshake(): void {
    if (this._sslobj === null) throw new ValueError(`No SSL wrapper around ${this.toString()}`);
    this._sslobj.verifyClientPostHandshake();
  }

  /** Beyond Python: a KeyUpdate now (TLS 1.3, RFC 8446 §4.6.3), sent at once; with requestPeerUpdate the peer updates too. */
  keyUpdate(requestPeerUpdate = false): void {
    if (this._sslobj === null || this._pump === null) throw new ValueError(`No SSL wrapper around ${this.toString()}`);
    this._sslobj.keyUpdate(requestPeerUpdate);
    this._pump.flush();
  }

  /** Beyond Python: RFC 8446 §7.5 keying material (node:tls's exportKeyingMaterial(length, label, context)). */
  exportKeyingMaterial(label: string, length: number, context: Uint8Array | null = null): Buffer {
    if (this._sslobj === null) throw new ValueError(`No SSL wrapper around ${this.toString()}`);
    return this._sslobj.exportKeyingMaterial(label, length, context);
  }
}
