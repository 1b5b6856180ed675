/**
 * Beyond Python (DESIGN.md): `SSLSocket.toDuplex()` — an SSLSocket as a
 * Node `Duplex`, for APIs that want a stream (a node:https Agent's
 * `createConnection` callback, undici's `connect`, `http.Server`'s
 * 'connection' event). And `for await (const chunk of sock)`.
 *
 * Thin on purpose: reads are `recv()`, writes are `sendall()`, so the
 * SSLSocket's own pump (record-at-a-time input, KeyUpdate answers, full
 * duplex) does the work. Backpressure: the next recv() is issued only
 * while the reader wants data; a write completes when sendall() has handed
 * its records to a socket with room. `end()` sends close_notify and shuts
 * the TCP write side; reading goes on until the peer closes. The socket is
 * switched to blocking mode (no timeout) — the Duplex has `setTimeout()`.
 */
import { SHUT_WR, IPPROTO_TCP, TCP_NODELAY, SOL_SOCKET, SO_KEEPALIVE } from '../socket/constants.js';
import { socket } from '../socket/socket.js';
import type { SSLSocket } from './sslsocket.js';
import { TLSDuplex, type TLSConnectionInfo, type TLSDuplexOptions } from './tls-duplex.js';

/** recv() size for stream reads: one full TLS record. */
const READ_CHUNK = 16 * 1024;

type Callback = (error?: Error | null) => void;

/** The Duplex `SSLSocket.toDuplex()` returns. Beyond Python (Node streams). */
export class SSLSocketDuplex extends TLSDuplex {
  /** The SSLSocket underneath (its Python API stays usable for connection facts). */
  readonly socket: SSLSocket;
  private readonly closeWrite: () => void;
  private readonly ready: Promise<void>;
  private done = false;
  private reading = false;
  /** _read() was called since the last push. */
  private wanted = false;

  /**
   * Use `sslSocket.toDuplex()`. `closeWrite` queues and sends close_notify
   * (the socket's pump is private to it).
   */
  constructor(sock: SSLSocket, closeWrite: () => void, options: TLSDuplexOptions = {}) {
    super(options);
    this.socket = sock;
    this.closeWrite = closeWrite;
    sock.settimeout(null);
    this.done = sock.version() !== null;
    this.ready = this.done ? Promise.resolve() : this.handshake();
    // A handshake failure is reported by destroy(); callers of `ready` only need to stop.
    this.ready.catch(() => {});
  }

  private async handshake(): Promise<void> {
    try {
      await this.socket.doHandshake();
    } catch (e) {
      this.destroy(e as Error);
      throw e;
    }
    this.done = true;
    this.emit(this.socket.serverSide ? 'secure' : 'secureConnect');
  }

  protected get info(): TLSConnectionInfo {
    return this.socket;
  }

  get handshakeDone(): boolean {
    return this.done;
  }

  private peer(): [string, number] | undefined {
    try {
      return this.socket.getpeername() as [string, number];
    } catch {
      return undefined;
    }
  }
  private local(): [string, number] | undefined {
    try {
      return this.socket.getsockname() as [string, number];
    } catch {
      return undefined;
    }
  }
  get remoteAddress(): string | undefined {
    return this.peer()?.[0];
  }
  get remotePort(): number | undefined {
    return this.peer()?.[1];
  }
  get localAddress(): string | undefined {
    return this.local()?.[0];
  }
  get localPort(): number | undefined {
    return this.local()?.[1];
  }

  setNoDelay(noDelay = true): this {
    this.whileOpen(() => this.socket.setsockopt(IPPROTO_TCP, TCP_NODELAY, noDelay ? 1 : 0));
    return this;
  }
  setKeepAlive(enable = false): this {
    this.whileOpen(() => this.socket.setsockopt(SOL_SOCKET, SO_KEEPALIVE, enable ? 1 : 0));
    return this;
  }
  /** net.Socket `ref()`: the open connection keeps the process alive (the default, as for a Python socket). */
  ref(): this {
    this.whileOpen(() => this.socket._transport().ref());
    return this;
  }
  /** net.Socket `unref()`: the open connection alone no longer keeps the process alive (an idle pooled connection, say). */
  unref(): this {
    this.whileOpen(() => this.socket._transport().unref());
    return this;
  }

  private whileOpen(fn: () => void): void {
    try {
      fn();
    } catch {
      // A closed socket: the next read or write reports it.
    }
  }

  override _read(): void {
    this.wanted = true;
    if (!this.reading) void this.readLoop();
  }

  private async readLoop(): Promise<void> {
    this.reading = true;
    try {
      await this.ready;
      for (;;) {
        const data = await this.socket.recv(READ_CHUNK);
        if (this.destroyed) return;
        this.touch();
        if (data.length === 0) {
          this.push(null);
          return;
        }
        this.wanted = false;
        if (!this.push(data) && !this.wanted) return;
      }
    } catch (e) {
      if (!this.destroyed) this.destroy(e as Error);
    } finally {
      this.reading = false;
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    this.ready.then(() => this.socket.sendall(chunk)).then(() => {
      this.touch();
      callback();
    }, callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: Callback): void {
    this._write(Buffer.concat(chunks.map((c) => c.chunk)), 'binary', callback);
  }

  override _final(callback: Callback): void {
    this.ready.then(() => {
      this.closeWrite();
      // The plain socket's shutdown: SSLSocket's own would drop TLS, and reading goes on through it.
      socket.prototype.shutdown.call(this.socket, SHUT_WR);
    }).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.close();
    super._destroy(error, callback);
  }
}

/** `for await (const chunk of sock)`: recv() until the peer's EOF (an empty read). */
export async function* recvChunks(sock: SSLSocket, size = READ_CHUNK): AsyncGenerator<Buffer, void, undefined> {
  for (;;) {
    const data = await sock.recv(size);
    if (data.length === 0) return;
    yield data;
  }
}
