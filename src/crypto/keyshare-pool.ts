/**
 * X25519/X448 key shares made ahead of time on libuv's thread pool, so that
 * a handshake takes a ready key pair instead of spending ~40 µs of the main
 * thread generating one (each side of every full handshake needs one).
 *
 * - Each pooled pair is handed out once and forgotten: `take()` removes it.
 *   Nothing is reused, so forward secrecy is what it would be with a pair
 *   generated on the spot.
 * - A pair older than {@link MAX_AGE_MS} is dropped unused rather than kept
 *   indefinitely in an idle process.
 * - At most {@link MAX_IN_FLIGHT} generations run at once: more would only
 *   compete with the main thread for the cores (two on the machines we
 *   measure on).
 * - A pool starts filling on its group's first use; a synchronous caller that
 *   never yields to the event loop (a loop of in-memory handshakes) just
 *   finds it empty and generates inline, as before.
 * - The public value is encoded by the generation itself (as in
 *   `generateMontgomery`): export() on a generated key can deadlock node 20.
 */
import * as nodeCrypto from 'node:crypto';

/** How many ready pairs a pool tries to hold. */
export const POOL_TARGET = 8;
/** Generations in flight at once. */
export const MAX_IN_FLIGHT = 2;
/** A ready pair older than this is discarded instead of used. */
export const MAX_AGE_MS = 30_000;

/** node's names of the groups pooled. */
export type PooledType = 'x25519' | 'x448';

export interface PooledKeyPair {
  readonly privateKey: nodeCrypto.KeyObject;
  readonly publicJwk: nodeCrypto.JsonWebKey;
}

interface Ready extends PooledKeyPair {
  /** performance.now() when it was made: a clock that wall-clock changes do not move. */
  readonly madeAt: number;
}

/** node's generateKeyPair, as the pool calls it (tests pass their own). */
export type Generate = (type: string, options: object, callback: (err: Error | null, publicKey: nodeCrypto.JsonWebKey, privateKey: nodeCrypto.KeyObject) => void) => void;
/** generateKeyPair with only the public key encoded (node allows it; @types/node has no overload for it). */
const generateAsync = nodeCrypto.generateKeyPair as unknown as Generate;

export class KeySharePool {
  /** Newest last: if the last one is too old, all of them are. */
  private readonly ready: Ready[] = [];
  private inFlight = 0;
  /** Set when a generation failed: the pool stops and callers generate inline. */
  private broken = false;
  private readonly onGenerated = (err: Error | null, publicJwk: nodeCrypto.JsonWebKey, privateKey: nodeCrypto.KeyObject): void => {
    this.inFlight--;
    if (err !== null) {
      this.broken = true;
      return;
    }
    this.ready.push({ privateKey, publicJwk, madeAt: performance.now() });
    this.refill();
  };

  constructor(
    private readonly nodeType: PooledType,
    private readonly target = POOL_TARGET,
    private readonly generate: Generate = generateAsync,
  ) {}

  /** A ready pair, or undefined when none is (the caller generates one itself); starts refilling either way. `now`: performance.now(). */
  take(now = performance.now()): PooledKeyPair | undefined {
    let pair = this.ready.pop();
    if (pair !== undefined && now - pair.madeAt > MAX_AGE_MS) {
      this.ready.length = 0;
      pair = undefined;
    }
    this.refill();
    return pair;
  }

  /** Ready pairs held now (for tests and diagnostics). */
  get size(): number {
    return this.ready.length;
  }

  private refill(): void {
    while (!this.broken && this.inFlight < MAX_IN_FLIGHT && this.ready.length + this.inFlight < this.target) {
      this.inFlight++;
      try {
        this.generate(this.nodeType, { publicKeyEncoding: { format: 'jwk' } }, this.onGenerated);
      } catch {
        this.inFlight--;
        this.broken = true;
      }
    }
  }
}

const pools = new Map<PooledType, KeySharePool>();

/** The process-wide pool of one group, made on first use. */
export function keySharePool(nodeType: PooledType): KeySharePool {
  let pool = pools.get(nodeType);
  if (pool === undefined) pools.set(nodeType, (pool = new KeySharePool(nodeType)));
  return pool;
}
