/**
 * The state under one Python socket: a bound-but-idle libuv handle, a
 * node:net stream (connecting or connected) or a node:net server, plus the
 * receive queue, the pending error (SO_ERROR), and the conditions and
 * turnstiles that readers and writers wait on.
 *
 * All of it lives here, not in the `socket` object, so that it can move
 * between socket objects whole — node listeners, unread bytes and all — when
 * a socket is detached and adopted (`detach()` + `socket(fileno=…)`, or an
 * SSLSocket taking over a plain socket and handing it back after unwrap).
 */
import * as net from 'node:net';
import { AF_INET6 } from './constants.js';
import { OSError, ValueError, fromNodeError } from './errors.js';
import { ERRNO } from './errno.js';
import type { TcpHandle } from './handle.js';
import { ReceiveRing } from './receive-ring.js';
import { Condition, Turnstile } from './wait.js';
import { adoptOnRead, type TransportOnRead } from './onread.js';

/**
 * Unread bytes we hold before pausing the node stream, which stops reading
 * from the kernel so the peer feels TCP backpressure.
 */
export const RECV_HIGH_WATER = 256 * 1024;
/**
 * Bytes a send may leave queued in node above the kernel's buffer before it
 * has to wait for 'drain': the userland half of "send awaits drain".
 */
export const SEND_HIGH_WATER = 64 * 1024;
/** Received chunks shorter than this are joined to a short chunk queued before them. */
const SMALL_RECEIVE = 512;

export interface SocketOptions {
  reuseaddr: number;
  keepalive: number;
  nodelay: number;
  v6only: number;
}

/** An address as node reports it. */
export interface HostPort {
  address: string;
  port: number;
}

type NodeHandleOwner = { _handle?: { fd?: number } | null };

/** The same bytes as a Buffer, without copying. */
function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export class Transport {
  /** A bind() that has not yet been used by listen() or connect(). */
  handle: TcpHandle | null = null;
  /** Where tcp_wrap is missing, bind() is remembered and done by node:net later. */
  deferredBind: { host: string; port: number } | null = null;
  stream: net.Socket | null = null;
  /** Writes whose `sent` has not run yet (write() runs one early only when it is the last). */
  private sentAwaited = 0;
  server: net.Server | null = null;
  connecting = false;
  connected = false;
  /** A non-blocking connect() whose success no later connect() has reported yet. */
  connectUnreported = false;
  /** Python's "closed" for the descriptor: every operation is EBADF. */
  closed = false;
  /** Some socket object told its descriptor number (fileno(), detach()): whoever owns this must be findable by it. */
  fdHandedOut = false;

  /** Bytes received and not yet returned by recv(). */
  private rx: Buffer[] = [];
  /** Where node reads into for a stream made with onread() (./receive-ring.ts); made on first use. */
  private ring: ReceiveRing | null = null;
  rxLength = 0;
  /** Peer sent FIN (or the stream is gone): recv() returns b'' once rx is empty. */
  eof = false;
  rdShut = false;
  wrShut = false;
  /** The pending socket error, as getsockopt(SO_ERROR) sees it. */
  error: OSError | null = null;
  /** Connections accepted by node and not yet by accept(). */
  readonly pending: net.Socket[] = [];

  readonly readable = new Condition();
  readonly writable = new Condition();
  readonly readTurn = new Turnstile();
  readonly writeTurn = new Turnstile();

  private _local: HostPort | null = null;
  private _peer: HostPort | null = null;
  /**
   * The connected stream whose local / peer address nobody has asked for
   * yet: each is a syscall (getsockname, getpeername), so it is fetched on
   * first use rather than for every connection.
   */
  private localFrom: net.Socket | null = null;
  private peerFrom: net.Socket | null = null;
  fd = -1;
  readonly options: SocketOptions = { reuseaddr: 0, keepalive: 0, nodelay: 0, v6only: 0 };

  constructor(readonly family: number) {}

  /** The local address (getsockname) once bound, listening or connected; null before. */
  get local(): HostPort | null {
    const s = this.localFrom;
    if (s !== null) {
      this.localFrom = null;
      this._local = { address: s.localAddress ?? '', port: s.localPort ?? 0 };
    }
    return this._local;
  }

  set local(a: HostPort | null) {
    this.localFrom = null;
    this._local = a;
  }

  /** The peer's address (getpeername) once connected; null when there is none (never connected, or gone before anyone asked). */
  get peer(): HostPort | null {
    const s = this.peerFrom;
    if (s !== null) {
      this.peerFrom = null;
      this._peer = s.remoteAddress === undefined ? null : { address: s.remoteAddress, port: s.remotePort ?? 0 };
    }
    return this._peer;
  }

  set peer(a: HostPort | null) {
    this.peerFrom = null;
    this._peer = a;
  }

  /**
   * Connected, as getpeername() would say, known without asking the kernel:
   * connected, no pending error, no EOF, stream alive. False means "ask".
   */
  get surelyConnected(): boolean {
    const s = this.stream;
    return this.connected && this.error === null && !this.eof && s !== null && !s.destroyed;
  }

  // ── node stream plumbing ────────────────────────────────────────────────

  /**
   * The `onread` option for a stream this transport will drive: reads land
   * in the transport's ReceiveRing, not in a fresh Buffer each. A stream
   * made with it is attached with `attachStream(stream, …, onread)`.
   */
  onread(): TransportOnRead {
    const ring = (this.ring ??= new ReceiveRing());
    const onread: TransportOnRead = {
      stream: null,
      buffer: () => ring.region(this.rx),
      callback: (n, buf) => {
        const chunk = ring.filled(buf, n);
        // As for 'data': only the current stream (not one abandoned by a failed connect()) is heard.
        if (onread.stream !== null && onread.stream === this.stream) this.onData(chunk);
        return true;
      },
    };
    return onread;
  }

  /**
   * Start driving a node stream; `connected` is true for accepted sockets.
   * `onread`: the option the stream was made with (from onread()); without
   * it, an accepted stream that is not yet reading is given one when this
   * node allows, and otherwise its data comes as 'data' events.
   */
  attachStream(stream: net.Socket, connected: boolean, onread: TransportOnRead | null = null): void {
    this.stream = stream;
    this.connected = connected;
    this.connecting = !connected;
    this.eof = stream.destroyed || stream.readableEnded;
    // A stream abandoned by a failed or timed-out connect() may still report
    // late; only the current stream may change our state.
    const current = (): boolean => this.stream === stream;
    if (onread === null && connected) {
      const adopted = this.onread();
      if (adoptOnRead(stream, adopted)) onread = adopted;
    }
    // A stream reading through onread emits no 'data' (and listening for it would start a
    // connecting stream's reads before it is connected).
    if (onread !== null) onread.stream = stream;
    else {
      stream.on('data', (chunk: Buffer) => {
        if (current()) this.onData(chunk);
      });
    }
    stream.on('end', () => {
      if (!current()) return;
      this.eof = true;
      this.wake();
    });
    stream.on('error', (err: Error) => {
      if (!current()) return;
      this.error ??= fromNodeError(err) as OSError;
      this.connecting = false;
      this.wake();
    });
    stream.on('close', () => {
      if (!current()) return;
      this.eof = true;
      this.connecting = false;
      this.wake();
    });
    stream.on('drain', () => {
      if (current()) this.writable.notifyAll();
    });
    if (connected) this.onConnected();
    else stream.once('connect', () => {
      if (current()) this.onConnected();
    });
  }

  /** Forget a stream whose connect() failed or timed out, so connect() may be tried again. */
  dropStream(): void {
    const s = this.stream;
    this.stream = null;
    this.connecting = false;
    this.connected = false;
    this.eof = false;
    this.peer = null;
    s?.destroy();
  }

  private onConnected(): void {
    const s = this.stream!;
    this.connecting = false;
    this.connected = true;
    this.fd = (s as unknown as NodeHandleOwner)._handle?.fd ?? -1;
    this.localFrom = s;
    this.peerFrom = s;
    if (this.options.nodelay) s.setNoDelay(true);
    if (this.options.keepalive) s.setKeepAlive(true);
    s.resume();
    this.wake();
  }

  private onData(chunk: Buffer): void {
    if (this.rdShut) return;
    // A peer sending a byte at a time: small chunks are joined, so what it sent costs its
    // bytes and not a Buffer object (about 100 bytes of heap) per byte, nor a long queue.
    const last = this.rx.length > 0 ? this.rx[this.rx.length - 1]! : null;
    if (last !== null && chunk.length < SMALL_RECEIVE && last.length < SMALL_RECEIVE) this.rx[this.rx.length - 1] = Buffer.concat([last, chunk]);
    else this.rx.push(chunk);
    this.rxLength += chunk.length;
    if (this.rxLength >= RECV_HIGH_WATER) this.stream?.pause();
    this.readable.notifyAll();
  }

  attachServer(server: net.Server): void {
    this.server = server;
    server.on('connection', (conn: net.Socket) => {
      if (this.closed) {
        conn.destroy();
        return;
      }
      // node would crash on an unhandled 'error' while the connection waits in the queue.
      conn.on('error', () => undefined);
      // node caches the peer address on first use; fetch it while the connection surely has one.
      void conn.remoteAddress;
      this.pending.push(conn);
      this.readable.notifyAll();
    });
    server.on('error', (err: Error) => {
      this.error ??= fromNodeError(err) as OSError;
      this.wake();
    });
    server.on('listening', () => {
      const a = server.address();
      if (a !== null && typeof a === 'object') this.local = { address: a.address, port: a.port };
      this.fd = (server as unknown as NodeHandleOwner)._handle?.fd ?? this.fd;
    });
  }

  wake(): void {
    this.readable.notifyAll();
    this.writable.notifyAll();
  }

  // ── reading ─────────────────────────────────────────────────────────────

  /** Chunks in the receive queue (diagnostics: a peer sending a byte at a time must not make one per byte). */
  get rxChunks(): number {
    return this.rx.length;
  }

  /** Distinct memory blocks the queued chunks lie in (diagnostics: a bulk transfer's reads share one ReceiveRing). */
  get rxBlocks(): number {
    return new Set(this.rx.map((c) => c.buffer)).size;
  }

  /** True when a recv() would not wait: data, EOF, an error, or nothing to wait for. */
  get canRead(): boolean {
    if (this.closed || this.rxLength > 0 || this.eof || this.rdShut || this.error !== null) return true;
    if (this.server !== null) return this.pending.length > 0;
    return !this.connected && !this.connecting;
  }

  /** The first queued chunk, left queued; null when nothing is queued. A view valid until the caller returns to the event loop. */
  get head(): Buffer | null {
    return this.rxLength > 0 ? this.rx[0]! : null;
  }

  /**
   * Up to `n` queued bytes (copied when peeking), leaving the rest queued.
   * `borrow`: the caller is done with the bytes before it returns to the
   * event loop, so they may be a view of the ReceiveRing (which the next
   * read may overwrite); otherwise they are the caller's to keep.
   */
  take(n: number, peek = false, borrow = false): Buffer {
    const out = this.takeView(n, peek);
    const ring = this.ring;
    if (ring === null) return out;
    if (!peek) ring.copiesOut = !borrow;
    return borrow || !ring.mustCopy(out) ? out : Buffer.from(out);
  }

  private takeView(n: number, peek: boolean): Buffer {
    const first = this.rx[0];
    // Served from the first chunk alone (a TLS record from one segment): no parts list, one view at most.
    if (!peek && first !== undefined && (n < first.length || this.rx.length === 1)) {
      const out = n < first.length ? first.subarray(0, n) : first;
      if (out === first) this.rx.length = 0;
      else this.rx[0] = first.subarray(n);
      this.rxLength -= out.length;
      if (this.rxLength < RECV_HIGH_WATER && this.stream?.isPaused() && this.connected) this.stream.resume();
      return out;
    }
    const parts: Buffer[] = [];
    let need = Math.min(n, this.rxLength);
    let i = 0;
    while (need > 0) {
      const head = this.rx[i]!;
      const piece = head.length <= need ? head : head.subarray(0, need);
      parts.push(piece);
      need -= piece.length;
      if (peek) {
        i++;
        continue;
      }
      if (piece.length === head.length) this.rx.shift();
      else this.rx[0] = head.subarray(piece.length);
      this.rxLength -= piece.length;
    }
    // V8's optimized shift() leaves an emptied array its capacity (17 slots); setting the length gives it back.
    if (this.rx.length === 0) this.rx.length = 0;
    const out = parts.length === 1 && !peek ? parts[0]! : Buffer.concat(parts);
    if (!peek && this.rxLength < RECV_HIGH_WATER && this.stream?.isPaused() && this.connected) this.stream.resume();
    return out;
  }

  /** Put bytes back at the front of the receive queue (e.g. read past a TLS close_notify). */
  pushBack(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.rx.unshift(Buffer.from(bytes));
    this.rxLength += bytes.length;
    this.readable.notifyAll();
  }

  /** Drop unread bytes (shutdown(SHUT_RD)). */
  discard(): void {
    this.rx = [];
    this.rxLength = 0;
  }

  /** Take the pending error, as reading SO_ERROR or failing a call does. */
  consumeError(): OSError | null {
    const e = this.error;
    this.error = null;
    return e;
  }

  // ── writing ─────────────────────────────────────────────────────────────

  /** Bytes a send may queue now without passing the high-water mark. */
  get writeSpace(): number {
    const s = this.stream;
    if (s === null || !this.connected || s.destroyed) return 0;
    return Math.max(0, SEND_HIGH_WATER - s.writableLength);
  }

  /** True when a send would not wait: room to queue, or a state that fails at once. */
  get canWrite(): boolean {
    if (this.closed || this.error !== null || this.wrShut) return true;
    const s = this.stream;
    if (s === null) return !this.connecting;
    if (s.destroyed) return true;
    return this.connected && this.writeSpace > 0;
  }

  /**
   * Queue bytes for the peer: copied (the caller may reuse its buffer at
   * once), unless `owned` says the caller hands them over and never writes
   * them again (the TLS engine's sealed records). `sent` runs once node no
   * longer holds the bytes (they reached the kernel); not on failure.
   */
  write(bytes: Uint8Array, owned = false, sent?: () => void, failed?: (err: Error) => void): void {
    const s = this.stream!;
    let early = false;
    if (sent !== undefined) this.sentAwaited++;
    const done = sent === undefined && failed === undefined ? undefined : (err?: Error | null) => {
      if (sent !== undefined && !early) this.sentAwaited--;
      if (err === null || err === undefined) {
        if (!early) sent?.();
      } else failed?.(err);
    };
    s.write(owned ? toBuffer(bytes) : Buffer.from(bytes), done);
    // libuv wrote it all to the kernel at once (node queues nothing) and no earlier `sent` is still
    // due: node holds none of the bytes, so `sent` runs now, not in the tick node defers the callback
    // to — a sender looping on sendall() got its arenas back only once it stopped (measured: nearly
    // a fresh 64 KiB arena per batch). In order: only when every earlier `sent` has run.
    if (sent !== undefined && this.sentAwaited === 1 && s.writableLength === 0 && s.errored === null && !s.destroyed) {
      early = true;
      this.sentAwaited--;
      sent();
    }
  }

  // ── closing ─────────────────────────────────────────────────────────────

  /** Python's close(): queued bytes still go out, then the descriptor is released. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const s = this.stream;
    if (s !== null && !s.destroyed) {
      if (this.connected && !s.writableFinished && s.writableLength > 0) {
        // Like the kernel after close(): queued bytes still go out, then FIN. The
        // process stays up until they have (a kernel would send them after exit).
        s.once('finish', () => s.destroy());
        s.end();
      } else {
        s.destroy();
      }
    }
    this.server?.close();
    for (const conn of this.pending.splice(0)) conn.destroy();
    this.handle?.close();
    this.handle = null;
    this.discard();
    this.wake();
  }

  /** Stop holding the event loop open while no socket object owns us. */
  unref(): void {
    this.stream?.unref();
    this.server?.unref();
  }

  ref(): void {
    this.stream?.ref();
    this.server?.ref();
  }

  get isIPv6(): boolean {
    return this.family === AF_INET6;
  }
}

/**
 * Transports given up by detach(), keyed by descriptor, so that
 * `new socket(family, type, proto, fd)` adopts the very same node handle
 * instead of opening a second libuv handle on the same descriptor.
 */
export const detachedTransports = new Map<number, Transport>();

/** The Transport for `socket(fileno=fd)`: one given up by detach(), or a foreign descriptor. */
export function transportForFd(family: number, fd: number): Transport {
  const mine = detachedTransports.get(fd);
  if (mine !== undefined) {
    detachedTransports.delete(fd);
    return mine;
  }
  if (fd < 0) throw new ValueError('negative file descriptor');
  const t = new Transport(family);
  const onread = t.onread();
  let stream: net.Socket;
  try {
    stream = new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: true, onread } as net.SocketConstructorOpts);
  } catch (e) {
    throw OSError.fromErrno(ERRNO.EBADF, `Bad file descriptor (${(e as Error).message})`);
  }
  t.attachStream(stream, true, onread);
  return t;
}

