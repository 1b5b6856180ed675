/**
 * select.select() over sslsock sockets: Python's semantics and error texts
 * (observed with python3 3.11 on Linux), readiness from the sockets' own
 * events, nothing left subscribed once it returns, and an idle wait over a
 * thousand sockets that costs no CPU.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { select } from '../../src/select/index.js';
import type { Transport } from '../../src/socket/transport.js';
import { connectedPair } from '../socket/helpers.js';
import { certdataSkip, testingContext, tlsPair } from '../ssl/echo-server-fixtures.js';

/** Waiters and subscribers on a socket's readiness conditions (0 when nothing watches it). */
function watchers(s: socket.socket): number {
  const t = (s as unknown as { _t: Transport })._t;
  return t.readable.waiting + t.writable.waiting;
}

/** node listeners on the stream under a socket, to check select adds none. */
function nodeListeners(s: socket.socket): number {
  const t = (s as unknown as { _t: Transport })._t;
  const stream = t.stream ?? t.server;
  if (stream === null) return 0;
  return stream.eventNames().reduce((n, e) => n + stream.listenerCount(e), 0);
}

test('Python errors: closed socket, bad descriptor, negative / wrong timeouts, non-sequences, objects without fileno()', async () => {
  const closed = new socket.socket();
  closed.close();
  await assert.rejects(select([closed], [], [], 0), (e: unknown) => {
    assert.ok(e instanceof socket.ValueError);
    assert.equal(e.message, 'file descriptor cannot be a negative integer (-1)');
    return true;
  });
  await assert.rejects(select([], [closed], [], 0), socket.ValueError);
  await assert.rejects(select([], [], [closed], 0), socket.ValueError);
  await assert.rejects(select([-3], [], [], 0), { name: 'ValueError', message: 'file descriptor cannot be a negative integer (-3)' });
  // A descriptor nothing has open: EBADF, as Linux's select() says.
  await assert.rejects(select([4000], [], [], 0), (e: unknown) => {
    assert.ok(e instanceof socket.OSError);
    assert.equal(e.errno, 9);
    assert.equal(e.message, '[Errno 9] Bad file descriptor');
    return true;
  });
  await assert.rejects(select([], [], [], -1), { name: 'ValueError', message: 'timeout must be non-negative' });
  await assert.rejects(select([], [], [], 'x' as unknown as number), { name: 'TypeError', message: 'timeout must be a float or None' });
  await assert.rejects(select([], [], [], NaN), { name: 'ValueError', message: 'Invalid value NaN (not a number)' });
  await assert.rejects(select([], [], [], Infinity), { name: 'OverflowError', message: 'timestamp out of range for platform time_t' });
  await assert.rejects(select(5 as unknown as [], [], [], 0), { name: 'TypeError', message: 'arguments 1-3 must be sequences' });
  await assert.rejects(select([{}], [], [], 0), { name: 'TypeError', message: 'argument must be an int, or have a fileno() method.' });
  await assert.rejects(select([{ fileno: () => 'x' }], [], [], 0), { name: 'TypeError', message: 'fileno() returned a non-integer' });
});

test('a descriptor that is open but no sslsock socket raises NotImplementedError (Node cannot watch it)', async () => {
  const fd = openSync('/dev/null', 'r');
  try {
    await assert.rejects(select([fd], [], [], 0), (e: unknown) => e instanceof socket.NotImplementedError && /not an sslsock socket/.test(e.message));
  } finally {
    closeSync(fd);
  }
});

test('an empty select with a timeout sleeps for it; timeout 0 only looks', async () => {
  let t0 = performance.now();
  assert.deepEqual(await select([], [], [], 0.2), [[], [], []]);
  const slept = performance.now() - t0;
  assert.ok(slept >= 195 && slept < 1000, `slept ${slept} ms`);
  const p = await connectedPair();
  try {
    t0 = performance.now();
    assert.deepEqual(await select([p.client], [], [], 0), [[], [], []]);
    assert.ok(performance.now() - t0 < 500, "a poll does not wait");
  } finally {
    p.close();
  }
});

test('readable when data, EOF or a connection arrives; writable when connected; same objects, in order', async () => {
  const p = await connectedPair();
  try {
    // A connected socket with room to send is writable at once; nothing to read yet.
    assert.deepEqual(await select([p.client, p.server], [p.server, p.client], [p.client], 0), [[], [p.server, p.client], []]);
    // select waits, and wakes when the peer's bytes arrive (not by polling: see the idle test below).
    const waiting = select([p.client, p.server], [], [], 5);
    setTimeout(() => void p.server.sendall(Buffer.from('ping')), 50);
    const t0 = performance.now();
    assert.deepEqual(await waiting, [[p.client], [], []]);
    assert.ok(performance.now() - t0 < 2000);
    assert.deepEqual(await p.client.recv(10), Buffer.from('ping'));
    assert.deepEqual(await select([p.client], [], [], 0), [[], [], []]);
    // EOF is readable (recv() would return b'' at once).
    p.server.shutdown(socket.SHUT_WR);
    assert.deepEqual(await select([p.client], [], [], 5), [[p.client], [], []]);
    // A listener is readable when accept() would not wait.
    assert.deepEqual(await select([p.listener], [], [], 0), [[], [], []]);
    const c = new socket.socket();
    const connecting = c.connect(p.listener.getsockname());
    assert.deepEqual(await select([p.listener], [], [], 5), [[p.listener], [], []]);
    await connecting;
    const [conn] = await p.listener.accept();
    conn.close();
    c.close();
    // Nothing stays subscribed once select has returned.
    for (const s of [p.client, p.server, p.listener]) assert.equal(watchers(s), 0);
  } finally {
    p.close();
  }
});

test('descriptors and fileno() objects are resolved to the sockets behind them; duplicates are reported twice', async () => {
  const p = await connectedPair();
  try {
    await p.server.sendall(Buffer.from('x'));
    const fd = p.client.fileno();
    assert.ok(fd >= 0);
    const wrapper = { fileno: () => fd };
    assert.deepEqual(await select([fd, wrapper, p.client, p.server, p.client], [], [], 5), [[fd, wrapper, p.client, p.client], [], []]);
    const f = p.client.makefile('rb');
    assert.deepEqual(await select([f], [], [], 5), [[f], [], []]);
    f.close();
  } finally {
    p.close();
  }
});

test('a non-blocking connect: select([], [s], []) reports it writable once connected (the socket has no descriptor before)', async () => {
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const s = new socket.socket();
  try {
    s.setblocking(false);
    assert.equal(await s.connectEx(listener.getsockname()), 115 /* EINPROGRESS */);
    assert.deepEqual(await select([], [s], [], 5), [[], [s], []]);
    assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), 0);
    assert.deepEqual(s.getpeername(), listener.getsockname());
  } finally {
    s.close();
    listener.close();
  }
});

test('1,000 idle sockets: select costs no CPU while it waits, returns at its timeout, and leaves nothing subscribed', async (t) => {
  const listener = await socket.createServer(['127.0.0.1', 0], { backlog: 1024 });
  const socks: socket.socket[] = [];
  try {
    for (let i = 0; i < 500; i++) {
      const c = new socket.socket();
      const [, [conn]] = await Promise.all([c.connect(listener.getsockname()), listener.accept()]);
      socks.push(c, conn);
    }
    const before = socks.map(nodeListeners);
    // One short wait first, so that compiling select's code is not counted as waiting.
    assert.deepEqual(await select(socks, [], socks, 0.01), [[], [], []]);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await select(socks, [], socks, 1.0);
    const elapsed = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    t.diagnostic(`1,000 idle sockets: select returned after ${elapsed.toFixed(0)} ms using ${cpuMs.toFixed(1)} ms of CPU`);
    assert.deepEqual(result, [[], [], []]);
    assert.ok(elapsed >= 995 && elapsed < 1500, `returned after ${elapsed.toFixed(0)} ms, not at its 1 s timeout`);
    // Subscribing 1,000 sockets and unsubscribing them takes a few ms; polling would burn the whole second.
    assert.ok(cpuMs < 50, `select over 1,000 idle sockets used ${cpuMs.toFixed(1)} ms of CPU in ${elapsed.toFixed(0)} ms`);
    assert.equal(socks.reduce((n, s) => n + watchers(s), 0), 0);
    assert.deepEqual(socks.map(nodeListeners), before);
    // One of them speaks: only that one is reported, quickly.
    const waiting = select(socks, [], [], 5);
    await socks[0]!.sendall(Buffer.from('hi'));
    assert.deepEqual(await waiting, [[socks[1]], [], []]);
    assert.equal(socks.reduce((n, s) => n + watchers(s), 0), 0);
  } finally {
    for (const s of socks) s.close();
    listener.close();
  }
});

test('better than Python: an SSLSocket holding decrypted bytes (pending() > 0) is readable though its socket is not', { skip: certdataSkip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  // No NewSessionTickets: records that carry no application data would make the
  // socket readable before the data this test sends (a recv() would then want more).
  serverContext.numTickets = 0;
  const p = await tlsPair(clientContext, serverContext, { serverHostname: hostname });
  try {
    p.client.setblocking(false);
    assert.deepEqual(await select([p.client], [], [], 0), [[], [], []]);
    await p.server.sendall(Buffer.from('0123456789'));
    assert.deepEqual(await select([p.client], [], [], 5), [[p.client], [], []]);
    assert.deepEqual(await p.client.recv(3), Buffer.from('012'));
    assert.equal(p.client.pending(), 7);
    // Python's select would say "not readable" here (the descriptor has nothing): its docs' trap.
    assert.deepEqual(await select([p.client], [], [], 0), [[p.client], [], []]);
    assert.equal(await p.client.waitReadable(0), true);
    assert.deepEqual(await p.client.recv(100), Buffer.from('3456789'));
    assert.deepEqual(await select([p.client], [], [], 0), [[], [], []]);
    await assert.rejects(p.client.recv(), ssl.SSLWantReadError);
  } finally {
    p.close();
  }
});

test('a descriptor number read before wrapSocket() names the SSLSocket afterwards, and the plain socket again after unwrap()', { skip: certdataSkip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  serverContext.numTickets = 0;
  const listener = await socket.createServer(['127.0.0.1', 0]);
  const raw = await socket.createConnection(listener.getsockname() as [string, number]);
  const [conn] = await listener.accept();
  listener.close();
  const fd = raw.fileno();
  assert.ok(fd >= 0);
  const serverSide = serverContext.wrapSocket(conn, { serverSide: true });
  const client = await clientContext.wrapSocket(raw, { serverHostname: hostname });
  const server = await serverSide;
  try {
    assert.equal(raw.fileno(), -1, 'the wrapped socket gave its descriptor away');
    await server.sendall(Buffer.from('x'));
    assert.deepEqual(await select([fd], [], [], 5), [[fd], [], []]);
    assert.deepEqual(await client.recv(1), Buffer.from('x'));
    // The number also names the SSLSocket for readiness: nothing left to read now.
    assert.deepEqual(await select([fd], [], [], 0), [[], [], []]);
    const [plain, plainServer] = await Promise.all([client.unwrap(), server.unwrap()]);
    await plainServer.sendall(Buffer.from('y'));
    assert.deepEqual(await select([fd], [], [], 5), [[fd], [], []]);
    assert.deepEqual(await plain.recv(1), Buffer.from('y'));
  } finally {
    client.close();
    server.close();
  }
});

test('a number given up by detach() and adopted with socket(fileno=…) names the new socket object', async () => {
  const p = await connectedPair();
  try {
    const fd = p.client.detach();
    const again = new socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fd);
    try {
      await p.server.sendall(Buffer.from('z'));
      assert.deepEqual(await select([fd], [], [], 5), [[fd], [], []]);
      assert.deepEqual(await again.recv(1), Buffer.from('z'));
    } finally {
      again.close();
    }
  } finally {
    p.close();
  }
});
