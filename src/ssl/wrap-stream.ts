/**
 * Beyond Python (DESIGN.md): `wrapStream(transport, ctx, options)` runs our
 * TLS engine over any Node Duplex — a net.Socket, a proxy tunnel, a
 * stream pair in memory — and returns the plaintext side as a Duplex that
 * node:https agents, undici's `connect` and `http2.connect`'s
 * `createConnection` accept.
 *
 * It is the sans-IO front door with Node's event loop as the pump: bytes
 * from the transport go into the SSLObject's incoming MemoryBIO, every
 * engine call is followed by moving the outgoing BIO to the transport, and
 * `SSLWantReadError` just means "wait for the next 'data' event".
 *
 * Backpressure both ways: plaintext is taken from the engine only while the
 * reader wants more (`push()` said yes), and the transport is paused while
 * the ciphertext waiting in the incoming BIO exceeds a high-water mark; a
 * write completes once the transport has accepted its records ('drain').
 *
 * Half-close: `end()` sends close_notify and ends the transport's writable
 * side; reading goes on until the peer closes (TLS 1.3 allows it, RFC 8446
 * §6.1). A transport EOF without close_notify ends the readable side when
 * `suppressRaggedEofs` (Python's default), or is an SSLEOFError otherwise.
 * Engine errors (bad records, failed verification) are sent to the peer as
 * an alert and destroy the stream with the SSLError: the 'error' event.
 */
import type { Duplex } from 'node:stream';
import { MemoryBIO } from './bio.js';
import type { SSLContext } from './context.js';
import { SSLError, SSLWantReadError, SSLZeroReturnError } from './errors.js';
import { SSLErrorNumber } from './constants.js';
import type { SSLObject } from './sslobject.js';
import { TLSDuplex, type TLSConnectionInfo, type TLSDuplexOptions } from './tls-duplex.js';

/** Plaintext taken from the engine per read call (one full TLS record). */
const READ_CHUNK = 16 * 1024;
/** Ciphertext held in the incoming BIO before the transport is paused. */
const INCOMING_HIGH_WATER = 64 * 1024;

/** Options of `wrapStream()`: `SSLContext.wrap_bio`'s keyword arguments, plus the stream's own. */
export interface WrapStreamOptions extends TLSDuplexOptions {
  /** Python's `server_side`: act as the TLS server. Default false. */
  serverSide?: boolean;
  /** Python's `server_hostname`: SNI and the name checked in the server's certificate (client side). */
  serverHostname?: string | null;
  /** Python's `session`. */
  session?: unknown;
  /** Python's `suppress_ragged_eofs`: a transport EOF without close_notify ends the stream quietly (true, the default) or is an SSLEOFError. */
  suppressRaggedEofs?: boolean;
}

type Callback = (error?: Error | null) => void;

/** Minimal shape of a transport that has net.Socket's extras. */
interface SocketLike {
  setNoDelay?(noDelay?: boolean): unknown;
  setKeepAlive?(enable?: boolean, initialDelay?: number): unknown;
  ref?(): unknown;
  unref?(): unknown;
  remoteAddress?: string;
  remotePort?: number;
  remoteFamily?: string;
  localAddress?: string;
  localPort?: number;
}

/** The Duplex `wrapStream()` returns: TLS over `transport`, plaintext on this side. Beyond Python (Node streams). */
export class SSLStream extends TLSDuplex {
  /** Python's SSLObject for this connection: the sans-IO view (`cipher()`, `getpeercert()`, `getChannelBinding()`, …). */
  readonly sslObject: SSLObject;
  /** The ciphertext transport. */
  readonly transport: Duplex;
  private readonly incoming: MemoryBIO;
  private readonly outgoing: MemoryBIO;
  private readonly suppressRaggedEofs: boolean;
  private done = false;
  /** The reader asked for more and push() has not said stop. */
  private wantData = false;
  private eofSeen = false;
  private readEnded = false;
  private closeSent = false;
  /** A write (or end) waiting for the handshake. */
  private waiting: (() => void)[] = [];
  /** A write waiting for the transport's 'drain'. */
  private drainCallback: Callback | null = null;
  private transportPaused = false;

  /** Use `wrapStream()`. */
  constructor(transport: Duplex, ctx: SSLContext, options: WrapStreamOptions = {}) {
    super(options);
    this.transport = transport;
    this.incoming = new MemoryBIO();
    this.outgoing = new MemoryBIO();
    this.suppressRaggedEofs = options.suppressRaggedEofs ?? true;
    this.sslObject = ctx.wrapBio(this.incoming, this.outgoing, {
      serverSide: options.serverSide ?? false,
      serverHostname: options.serverHostname ?? null,
      session: options.session ?? null,
    });
    transport.on('data', this.onTransportData);
    transport.on('end', this.onTransportEnd);
    transport.on('close', this.onTransportClose);
    transport.on('error', this.onTransportError);
    transport.on('drain', this.onTransportDrain);
    // The first flight leaves on the next tick, once the caller has attached its listeners.
    process.nextTick(() => this.advance());
  }

  protected get info(): TLSConnectionInfo {
    return this.sslObject;
  }

  get handshakeDone(): boolean {
    return this.done;
  }

  /** net.Socket-style: true until the handshake is done (what http2 and undici look at before using a socket). */
  get secureConnecting(): boolean {
    return !this.done && !this.destroyed;
  }

  get remoteAddress(): string | undefined {
    return (this.transport as SocketLike).remoteAddress;
  }
  get remotePort(): number | undefined {
    return (this.transport as SocketLike).remotePort;
  }
  get remoteFamily(): string | undefined {
    return (this.transport as SocketLike).remoteFamily;
  }
  get localAddress(): string | undefined {
    return (this.transport as SocketLike).localAddress;
  }
  get localPort(): number | undefined {
    return (this.transport as SocketLike).localPort;
  }

  setNoDelay(noDelay = true): this {
    (this.transport as SocketLike).setNoDelay?.(noDelay);
    return this;
  }
  setKeepAlive(enable = false, initialDelay = 0): this {
    (this.transport as SocketLike).setKeepAlive?.(enable, initialDelay);
    return this;
  }
  ref(): this {
    (this.transport as SocketLike).ref?.();
    return this;
  }
  unref(): this {
    (this.transport as SocketLike).unref?.();
    return this;
  }

  // ── transport events ─────────────────────────────────────────────────────

  private readonly onTransportData = (chunk: Buffer | string): void => {
    if (this.destroyed) return;
    this.incoming.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    this.touch();
    this.advance();
    if (this.incoming.pending > INCOMING_HIGH_WATER && !this.transportPaused) {
      this.transportPaused = true;
      this.transport.pause();
    }
  };

  private readonly onTransportEnd = (): void => {
    this.feedEof();
  };

  private readonly onTransportClose = (): void => {
    this.feedEof();
    // Whatever waits for the transport now never gets it.
    this.settleDrain(transportClosedError());
  };

  private readonly onTransportError = (err: Error): void => {
    this.destroy(err);
  };

  private readonly onTransportDrain = (): void => {
    this.settleDrain(null);
  };

  private feedEof(): void {
    if (this.eofSeen || this.destroyed) return;
    this.eofSeen = true;
    this.incoming.writeEof();
    this.advance();
  }

  private settleDrain(err: Error | null): void {
    const cb = this.drainCallback;
    this.drainCallback = null;
    cb?.(err);
  }

  // ── the engine pump ──────────────────────────────────────────────────────

  /** Sends what the engine produced; false when the transport asks us to wait ('drain'). */
  private flushOutgoing(): boolean {
    if (this.outgoing.pending === 0) return true;
    const out = this.outgoing.read();
    if (this.transport.destroyed || this.transport.writableEnded) return false;
    return this.transport.write(out);
  }

  /** Runs an engine call; an SSLWantReadError means "later", any other error destroys the stream. */
  private attempt<T>(fn: () => T): { ok: true; value: T } | { ok: false } {
    try {
      const value = fn();
      this.flushOutgoing();
      return { ok: true, value };
    } catch (e) {
      this.flushOutgoing();
      if (!(e instanceof SSLWantReadError)) this.fail(e);
      return { ok: false };
    }
  }

  private fail(e: unknown): void {
    // Raised by read() once both sides have sent close_notify: the peer's close.
    if (e instanceof SSLZeroReturnError) {
      this.endReadable();
      return;
    }
    if (e instanceof SSLError && e.errno === SSLErrorNumber.SSL_ERROR_EOF && this.done && this.suppressRaggedEofs) {
      this.endReadable();
      return;
    }
    this.destroy(e instanceof Error ? e : new Error(String(e)));
  }

  /** Drives the handshake, then moves plaintext to the reader while it wants it. */
  private advance(): void {
    if (this.destroyed) return;
    if (!this.done) {
      if (!this.attempt(() => this.sslObject.doHandshake()).ok) return;
      this.done = true;
      this.emit(this.sslObject.serverSide ? 'secure' : 'secureConnect');
      const waiting = this.waiting;
      this.waiting = [];
      for (const run of waiting) run();
      if (this.destroyed) return;
    }
    this.pullPlaintext();
    if (this.transportPaused && this.incoming.pending <= INCOMING_HIGH_WATER && !this.destroyed) {
      this.transportPaused = false;
      this.transport.resume();
    }
  }

  /** Reads plaintext from the engine into the readable side while the reader wants it. */
  private pullPlaintext(): void {
    while (this.wantData && !this.readEnded && !this.destroyed) {
      const r = this.attempt(() => this.sslObject.read(READ_CHUNK));
      if (!r.ok) return;
      if (r.value.length === 0) {
        this.endReadable();
        return;
      }
      this.wantData = this.push(r.value);
    }
  }

  private endReadable(): void {
    if (this.readEnded) return;
    this.readEnded = true;
    this.wantData = false;
    this.push(null);
  }

  // ── Duplex implementation ────────────────────────────────────────────────

  override _read(): void {
    this.wantData = true;
    if (this.done) this.advance();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    this.afterHandshake(() => this.writeNow(chunk, callback), callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: Callback): void {
    const data = chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk));
    this._write(data, 'binary', callback);
  }

  private writeNow(chunk: Buffer, callback: Callback): void {
    this.touch();
    try {
      this.sslObject.write(chunk);
    } catch (e) {
      this.flushOutgoing();
      callback(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (this.flushOutgoing()) callback();
    else if (this.transport.destroyed || this.transport.writableEnded) callback(transportClosedError());
    else this.drainCallback = callback;
  }

  override _final(callback: Callback): void {
    this.afterHandshake(() => {
      this.sendCloseNotify();
      this.transport.end();
      callback();
    }, callback);
  }

  /** Queues close_notify without waiting for the peer's; reading goes on. */
  private sendCloseNotify(): void {
    if (this.closeSent || this.destroyed) return;
    this.closeSent = true;
    this.attempt(() => this.sslObject._sendCloseNotify());
  }

  /** Runs `fn` once the handshake is done (at once if it is); fails `callback` if the stream dies first. */
  private afterHandshake(fn: () => void, callback: Callback): void {
    if (this.done) {
      fn();
      return;
    }
    this.waiting.push(() => {
      if (this.destroyed) callback(new Error('the TLS stream was destroyed before the handshake completed'));
      else fn();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.transport.off('data', this.onTransportData);
    this.transport.off('end', this.onTransportEnd);
    this.transport.off('close', this.onTransportClose);
    this.transport.off('drain', this.onTransportDrain);
    // Keep an error listener: a late transport error must not crash the process.
    this.transport.off('error', this.onTransportError);
    this.transport.on('error', () => {});
    // After a clean end() the transport finishes sending (close_notify, FIN) before it goes.
    if (error === null && this.transport.writableEnded && !this.transport.writableFinished) this.transport.once('finish', () => this.transport.destroy());
    else this.transport.destroy();
    const drain = this.drainCallback;
    this.drainCallback = null;
    super._destroy(error, (err) => {
      drain?.(err ?? transportClosedError());
      callback(err);
    });
  }
}

function transportClosedError(): Error {
  return Object.assign(new Error('write after the TLS transport closed'), { code: 'EPIPE' });
}

/**
 * Beyond Python: TLS over any Node `Duplex` transport (a net.Socket, a
 * proxy tunnel, an in-memory pair), as a Duplex of plaintext. The
 * handshake starts at once (on the next tick); writes wait for it, and a
 * handshake failure is the stream's 'error' event. Emits 'secureConnect'
 * (client) or 'secure' (server) when the handshake completes.
 *
 * ```ts
 * const tls = ssl.wrapStream(net.connect(443, 'example.com'), ssl.createDefaultContext(), { serverHostname: 'example.com' });
 * ```
 */
export function wrapStream(transport: Duplex, ctx: SSLContext, options: WrapStreamOptions = {}): SSLStream {
  return new SSLStream(transport, ctx, options);
}
