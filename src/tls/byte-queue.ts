const EMPTY = Buffer.alloc(0);

/**
 * A queue of bytes kept as the chunks they arrived in (referenced, not
 * copied): reading returns a view when the bytes sit in one chunk and copies
 * only when they span chunks. The record layer's ciphertext input and the
 * connection's decrypted plaintext both wait here.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  /** Bytes of chunks[0] already consumed. */
  private headOffset = 0;
  private size = 0;

  /** Bytes queued. */
  get length(): number {
    return this.size;
  }

  /** Appends `data` (referenced, not copied). */
  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.size += data.length;
  }

  /** The next `n` queued bytes (n ≤ length) without consuming them (a view when they sit in one chunk). */
  peek(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.chunks[0]!;
    if (first.length - this.headOffset >= n) return first.subarray(this.headOffset, this.headOffset + n);
    return this.gather(n, false);
  }

  /** Consumes and returns the next `n` bytes (n ≤ length; a view when they sit in one chunk, else one copy). */
  take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.chunks[0]!;
    const available = first.length - this.headOffset;
    if (available >= n) {
      const out = n === first.length ? first : first.subarray(this.headOffset, this.headOffset + n);
      this.headOffset += n;
      if (this.headOffset === first.length) {
        this.chunks.shift();
        this.headOffset = 0;
        // V8's optimized shift() leaves an emptied array its capacity; setting the length gives it back.
        if (this.chunks.length === 0) this.chunks.length = 0;
      }
      this.size -= n;
      return out;
    }
    return this.gather(n, true);
  }

  /** Copies what is queued into one buffer of our own, after which the buffers pushed may be reused. */
  compact(): void {
    if (this.size === 0) return;
    this.chunks = [this.gather(this.size, false)];
    this.headOffset = 0;
  }

  private gather(n: number, consume: boolean): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let i = 0;
    let offset = this.headOffset;
    while (filled < n) {
      const c = this.chunks[i]!;
      const k = Math.min(c.length - offset, n - filled);
      c.copy(out, filled, offset, offset + k);
      filled += k;
      offset += k;
      if (offset === c.length) {
        i++;
        offset = 0;
      }
    }
    if (consume) {
      this.chunks.splice(0, i);
      if (this.chunks.length === 0) this.chunks.length = 0;
      this.headOffset = offset;
      this.size -= n;
    }
    return out;
  }
}
