/**
 * Memory for outgoing records, shared by every RecordLayer of the process.
 *
 * Sealed records are written into an arena that `takeOutgoing()` hands out
 * whole. A caller that knows when those bytes are no longer referenced (the
 * SSLSocket pump, once the socket has passed them to the kernel) gives the
 * arena back with `recycleOutgoing()`, and the next batch of any connection
 * is sealed into it. Reused memory is what makes this worth it: a fresh
 * 64 KiB buffer costs about ten times its memcpy (page faults and GC), and a
 * bulk sender needs one per socket write.
 *
 * The pool is process-wide and small (1 MiB at most), so an idle connection
 * holds no output buffer. It holds ciphertext only. An arena is recycled at
 * most once per hand-out (the view object handed out is the ticket), and
 * only arenas that own their whole ArrayBuffer (never Node's shared pool).
 */

/** Below this an arena comes from Node's shared pool and is never recycled. */
const POOLED_MIN = 16 * 1024;
/**
 * Arenas kept for reuse: at most 1 MiB held by the whole process, and the
 * largest kept. Bounded in bytes, not in arenas: a bulk sender has many
 * ~64 KiB batches in flight (the socket gives them back in bursts, after its
 * writes complete), and a pool of four caught too few of them — nearly every
 * batch got a fresh arena (measured: as many allocated as recycled).
 */
const POOL_BYTES = 1024 * 1024;
const POOL_MAX_BYTES = 256 * 1024;

const free: Buffer[] = [];
/** Bytes of the arenas in `free`. */
let freeBytes = 0;
/**
 * The ticket of a handed-out arena: its ArrayBuffer holds the one view
 * takeOutgoing() returned (the exact object), until that view comes back.
 * A property of the arena itself rather than a WeakSet entry: no ephemeron
 * per batch (the WeakSet's add was ~0.7% of an in-memory bulk transfer,
 * where nothing is ever recycled), and the arena and its view are collected
 * together as before.
 */
const TICKET: unique symbol = Symbol('arena-pool.handedOut');
/** Who sealed into the arena, told when one of its arenas comes back. */
const OWNER: unique symbol = Symbol('arena-pool.owner');
type Ticketed = ArrayBufferLike & { [TICKET]?: Buffer | undefined; [OWNER]?: ArenaOwner };

/** A writer whose arenas may come back: it then sizes new ones to serve any batch (record-write.ts). */
export interface ArenaOwner {
  arenasComeBack: boolean;
}

/** A buffer of at least `size` bytes to seal into: a recycled arena when one fits, else a new one. */
export function allocateArena(size: number): Buffer {
  if (size < POOLED_MIN) return Buffer.allocUnsafe(size);
  for (let i = free.length - 1; i >= 0; i--) {
    const b = free[i]!;
    if (b.length >= size) {
      free.splice(i, 1);
      freeBytes -= b.length;
      return b;
    }
  }
  return Buffer.allocUnsafeSlow(size);
}

/** Records that `view` (the filled start of `arena`) is handed out and its arena may come back. */
export function handOut(arena: Buffer, view: Buffer, owner: ArenaOwner): void {
  if (arena.length >= POOLED_MIN && arena.byteOffset === 0 && arena.length === arena.buffer.byteLength && view.byteOffset === 0) {
    const ab = arena.buffer as Ticketed;
    ab[TICKET] = view;
    ab[OWNER] = owner;
  }
}

/**
 * The bytes of `view` (exactly as `takeOutgoing()` returned it) are no
 * longer referenced anywhere: its arena may be sealed into again. Anything
 * else is ignored, as is a second call for the same view.
 */
export function recycleOutgoing(view: Uint8Array): void {
  if (!Buffer.isBuffer(view)) return;
  const ab = view.buffer as Ticketed;
  if (ab[TICKET] !== view) return;
  ab[TICKET] = undefined;
  const owner = ab[OWNER];
  if (owner !== undefined) owner.arenasComeBack = true;
  const arena = Buffer.from(ab);
  if (arena.length <= POOL_MAX_BYTES && freeBytes + arena.length <= POOL_BYTES) {
    free.push(arena);
    freeBytes += arena.length;
  }
}
