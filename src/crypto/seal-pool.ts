/**
 * Record sealing on a worker thread, for large writes (the SSLSocket data
 * path, src/ssl/seal-offload.ts): one lazily started worker
 * (./seal-worker.ts), shared by every connection of the process, `unref`'d
 * whenever it has no job, so it never keeps the process alive.
 *
 * A connection owns a `SealLane`: a SharedArrayBuffer in which the main
 * thread lays out records (header || plaintext || inner type || room for the
 * tag) and the worker seals them in place — no transfer and no copy beyond
 * the one into the lane (the caller's buffer cannot be shared) and the one
 * node:crypto's update() forces on every seal anyway. Jobs of one lane are
 * done in the order posted (one worker, one message queue).
 *
 * Key material: the worker receives the key as a node:crypto KeyObject
 * (structured-cloned, so the raw bytes never sit in shared memory or in a
 * JS buffer), once per key per lane; the lane tells the worker to forget it
 * when the connection's key changes and when the lane is released. A
 * KeyObject cannot be wiped — neither can the main thread's own, which the
 * record layer has always used — so the decision is "no raw key bytes
 * anywhere, and the handles dropped deterministically" rather than "bytes
 * copied into the worker and zeroed at the end".
 *
 * Failure: a job that fails, and every job pending when the worker dies,
 * rejects with CryptoError('worker_failed'); the next job starts a new worker.
 */
import { Worker } from 'node:worker_threads';
import { AEAD_NONCE_LENGTH } from './algorithms.js';
import { NodeAeadKey } from './aead.js';
import { CryptoError, type AeadKey } from './provider.js';

export interface SealRequest {
  readonly op: 'seal';
  readonly job: number;
  readonly lane: number;
  readonly key: number;
  /** The run of records: `length` bytes from `offset` in the lane, `count` records. */
  readonly offset: number;
  readonly length: number;
  readonly count: number;
  /** The records' nonces, 12 bytes each, in order. */
  readonly nonces: Uint8Array;
}

export type SealWorkerMessage =
  | { readonly op: 'lane'; readonly lane: number; readonly buffer: SharedArrayBuffer }
  | { readonly op: 'key'; readonly key: number; readonly name: string; readonly keyObject: unknown }
  | SealRequest
  | { readonly op: 'forget'; readonly lane: number | null; readonly key: number | null }
  | { readonly op: 'crash' };

interface SealReply {
  readonly job: number;
  readonly error: string | null;
}

interface Waiter {
  resolve(): void;
  reject(e: Error): void;
}

class SealPool {
  private worker: Worker | null = null;
  /** Bumped whenever a worker is gone: lanes and keys are registered again with the next one. */
  generation = 0;
  private readonly waiting = new Map<number, Waiter>();
  private nextJob = 1;

  /** Posts to the current worker (starting one if needed); returns its generation. */
  post(m: SealWorkerMessage): void {
    this.current().postMessage(m);
  }

  /** The worker, started on first use. */
  current(): Worker {
    if (this.worker !== null) return this.worker;
    const w = new Worker(new URL('./seal-worker.js', import.meta.url));
    w.unref();
    w.on('message', (r: SealReply) => this.settle(r));
    w.on('error', (e: Error) => this.lost(w, `seal worker failed: ${e.message}`));
    w.on('exit', (code: number) => this.lost(w, `seal worker exited with code ${code}`));
    this.worker = w;
    return w;
  }

  run(req: Omit<SealRequest, 'op' | 'job'>): Promise<void> {
    const job = this.nextJob++;
    const w = this.current();
    return new Promise<void>((resolve, reject) => {
      // Referenced only while a job is out: an idle pool never keeps the process alive.
      if (this.waiting.size === 0) w.ref();
      this.waiting.set(job, { resolve, reject });
      w.postMessage({ op: 'seal', job, ...req } satisfies SealRequest);
    });
  }

  private settle(r: SealReply): void {
    const waiter = this.waiting.get(r.job);
    if (waiter === undefined) return;
    this.waiting.delete(r.job);
    if (this.waiting.size === 0) this.worker?.unref();
    if (r.error === null) waiter.resolve();
    else waiter.reject(new CryptoError('worker_failed', r.error));
  }

  private lost(w: Worker, reason: string): void {
    if (this.worker !== w) return;
    this.worker = null;
    this.generation++;
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiters) waiter.reject(new CryptoError('worker_failed', reason));
  }

  /** Tests: make the worker die the way a crashed worker does (pending jobs then reject). */
  crash(): void {
    this.worker?.postMessage({ op: 'crash' } satisfies SealWorkerMessage);
  }
}

const pool = new SealPool();
let nextId = 1;

/** What the worker holds for a lane: kept apart from the lane so a lane never released can still be forgotten. */
interface LaneRegistration {
  readonly id: number;
  /** The worker generation this lane and its key were registered with (-1: none). */
  generation: number;
  /** The key registered for the lane (0: none). */
  keyId: number;
}

function forget(r: LaneRegistration): void {
  if (r.generation === pool.generation) pool.post({ op: 'forget', lane: r.id, key: r.keyId !== 0 ? r.keyId : null });
  r.generation = -1;
  r.keyId = 0;
}

/** A connection dropped without close(): the worker lets go of its lane and key all the same. */
const abandoned = new FinalizationRegistry<LaneRegistration>(forget);

/** A connection's window into the seal worker: its lane of shared memory and its current key. */
export class SealLane {
  /** The lane: records are laid out here, sealed here, and written to the socket from here. */
  readonly bytes: Buffer;
  private readonly buffer: SharedArrayBuffer;
  private readonly reg: LaneRegistration = { id: nextId++, generation: -1, keyId: 0 };
  private key: AeadKey | null = null;

  constructor(size: number) {
    this.buffer = new SharedArrayBuffer(size);
    this.bytes = Buffer.from(this.buffer);
    abandoned.register(this, this.reg, this);
  }

  /** True when this key can be used in the worker (a node:crypto key of this provider). */
  static accepts(aead: AeadKey): boolean {
    return aead instanceof NodeAeadKey;
  }

  /**
   * Seals `count` records laid out in `bytes[offset, offset + length)`, in
   * place, with these nonces (12 bytes each). Settles once they are sealed;
   * rejects with CryptoError('worker_failed') if they cannot be.
   */
  seal(aead: AeadKey, offset: number, length: number, count: number, nonces: Uint8Array): Promise<void> {
    if (!(aead instanceof NodeAeadKey)) return Promise.reject(new CryptoError('unsupported', `${aead.algorithm} key of another provider cannot be sealed by the worker`));
    if (nonces.length !== count * AEAD_NONCE_LENGTH) return Promise.reject(new CryptoError('bad_argument', `${nonces.length} nonce bytes for ${count} records`));
    const reg = this.reg;
    if (reg.generation !== pool.generation) {
      pool.current();
      reg.generation = pool.generation;
      reg.keyId = 0;
      pool.post({ op: 'lane', lane: reg.id, buffer: this.buffer });
      this.key = null;
    }
    if (this.key !== aead) {
      if (reg.keyId !== 0) pool.post({ op: 'forget', lane: null, key: reg.keyId });
      this.key = aead;
      reg.keyId = nextId++;
      const { name, key } = aead._forWorker();
      pool.post({ op: 'key', key: reg.keyId, name, keyObject: key });
    }
    return pool.run({ lane: reg.id, key: reg.keyId, offset, length, count, nonces });
  }

  /** The connection is done: the worker forgets the lane and the key (after the jobs already posted). */
  release(): void {
    abandoned.unregister(this);
    forget(this.reg);
    this.key = null;
  }
}

/** Tests only: the seal worker dies as a crashed one would; jobs in flight reject, the next job starts a new worker. */
export function _crashSealWorkerForTesting(): void {
  pool.crash();
}
