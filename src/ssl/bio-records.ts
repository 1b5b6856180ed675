/**
 * Whole TLS records out of an SSLObject's incoming MemoryBIO, one at a
 * time, leaving the bytes after each record in the BIO — so that bytes
 * after the peer's close_notify stay there for whoever reads the clear
 * text after `unwrap()` (STARTTLS → ENDTLS), as OpenSSL without read-ahead.
 */
import { MAX_CIPHERTEXT_LENGTH_TLS13, RECORD_HEADER_LENGTH } from '../tls/record.js';
import type { MemoryBIO } from './bio.js';

const EMPTY = Buffer.alloc(0);

/**
 * Buffers to join a record body that arrived in pieces (TCP reads cut
 * records anywhere), shared by the process: a fresh 16 KiB buffer per record
 * cost ~1.7% of a socket bulk transfer in allocation and GC beside its copy.
 * One is lent to a BioRecords from next() until release() (its caller is
 * done with the record: the engine opens it into fresh plaintext and keeps
 * none of it), so no two records ever share one, and an idle connection
 * holds none.
 */
const JOIN_SIZE = MAX_CIPHERTEXT_LENGTH_TLS13;
const JOIN_POOL = 2;
const joinPool: Buffer[] = [];

export class BioRecords {
  /** A partial record taken from `incoming`. */
  private inbuf: Buffer = EMPTY;
  /** The join buffer lent to the record last returned, until release(). */
  private lent: Buffer | null = null;
  /** take()'s allocator for bodies that span chunks: one function per object, not a closure per call. */
  private readonly joinInto = (n: number): Buffer => {
    if (n > JOIN_SIZE || this.lent !== null) return Buffer.allocUnsafe(n);
    this.lent = joinPool.pop() ?? Buffer.allocUnsafeSlow(JOIN_SIZE);
    return this.lent.subarray(0, n);
  };

  constructor(private readonly incoming: MemoryBIO) {}

  /** The caller is done with the record next() returned last: its memory may be reused. */
  release(): void {
    if (this.lent === null) return;
    if (joinPool.length < JOIN_POOL) joinPool.push(this.lent);
    this.lent = null;
  }

  /** Bytes taken from `incoming` and held for an unfinished record. */
  get held(): number {
    return this.inbuf.length;
  }

  /**
   * The next whole TLS record from `incoming`, leaving later bytes there;
   * null when it has not all arrived. When the body is all there it comes
   * back apart from the header (a view of `incoming`'s buffer, not joined to
   * the header: the engine opens it in place). Use the parts before the next
   * write to `incoming` and before release() (or the next next()): they may
   * be views of memory that is reused.
   */
  next(): Buffer[] | null {
    this.release();
    if (this.inbuf.length < RECORD_HEADER_LENGTH) {
      const got = this.take(RECORD_HEADER_LENGTH - this.inbuf.length);
      // A header that arrives whole is used as the view it is when its body is there too;
      // it is copied only to be held for a body still to come.
      const header = this.inbuf.length === 0 ? got : concat(this.inbuf, got);
      if (header.length < RECORD_HEADER_LENGTH) {
        if (header.length > 0) this.inbuf = this.inbuf.length === 0 ? Buffer.from(header) : header;
        return null;
      }
      const length = header.readUInt16BE(RECORD_HEADER_LENGTH - 2);
      if (length <= MAX_CIPHERTEXT_LENGTH_TLS13 && this.incoming.pending >= length) {
        this.inbuf = EMPTY;
        return [header, this.take(length, this.joinInto)];
      }
      this.inbuf = header === got ? Buffer.from(header) : header;
    }
    const length = this.inbuf.readUInt16BE(RECORD_HEADER_LENGTH - 2);
    // An over-long record is handed over at once so the engine rejects it (record_overflow) without waiting for it.
    if (length > MAX_CIPHERTEXT_LENGTH_TLS13) {
      const header = this.inbuf;
      this.inbuf = EMPTY;
      return [header];
    }
    if (this.inbuf.length === RECORD_HEADER_LENGTH) {
      if (this.incoming.pending >= length) {
        const header = this.inbuf;
        this.inbuf = EMPTY;
        return [header, this.take(length, this.joinInto)];
      }
      // The body stays in `incoming` until all of it is there: joining its pieces as they
      // come would copy it again and again. (At EOF they are taken below, so that
      // `incoming.eof` reports the truncated record.)
      if (!this.incoming._eofWritten) return null;
    }
    const total = RECORD_HEADER_LENGTH + length;
    if (this.inbuf.length < total) this.inbuf = concat(this.inbuf, this.take(total - this.inbuf.length));
    if (this.inbuf.length < total) return null;
    const record = this.inbuf;
    this.inbuf = EMPTY;
    return [record];
  }

  /** Up to `n` bytes of `incoming`, as a view valid until its next write (the engine keeps nothing of it; concat copies). */
  private take(n: number, allocate?: (n: number) => Buffer): Buffer {
    const k = Math.min(n, this.incoming.pending);
    return k === 0 ? EMPTY : this.incoming._readView(k, allocate);
  }
}

function concat(a: Buffer, b: Buffer): Buffer {
  if (a.length === 0) return Buffer.from(b);
  if (b.length === 0) return a;
  return Buffer.concat([a, b]);
}
