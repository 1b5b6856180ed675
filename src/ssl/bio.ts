/**
 * Python's `ssl.MemoryBIO`: a byte FIFO plus an EOF flag, the transport of
 * an `SSLObject` (python-ssl-api.md §8). Large chunks are queued, not
 * copied, until read; small ones are gathered into shared memory, so a peer
 * that sends one byte at a time costs its bytes, not an object per byte.
 *
 * `write()` must copy (the caller may reuse its buffer). Writes larger than
 * a small one land in a buffer the BIO owns and reuses once everything in it
 * has been read (as OpenSSL's memory BIO keeps its buffer): fresh memory
 * costs far more than the copy (page faults and GC: 64 KiB freshly allocated
 * ≈ 10× the memcpy), and a bulk transfer writes the BIO again and again. So
 * bytes read out of that buffer leave the public `read()` as copies; only
 * `_readView()` returns views, for a caller that is done with them before
 * the next `write()` (the engine opens records from them and keeps
 * nothing). `_writeOwned()` chunks are queued as they are, never copied.
 *
 * Once everything has been read, the owned buffer is held only through a
 * WeakRef: the next large write takes it back if the GC has not freed it,
 * which in a transfer (writes microseconds apart) it has not; a BIO left
 * idle holds no buffer, and the next full GC frees it.
 */
import { SSLError } from './errors.js';

function isBytesLike(v: unknown): v is Uint8Array | ArrayBuffer | DataView {
  return v instanceof Uint8Array || v instanceof ArrayBuffer || v instanceof DataView;
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  return (v as object).constructor?.name ?? typeof v;
}

/** A view of bytes-like input without copying. */
export function asBytes(v: Uint8Array | ArrayBuffer | DataView): Buffer {
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (Buffer.isBuffer(v)) return v;
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Writes up to this size are copied into the gathering buffer instead of queued as chunks of their own. */
const SMALL_WRITE = 512;
/** Size of a gathering buffer once the first one has filled. */
const GATHER_SIZE = 4096;
/**
 * The first gathering buffer: small enough for Node's shared pool (a slice,
 * not an allocation of its own), big enough for a record's header and body.
 * An emptied BIO drops its gathering buffer, so an idle connection holds none.
 */
const FIRST_GATHER_SIZE = 1024;
/** Writes below this size never create the owned buffer (Node's pool serves them): a BIO that only sees handshakes owns none. */
const OWN_MIN_WRITE = 4096;
/** The owned buffer's smallest size: a full TLS record and its header. */
const OWN_MIN_SIZE = 2 ** 14 + 2048 + 5;
/** A write larger than this is copied on its own, not into the owned buffer. */
const OWN_MAX_SIZE = 256 * 1024;

export class MemoryBIO {
  private chunks: Buffer[] = [];
  /** Where small writes are gathered: bytes before `gatherUsed` are queued (or read), the rest is room. */
  private gather: Buffer | null = null;
  private gatherUsed = 0;
  /** The reused buffer larger writes are copied into (see the header), and how much of it holds unread or handed-out bytes. */
  private own: Buffer | null = null;
  /** The owned buffer, weakly: what a drained BIO keeps of it (made once per buffer, not per drain). */
  private ownRef: WeakRef<Buffer> | null = null;
  private ownUsed = 0;
  private head = 0; // index of the first unread chunk
  private offset = 0; // bytes already read from chunks[head]
  private size = 0;
  private eofWritten = false;

  /** Bytes currently buffered. */
  get pending(): number {
    return this.size;
  }

  /** Internal: `writeEof()` was called (bytes may still be unread). */
  get _eofWritten(): boolean {
    return this.eofWritten;
  }

  /** True once `writeEof()` was called and every byte has been read. */
  get eof(): boolean {
    return this.eofWritten && this.size === 0;
  }

  /** Appends bytes; returns how many. The data is copied, so the caller may reuse its buffer. */
  write(data: Uint8Array | ArrayBuffer | DataView): number {
    if (!isBytesLike(data)) throw new TypeError(`a bytes-like object is required, not '${typeName(data)}'`);
    if (this.eofWritten) throw new SSLError('cannot write() after write_eof()');
    const b = asBytes(data);
    if (b.length > SMALL_WRITE) this.copyIn(b);
    else if (b.length > 0) this.pushSmall(b, false);
    return b.length;
  }

  /** Queues a copy of `b` in the owned buffer, which is reused once everything in it has been read. */
  private copyIn(b: Buffer): void {
    let own = this.own;
    if (own === null) {
      // Drained since the last large write (consume() let go of it), so no queued byte lies in
      // the owned buffer: it is free again, if the GC has left it to us.
      own = this.own = this.ownRef?.deref() ?? null;
      this.ownUsed = 0;
    }
    if (own === null || this.ownUsed + b.length > own.length) {
      if ((own === null && b.length < OWN_MIN_WRITE) || b.length > OWN_MAX_SIZE) return this.push(Buffer.from(b));
      // A new owned buffer; the old one, if it still holds unread bytes, goes with its last view.
      own = this.own = Buffer.allocUnsafeSlow(Math.max(OWN_MIN_SIZE, b.length));
      this.ownRef = new WeakRef(own);
      this.ownUsed = 0;
    }
    b.copy(own, this.ownUsed);
    this.queueCopied(own, this.ownUsed, b.length);
    this.ownUsed += b.length;
  }

  /** Internal: append a buffer the caller hands over (no copy). */
  _writeOwned(b: Buffer): void {
    if (this.eofWritten) throw new SSLError('cannot write() after write_eof()');
    if (b.length > SMALL_WRITE) this.push(b);
    else if (b.length > 0) this.pushSmall(b, true);
  }

  /** Internal: how many chunks are queued (what buffering costs beyond its bytes). */
  get _chunkCount(): number {
    return this.chunks.length - this.head;
  }

  /** Marks EOF: no more data will be written. Python: `ssl.MemoryBIO.write_eof`. */
  writeEof(): void {
    this.eofWritten = true;
  }

  /** Reads up to `n` bytes (all when `n` is negative or omitted). An empty result means no data, or EOF: see `eof`. */
  read(n = -1): Buffer {
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new TypeError(`'${typeName(n)}' object cannot be interpreted as an integer`);
    const want = n < 0 ? this.size : Math.min(n, this.size);
    if (want === 0) return Buffer.alloc(0);
    // Taken before reading: a read that drains the BIO lets go of the owned buffer, which a later write may take back.
    const own = this.own;
    const out = this._readView(want);
    // The owned buffer is reused: what comes from it leaves as a copy.
    return own !== null && out.buffer === own.buffer ? Buffer.from(out) : out;
  }

  /**
   * Internal: read() of `want` (1..pending) bytes, as a view when they lie in
   * one chunk. The view is valid only until the next write(): use it, do
   * not keep it. Bytes that span chunks are joined into `allocate(want)`
   * (fresh memory unless the caller lends its own, see bio-records.ts).
   */
  _readView(want: number, allocate: (n: number) => Buffer = Buffer.allocUnsafe): Buffer {
    const first = this.chunks[this.head]!;
    // Fast path: the whole request lies in the first chunk (it is that chunk: what was queued comes back as it was).
    if (first.length - this.offset >= want) {
      const out = this.offset === 0 && want === first.length ? first : first.subarray(this.offset, this.offset + want);
      this.consume(want);
      return out;
    }
    const out = allocate(want);
    let filled = 0;
    while (filled < want) {
      const c = this.chunks[this.head]!;
      const take = Math.min(c.length - this.offset, want - filled);
      c.copy(out, filled, this.offset, this.offset + take);
      filled += take;
      this.consume(take);
    }
    return out;
  }

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  /**
   * Copies a small write into the gathering buffer; when the last queued
   * chunk ends where it starts, that chunk grows to cover it. Only room past
   * `gatherUsed` is written, so views already returned by read() never change.
   */
  private pushSmall(b: Buffer, owned: boolean): void {
    const queued = this.chunks.length - this.head;
    if (this.gather === null && queued === 0) {
      // The first small write into an empty BIO: kept as it is (copied unless handed over).
      this.push(owned ? b : Buffer.from(b));
      return;
    }
    if (this.gather === null) {
      // A second write while bytes wait: gathering starts, taking in the one small chunk queued before it.
      this.gather = Buffer.allocUnsafe(FIRST_GATHER_SIZE);
      this.gatherUsed = 0;
      if (queued === 1 && this.size <= SMALL_WRITE) this.regather();
    } else if (this.gather.length - this.gatherUsed < b.length) {
      this.gather = Buffer.allocUnsafeSlow(GATHER_SIZE);
      this.gatherUsed = 0;
    }
    const g = this.gather;
    const at = this.gatherUsed;
    b.copy(g, at);
    this.gatherUsed += b.length;
    this.queueCopied(g, at, b.length);
  }

  /**
   * Queues the `length` bytes just copied to `into` at `at`; when the last
   * queued chunk ends where they start, that chunk grows to cover them.
   * (`at > 0`: the first gathering buffer is a slice of Node's shared pool,
   * so a chunk that ends where it begins may be someone else's.)
   */
  private queueCopied(into: Buffer, at: number, length: number): void {
    this.size += length;
    const lastIndex = this.chunks.length - 1;
    const last = lastIndex >= this.head ? this.chunks[lastIndex]! : null;
    if (at > 0 && last !== null && last.buffer === into.buffer && last.byteOffset + last.length === into.byteOffset + at) {
      this.chunks[lastIndex] = into.subarray(last.byteOffset - into.byteOffset, at + length);
    } else {
      this.chunks.push(into.subarray(at, at + length));
    }
  }

  /** Moves the one small chunk queued into the new gathering buffer. */
  private regather(): void {
    const g = this.gather!;
    const at = this.chunks[this.head]!.copy(g, 0, this.offset);
    this.chunks = [g.subarray(0, at)];
    this.head = 0;
    this.offset = 0;
    this.gatherUsed = at;
  }

  private consume(n: number): void {
    this.size -= n;
    this.offset += n;
    if (this.offset === this.chunks[this.head]!.length) {
      this.head++;
      this.offset = 0;
      if (this.head === this.chunks.length) {
        this.chunks = [];
        this.head = 0;
        this.gather = null;
        this.own = null; // kept weakly (ownRef) until the next write: an idle BIO holds no buffer
      } else if (this.head > 1024) {
        this.chunks = this.chunks.slice(this.head);
        this.head = 0;
      }
    }
  }
}
