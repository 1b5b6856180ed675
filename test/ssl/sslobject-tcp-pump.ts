/**
 * Test helper (not a test): the pump between an SSLObject's MemoryBIOs and a
 * node:net socket that the SSLObject interop tests use. SSLSocket has its own
 * pump (src/ssl/pump.ts); this one is deliberately minimal.
 */
import type { Socket } from 'node:net';
import * as ssl from '../../src/ssl/index.js';

/** Moves bytes between an SSLObject's BIOs and a TCP socket. */
export class Pump {
  readonly incoming = new ssl.MemoryBIO();
  readonly outgoing = new ssl.MemoryBIO();
  private waiters: (() => void)[] = [];
  constructor(readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.incoming.write(d);
      this.wake();
    });
    sock.on('end', () => {
      this.incoming.writeEof();
      this.wake();
    });
    sock.on('error', () => this.wake());
  }
  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  flush(): void {
    if (this.outgoing.pending) this.sock.write(this.outgoing.read());
  }
  /** Retries a non-blocking SSLObject call until it stops wanting input. */
  async run<T>(fn: () => T): Promise<T> {
    for (;;) {
      try {
        const r = fn();
        this.flush();
        return r;
      } catch (e) {
        this.flush();
        if (!(e instanceof ssl.SSLWantReadError)) throw e;
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      }
    }
  }
}

