/**
 * Reads into a reused ring (src/socket/receive-ring.ts): a socket receiving
 * in bulk queues its reads as views of one buffer, and no byte handed out —
 * by recv(), MSG_PEEK, or to the TLS layer — changes when later reads reuse
 * that buffer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from '../../src/socket/index.js';
import type { Transport } from '../../src/socket/transport.js';
import { RECV_HIGH_WATER } from '../../src/socket/transport.js';
import { RING_SIZE } from '../../src/socket/receive-ring.js';
import { payload, sha256 } from '../helpers/data.js';
import { certdataSkip, testingContext, tlsPair } from '../ssl/echo-server-fixtures.js';
import { connectedPair, sleep } from './helpers.js';

const MiB = 1 << 20;

const transportOf = (s: socket.socket): Transport => (s as unknown as { _t: Transport })._t;

/** Receive sizes that cut reads and records anywhere: small, odd, larger than a read. */
const SIZES = [1, 5, 4096, 16389, 65536, 100_003, 7, 300_000];

test('a bulk receive queues its reads in one reused buffer, not a fresh Buffer per read', async () => {
  const p = await connectedPair();
  try {
    const t = transportOf(p.server);
    const sent = p.client.sendall(payload(2 * RECV_HIGH_WATER, 1));
    // Let the queue fill to its high-water mark (the stream pauses there).
    while (t.rxLength < RECV_HIGH_WATER) await sleep(5);
    // Node's own reads would be one ArrayBuffer each (~64 KiB apiece); a small first read is a copy.
    assert.ok(t.rxChunks >= 3, `${t.rxChunks} chunks queued`);
    assert.ok(t.rxBlocks <= 2, `${t.rxChunks} queued chunks lie in ${t.rxBlocks} blocks`);
    let got = 0;
    while (got < 2 * RECV_HIGH_WATER) got += (await p.server.recv(65536)).length;
    await sent;
  } finally {
    p.close();
  }
});

test('recv() and MSG_PEEK results stay intact while later reads reuse the receive buffer (plain socket, 8 MiB)', async () => {
  const p = await connectedPair();
  try {
    const data = payload(8 * MiB, 7);
    const sent = p.client.sendall(data);
    const received: Buffer[] = [];
    const peeks: [Buffer, number][] = [];
    let got = 0;
    for (let i = 0; got < data.length; i++) {
      const n = SIZES[i % SIZES.length]!;
      // A peek is a copy too: checked at the end against the bytes that followed.
      if (i % 5 === 0) peeks.push([await p.server.recv(n, socket.MSG_PEEK), got]);
      const d = await p.server.recv(n);
      assert.ok(d.length > 0, 'early EOF');
      received.push(d);
      got += d.length;
      // Now and then the receiver lags, so the ring fills, pauses the stream and wraps.
      if (i % 97 === 0) await sleep(2);
    }
    await sent;
    // Every result was kept until now, across 8 MiB of later reads (16 times the ring).
    assert.ok(data.length >= 16 * RING_SIZE);
    const all = Buffer.concat(received);
    assert.equal(all.length, data.length);
    assert.equal(sha256(all), sha256(data));
    for (const [peeked, at] of peeks) assert.ok(peeked.equals(data.subarray(at, at + peeked.length)), `peek at ${at} changed`);
  } finally {
    p.close();
  }
});

test('SSLSocket: 8 MiB through TLS arrive intact while the receive buffer is reused (records cut anywhere, receiver lagging)', { skip: certdataSkip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  const p = await tlsPair(clientContext, serverContext, { serverHostname: hostname });
  try {
    const data = payload(8 * MiB, 11);
    const send = (async () => {
      // Writes of odd sizes: records of every length, cut by TCP reads anywhere.
      for (let at = 0, i = 0; at < data.length; i++) {
        const n = Math.min(SIZES[(i + 3) % SIZES.length]!, data.length - at);
        await p.client.sendall(data.subarray(at, at + n));
        at += n;
      }
    })();
    const received: Buffer[] = [];
    let got = 0;
    for (let i = 0; got < data.length; i++) {
      const d = await p.server.recv(SIZES[i % SIZES.length]!);
      assert.ok(d.length > 0, 'early EOF');
      received.push(d);
      got += d.length;
      if (i % 61 === 0) await sleep(2);
    }
    await send;
    assert.equal(sha256(Buffer.concat(received)), sha256(data));
  } finally {
    p.close();
  }
});
