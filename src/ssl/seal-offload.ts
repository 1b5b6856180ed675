/**
 * Large writes of an `SSLSocket` sealed on the seal worker
 * (src/crypto/seal-pool.ts) while the main thread goes on (the peer's
 * records, the next slice): the ordered output queue of one connection.
 *
 * The engine stays authoritative: for each slice it lays the records out in
 * this connection's lane and hands out their nonces (Connection.writeDeferred);
 * the worker only seals them in place. Everything the socket sends from then
 * on — sealed slices, and whatever the engine produced meanwhile (a KeyUpdate,
 * its answer, an alert, close_notify, the next small write) — goes through
 * `items` strictly in the order the engine numbered it, so records reach
 * the wire in sequence order.
 *
 * Backpressure as on the main-thread path: a slice is laid out only while
 * the socket's queue plus what waits here is under the socket's high-water
 * mark (so at most one slice more than that is ever queued), and it needs
 * room in the lane, whose regions are free again only once the socket has
 * let go of their bytes. A writer waits for that with its deadline. No copy
 * beyond the lane's: the socket sends straight from the shared memory.
 *
 * A failure (the worker died, a job failed, the socket failed under a
 * queued write) is sticky: nothing more is sent (the sequence numbers after
 * it would not match), and the next write — and whoever waits on this
 * queue — gets an SSLError instead of a hang.
 */
import { SealLane } from '../crypto/seal-pool.js';
import type { socket } from '../socket/socket.js';
import { Condition, type Deadline } from '../socket/wait.js';
import { MAX_PLAINTEXT_LENGTH, deferredLength, type DeferredRecords } from '../tls/record.js';
import { SSLErrorNumber } from './constants.js';
import { SSLError, makeSSLError } from './errors.js';

/** Records per worker job: 64 KiB of plaintext, about 60 µs of sealing — large enough to pay for the hop, small enough to pipeline. */
export const JOB_BYTES = 4 * MAX_PLAINTEXT_LENGTH;
/** Records a connection may have sealed-or-unsent at once: the lane's size (512 KiB). */
const LANE_RECORDS = 32;
const LANE_SIZE = deferredLength(LANE_RECORDS * MAX_PLAINTEXT_LENGTH);

/**
 * Writes of at least this many bytes are sealed on the worker; smaller ones
 * stay on the main thread, where the hop costs more than it saves. null:
 * never — the default, because `npm run bench -- tls-socket` (the
 * "sealed on the worker" rows) has shown no crossover on the 2-core
 * machine this was measured on: the worker path lost at every write size
 * from 16 KiB to 1 MiB (see the issue 12 notes). Set it where those rows
 * cross 1 on yours.
 */
let threshold: number | null = null;

/** The write size from which SSLSocket seals on the worker (null: never). For the bench and tests; not part of Python's API. */
export function setSealOffloadThreshold(bytes: number | null): void {
  threshold = bytes;
}

/** Slices handed to the worker so far, process-wide (tests check the worker path was taken). */
let slicesSealed = 0;

/** Tests and diagnostics: how many slices the worker has been given. */
export function sealOffloadSlices(): number {
  return slicesSealed;
}

/** The current threshold (null: never). */
export function sealOffloadThreshold(): number | null {
  return threshold;
}

/** True when a blocking write of `n` bytes should be sealed on the worker. */
export function sealOffloadWanted(n: number): boolean {
  return threshold !== null && n >= threshold;
}

interface Region {
  readonly start: number;
  readonly end: number;
}

interface Item {
  readonly bytes: Buffer;
  ready: boolean;
  /** The lane region these bytes live in (null: engine output, recycled by `sent`). */
  readonly region: Region | null;
  readonly sent: (() => void) | null;
}

export class SealOffload {
  private readonly lane = new SealLane(LANE_SIZE);
  /** What the socket must send next, in order; the head goes once it is ready. */
  private readonly items: Item[] = [];
  /** Lane regions in use, oldest first (allocated and freed in the same order). */
  private readonly regions: Region[] = [];
  private failure: SSLError | null = null;
  /** Bytes of `items`. */
  private queued = 0;
  private readonly changed = new Condition();

  constructor(private readonly sock: socket) {}

  /** The lane, for the engine to lay records out in. */
  get bytes(): Buffer {
    return this.lane.bytes;
  }

  /** Bytes queued here and not yet handed to the socket (sealing, or waiting their turn). */
  get queuedBytes(): number {
    return this.queued;
  }

  /** True while a lane region is in use (sealing, queued, or in the socket unsent): a change will come. */
  get inUse(): boolean {
    return this.regions.length > 0;
  }

  /** True while something is queued here: other output must queue behind it. */
  get busy(): boolean {
    return this.items.length > 0;
  }

  /** Throws the sticky failure, if any. */
  check(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** Takes `n` bytes of the lane for the next slice; null when they are not free yet. */
  reserve(n: number): number | null {
    let start: number | null = null;
    const newest = this.regions.at(-1);
    if (newest === undefined) {
      start = 0;
    } else {
      const oldest = this.regions[0]!.start;
      if (newest.start >= oldest) {
        if (newest.end + n <= LANE_SIZE) start = newest.end;
        else if (n <= oldest) start = 0;
      } else if (newest.end + n <= oldest) {
        start = newest.end;
      }
    }
    if (start !== null && start + n <= LANE_SIZE) this.regions.push({ start, end: start + n });
    else start = null;
    return start;
  }

  /** Gives back the region reserve() just took (the engine refused the slice). */
  unreserve(): void {
    this.regions.pop();
  }

  /** The records just laid out at `offset` (in the region reserve() returned): sealed on the worker, then sent in turn. */
  submit(d: DeferredRecords, offset: number): void {
    const item: Item = { bytes: this.lane.bytes.subarray(offset, offset + d.length), ready: false, region: this.regions.at(-1)!, sent: null };
    this.items.push(item);
    this.queued += item.bytes.length;
    slicesSealed++;
    this.lane.seal(d.aead, offset, d.length, d.count, d.nonces).then(
      () => {
        item.ready = true;
        this.drain();
      },
      (e: unknown) => this.fail(e),
    );
  }

  /** Engine output produced while slices are queued: sent after them. */
  queue(bytes: Buffer, sent: () => void): void {
    this.check();
    this.items.push({ bytes, ready: true, region: null, sent });
    this.queued += bytes.length;
  }

  /** Sends the ready head of the queue. */
  private drain(): void {
    if (this.failure !== null) return;
    while (this.items.length > 0 && this.items[0]!.ready) {
      const item = this.items.shift()!;
      this.queued -= item.bytes.length;
      const sent = item.region !== null ? () => this.freed() : item.sent!;
      try {
        this.sock._writeRaw(item.bytes, true, sent, (e) => this.fail(e));
      } catch (e) {
        this.fail(e);
        return;
      }
    }
    this.changed.notifyAll();
  }

  /** The socket let go of the oldest lane region. */
  private freed(): void {
    this.regions.shift();
    this.changed.notifyAll();
  }

  private fail(e: unknown): void {
    if (this.failure === null) {
      const why = e instanceof Error ? e.message : String(e);
      this.failure = makeSSLError(SSLError, SSLErrorNumber.SSL_ERROR_SSL, `internal error (record sealing: ${why})`, 'SSL', 'INTERNAL_ERROR');
      (this.failure as Error & { cause?: unknown }).cause = e;
    }
    this.items.length = 0;
    this.queued = 0;
    this.changed.notifyAll();
  }

  /** Waits until something changed (a slice sealed or sent, a failure); false at the deadline. */
  waitChange(deadline: Deadline): Promise<boolean> {
    return this.changed.wait(deadline);
  }

  /** Waits until everything queued has been handed to the socket; false at the deadline. Throws the failure. */
  async settle(deadline: Deadline): Promise<boolean> {
    for (;;) {
      this.check();
      if (this.items.length === 0) return true;
      if (!(await this.changed.wait(deadline))) return false;
    }
  }

  /** The connection is done with TLS: the worker forgets the lane and the key. */
  release(): void {
    this.lane.release();
  }
}
