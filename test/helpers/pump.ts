/**
 * Test pumps: move bytes between a sans-IO Connection and either another
 * Connection (in memory) or a real TCP socket (node:net).
 */
import * as net from 'node:net';
import type { Connection } from '../../src/tls/connection.js';
import { TLSError } from '../../src/tls/errors.js';

/** Shuttles records between two in-memory connections until both are silent. Returns the number of flights moved. */
export function pumpMemory(a: Connection, b: Connection, maxRounds = 100): number {
  let rounds = 0;
  for (; rounds < maxRounds; rounds++) {
    const ab = a.takeOutgoing();
    const ba = b.takeOutgoing();
    if (ab.length === 0 && ba.length === 0) return rounds;
    if (ab.length > 0) b.receive(ab);
    if (ba.length > 0) a.receive(ba);
  }
  throw new Error(`pumpMemory: still exchanging after ${maxRounds} rounds`);
}

/** Reads everything currently decrypted. */
export function drain(c: Connection): Buffer {
  const parts: Buffer[] = [];
  for (;;) {
    const chunk = c.read(1 << 20);
    if (chunk.length === 0) break;
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/**
 * A Connection driven over a TCP socket. Every method flushes outgoing bytes;
 * reads wait for socket data. A TLSError from the engine is surfaced after the
 * queued alert has been written, as a real stack would.
 */
export class TcpPump {
  private readonly chunks: Buffer[] = [];
  private eof = false;
  private error: Error | null = null;
  private waiter: (() => void) | null = null;

  private constructor(
    readonly conn: Connection,
    readonly socket: net.Socket,
  ) {
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.wake();
    });
    socket.on('end', () => {
      this.eof = true;
      this.wake();
    });
    socket.on('error', (e) => {
      this.error = e;
      this.wake();
    });
    socket.on('close', () => {
      this.eof = true;
      this.wake();
    });
  }

  static async connect(conn: Connection, port: number, host = '127.0.0.1'): Promise<TcpPump> {
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new TcpPump(conn, socket);
  }

  static fromSocket(conn: Connection, socket: net.Socket): TcpPump {
    return new TcpPump(conn, socket);
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Writes whatever the engine has queued. */
  async flush(): Promise<void> {
    const out = this.conn.takeOutgoing();
    if (out.length === 0 || this.socket.destroyed) return;
    await new Promise<void>((resolve, reject) => this.socket.write(out, (e) => (e ? reject(e) : resolve())));
  }

  /** Waits for socket bytes and feeds them; false at EOF. Flushes replies (and alerts on failure). */
  async pumpOnce(): Promise<boolean> {
    while (this.chunks.length === 0 && !this.eof && !this.error) {
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    if (this.chunks.length === 0) {
      if (this.error) throw this.error;
      return false;
    }
    const data = Buffer.concat(this.chunks.splice(0));
    try {
      this.conn.receive(data);
    } finally {
      await this.flush().catch(() => undefined);
    }
    return true;
  }

  async handshake(): Promise<void> {
    await this.flush();
    while (!this.conn.handshakeDone) {
      if (!(await this.pumpOnce())) throw new Error('EOF during handshake');
    }
    await this.flush();
  }

  async write(data: Buffer): Promise<void> {
    this.conn.write(data);
    await this.flush();
  }

  /** Reads exactly n plaintext bytes (or fewer at close_notify / EOF). */
  async readExactly(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    for (;;) {
      for (;;) {
        const chunk = this.conn.read(n - have);
        if (chunk.length === 0) break;
        parts.push(chunk);
        have += chunk.length;
      }
      if (have >= n || this.conn.peerClosed) break;
      if (!(await this.pumpOnce())) break;
    }
    return Buffer.concat(parts);
  }

  /** Reads until the peer's close_notify (or EOF). */
  async readToClose(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      for (;;) {
        const chunk = this.conn.read(1 << 20);
        if (chunk.length === 0) break;
        parts.push(chunk);
      }
      if (this.conn.peerClosed) break;
      if (!(await this.pumpOnce())) break;
    }
    return Buffer.concat(parts);
  }

  async close(): Promise<void> {
    if (!this.conn.closed) this.conn.close();
    await this.flush().catch(() => undefined);
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Runs fn, expecting a TLSError; returns it. */
export function expectTLSError(fn: () => unknown): TLSError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TLSError) return e;
    throw e;
  }
  throw new Error('expected a TLSError, nothing was thrown');
}
