/**
 * Section "worker-aead" (issue 12, the design step for bulk): is record
 * protection on a small worker pool worth it, and from what batch size on?
 *
 * ours: a batch of B full records (16 KiB each) is split over 2 workers
 * (both cores); the main thread copies each record's plaintext into the
 * worker's SharedArrayBuffer, bumps the job counter, awaits the done
 * counter (Atomics.waitAsync, no message per record), and copies the
 * results out — the copies and hops a real offload would pay. Each worker
 * seals and opens every record with its own KeyObject (AES-256-GCM, a fresh
 * nonce per record). baseline: the same seal+open of the same batch on the
 * main thread (the single-thread ceiling, ./raw-aead.ts). The crossover is
 * the smallest batch whose ratio is above 1; it depends on how many cores
 * are free, so read it with the machine's load beside it.
 * (A bench file, so it may import node:crypto and worker_threads.)
 */
import * as nodeCrypto from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { BenchCase, BenchSection } from './harness.js';
import { CTRL, layout, TAG, type WorkerInit } from './worker-aead-layout.js';

const RECORD = 16384;
const WORKERS = 2;
const BATCHES = [1, 4, 64];
const MAX_RECORDS = Math.max(...BATCHES);

/** Atomics.waitAsync (V8 since Node 16; not yet in this project's TypeScript lib). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string } }).waitAsync;

interface PoolWorker {
  readonly worker: Worker;
  readonly ctrl: Int32Array;
  readonly bytes: Buffer;
  job: number;
}

function startWorker(key: nodeCrypto.KeyObject): PoolWorker {
  const { size } = layout(RECORD, MAX_RECORDS);
  const sab = new SharedArrayBuffer(size);
  const init: WorkerInit = { sab, key, iv: nodeCrypto.randomBytes(12), recordLength: RECORD, maxRecords: MAX_RECORDS };
  const worker = new Worker(new URL('./worker-aead-worker.js', import.meta.url), { workerData: init });
  worker.unref();
  return { worker, ctrl: new Int32Array(sab, 0, CTRL.words), bytes: Buffer.from(sab), job: 0 };
}

/** Runs one batch of `records` over the pool; returns the bytes recovered. */
async function onPool(pool: readonly PoolWorker[], input: Buffer, records: number): Promise<number> {
  const { inputAt, outputAt } = layout(RECORD, MAX_RECORDS);
  const per = Math.ceil(records / pool.length);
  const running: Promise<unknown>[] = [];
  const shares: [PoolWorker, number][] = [];
  for (let w = 0, first = 0; first < records; w++, first += per) {
    const p = pool[w]!;
    const n = Math.min(per, records - first);
    for (let i = 0; i < n; i++) input.copy(p.bytes, inputAt(i), (first + i) * RECORD, (first + i + 1) * RECORD);
    Atomics.store(p.ctrl, CTRL.records, n);
    Atomics.store(p.ctrl, CTRL.length, RECORD);
    const before = p.job;
    p.job++;
    Atomics.store(p.ctrl, CTRL.job, p.job);
    Atomics.notify(p.ctrl, CTRL.job);
    const w8 = waitAsync(p.ctrl, CTRL.done, before);
    running.push(w8.async ? (w8.value as Promise<string>) : Promise.resolve());
    shares.push([p, n]);
  }
  // A pending Atomics.waitAsync does not keep the event loop alive; the workers do while a job runs.
  for (const [p] of shares) p.worker.ref();
  await Promise.all(running);
  for (const [p] of shares) p.worker.unref();
  let recovered = 0;
  for (const [p, n] of shares) for (let i = 0; i < n; i++) recovered += Buffer.from(p.bytes.subarray(outputAt(i), outputAt(i) + RECORD)).length;
  return recovered;
}

function onMainThread(key: nodeCrypto.KeyObject): (input: Buffer, records: number) => number {
  const nonce = nodeCrypto.randomBytes(12);
  const aad = Buffer.from([23, 3, 3, (RECORD + TAG) >> 8, (RECORD + TAG) & 0xff]);
  const options = { authTagLength: TAG };
  let seq = 0;
  return (input, records) => {
    let recovered = 0;
    for (let i = 0; i < records; i++) {
      nonce.writeUInt32BE(seq++ >>> 0, 8);
      const c = nodeCrypto.createCipheriv('aes-256-gcm', key, nonce, options);
      c.setAAD(aad);
      const sealed = c.update(input.subarray(i * RECORD, (i + 1) * RECORD));
      c.final();
      const d = nodeCrypto.createDecipheriv('aes-256-gcm', key, nonce, options);
      d.setAuthTag(c.getAuthTag());
      d.setAAD(aad);
      recovered += d.update(sealed).length;
      d.final();
    }
    return recovered;
  };
}

export const workerAeadSection: BenchSection = {
  id: 'worker-aead',
  title: `record protection on ${WORKERS} workers (SharedArrayBuffer, copies in and out) vs the main thread: AES-256-GCM seal+open of 16 KiB records`,
  setup(): BenchCase[] {
    const key = nodeCrypto.createSecretKey(nodeCrypto.randomBytes(32));
    const pool = Array.from({ length: WORKERS }, () => startWorker(key));
    const main = onMainThread(key);
    const input = nodeCrypto.randomBytes(RECORD * MAX_RECORDS);
    const check = (got: number, want: number): void => {
      if (got !== want) throw new Error(`worker-aead: recovered ${got} of ${want} bytes`);
    };
    return BATCHES.map((records, i) => ({
      name: `batch of ${records} record${records === 1 ? '' : 's'} (${(records * RECORD) / 1024} KiB)`,
      ours: async () => check(await onPool(pool, input, records), records * RECORD),
      baseline: () => check(main(input, records), records * RECORD),
      baselineName: 'main thread, KeyObject once (single-thread ceiling)',
      bytesPerCall: records * RECORD,
      goal: records === MAX_RECORDS ? '> 1x past the crossover' : undefined,
      dispose:
        i === BATCHES.length - 1
          ? async () => {
              for (const p of pool) {
                Atomics.store(p.ctrl, CTRL.job, -1);
                Atomics.notify(p.ctrl, CTRL.job);
                await p.worker.terminate();
              }
            }
          : undefined,
    }));
  },
};
