/**
 * `_writeRaw(bytes, owned, sent)`: `sent` says node has let go of the bytes,
 * so their memory may be reused (the TLS layer recycles its record arenas
 * on it). When the kernel takes a write whole at once, that is now — not a
 * tick later — and `sent` callbacks always run in write order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectedPair, readAllN } from './helpers.js';

test('a write the kernel takes whole runs sent() before _writeRaw returns, and the peer gets the bytes as they were', async () => {
  const p = await connectedPair();
  try {
    const bytes = Buffer.alloc(4096, 0x61);
    let sent = false;
    p.client._writeRaw(bytes, true, () => (sent = true));
    assert.equal(sent, true, 'sent() waited for a later tick although node holds nothing');
    bytes.fill(0x62); // reused at once, as the record layer does with a recycled arena
    assert.deepEqual(await readAllN(p.server, 4096), Buffer.alloc(4096, 0x61));
  } finally {
    p.close();
  }
});

test('sent() callbacks run once each and in write order, also when the kernel stops taking bytes', async () => {
  const p = await connectedPair();
  try {
    const order: number[] = [];
    const total = 64;
    const size = 256 * 1024; // 16 MiB in all: far more than the socket buffers hold, so later writes queue in node
    for (let i = 0; i < total; i++) p.client._writeRaw(Buffer.alloc(size, i), true, () => order.push(i));
    const received = await readAllN(p.server, total * size);
    assert.equal(received.length, total * size);
    for (let i = 0; i < total; i++) assert.equal(received[i * size + size - 1], i & 0xff);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, Array.from({ length: total }, (_, i) => i));
  } finally {
    p.close();
  }
});
