/**
 * Where a connected socket's reads land, instead of the fresh Buffer
 * node:net allocates for every read (in a bulk transfer a 64 KiB
 * ArrayBuffer per read: a third of the external memory that makes V8
 * scavenge). Node reads into what the `onread` option of net.Socket gives
 * it (`{ buffer: () => region, callback }`), asking after each read where
 * the next one goes.
 *
 * - A socket receiving in bulk (a read of BULK_READ or more) reads into a
 *   ring of its own, reused: its reads are queued as views of it. That
 *   serves a reader that borrows what it takes (the TLS pump, which copies
 *   records into its BIO). A reader that keeps what it takes (plain recv())
 *   would copy every byte out of the ring again, so while the socket's
 *   reader copies (`copiesOut`), bulk reads go into a fresh 64 KiB buffer
 *   each instead, queued and handed out without a copy, as node:net does
 *   (measured: plain recv() of 256 MiB at 0.76x node:net with the ring,
 *   0.86x with fresh buffers, median of 6 interleaved runs).
 * - Any other socket (handshakes, requests, idle connections) reads into
 *   one landing buffer shared by the process, and each read leaves it as a
 *   copy of its bytes at once, so an idle connection holds no read memory.
 *   Sharing is safe: node calls back after each read before the next read
 *   of any socket starts (one thread).
 *
 * Safety of the ring: a region handed to a read never holds a byte the
 * receive queue still holds. The queue keeps its ring bytes in ring order
 * (reads are queued in the order the regions were handed out; anything
 * else queued — landed copies, joined small chunks, pushed-back bytes — is
 * memory elsewhere), so the bytes in use run from the first queued ring
 * byte (`head`) to the end of the last read (`tail`), and the next region
 * is taken only outside that span. Bytes taken off the queue are no longer
 * protected: Transport's take() copies them out, unless the caller borrows
 * them and is done before it returns to the event loop (the only way to
 * the next read).
 */

/** A ring holds the receive queue's high-water mark (256 KiB), a read past it, and room to wrap. */
export const RING_SIZE = 512 * 1024;
/** A read at least this long makes the socket read into a ring of its own. */
export const BULK_READ = 16 * 1024;
/** Free room smaller than this is not handed to a read (the read would be cut short): it lands instead. */
const MIN_REGION = 16 * 1024;
/** node's own read size. */
const LANDING_SIZE = 64 * 1024;

let landingBuffer: Buffer | null = null;

function landing(): Buffer {
  return (landingBuffer ??= Buffer.allocUnsafeSlow(LANDING_SIZE));
}

export class ReceiveRing {
  /**
   * Set while the socket's reader copies what it takes (plain recv()), cleared while it borrows (the TLS
   * pump): a copying reader would copy every ring byte out again, so bulk reads then go into a fresh
   * buffer each, queued and handed out as they are (as node:net does), instead of into the ring.
   */
  copiesOut = false;
  private ring: Buffer | null = null;
  /** The fresh buffer handed to the last read, when it was one. */
  private fresh: Buffer | null = null;
  /** Every fresh buffer a read filled and queued (not node's Buffer pool, whose blocks are 64 KiB too on Node 24). */
  private readonly freshBlocks = new WeakSet<ArrayBufferLike>();
  /** Offset just past the last read into the ring. */
  private tail = 0;
  private lastRead = 0;

  /** True when `b` is memory of the ring (a view that a read may overwrite once it has left the queue). */
  owns(b: Uint8Array): boolean {
    return this.ring !== null && b.buffer === this.ring.buffer;
  }

  /** Bytes of ring memory held (diagnostics). */
  get ringBytes(): number {
    return this.ring?.length ?? 0;
  }

  /**
   * True when bytes taken off the queue by a reader that keeps them must be copied: ring memory, which
   * a later read may overwrite, or a small part of a fresh read buffer, which would keep all of it alive.
   */
  mustCopy(b: Uint8Array): boolean {
    return this.owns(b) || (b.length * 4 < b.buffer.byteLength && this.isReadBuffer(b));
  }

  /** True when `b` lies in a fresh buffer that a read filled and that was queued as it was. */
  isReadBuffer(b: Uint8Array): boolean {
    return this.freshBlocks.has(b.buffer);
  }

  /**
   * The region for the next read, given the receive queue: free room of
   * the ring after `tail`, else before `head`; else the landing buffer.
   */
  region(queued: readonly Buffer[]): Buffer {
    const ring = this.ring;
    if (this.copiesOut && this.lastRead >= BULK_READ) {
      // A ring from before (the first bulk read, a borrowing reader earlier) is let go once none of it is queued.
      if (ring !== null && !queued.some((c) => c.buffer === ring.buffer)) this.ring = null;
      return (this.fresh ??= Buffer.allocUnsafeSlow(LANDING_SIZE));
    }
    this.fresh = null;
    if (ring === null) return landing();
    let head = -1;
    for (const c of queued) {
      if (c.buffer === ring.buffer) {
        head = c.byteOffset - ring.byteOffset;
        break;
      }
    }
    if (head < 0) {
      // Nothing of the ring is queued: all of it is free, or, once reads are small again, let go.
      if (this.lastRead < BULK_READ) {
        this.ring = null;
        return landing();
      }
      this.tail = 0;
      return ring;
    }
    if (head < this.tail) {
      if (ring.length - this.tail >= MIN_REGION) return ring.subarray(this.tail);
      if (head >= MIN_REGION) return ring.subarray(0, head);
    } else if (head - this.tail >= MIN_REGION) {
      // Wrapped: the free room lies between the end of the last read and the first queued byte.
      return ring.subarray(this.tail, head);
    }
    return landing();
  }

  /** A read put `n` bytes at the start of `region` (from region()): those bytes, to queue. */
  filled(region: Uint8Array, n: number): Buffer {
    this.lastRead = n;
    const fresh = this.fresh;
    if (fresh !== null && region.buffer === fresh.buffer) {
      // Mostly filled: it becomes the queued bytes. A short read is copied out and the buffer kept for
      // the next read, so that no queued byte pins a mostly empty 64 KiB.
      if (n < LANDING_SIZE / 2) return Buffer.from(fresh.subarray(0, n));
      this.fresh = null;
      this.freshBlocks.add(fresh.buffer);
      return fresh.subarray(0, n);
    }
    const ring = this.ring;
    if (ring !== null && region.buffer === ring.buffer) {
      this.tail = region.byteOffset - ring.byteOffset + n;
      return Buffer.from(region.buffer, region.byteOffset, n);
    }
    // The landing buffer: every socket's next read may go there.
    const copy = Buffer.from(region.subarray(0, n));
    if (ring === null && n >= BULK_READ && !this.copiesOut) {
      this.ring = Buffer.allocUnsafeSlow(RING_SIZE);
      this.tail = 0;
    }
    return copy;
  }
}
