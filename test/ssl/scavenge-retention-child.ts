/**
 * Child of scavenge-retention.test.ts, run with --expose-gc: how many bytes
 * per connection end up in V8's old generation when nothing keeps the
 * connections — SSLObject pairs made and dropped, then full in-memory
 * handshakes (the bench's) — after three scavenges (minor GCs) and no full
 * GC. Prints one JSON line: `{ "create": bytes per pair, "handshake": bytes
 * per handshake }`.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import * as ssl from '../../src/ssl/index.js';
import { handshakeContexts, handshakeInMemory } from '../../bench/tls-handshake.js';

declare const gc: (options?: { type: 'minor' | 'major' }) => void;

const { cctx, sctx } = handshakeContexts();

function create(): void {
  cctx.wrapBio(new ssl.MemoryBIO(), new ssl.MemoryBIO(), { serverHostname: 'localhost' });
  sctx.wrapBio(new ssl.MemoryBIO(), new ssl.MemoryBIO(), { serverSide: true });
}

function oldSpace(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;
}

/**
 * Old-generation growth per call of `f`, calls made `batch` at a time with
 * two scavenges after each batch (so that no scavenge falls in the middle of
 * a call, where what it holds is rightly still alive).
 */
function retainedPerCall(f: () => void, batch: number, batches: number): number {
  for (let i = 0; i < 300; i++) f();
  gc();
  gc();
  const before = oldSpace();
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < batch; i++) f();
    gc({ type: 'minor' });
    gc({ type: 'minor' });
  }
  return (oldSpace() - before) / (batch * batches);
}

const result = { create: retainedPerCall(create, 100, 10), handshake: retainedPerCall(() => handshakeInMemory(cctx, sctx), 10, 20) };
process.stdout.write(`${JSON.stringify(result)}\n`);
