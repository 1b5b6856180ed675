/**
 * Beyond Python (DESIGN.md): what a TLS connection looks like to Node's
 * stream ecosystem. `TLSDuplex` is the part shared by `wrapStream()`
 * (./wrap-stream.ts, the engine over any Duplex transport) and
 * `SSLSocket.toDuplex()` (./socket-duplex.ts): the `node:tls` TLSSocket
 * accessors that node:https, node:http2 and undici read (`encrypted`,
 * `alpnProtocol`, `authorized`, `getPeerCertificate()`, `getProtocol()`,
 * `getCipher()`), and the net.Socket methods their agents call
 * (`setTimeout`, `setNoDelay`, `setKeepAlive`, `ref`, `unref`).
 *
 * The Python view of the same connection stays available: `cipher()`,
 * `version()`, `getpeercert()` and `selectedAlpnProtocol()` come from the
 * SSLObject / SSLSocket underneath, unchanged.
 */
import { Duplex, type DuplexOptions } from 'node:stream';
import { parseCertificate } from '../x509/certificate.js';
import { peerCertDict, type PeerCertDict, type PeerCertName } from '../x509/peercert.js';
import { CERT_NONE } from './constants.js';
import type { SSLContext } from './context.js';

/** What a TLS connection tells about itself: the surface SSLObject and SSLSocket share. */
export interface TLSConnectionInfo {
  readonly context: SSLContext;
  readonly serverSide: boolean;
  readonly serverHostname: string | null;
  readonly sessionReused: boolean | null;
  cipher(): [string, string, number] | null;
  version(): string | null;
  selectedAlpnProtocol(): string | null;
  getVerifiedChain(): Buffer[];
  getUnverifiedChain(): Buffer[];
  getpeercert(binaryForm: boolean): PeerCertDict | Record<string, never> | Buffer | null;
}

/** A `node:tls`-style certificate object (`tls.PeerCertificate` subset), made from the DER the peer sent. */
export interface PeerCertificate {
  /** Attributes of the subject by OpenSSL short name (`CN`, `O`, …); a repeated attribute becomes an array. */
  subject: Record<string, string | string[]>;
  issuer: Record<string, string | string[]>;
  /** `DNS:example.com, IP Address:127.0.0.1`, as node:tls writes it. */
  subjectaltname?: string;
  /** OpenSSL's text form of notBefore / notAfter (`Jan  1 00:00:00 2030 GMT`). */
  valid_from: string;
  valid_to: string;
  /** Upper-case hex, as node:tls gives it. */
  serialNumber: string;
  /** The certificate's DER bytes. */
  raw: Buffer;
}

/** What `getCipher()` returns, as in node:tls. */
export interface CipherNameAndProtocol {
  name: string;
  standardName: string;
  version: string;
}

/** OpenSSL's short names for the attributes node:tls shows in `subject` / `issuer`. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  commonName: 'CN',
  countryName: 'C',
  localityName: 'L',
  stateOrProvinceName: 'ST',
  organizationName: 'O',
  organizationalUnitName: 'OU',
};

function nodeName(name: PeerCertName): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const rdn of name) {
    for (const [key, value] of rdn) {
      const k = SHORT_NAMES[key] ?? key;
      const v = typeof value === 'string' ? value : value.toString('hex');
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
  }
  return out;
}

/** node:tls's certificate object for `der` (the parts of it our X.509 layer knows). */
export function nodePeerCertificate(der: Buffer): PeerCertificate {
  const dict: PeerCertDict = peerCertDict(parseCertificate(der));
  const cert: PeerCertificate = {
    subject: nodeName(dict.subject),
    issuer: nodeName(dict.issuer),
    valid_from: dict.notBefore,
    valid_to: dict.notAfter,
    serialNumber: dict.serialNumber.toUpperCase(),
    raw: der,
  };
  if (dict.subjectAltName !== undefined) {
    cert.subjectaltname = dict.subjectAltName.map(([k, v]) => `${k}:${typeof v === 'string' ? v : 'DirName'}`).join(', ');
  }
  return cert;
}

/** Options every TLS Duplex takes. */
export interface TLSDuplexOptions {
  /**
   * As net.Socket's: false (the default) ends our writable side (close_notify,
   * then the transport's end) once the peer has ended its side.
   */
  allowHalfOpen?: boolean;
}

/**
 * A Node `Duplex` carrying one TLS connection's plaintext, with the
 * accessors of a node:tls `TLSSocket`. Subclasses move the bytes.
 * Beyond Python (Node streams): its names are node:tls's.
 */
export abstract class TLSDuplex extends Duplex {
  /** Always true: node:http2 and node:https read it to tell a TLS socket from a plain one. */
  readonly encrypted = true;
  private idleTimer: NodeJS.Timeout | null = null;
  private idleMs = 0;

  protected constructor(options: TLSDuplexOptions = {}) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false, decodeStrings: true } satisfies DuplexOptions);
  }

  /** The Python-side object (SSLObject or SSLSocket) that knows the connection's parameters. */
  protected abstract get info(): TLSConnectionInfo;
  /** True once the handshake has completed. */
  abstract get handshakeDone(): boolean;

  // ── Python's view (the same methods as SSLObject / SSLSocket) ─────────────

  /** Python's `cipher()`: `[name, protocol, secret bits]`, or null before the handshake. */
  cipher(): [string, string, number] | null {
    return this.info.cipher();
  }

  /** Python's `version()`: 'TLSv1.3', 'TLSv1.2', or null before the handshake. */
  version(): string | null {
    return this.info.version();
  }

  /** Python's `selected_alpn_protocol()`. */
  selectedAlpnProtocol(): string | null {
    return this.info.selectedAlpnProtocol();
  }

  /** Python's `getpeercert()`: the dict, `{}` when the context does not verify, null without a peer certificate. */
  getpeercert(): PeerCertDict | Record<string, never> | null;
  /** Python's `getpeercert(binary_form=True)`: the peer's DER certificate, or null. */
  getpeercert(binaryForm: true): Buffer | null;
  getpeercert(binaryForm: boolean): PeerCertDict | Record<string, never> | Buffer | null;
  getpeercert(binaryForm = false): PeerCertDict | Record<string, never> | Buffer | null {
    return this.info.getpeercert(binaryForm);
  }

  // ── node:tls TLSSocket's view ─────────────────────────────────────────────

  /** node:tls: the ALPN protocol, or false when none was agreed (or before the handshake). */
  get alpnProtocol(): string | false {
    return (this.handshakeDone && this.info.selectedAlpnProtocol()) || false;
  }

  /**
   * node:tls: true when the peer's certificate was verified. Our handshake
   * fails on a certificate that does not verify, so this is "verification
   * was on and the peer presented a certificate".
   */
  get authorized(): boolean {
    return this.handshakeDone && this.info.context.verifyMode !== CERT_NONE && this.info.getUnverifiedChain().length > 0;
  }

  /** node:tls: why `authorized` is false (null when it is true). */
  get authorizationError(): Error | null {
    if (this.authorized || !this.handshakeDone) return null;
    return new Error(this.info.getUnverifiedChain().length === 0 ? 'peer did not present a certificate' : 'certificate verification is off (CERT_NONE)');
  }

  /** node:tls: the server name (client: the one we asked for). */
  get servername(): string | false {
    return this.info.serverHostname ?? false;
  }

  /** node:tls `getPeerCertificate()`: the peer's certificate, or `{}` when there is none. */
  getPeerCertificate(): PeerCertificate | Record<string, never> {
    const leaf = this.handshakeDone ? this.info.getUnverifiedChain()[0] : undefined;
    return leaf === undefined ? {} : nodePeerCertificate(leaf);
  }

  /** node:tls `getProtocol()`. */
  getProtocol(): string | null {
    return this.info.version();
  }

  /** node:tls `getCipher()`. */
  getCipher(): CipherNameAndProtocol | undefined {
    const c = this.info.cipher();
    return c === null ? undefined : { name: c[0], standardName: c[0], version: c[1] };
  }

  /** node:tls `isSessionReused()`. */
  isSessionReused(): boolean {
    return this.info.sessionReused === true;
  }

  // ── net.Socket's methods ──────────────────────────────────────────────────

  /** net.Socket `setTimeout(ms, cb)`: 'timeout' after `ms` without traffic (0 turns it off). */
  setTimeout(ms: number, callback?: () => void): this {
    this.idleMs = ms;
    if (callback !== undefined) {
      if (ms === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    this.touch();
    return this;
  }

  /** Restarts the idle timer (on every read and write). */
  protected touch(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.idleMs > 0 && !this.destroyed) {
      this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs);
      this.idleTimer.unref();
    }
  }

  /** net.Socket `setNoDelay()`. */
  abstract setNoDelay(noDelay?: boolean): this;
  /** net.Socket `setKeepAlive()`. */
  abstract setKeepAlive(enable?: boolean, initialDelay?: number): this;
  /** net.Socket `ref()`. */
  abstract ref(): this;
  /** net.Socket `unref()`. */
  abstract unref(): this;

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    callback(error);
  }
}
