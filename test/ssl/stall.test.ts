/**
 * Stalling peers (issue 9): a peer that stops mid-handshake, or sends one
 * byte at a time, is bounded by the socket timeout the user set — the
 * handshake's timeout covers the whole handshake, as Python's deadline does
 * (`_ssl__SSLSocket_do_handshake_impl`), so a byte every 50 ms does not keep
 * it alive — and without a timeout it costs no more than the bytes it has
 * sent: they are held in a few chunks, not an object per byte, and nothing
 * grows per tick. Client and server roles, TLS 1.3 and 1.2, over loopback
 * against a raw TCP peer that replays real handshake bytes.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { CA } from '../../src/testing/index.js';

const ca = CA.create();
const leaf = ca.issueCert('localhost', '127.0.0.1');
type Version = 'TLSv1_3' | 'TLSv1_2';
const VERSIONS: Version[] = ['TLSv1_3', 'TLSv1_2'];
/** The user's timeout in these tests, seconds. */
const TIMEOUT = 0.4;
/** Forty 200-byte ALPN names make a ClientHello of about 8 KB in one record. */
const LARGE_ALPN = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(200, 'x'));

function serverContext(version: Version): ssl.SSLContext {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  leaf.configureCert(ctx);
  ctx.maximumVersion = ssl.TLSVersion[version];
  return ctx;
}

function clientContext(version: Version, large = false): ssl.SSLContext {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ca.configureTrust(ctx);
  ctx.maximumVersion = ssl.TLSVersion[version];
  if (large) ctx.setAlpnProtocols(LARGE_ALPN);
  return ctx;
}

/** A real ClientHello, from a sans-IO client. */
function clientHello(version: Version, large = false): Buffer {
  const out = new ssl.MemoryBIO();
  const obj = clientContext(version, large).wrapBio(new ssl.MemoryBIO(), out, { serverHostname: 'localhost' });
  assert.throws(() => obj.doHandshake(), ssl.SSLWantReadError);
  return out.read();
}

/** The first flight a real (sans-IO) server answers `hello` with. */
function serverFlight(version: Version, hello: Buffer): Buffer {
  const inc = new ssl.MemoryBIO();
  const out = new ssl.MemoryBIO();
  const obj = serverContext(version).wrapBio(inc, out, { serverSide: true });
  inc.write(hello);
  assert.throws(() => obj.doHandshake(), ssl.SSLWantReadError);
  return out.read();
}

/** A flight of records without its last record (the server's Finished in 1.3, ServerHelloDone in 1.2). */
function withoutLastRecord(flight: Buffer): Buffer {
  let at = 0;
  let lastStart = 0;
  while (at < flight.length) {
    lastStart = at;
    at += 5 + flight.readUInt16BE(at + 3);
  }
  return flight.subarray(0, lastStart);
}

/** What the raw TCP peer does with its bytes. */
type Behaviour = 'silent' | 'half' | 'dribble' | 'all-then-silent';

/** Sends `bytes` as the behaviour says; returns a stop function (clears the timer). */
function play(sock: net.Socket, bytes: Buffer, behaviour: Behaviour, intervalMs = 50): () => void {
  sock.setNoDelay(true);
  if (behaviour === 'half') sock.write(bytes.subarray(0, bytes.length >> 1));
  if (behaviour === 'all-then-silent') sock.write(bytes);
  if (behaviour !== 'dribble') return () => {};
  let i = 0;
  const timer = setInterval(() => {
    if (i < bytes.length && !sock.destroyed) sock.write(bytes.subarray(i, ++i));
  }, intervalMs);
  return () => clearInterval(timer);
}

const cleanups: (() => void)[] = [];
after(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Our SSLSocket server (handshake after accept, as a concurrent server does); a raw TCP client plays `behaviour` with a real ClientHello. */
async function stallServer(version: Version, behaviour: Behaviour, timeout: number | null, hello = clientHello(version), intervalMs = 50) {
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const ls = await serverContext(version).wrapSocket(listener, { serverSide: true, doHandshakeOnConnect: false });
  const port = (ls.getsockname() as [string, number])[1];
  const peer = net.connect(port, '127.0.0.1');
  peer.on('error', () => {});
  await new Promise((r) => peer.once('connect', r));
  const [conn] = await ls.accept();
  conn.settimeout(timeout);
  const stop = play(peer, hello, behaviour, intervalMs);
  const close = (): void => {
    stop();
    peer.destroy();
    conn.close();
    ls.close();
  };
  cleanups.push(close);
  return { conn, peer, close };
}

/** A raw TCP server that reads our ClientHello and plays `behaviour` with a real server's first flight; our SSLSocket client. */
async function stallClient(version: Version, behaviour: Behaviour, timeout: number | null, intervalMs = 50) {
  let stop = (): void => {};
  const peers: net.Socket[] = [];
  const server = net.createServer((peer) => {
    peers.push(peer);
    peer.on('error', () => {});
    let got = Buffer.alloc(0);
    peer.on('data', (d: Buffer) => {
      const first = got.length === 0;
      got = Buffer.concat([got, d]);
      if (!first) return;
      // A TLS 1.3 client needs nothing after the server's flight: "silent mid-handshake" leaves out its last record.
      setTimeout(() => {
        const flight = serverFlight(version, got);
        stop = play(peer, behaviour === 'all-then-silent' ? withoutLastRecord(flight) : flight, behaviour, intervalMs);
      }, 20);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const raw = await socket.createConnection(['127.0.0.1', (server.address() as net.AddressInfo).port]);
  raw.settimeout(timeout);
  const close = (): void => {
    stop();
    for (const p of peers) p.destroy();
    server.close();
    raw.close();
  };
  cleanups.push(close);
  const conn = await clientContext(version).wrapSocket(raw, { serverHostname: 'localhost', doHandshakeOnConnect: false });
  return { conn, handshake: conn.doHandshake(), close, peers };
}

function assertHandshakeTimeout(e: unknown): true {
  assert.ok(e instanceof ssl.TimeoutError, `expected TimeoutError, got ${String(e)}`);
  // Python: TimeoutError('_ssl.c:NNN: The handshake operation timed out'); the C position prefix is left out (sslsocket.ts).
  assert.equal((e as Error).message, 'The handshake operation timed out');
  return true;
}

/** The timeout fired after the user's timeout, and not much later (generous for a loaded machine), so not per byte. */
function assertBoundedBy(started: number): void {
  const elapsed = (performance.now() - started) / 1000;
  assert.ok(elapsed >= TIMEOUT - 0.05, `timed out after ${elapsed.toFixed(3)} s, before the ${TIMEOUT} s timeout`);
  assert.ok(elapsed < TIMEOUT + 4, `timed out after ${elapsed.toFixed(3)} s: the deadline must cover the whole handshake, not each byte`);
}

for (const version of VERSIONS) {
  for (const behaviour of ['silent', 'half', 'dribble', 'all-then-silent'] as const) {
    test(`${version} server: a client that is ${behaviour === 'dribble' ? 'sending its ClientHello 1 byte / 50 ms' : behaviour === 'half' ? 'silent after half a ClientHello' : behaviour === 'silent' ? 'silent after connecting' : 'silent after its ClientHello (mid-handshake)'} is cut off by settimeout(${TIMEOUT})`, async () => {
      const s = await stallServer(version, behaviour, TIMEOUT);
      try {
        const started = performance.now();
        await assert.rejects(s.conn.doHandshake(), assertHandshakeTimeout);
        assertBoundedBy(started);
      } finally {
        s.close();
      }
    });

    test(`${version} client: a server that is ${behaviour === 'dribble' ? 'sending its first flight 1 byte / 50 ms' : behaviour === 'half' ? 'silent after half its first flight' : behaviour === 'silent' ? 'never answering' : 'silent before the last record of its first flight'} is cut off by the socket timeout`, async () => {
      const c = await stallClient(version, behaviour, TIMEOUT);
      try {
        const started = performance.now();
        await assert.rejects(c.handshake, assertHandshakeTimeout);
        assertBoundedBy(started);
      } finally {
        c.close();
      }
    });
  }
}

test('sans-IO: an 8 KB ClientHello fed one byte at a time costs its bytes in a few chunks, and then handshakes', () => {
  for (const version of VERSIONS) {
    const hello = clientHello(version, true);
    assert.ok(hello.length > 8000, `ClientHello of ${hello.length} bytes`);
    const inc = new ssl.MemoryBIO();
    const out = new ssl.MemoryBIO();
    const obj = serverContext(version).wrapBio(inc, out, { serverSide: true });
    let most = 0;
    for (let i = 0; i < hello.length - 1; i++) {
      inc.write(hello.subarray(i, i + 1));
      assert.throws(() => obj.doHandshake(), ssl.SSLWantReadError);
      const b = obj._inboundBuffered;
      // Every byte received so far is held (it is one unfinished record), and no more.
      assert.equal(b.bytes, i + 1);
      most = Math.max(most, b.chunks);
      assert.equal(out.pending, 0);
    }
    // 4 KiB gathering buffers: about one chunk per 4 KiB, not one per byte.
    assert.ok(most <= Math.ceil(hello.length / 4096) + 2, `${most} chunks for ${hello.length} bytes`);
    inc.write(hello.subarray(hello.length - 1));
    assert.throws(() => obj.doHandshake(), ssl.SSLWantReadError);
    assert.ok(out.pending > 0, 'the server answers once the last byte arrives');
    assert.deepEqual(obj._inboundBuffered, { bytes: 0, chunks: 0 });
  }
});

test('tls engine: a 100 KiB handshake message split into 1-byte records is reassembled in linear time', () => {
  const ctx = serverContext('TLSv1_3');
  const run = (kib: number): number => {
    const inc = new ssl.MemoryBIO();
    const obj = ctx.wrapBio(inc, new ssl.MemoryBIO(), { serverSide: true });
    const n = kib * 1024 - 4;
    const msg = Buffer.alloc(n + 4);
    msg[0] = 1; // client_hello, of n zero bytes: reassembled, then refused as malformed
    msg.writeUIntBE(n, 1, 3);
    const records = Buffer.alloc(msg.length * 6);
    for (let i = 0; i < msg.length; i++) records.set([22, 3, 1, 0, 1, msg[i]!], i * 6);
    inc.write(records);
    const started = performance.now();
    assert.throws(() => obj.doHandshake(), ssl.SSLError);
    return performance.now() - started;
  };
  run(10); // warm up
  const small = run(12.5);
  const large = run(100);
  // Quadratic reassembly (copying the whole message per record) made 8× the input cost 64× the time.
  assert.ok(large < small * 24 + 200, `12.5 KiB: ${small.toFixed(0)} ms, 100 KiB: ${large.toFixed(0)} ms`);
});

for (const version of VERSIONS) {
  test(`${version} server without a timeout: a client dribbling a large ClientHello costs only the bytes it sent, until it leaves`, async () => {
    const hello = clientHello(version, true);
    const s = await stallServer(version, 'dribble', null, hello, 2);
    try {
      let outcome = 'pending' as unknown;
      const hs = s.conn.doHandshake().then(
        () => (outcome = null),
        (e: unknown) => (outcome = e),
      );
      const samples: { bytes: number; chunks: number; written: number }[] = [];
      for (let t = 0; t < 10; t++) {
        await new Promise((r) => setTimeout(r, 60));
        samples.push({ ...s.conn._sslobj!._inboundBuffered, written: s.peer.bytesWritten });
      }
      assert.equal(outcome as unknown, 'pending');
      const last = samples[samples.length - 1]!;
      assert.ok(last.bytes > 20, `the peer got some bytes through: ${JSON.stringify(samples)}`);
      for (const x of samples) {
        assert.ok(x.bytes <= x.written, `holds ${x.bytes} bytes of the ${x.written} sent`);
        assert.ok(x.chunks <= 2, `${x.chunks} chunks for ${x.bytes} bytes`);
      }
      // The peer leaves: the handshake ends (EOF) and nothing is left behind.
      s.peer.destroy();
      await hs;
      assert.ok(outcome instanceof ssl.SSLEOFError || outcome instanceof ssl.ConnectionResetError, `ended with ${String(outcome)}`);
    } finally {
      s.close();
    }
  });

  test(`${version} client without a timeout: a server dribbling its flight costs only the bytes it sent, until it leaves`, async () => {
    const c = await stallClient(version, 'dribble', null, 2);
    try {
      let outcome = 'pending' as unknown;
      const hs = c.handshake.then(
        () => (outcome = null),
        (e: unknown) => (outcome = e),
      );
      const samples: { bytes: number; chunks: number; written: number }[] = [];
      for (let t = 0; t < 8; t++) {
        await new Promise((r) => setTimeout(r, 60));
        if (c.peers.length > 0) samples.push({ ...c.conn._sslobj!._inboundBuffered, written: c.peers[0]!.bytesWritten });
      }
      assert.equal(outcome as unknown, 'pending');
      assert.ok(Math.max(...samples.map((x) => x.written)) > 20, `the peer got some bytes through: ${JSON.stringify(samples)}`);
      for (const x of samples) {
        // The server's flight is several records: what is held is the unfinished one.
        assert.ok(x.bytes <= x.written, `holds ${x.bytes} bytes of the ${x.written} sent`);
        assert.ok(x.chunks <= 2, `${x.chunks} chunks for ${x.bytes} bytes`);
      }
      c.peers[0]!.destroy();
      await hs;
      assert.ok(outcome instanceof ssl.SSLEOFError || outcome instanceof ssl.ConnectionResetError, `ended with ${String(outcome)}`);
    } finally {
      c.close();
    }
  });
}

test('a socket nobody reads while its peer sends a byte at a time queues the bytes in a few chunks, in order', async () => {
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const port = (listener.getsockname() as [string, number])[1];
  const peer = net.connect(port, '127.0.0.1');
  peer.on('error', () => {});
  const [conn] = await listener.accept();
  const sent = Buffer.from(Array.from({ length: 1500 }, (_, i) => i & 0xff));
  const stop = play(peer, sent, 'dribble', 0);
  try {
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (peer.bytesWritten >= sent.length || peer.destroyed) {
          clearInterval(t);
          resolve();
        }
      }, 20);
    });
    await new Promise((r) => setTimeout(r, 100));
    const transport = (conn as unknown as { _transport(): { rxChunks: number; rxLength: number } })._transport();
    assert.equal(transport.rxLength, sent.length);
    // Joined up to 512 bytes a chunk: a handful, not one per byte.
    assert.ok(transport.rxChunks <= Math.ceil(sent.length / 512) + 1, `${transport.rxChunks} chunks for ${sent.length} bytes`);
    const got: Buffer[] = [];
    let n = 0;
    while (n < sent.length) {
      const d = await conn.recv(700);
      got.push(d);
      n += d.length;
    }
    assert.deepEqual(Buffer.concat(got), sent);
  } finally {
    stop();
    peer.destroy();
    conn.close();
    listener.close();
  }
});
