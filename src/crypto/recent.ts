/**
 * A small bounded map that keeps what was used most recently (least
 * recently used out), for the caches that save repeated work on the same
 * bytes: public keys by SPKI here, parsed certificates and verified
 * signatures in x509. Keys are strings; `bytesKey` makes one from bytes.
 */
export class RecentMap<V> {
  /** Each entry remembers when it was last used; a hit only updates that number (no Map writes per hit). */
  private readonly map = new Map<string, { value: V; used: number }>();
  private clock = 0;

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    e.used = ++this.clock;
    return e.value;
  }

  set(key: string, value: V): void {
    const e = this.map.get(key);
    if (e !== undefined) {
      e.value = value;
      e.used = ++this.clock;
      return;
    }
    if (this.map.size >= this.capacity) this.evictLeastRecent();
    this.map.set(key, { value, used: ++this.clock });
  }

  get size(): number {
    return this.map.size;
  }

  /** A scan of at most `capacity` entries, only when a new key comes to a full map. */
  private evictLeastRecent(): void {
    let oldest: string | undefined;
    let when = Infinity;
    for (const [k, e] of this.map) {
      if (e.used < when) {
        when = e.used;
        oldest = k;
      }
    }
    if (oldest !== undefined) this.map.delete(oldest);
  }
}

/** The exact bytes as a map key (one char per byte). */
export function bytesKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
