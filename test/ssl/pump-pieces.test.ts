/**
 * The SSLSocket pump's input side (src/ssl/pump.ts) with ciphertext that
 * arrives in arbitrary TCP pieces: a header split, a body split once or
 * many times, several records in one segment; the engine opens records
 * from views of what was fed, so anything kept too long would show up here
 * as corrupt data. The peer is an SSLObject over a raw socket, so we choose
 * the cuts (and its incoming BIO reuses its memory for every flight).
 * Also: the arena the sender's pump recycles never changes bytes still on
 * their way (both directions at once, many batches).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { payload, recvExactly, sha256 } from '../helpers/data.js';
import { CA } from '../../src/testing/index.js';

function contexts(): { cctx: ssl.SSLContext; sctx: ssl.SSLContext } {
  const ca = CA.create({ keyType: 'ecdsa-p256' });
  const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ca.issueCert('localhost').configureCert(sctx);
  sctx.numTickets = 0;
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ca.configureTrust(cctx);
  return { cctx, sctx };
}

/** A server SSLSocket and a client SSLObject driving a plain socket by hand. */
async function scriptedPair() {
  const { cctx, sctx } = contexts();
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const raw = await socket.createConnection(listener.getsockname() as [string, number]);
  raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
  const [conn] = await listener.accept();
  listener.close();
  const incoming = new ssl.MemoryBIO();
  const outgoing = new ssl.MemoryBIO();
  const obj = cctx.wrapBio(incoming, outgoing, { serverHostname: 'localhost' });
  const serverDone = sctx.wrapSocket(conn, { serverSide: true }) as Promise<ssl.SSLSocket>;
  for (;;) {
    try {
      obj.doHandshake();
      break;
    } catch (e) {
      if (!(e instanceof ssl.SSLWantReadError)) throw e;
    }
    if (outgoing.pending > 0) await raw.sendall(outgoing.read());
    const d = await raw.recv(65536);
    assert.ok(d.length > 0, 'EOF during the handshake');
    incoming.write(d);
  }
  if (outgoing.pending > 0) await raw.sendall(outgoing.read());
  const server = await serverDone;
  return { obj, outgoing, raw, server, close: () => (server.close(), raw.close()) };
}

const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 2));

test('records cut anywhere by TCP (header split, body in one or many pieces, several per segment) are read intact', async () => {
  const p = await scriptedPair();
  try {
    const sizes = [16384, 16384, 1, 5000, 16384, 300, 16384, 16384, 7];
    const sent: Buffer[] = [];
    const wire: Buffer[] = [];
    for (const [i, n] of sizes.entries()) {
      const data = payload(n, i + 1);
      sent.push(data);
      p.obj.write(data);
      wire.push(p.outgoing.read());
    }
    const all = Buffer.concat(wire);
    // Cuts: inside the first header, 3 bytes into a body, many small pieces, then big spans across records.
    const cuts = [2, 8, 100, 101, 2000, 9000, 16400, 16420, 20000, 33000, 33010, 50000, all.length];
    const receiving = recvExactly(p.server, sent.reduce((a, b) => a + b.length, 0));
    let at = 0;
    for (const cut of cuts) {
      await p.raw.sendall(all.subarray(at, cut));
      at = cut;
      await pause();
    }
    assert.equal(sha256(await receiving), sha256(Buffer.concat(sent)));
  } finally {
    p.close();
  }
});

test('a body dribbled one byte per segment, with whole records around it, opens and the next records too', async () => {
  const p = await scriptedPair();
  try {
    const a = payload(16384, 11);
    const b = payload(600, 12);
    const c = payload(16384, 13);
    const wire: Buffer[] = [];
    for (const d of [a, b, c]) {
      p.obj.write(d);
      wire.push(p.outgoing.read());
    }
    const receiving = recvExactly(p.server, a.length + b.length + c.length);
    await p.raw.sendall(wire[0]!);
    for (let i = 0; i < wire[1]!.length; i += 37) {
      await p.raw.sendall(wire[1]!.subarray(i, i + 37));
      await pause();
    }
    await p.raw.sendall(wire[2]!);
    assert.equal(sha256(await receiving), sha256(Buffer.concat([a, b, c])));
  } finally {
    p.close();
  }
});

test('recycled output arenas: two SSLSocket pairs sending both ways at once deliver every byte unchanged', async () => {
  const { cctx, sctx } = contexts();
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const wrapped = (await sctx.wrapSocket(listener, { serverSide: true })) as ssl.SSLSocket;
  const port = (wrapped.getsockname() as [string, number])[1];
  const pairs: ssl.SSLSocket[][] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const [client, [server]] = await Promise.all([
        (async () => (await cctx.wrapSocket(await socket.createConnection(['127.0.0.1', port]), { serverHostname: 'localhost' })) as ssl.SSLSocket)(),
        wrapped.accept(),
      ]);
      pairs.push([client, server as ssl.SSLSocket]);
    }
    const jobs: Promise<void>[] = [];
    for (const [i, [client, server]] of pairs.entries()) {
      for (const [from, to, seed] of [
        [client!, server!, 10 * i + 1],
        [server!, client!, 10 * i + 2],
      ] as const) {
        const data = payload(3 * 1024 * 1024 + 123, seed);
        jobs.push(
          (async () => {
            const got = recvExactly(to, data.length);
            // Many socket writes of varied size, so arenas are taken, recycled and reused across connections.
            for (let at = 0, k = 0; at < data.length; k++) {
              const n = [65536, 1000, 200_000, 16384, 70_000][k % 5]!;
              await from.sendall(data.subarray(at, at + n));
              at += n;
            }
            assert.equal(sha256(await got), sha256(data));
          })(),
        );
      }
    }
    await Promise.all(jobs);
  } finally {
    for (const pair of pairs) for (const s of pair) s.close();
    wrapped.close();
  }
});
