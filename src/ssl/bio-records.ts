/**
 * Whole TLS records out of an SSLObject's incoming MemoryBIO, one at a
 * time, leaving the bytes after each record in the BIO — so that bytes
 * after the peer's close_notify stay there for whoever reads the clear
 * text after `unwrap()` (STARTTLS → ENDTLS), as OpenSSL without read-ahead.
 */
import { MAX_CIPHERTEXT_LENGTH_TLS13, RECORD_HEADER_LENGTH } from '../tls/record.js';
import type { MemoryBIO } from './bio.js';

const EMPTY = Buffer.alloc(0);

export class BioRecords {
  /** A partial record taken from `incoming`. */
  private inbuf: Buffer = EMPTY;

  constructor(private readonly incoming: MemoryBIO) {}

  /** Bytes taken from `incoming` and held for an unfinished record. */
  get held(): number {
    return this.inbuf.length;
  }

  /**
   * The next whole TLS record from `incoming`, leaving later bytes there;
   * null when it has not all arrived. When the body is all there it comes
   * back apart from the header (a view of `incoming`'s buffer, not joined to
   * the header: the engine opens it in place). Use the parts before the next
   * write to `incoming`: they may be views of memory it reuses.
   */
  next(): Buffer[] | null {
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
        return [header, this.take(length)];
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
        return [header, this.take(length)];
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
  private take(n: number): Buffer {
    const k = Math.min(n, this.incoming.pending);
    return k === 0 ? EMPTY : this.incoming._readView(k);
  }
}

function concat(a: Buffer, b: Buffer): Buffer {
  if (a.length === 0) return Buffer.from(b);
  if (b.length === 0) return a;
  return Buffer.concat([a, b]);
}
