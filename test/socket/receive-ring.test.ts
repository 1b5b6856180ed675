/**
 * Reads into a reused ring (src/socket/receive-ring.ts): a socket receiving
 * in bulk queues its reads as views of one buffer (fresh buffers instead
 * while its reader copies what it takes: plain recv()), and no byte handed
 * out — by recv(), MSG_PEEK, or to the TLS layer — changes when later reads
 * reuse that buffer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import type { Transport } from '../../src/socket/transport.js';
import { RECV_HIGH_WATER } from '../../src/socket/transport.js';
import { RING_SIZE, type ReceiveRing } from '../../src/socket/receive-ring.js';
import { payload, sha256 } from '../helpers/data.js';
import { certdataSkip, testingContext, tlsPair } from '../ssl/echo-server-fixtures.js';
import { connectedPair, sleep, type Pair } from './helpers.js';

const MiB = 1 << 20;

const transportOf = (s: socket.socket): Transport => (s as unknown as { _t: Transport })._t;

/** Receive sizes that cut reads and records anywhere: small, odd, larger than a read. */
const SIZES = [1, 5, 4096, 16389, 65536, 100_003, 7, 300_000];

/** A seeded generator of sizes (an LCG: the same seed, the same sizes). */
function sizes(seed: number): (n: number) => number {
  let x = seed >>> 0;
  return (n) => {
    x = (x * 1103515245 + 12345) >>> 0;
    return (x >>> 8) % n;
  };
}

/**
 * Writes `total` bytes from `next(n)` in bursts of a tiny write (1-200
 * bytes) and two huge ones (480-580 KiB), each left to arrive before the
 * next: reads of those sizes, most cutting a TLS record anywhere. A huge
 * read fills the ring up to its end, so the next one wraps to its start,
 * and a tiny read there leaves the rest of the ring free for the huge read
 * after it — which runs over the bytes the previous reads left at the end
 * of the ring, bytes no longer queued but possibly still held by whoever
 * borrowed them (the last, partial record).
 */
async function wrapBursts(sendall: (b: Buffer) => Promise<void>, next: (n: number) => Buffer, seed: number): Promise<void> {
  const size = sizes(seed);
  for (let i = 0; ; i++) {
    const burst = next(i % 3 === 0 ? 1 + size(200) : 480 * 1024 + size(100 * 1024));
    if (burst.length === 0) return;
    await sendall(burst);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * An SSLSocket server on `p.server` and, as its client, an SSLObject over
 * `p.client` (a plain socket): its records reach the wire cut wherever the
 * test likes.
 */
async function sslObjectClient(p: Pair): Promise<{ server: ssl.SSLSocket; client: ssl.SSLObject; outgoing: ssl.MemoryBIO }> {
  const [clientContext, serverContext, hostname] = testingContext();
  const incoming = new ssl.MemoryBIO();
  const outgoing = new ssl.MemoryBIO();
  const client = clientContext.wrapBio(incoming, outgoing, { serverHostname: hostname });
  const handshake = async (): Promise<void> => {
    for (;;) {
      let done = false;
      try {
        client.doHandshake();
        done = true;
      } catch (e) {
        if (!(e instanceof ssl.SSLWantReadError)) throw e;
      }
      if (outgoing.pending > 0) await p.client.sendall(outgoing.read());
      if (done) return;
      const d = await p.client.recv(65536);
      if (d.length === 0) throw new Error('EOF in handshake');
      incoming.write(d);
    }
  };
  const [server] = (await Promise.all([serverContext.wrapSocket(p.server, { serverSide: true }), handshake()])) as [ssl.SSLSocket, void];
  return { server, client, outgoing };
}

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

test('plain recv() of a bulk stream: reads go into fresh buffers, handed out whole without a copy; small results are copies, never views of the ring (32 MiB)', async () => {
  const p = await connectedPair();
  try {
    const data = payload(32 * MiB, 9);
    let at = 0;
    const sent = wrapBursts((b) => p.client.sendall(b), (n) => data.subarray(at, (at += n)), 9);
    const t = transportOf(p.server);
    const ring = (t as unknown as { ring: ReceiveRing | null }).ring;
    assert.ok(ring !== null, 'the socket reads with onread');
    const received: Buffer[] = [];
    const peeks: [Buffer, number][] = [];
    let got = 0;
    let handedOut = 0;
    for (let i = 0; got < data.length; i++) {
      const n = SIZES[i % SIZES.length]!;
      if (i % 5 === 0) peeks.push([await p.server.recv(n, socket.MSG_PEEK), got]);
      const d = await p.server.recv(n);
      assert.ok(d.length > 0, 'early EOF');
      assert.ok(!ring.owns(d), `recv(${n}) at ${got} returned ring memory`);
      // A small result of a big block would keep all of it alive: those are copies.
      if (ring.isReadBuffer(d)) {
        assert.ok(d.length * 4 >= d.buffer.byteLength, `recv(${n}) at ${got}: ${d.length} bytes pin a read buffer of ${d.buffer.byteLength}`);
        handedOut++;
      }
      received.push(d);
      got += d.length;
      if (i % 7 === 0) await sleep(1);
    }
    await sent;
    // Every result kept until now is intact: no later read wrote over it.
    assert.equal(sha256(Buffer.concat(received)), sha256(data));
    for (const [peeked, off] of peeks) assert.ok(peeked.equals(data.subarray(off, off + peeked.length)), `peek at ${off} changed`);
    // The no-copy path was taken (a read's own buffer handed out as it was).
    assert.ok(handedOut > 0, 'no result was a fresh read buffer handed out whole');
    // The ring its first bulk read made is let go: a copying reader holds none (a borrowing one, the TLS
    // pump, brings it back: the SSLSocket tests here).
    assert.equal(ring.copiesOut, true);
    assert.equal(ring.ringBytes, 0, 'a plain recv() reader still holds a receive ring');
  } finally {
    p.close();
  }
});

test('SSLSocket: the pump copies what it borrows from the receive ring — a partial record survives the reads that reuse its bytes (64 MiB)', { skip: certdataSkip }, async () => {
  const p = await connectedPair();
  let server: ssl.SSLSocket | null = null;
  try {
    const tls = await sslObjectClient(p);
    server = tls.server;
    const { client, outgoing } = tls;
    const s = server;
    const data = payload(64 * MiB, 13);
    // Ciphertext sealed as the bursts need it (records of 16 KiB of plaintext), cut wherever a burst ends.
    let sealed = 0;
    const ciphertext = (n: number): Buffer => {
      for (; outgoing.pending < n && sealed < data.length; sealed += 256 * 1024) client.write(data.subarray(sealed, sealed + 256 * 1024));
      return outgoing.read(n);
    };
    const sent = wrapBursts((b) => p.client.sendall(b), ciphertext, 13);
    let got = 0;
    for (let i = 0; got < data.length; i++) {
      // Without the copy, the partial record's first bytes change under it: bad_record_mac here.
      const d = await s.recv(SIZES[i % SIZES.length]!);
      assert.ok(d.length > 0, 'early EOF');
      assert.ok(d.equals(data.subarray(got, got + d.length)), `recv at ${got}`);
      got += d.length;
    }
    await sent;
  } finally {
    server?.close();
    p.close();
  }
});

test('SSLSocket: the pump copies the later pieces of a record too — reads placed so that the ring wraps over a piece still waiting for the rest of its record', { skip: certdataSkip }, async () => {
  const p = await connectedPair();
  let server: ssl.SSLSocket | null = null;
  try {
    const tls = await sslObjectClient(p);
    server = tls.server;
    const s = server;
    // Tiny writes go out at once, not when Nagle's algorithm sees the last one acknowledged (40 ms later).
    p.client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    const data = payload(24 * MiB, 17);
    const records: Buffer[] = [];
    for (let at = 0; at < data.length; at += 16384) {
      tls.client.write(data.subarray(at, at + 16384));
      records.push(tls.outgoing.read());
    }
    const rec = records[0]!.length;
    assert.ok(records.every((r) => r.length === rec));
    const ciphertext = Buffer.concat(records);
    let sent = 0;
    // Each burst is left to arrive (as one read, mostly: the scenario needs it, the check below does not).
    const send = async (n: number): Promise<void> => {
      await p.client.sendall(ciphertext.subarray(sent, (sent += n)));
      await sleep(10);
    };
    let got = 0;
    const recvUntil = async (plain: number): Promise<void> => {
      while (got < plain) {
        const d = await s.recv(65536);
        assert.ok(d.length > 0, 'early EOF');
        assert.ok(d.equals(data.subarray(got, got + d.length)), `recv at ${got}`);
        got += d.length;
      }
    };
    // 1. 8 MiB of whole records, so that the receive window lets a read take nearly the whole ring (step 5).
    const warm = 512;
    await Promise.all([send(warm * rec), recvUntil(warm * 16384)]);
    // 2. No recv() pending: the second tiny read is joined to the first (a copy), so nothing of the
    //    ring is queued and, reads being small, the ring is let go.
    await send(3);
    await send(4);
    let failed: unknown = null;
    const rest = recvUntil(data.length);
    rest.catch((e: unknown) => void (failed = e));
    // 3. A read of 16-32 KiB lands in the shared buffer and makes a new ring; the next bytes fill it from
    //    its start to offset `end`, and end in the header and 100 body bytes of record k.
    const end = RING_SIZE - 20_288;
    const k = Math.ceil((sent + end + 16_384) / rec);
    await send(k * rec + 5 + 100 - end - sent);
    await send(k * rec + 5 + 100 - sent);
    while (got < k * 16384 && failed === null) await sleep(1);
    // 4. 8000 more bytes of record k (a piece the pump takes and the record waits with): they end within
    //    16 KiB of the ring's end, so the next read wraps to its start, where 50 more bytes of it land.
    await send(8000);
    await send(50);
    // 5. The rest in one burst: read from ring offset 50 on, over the pieces of steps 3 and 4 — which the
    //    pump must have copied, or record k fails its MAC.
    await Promise.all([send(ciphertext.length - sent), rest]);
  } finally {
    server?.close();
    p.close();
  }
});
