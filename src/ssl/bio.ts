/**
 * Python's `ssl.MemoryBIO`: a byte FIFO plus an EOF flag, the transport of
 * an `SSLObject` (python-ssl-api.md §8). Chunks are queued, not copied, until
 * read.
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
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export class MemoryBIO {
  private chunks: Buffer[] = [];
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
    if (b.length > 0) this.push(Buffer.from(b));
    return b.length;
  }

  /** Internal: append a buffer the caller hands over (no copy). */
  _writeOwned(b: Buffer): void {
    if (this.eofWritten) throw new SSLError('cannot write() after write_eof()');
    if (b.length > 0) this.push(b);
  }

  /** Marks EOF: no more data will be written. */
  writeEof(): void {
    this.eofWritten = true;
  }

  /** Reads up to `n` bytes (all when `n` is negative or omitted). An empty result means no data, or EOF: see `eof`. */
  read(n = -1): Buffer {
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new TypeError(`'${typeName(n)}' object cannot be interpreted as an integer`);
    const want = n < 0 ? this.size : Math.min(n, this.size);
    if (want === 0) return Buffer.alloc(0);
    const first = this.chunks[this.head]!;
    // Fast path: the whole request lies in the first chunk.
    if (first.length - this.offset >= want) {
      const out = first.subarray(this.offset, this.offset + want);
      this.consume(want);
      return out;
    }
    const out = Buffer.allocUnsafe(want);
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

  private consume(n: number): void {
    this.size -= n;
    this.offset += n;
    if (this.offset === this.chunks[this.head]!.length) {
      this.head++;
      this.offset = 0;
      if (this.head === this.chunks.length) {
        this.chunks = [];
        this.head = 0;
      } else if (this.head > 1024) {
        this.chunks = this.chunks.slice(this.head);
        this.head = 0;
      }
    }
  }
}
