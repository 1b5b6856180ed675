/**
 * The pump between an `SSLObject` (synchronous, over two MemoryBIOs) and a
 * `socket.socket` — what turns the sans-IO front door into `SSLSocket`.
 *
 * Output: whatever the engine produced is handed to the socket at once,
 * synchronously after each engine call (`flush`), ignoring the socket's
 * high-water mark. Records therefore reach the wire in the order the engine
 * sealed them, whoever triggered them, and a read that must write (a
 * KeyUpdate answer, an alert) never waits for a writer — no deadlock.
 * Backpressure is applied by the callers that produce bulk data (sendall
 * waits for room *before* handing plaintext to the engine).
 *
 * Input: ciphertext moves from the socket's receive queue into the
 * incoming BIO one TLS record at a time, never past a record boundary.
 * OpenSSL under Python runs without read-ahead for the same reason: bytes
 * after the peer's close_notify are not TLS (STARTTLS / ENDTLS), and must
 * stay in the socket for whoever reads it in the clear after `unwrap()`.
 *
 * Several operations may want input at once (a recv and a handshake driven
 * by a send, say). They take turns on `inputTurn`; whoever holds it waits
 * for the socket and feeds one record, and the others, finding that input
 * arrived while they queued, go back to retry their own engine call first.
 */
import type { socket } from '../socket/socket.js';
import { type Deadline, Turnstile } from '../socket/wait.js';
import { ContentType } from '../tls/registry/content-types.js';
import { SealLane } from '../crypto/seal-pool.js';
import { MAX_CIPHERTEXT_LENGTH_TLS12, RECORD_HEADER_LENGTH, deferredLength, recycleOutgoing, type DeferredRecords } from '../tls/record.js';
import { MemoryBIO } from './bio.js';
import { timedOut } from '../socket/errors.js';
import { SSLWantReadError, eofError, wantReadError } from './errors.js';
import { SealOffload } from './seal-offload.js';
import { WANT_READ, type SSLObject, type WantRead } from './sslobject.js';

/** Content types a record header may carry (RFC 8446 §5.1); anything else is not TLS. */
const RECORD_TYPES: ReadonlySet<number> = new Set(Object.values(ContentType));
/** Offset of the 16-bit length in a record header (type, version, length). */
const LENGTH_OFFSET = 3;
const EMPTY = Buffer.alloc(0);

/** How long one socket operation may wait: never (non-blocking), until `deadline`, or forever (null). */
export interface WaitMode {
  readonly nonblocking: boolean;
  readonly deadline: Deadline;
}

/** How `Pump.run` may save work for an operation. */
export interface RunHints {
  /** True when the engine call is about to ask for input (so feed it first). */
  readonly needsInput?: () => boolean;
  /** The operation reads application data: once it has it, output failures are left for the next write. */
  readonly isRead?: boolean;
}

/** The word in Python's timeout texts: "The read operation timed out". */
export type OperationName = 'read' | 'write' | 'handshake';

/** The body length a complete, valid record header at the start of `head` announces; null if there is none. */
function validRecordLength(head: Buffer | null): number | null {
  if (head === null || head.length < RECORD_HEADER_LENGTH || !RECORD_TYPES.has(head[0]!)) return null;
  const length = head.readUInt16BE(LENGTH_OFFSET);
  return length <= MAX_CIPHERTEXT_LENGTH_TLS12 ? length : null;
}

export class Pump {
  readonly incoming = new MemoryBIO();
  readonly outgoing = new MemoryBIO();
  private readonly inputTurn = new Turnstile();
  /** Counts feeds, so a queued waiter can tell that input arrived while it waited. */
  private feeds = 0;
  /** Header bytes of the next record received so far. */
  private header: Buffer = EMPTY;
  /** Body bytes of the current record not yet fed. */
  private remaining = 0;
  /** The transport's EOF was passed on (incoming.writeEof()). */
  private eofFed = false;
  /** Large writes sealed on the worker, and the output queued behind them; created by the first. */
  private offload: SealOffload | null = null;

  constructor(private readonly sock: socket) {}

  /** True once the socket's EOF has been handed to the engine. */
  get atEof(): boolean {
    return this.eofFed;
  }

  /**
   * Readiness hook (select): a whole record already taken from the socket
   * waits in `incoming` (feeds stop at record boundaries, so with nothing
   * half-fed what is left there completes a record), so a read would not
   * wait for the network.
   */
  get holdsRecord(): boolean {
    return this.incoming.pending > 0 && this.remaining === 0 && this.header.length === 0;
  }

  /**
   * Sends everything the engine has produced — after the slices still being
   * sealed on the worker, if any. Throws the socket's error (EPIPE,
   * ECONNRESET, EBADF), or the worker path's SSLError.
   */
  flush(): void {
    if (this.outgoing.pending === 0) return;
    // The engine's output is never written again once taken: the socket may queue it without a
    // copy, and once it has left, its memory goes back to the record layer for the next batch.
    const out = this.outgoing.read();
    const offload = this.offload;
    offload?.check();
    if (offload?.busy === true) offload.queue(out, () => recycleOutgoing(out));
    else this.sock._writeRaw(out, true, () => recycleOutgoing(out));
  }

  /**
   * A slice of a large write sealed on the worker (./seal-offload.ts):
   * 'sent' once it is laid out and queued (it goes out in order, after
   * everything before it), 'refused' when the engine cannot hand this key
   * out (the caller writes the slice itself), 'timeout' when the lane had
   * no room before the deadline.
   */
  async sealElsewhere(obj: SSLObject, slice: Uint8Array, deadline: Deadline): Promise<'sent' | 'refused' | 'timeout'> {
    const offload = (this.offload ??= new SealOffload(this.sock));
    const need = deferredLength(slice.length);
    let at: number | null;
    for (;;) {
      offload.check();
      // The socket's high-water mark counts what is still being sealed too (./seal-offload.ts).
      const room = this.sock._writeSpace() - offload.queuedBytes > 0;
      at = room ? offload.reserve(need) : null;
      if (at !== null) break;
      // A region in use frees (and the socket drains) with a change here; otherwise only the socket can make room.
      const waited = room || offload.inUse ? offload.waitChange(deadline) : this.sock._waitWritableUntil(deadline);
      if (!(await waited)) return 'timeout';
    }
    let deferred: DeferredRecords | null;
    try {
      deferred = obj._writeDeferred(slice, offload.bytes, at, SealLane.accepts);
    } catch (e) {
      offload.unreserve();
      this.flushQuietly();
      throw e;
    }
    if (deferred === null) {
      offload.unreserve();
      return 'refused';
    }
    // Records the engine sealed before these (a KeyUpdate, pending content) go first.
    this.flush();
    offload.submit(deferred, at);
    return 'sent';
  }

  /** Waits until every slice sealed on the worker has been handed to the socket; false at the deadline. */
  settle(deadline: Deadline): Promise<boolean> {
    return this.offload?.settle(deadline) ?? Promise.resolve(true);
  }

  /** TLS is dropped from the socket: the seal worker forgets this connection. */
  release(): void {
    this.offload?.release();
    this.offload = null;
  }

  /** flush() when an error is already on its way to the caller (e.g. a fatal alert to a peer that is gone). */
  flushQuietly(): void {
    try {
      this.flush();
    } catch {
      // The caller reports the more meaningful error.
    }
  }

  /**
   * Moves received ciphertext into the engine's incoming BIO, up to the end
   * of the current record. Returns true if anything (bytes or EOF) was fed.
   * Throws the socket's pending error (e.g. ConnectionResetError).
   * The bytes are borrowed from the socket's receive ring and copied into the
   * BIO (whose buffer is reused once read): a record may wait there across
   * reads (a partial one, or one the engine has not asked for yet), and the
   * next read may overwrite what was borrowed.
   */
  private feedSome(): boolean {
    if (this.eofFed) return true;
    let fed = false;
    for (;;) {
      if (this.remaining === 0 && this.header.length === 0) {
        // A whole header already here (the usual case): header and body leave the socket as one piece.
        const length = validRecordLength(this.sock._peekRaw());
        if (length !== null) {
          const raw = this.sock._readRaw(RECORD_HEADER_LENGTH + length, true)!;
          this.incoming.write(raw);
          fed = true;
          this.remaining = RECORD_HEADER_LENGTH + length - raw.length;
          if (this.remaining === 0) return true;
          continue;
        }
      }
      if (this.remaining === 0) {
        const raw = this.sock._readRaw(RECORD_HEADER_LENGTH - this.header.length, true);
        if (raw === null) return fed;
        if (raw.length === 0) return this.feedEof();
        // Kept until the rest of the header comes: a copy, not the borrowed view.
        this.header = this.header.length === 0 ? Buffer.from(raw) : Buffer.concat([this.header, raw]);
        if (this.header.length < RECORD_HEADER_LENGTH) continue;
        const h = this.header;
        this.header = EMPTY;
        this.incoming._writeOwned(h);
        fed = true;
        const length = h.readUInt16BE(LENGTH_OFFSET);
        if (!RECORD_TYPES.has(h[0]!) || length > MAX_CIPHERTEXT_LENGTH_TLS12) {
          // Not TLS: the engine rejects the header by itself; nothing after it matters.
          return true;
        }
        this.remaining = length;
        if (length === 0) return true;
      } else {
        const raw = this.sock._readRaw(this.remaining, true);
        if (raw === null) return fed;
        if (raw.length === 0) return this.feedEof();
        this.incoming.write(raw);
        this.remaining -= raw.length;
        fed = true;
        if (this.remaining === 0) return true;
      }
    }
  }

  private feedEof(): boolean {
    if (this.header.length > 0) this.incoming._writeOwned(this.header);
    this.header = EMPTY;
    this.incoming.writeEof();
    this.eofFed = true;
    return true;
  }

  /**
   * Runs one engine call to completion the way Python's socket-backed
   * `_ssl` does: when the engine wants input (WANT_READ, or an
   * SSLWantReadError from a public SSLObject method), send what it
   * produced, wait for (or, non-blocking, just take) more input and try
   * again; on success or failure, send what the engine produced (a fatal
   * alert included). Timeouts raise Python's "The <op> operation timed
   * out"; a non-blocking call that would wait raises SSLWantReadError.
   * `wanted`: the caller's own tryNow() just returned WANT_READ, so the
   * first pass waits for input instead of asking the engine again.
   */
  async run<T>(op: OperationName, mode: WaitMode, attempt: () => T | WantRead, hints: RunHints = {}, wanted = false): Promise<T> {
    for (;;) {
      if (!wanted) {
        const result = this.tryNow(attempt, hints);
        if (result !== WANT_READ) return result;
      }
      wanted = false;
      // The engine has seen the transport's EOF and still wants input: it never will.
      if (this.eofFed) throw eofError(false);
      // Wait for input: feed what the socket has, or wait (until the deadline) for it to have
      // something, holding the input turn. A free turn is taken at once (no promise turn);
      // tryAcquire never jumps a queue.
      const seen = this.feeds;
      const release = this.inputTurn.tryAcquire() ?? (mode.nonblocking ? null : await this.inputTurn.acquire(mode.deadline));
      if (release === null) throw mode.nonblocking ? wantReadError() : timedOut(`The ${op} operation timed out`);
      try {
        // Someone fed while we queued: retry the engine call before reading more.
        while (this.feeds === seen) {
          if (this.feedSome()) {
            this.feeds++;
            break;
          }
          if (mode.nonblocking) throw wantReadError();
          if (!(await this.sock._waitReadableUntil(mode.deadline))) throw timedOut(`The ${op} operation timed out`);
        }
      } finally {
        release();
      }
    }
  }

  /**
   * One synchronous pass of run(): the engine call with whatever input has
   * already arrived, its output sent. Returns the result, or WANT_READ when
   * the call needs input that is not here yet (its output already flushed).
   * A caller whose data is already buffered thus needs no promise turn.
   */
  tryNow<T>(attempt: () => T | WantRead, hints: RunHints = {}): T | WantRead {
    const { needsInput, isRead = false } = hints;
    for (;;) {
      // Feeding first what the engine is about to ask for saves a pass through the engine per record.
      if (needsInput !== undefined && this.incoming.pending === 0 && needsInput()) this.tryFeed();
      let result: T | WantRead;
      try {
        result = attempt();
      } catch (e) {
        if (!(e instanceof SSLWantReadError)) {
          this.flushQuietly();
          throw e;
        }
        result = WANT_READ;
      }
      if (result === WANT_READ) {
        // Input already here is processed before sending: the engine's answer to a
        // whole flight then leaves as one write. Sending the client's compatibility
        // CCS (queued at ServerHello) apart from its Finished made Nagle hold the
        // Finished for the server's delayed ACK: +40 ms on every handshake.
        if (!this.eofFed && this.tryFeed()) continue;
        this.flush();
        return WANT_READ;
      }
      // A read has its data: a failure to send what it produced (a KeyUpdate
      // answer to a peer that is going away) is left for the next write to report.
      if (isRead) this.flushQuietly();
      else this.flush();
      return result;
    }
  }

  /** Feeds what has already arrived, without waiting, if no one else is feeding. */
  tryFeed(): boolean {
    const release = this.inputTurn.tryAcquire();
    if (release === null) return false;
    try {
      if (!this.feedSome()) return false;
      this.feeds++;
      return true;
    } finally {
      release();
    }
  }

  /**
   * After unwrap(): give back to the socket whatever was taken from it and
   * not consumed by the engine, so the next plain recv() sees it first.
   */
  returnUnread(): void {
    const unread = [this.incoming.read(), this.header];
    this.header = EMPTY;
    const bytes = Buffer.concat(unread);
    if (bytes.length > 0) this.sock._pushBack(bytes);
  }
}
