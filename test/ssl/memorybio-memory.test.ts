/**
 * What a MemoryBIO holds between uses (issue 12's memory target: an idle
 * connection holds no 16 KiB buffers). Large writes land in a buffer the
 * BIO reuses while it is busy; once drained, nothing keeps it but a
 * WeakRef, so the next full GC frees it. Full GCs come from `gc`, exposed
 * in this test file's own process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as ssl from '../../src/ssl/index.js';
import { payload } from '../helpers/data.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const KiB = 1024;
const CHUNK = 64 * KiB;

/** ArrayBuffer bytes still alive after a full GC (outside the current job, whose WeakRef targets V8 keeps). */
async function liveArrayBuffers(): Promise<number> {
  // Twice: V8 may free the backing stores of what one GC found dead only later.
  for (let i = 0; i < 2; i++) {
    await nextTurn();
    gc();
  }
  return process.memoryUsage().arrayBuffers;
}

test('a drained MemoryBIO holds no buffer: BIOs that each took 64 KiB and gave it all back keep none of it through a full GC', async () => {
  const BIOS = 64;
  const data = payload(CHUNK, 3);
  const bios: ssl.MemoryBIO[] = [];
  const before = await liveArrayBuffers();
  for (let i = 0; i < BIOS; i++) {
    const bio = new ssl.MemoryBIO();
    bio.write(data);
    assert.ok(bio.read().equals(data));
    assert.equal(bio.pending, 0);
    bios.push(bio);
  }
  const held = (await liveArrayBuffers()) - before;
  // Each kept its 64 KiB write buffer before (4 MiB in all); now the read() copies are garbage too.
  assert.ok(held < (BIOS * CHUNK) / 8, `${BIOS} idle BIOs hold ${(held / KiB).toFixed(0)} KiB of ArrayBuffers`);
  // The BIOs still work: a write after the GC takes a buffer again.
  for (const bio of bios) {
    bio.write(data);
    assert.ok(bio.read().equals(data));
  }
});

test('a busy MemoryBIO reuses its buffer: 64 KiB written and read out again and again lands in the same memory', () => {
  const bio = new ssl.MemoryBIO();
  const blocks = new Set<ArrayBufferLike>();
  for (let i = 0; i < 200; i++) {
    const data = payload(CHUNK, i);
    bio.write(data);
    // The engine's view of the bytes (no copy): it shows where the BIO put them.
    const view = bio._readView(bio.pending);
    assert.ok(view.equals(data));
    assert.equal(bio.pending, 0);
    blocks.add(view.buffer);
  }
  // Only a full GC between a drain and the next write costs a fresh buffer (none is expected in this loop).
  assert.ok(blocks.size <= 2, `200 writes of 64 KiB landed in ${blocks.size} buffers`);
});

test('a BIO drained by read() keeps what read() returned when a later write takes its buffer back', () => {
  const bio = new ssl.MemoryBIO();
  const first = payload(CHUNK, 1);
  bio.write(first);
  const got = bio.read();
  bio.write(payload(CHUNK, 2));
  assert.ok(got.equals(first), 'read() handed out memory that the next write reused');
  assert.ok(bio.read().equals(payload(CHUNK, 2)));
});
