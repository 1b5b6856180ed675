/**
 * One SSLObject over a pair of MemoryBIOs, driven step by step, with the
 * fuzz oracle built in: the only exceptions are SSLError subclasses; when the
 * engine failed on its own (not on the peer's alert) the fatal alert was
 * queued in `outgoing` before the error was raised; nothing it buffers or
 * writes grows past a bound.
 */
import * as ssl from '../../src/ssl/index.js';
import { WANT_READ } from '../../src/ssl/sslobject.js';
import type { Connection } from '../../src/tls/connection.js';
import { AlertDescription, type AlertName } from '../../src/tls/registry/alerts.js';
import { ContentType } from '../../src/tls/registry/content-types.js';
import type { RecordLayer } from '../../src/tls/record.js';

/** An oracle violation: the run is a fuzz failure. */
export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
}

/** Bytes a side may queue for the wire in one step, and plaintext it may hold: far above any honest use here. */
const MAX_OUTGOING_PER_STEP = 256 * 1024;
const MAX_PENDING_PLAINTEXT = 64 * 1024;
/** The largest record on the wire (TLS 1.2's 2^14 + 2048 bytes of ciphertext, with its header). */
const MAX_HELD_INPUT = 5 + 2 ** 14 + 2048;

export type Outcome = 'running' | 'error' | 'closed';

export class Side {
  readonly inc = new ssl.MemoryBIO();
  readonly out = new ssl.MemoryBIO();
  readonly obj: ssl.SSLObject;
  error: ssl.SSLError | null = null;
  /** close_notify received (read() returned b'', or SSLZeroReturnError). */
  peerClosed = false;
  readonly received: Buffer[] = [];
  /** Call probe() before every step (the pair target sets it for some inputs). */
  probing = false;
  /** Set while another call (unwrap) does the reading: step() then leaves the input alone. */
  paused = false;

  constructor(ctx: ssl.SSLContext, serverSide: boolean, session: ssl.SSLSession | null = null) {
    this.obj = ctx.wrapBio(this.inc, this.out, serverSide ? { serverSide: true } : { serverHostname: 'localhost', session });
  }

  /** The engine under the facade (for the oracle and for interception). */
  get conn(): Connection {
    return (this.obj as unknown as { conn: Connection }).conn;
  }
  get records(): RecordLayer {
    return (this.conn as unknown as { records: RecordLayer }).records;
  }
  get handshakeDone(): boolean {
    return this.conn.handshakeDone;
  }
  get alive(): boolean {
    return this.error === null && !this.peerClosed;
  }

  /**
   * Runs `op` under the oracle. Returns false when the side has failed or the
   * peer closed; a FuzzFailure is thrown for anything the oracle forbids.
   */
  guard(what: string, op: () => void): boolean {
    if (!this.alive) return false;
    const before = this.out.pending;
    try {
      op();
    } catch (e) {
      if (e instanceof ssl.SSLWantReadError) return true;
      if (e instanceof ssl.SSLZeroReturnError) {
        this.peerClosed = true;
        return false;
      }
      if (!(e instanceof ssl.SSLError)) {
        throw new FuzzFailure(`${what}: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
      }
      this.error = e;
      const tls = this.conn.error;
      // OpenSSL's refusal of data that follows our close_notify: the ssl layer's, the connection is not broken.
      if (tls === null && e.reason === 'APPLICATION_DATA_AFTER_CLOSE_NOTIFY') return false;
      if (tls === null) throw new FuzzFailure(`${what}: ${e.message} raised but the engine holds no error`);
      if (!tls.fromPeer) this.checkAlert(what, e, tls.alert);
      this.checkStaysFailed(what);
      return false;
    } finally {
      this.checkBounds(what, before);
    }
    return true;
  }

  /**
   * The last record queued must be our fatal alert: in the clear (or TLS 1.2
   * protected) an alert record, under TLS 1.3 protection an application_data
   * record (the alert is inside). A plaintext one is checked to the byte.
   */
  private checkAlert(what: string, e: ssl.SSLError, alert: AlertName): void {
    const queued = this.out.read();
    this.out.write(queued);
    const fail = (why: string) => new FuzzFailure(`${what}: ${e.message} (${alert}) raised, but ${why}`);
    if (queued.length === 0) throw fail('no alert was queued for the peer');
    let at = 0;
    let last = -1;
    while (at + 5 <= queued.length) {
      last = at;
      at += 5 + queued.readUInt16BE(at + 3);
    }
    if (last < 0 || at !== queued.length) throw fail(`what was queued is not whole records (${queued.length} bytes)`);
    const type = queued[last]!;
    const len = queued.readUInt16BE(last + 3);
    if (type === ContentType.alert && len === 2 && (queued[last + 5] !== 2 || queued[last + 6] !== AlertDescription[alert])) {
      throw fail(`the alert queued is ${queued[last + 5]}/${queued[last + 6]}, not fatal ${alert}`);
    }
    if (type !== ContentType.alert && type !== ContentType.application_data) throw fail(`the last record queued is of type ${type}`);
  }

  /** After a fatal error the object keeps failing with an SSLError: never another exception, never a write accepted. */
  private checkStaysFailed(what: string): void {
    const calls: [string, () => unknown, boolean][] = [
      // A finished handshake may report itself finished; an unfinished one must fail again.
      ['doHandshake', () => this.obj._handshakeOrWant(), this.handshakeDone],
      ['write', () => this.obj.write(Buffer.from('x')), false],
    ];
    for (const [name, call, mayReturn] of calls) {
      try {
        call();
      } catch (e) {
        if (e instanceof ssl.SSLError) continue;
        throw new FuzzFailure(`${what}: after the failure, ${name}() threw ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
      }
      if (!mayReturn) throw new FuzzFailure(`${what}: after the failure, ${name}() succeeded`);
    }
  }

  private checkBounds(what: string, outBefore: number): void {
    if (this.out.pending - outBefore > MAX_OUTGOING_PER_STEP) throw new FuzzFailure(`${what}: wrote ${this.out.pending - outBefore} bytes in one step`);
    if (this.conn.pendingPlaintext > MAX_PENDING_PLAINTEXT) throw new FuzzFailure(`${what}: holds ${this.conn.pendingPlaintext} bytes of plaintext`);
  }

  /**
   * One step: handshake until done, then read whatever arrived. Uses the
   * facade's internal `_…OrWant` forms (SSLSocket's), which return WANT_READ
   * where the public methods raise SSLWantReadError: same path, no exception
   * built per step.
   */
  step(): void {
    if (this.probing) this.probe();
    if (this.paused) return;
    if (!this.handshakeDone) {
      this.guard('doHandshake', () => void this.obj._handshakeOrWant());
      if (!this.handshakeDone) return this.checkInbound();
    }
    this.guard('read', () => {
      for (;;) {
        const data = this.obj._readOrWant(65536);
        if (data === WANT_READ) return;
        // As CPython's SSLObject: b'' once close_notify has arrived.
        if (data.length === 0) {
          this.peerClosed = true;
          return;
        }
        this.received.push(data);
      }
    });
    this.checkInbound();
  }

  /** After a step a live side holds at most one incomplete record of input: every whole record was taken in. */
  private checkInbound(): void {
    if (!this.alive || this.paused) return;
    const held = this.obj._inboundBuffered.bytes;
    if (held > MAX_HELD_INPUT) throw new FuzzFailure(`holds ${held} bytes of input after a step`);
  }

  /**
   * Once, after the handshake: everything the facade tells about the
   * connection (a tampered certificate accepted under CERT_NONE is parsed here).
   */
  inspect(): void {
    if (this.inspected || !this.alive || !this.handshakeDone) return;
    this.inspected = true;
    this.guard('inspect', () => {
      const o = this.obj;
      JSON.stringify([o.getpeercert(), o.cipher(), o.version(), o.selectedAlpnProtocol(), o.sharedCiphers(), o.sessionReused, o.group()]);
      o.getpeercert(true);
      o.getVerifiedChain();
      o.getUnverifiedChain();
      o.getChannelBinding('tls-unique');
      void o.session;
    });
  }
  private inspected = false;

  /**
   * Any time, even mid-handshake or after a failure: the informational calls
   * answer (null / empty before the handshake, as Python) or raise a Python
   * exception (ValueError for keying material before the handshake) — never
   * a TypeError from a half-built connection.
   */
  probe(): void {
    const o = this.obj;
    const calls: [string, () => unknown][] = [
      ['info', () => JSON.stringify([o.cipher(), o.version(), o.selectedAlpnProtocol(), o.sharedCiphers(), o.sessionReused, o.group(), o.pending(), o.serverSide, o.serverHostname, String(o)])],
      ['getpeercert', () => JSON.stringify([o.getpeercert(), o.getpeercert(true)])],
      ['chains', () => [o.getUnverifiedChain(), o.getVerifiedChain()]],
      ['getChannelBinding', () => o.getChannelBinding('tls-unique')],
      ['session', () => o.session],
      ['exportKeyingMaterial', () => o.exportKeyingMaterial('EXPORTER-fuzz', 16, null)],
    ];
    for (const [name, call] of calls) {
      try {
        call();
      } catch (e) {
        // Python's own answers before the handshake: ValueError('handshake not done yet') and the like.
        if (e instanceof ssl.SSLError || (e instanceof Error && e.name === 'ValueError')) continue;
        throw new FuzzFailure(`probe ${name}: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
      }
    }
  }

  /** Everything queued for the wire. */
  take(): Buffer {
    return this.out.read();
  }
}
