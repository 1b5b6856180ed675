/**
 * Python's ssl docs, "Notes on non-blocking sockets", ported verbatim (with
 * await) over our select() and selectors, against Python's ssl as the peer:
 *
 * - the non-blocking handshake loop (`do_handshake()` + `SSLWantReadError`
 *   → `select([sock], [], [])`);
 * - "call recv() to drain any potentially available data, and then only
 *   block on a select() call if still necessary": a read loop over recv()
 *   and pending(); and a select-before-every-recv loop that never looks at
 *   pending(), which stalls in Python once the last record sits decrypted
 *   — with our select it cannot (a deliberate difference: an SSLSocket with
 *   pending() > 0 is readable);
 * - "(of course, similar provisions apply when using ... the selectors
 *   module)": the selectors docs' echo server, made TLS and non-blocking,
 *   multiplexing 50 clients (25 from a python3 process, 25 of ours) on one
 *   DefaultSelector, every byte checked by SHA-256.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { select } from '../../src/select/index.js';
import * as selectors from '../../src/select/selectors.js';
import { runPython } from '../socket/helpers.js';
import { SIGNED_CERTFILE, SIGNING_CA, certdataSkip, testingContext } from '../ssl/echo-server-fixtures.js';
import { havePeer } from '../helpers/peer-check.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PEER = readFileSync(join(HERE, '..', '..', '..', 'test', 'helpers', 'python', 'select_peer.py'), 'utf8');
const HAVE_PYTHON = havePeer('python3', ['-c', 'import ssl']);
const pythonSkip = certdataSkip || (HAVE_PYTHON ? false : 'python3 (with ssl) not installed');
if (process.env.CI && pythonSkip) throw new Error(`CI: ${pythonSkip}`);

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A Python ssl server that sends `size` random bytes; resolves its port and, at its exit, their SHA-256. */
async function pythonSender(size: number): Promise<{ port: number; sentSha: () => Promise<string>; kill(): void }> {
  const peer = runPython(PEER, [JSON.stringify({ mode: 'sender', certfile: SIGNED_CERTFILE, size })]);
  const m = /^PORT (\d+)$/.exec(await peer.firstLine);
  if (m === null) throw new Error('select_peer.py did not print its port');
  return {
    port: Number(m[1]),
    async sentSha() {
      const { stdout, stderr } = await peer.exit;
      const sent = /^SENT ([0-9a-f]{64})$/m.exec(stdout);
      if (sent === null) throw new Error(`select_peer.py: ${stdout} ${stderr}`);
      return sent[1]!;
    },
    kill: peer.kill,
  };
}

/** A non-blocking SSLSocket to `port`, not yet handshaken (do_handshake_on_connect=False). */
async function nonBlockingClient(port: number): Promise<ssl.SSLSocket> {
  const [clientContext] = testingContext();
  const raw = await socket.createConnection(['127.0.0.1', port]);
  raw.setblocking(false);
  return (await clientContext.wrapSocket(raw, { serverHostname: 'localhost', doHandshakeOnConnect: false })) as ssl.SSLSocket;
}

/** The docs' handshake loop, verbatim. Returns how many times it had to wait. */
async function handshake(sock: ssl.SSLSocket): Promise<number> {
  let waits = 0;
  while (true) {
    try {
      await sock.doHandshake();
      break;
    } catch (e) {
      if (e instanceof ssl.SSLWantReadError) {
        waits++;
        await select([sock], [], []);
      } else if (e instanceof ssl.SSLWantWriteError) {
        waits++;
        await select([], [sock], []);
      } else throw e;
    }
  }
  return waits;
}

test('the non-blocking handshake loop: doHandshake() until done, select() on SSLWantReadError / SSLWantWriteError', { skip: pythonSkip }, async () => {
  const server = await pythonSender(1);
  const sock = await nonBlockingClient(server.port);
  try {
    const waits = await handshake(sock);
    assert.ok(waits >= 1, 'a non-blocking handshake with a remote peer must have waited for it at least once');
    assert.equal(sock.version(), 'TLSv1.3');
    assert.ok(sock.getpeercert());
    // The server's byte, read before closing (else its sendall() may meet our EOF).
    const { data } = await readLoop(sock, 1);
    sock.close();
    assert.equal(sha256(data), await server.sentSha());
  } finally {
    sock.close();
    server.kill();
  }
});

/**
 * Reads `n` bytes the way the notes say: recv() until it would block,
 * draining pending() (decrypted bytes Python's select cannot see), and only
 * then select().
 */
async function readLoop(sock: ssl.SSLSocket, n: number): Promise<{ data: Buffer; selects: number; drained: number }> {
  const parts: Buffer[] = [];
  let got = 0;
  let selects = 0;
  let drained = 0;
  while (got < n) {
    try {
      const data = await sock.recv(1000);
      if (data.length === 0) break;
      parts.push(data);
      got += data.length;
      while (sock.pending() > 0) {
        const more = await sock.recv(sock.pending());
        drained += more.length;
        parts.push(more);
        got += more.length;
      }
    } catch (e) {
      if (!(e instanceof ssl.SSLWantReadError)) throw e;
      selects++;
      await select([sock], [], []);
    }
  }
  return { data: Buffer.concat(parts), selects, drained };
}

/**
 * The loop the notes warn about: select() before every recv(), never
 * looking at pending(). In Python it stalls once the last record sits
 * decrypted in the TLS layer (the descriptor has nothing more to say); here
 * select() reports that SSLSocket readable. Counts the selects made while
 * only pending() had data.
 */
async function selectThenRecv(sock: ssl.SSLSocket, n: number): Promise<{ data: Buffer; onPendingOnly: number }> {
  const parts: Buffer[] = [];
  let got = 0;
  let onPendingOnly = 0;
  while (got < n) {
    if (sock.pending() > 0) onPendingOnly++;
    // Without a timeout: a loop that stalls fails the test by its timeout instead of passing.
    await select([sock], [], []);
    let data: Buffer;
    try {
      data = await sock.recv(1000);
    } catch (e) {
      if (e instanceof ssl.SSLWantReadError) continue; // select saw part of a record
      throw e;
    }
    if (data.length === 0) break;
    parts.push(data);
    got += data.length;
  }
  return { data: Buffer.concat(parts), onPendingOnly };
}

test('a read loop over recv() + pending(): drain what the TLS layer holds, then select() (1 MiB, SHA-256)', { skip: pythonSkip, timeout: 60_000 }, async () => {
  const size = 1 << 20;
  const server = await pythonSender(size);
  const sock = await nonBlockingClient(server.port);
  try {
    await handshake(sock);
    // recv(1000) out of 16 KiB records: most records leave bytes in pending() while the socket has none.
    const { data, selects, drained } = await readLoop(sock, size);
    assert.equal(data.length, size);
    assert.ok(selects >= 1, 'the loop must have waited for the network at least once');
    assert.ok(drained > 0, 'pending() must have held decrypted bytes after a short recv()');
    sock.close();
    assert.equal(sha256(data), await server.sentSha());
  } finally {
    sock.close();
    server.kill();
  }
});

test('better than Python: select() before every recv(), never draining pending(), cannot stall (1 MiB, SHA-256)', { skip: pythonSkip, timeout: 60_000 }, async () => {
  const size = 1 << 20;
  const server = await pythonSender(size);
  const sock = await nonBlockingClient(server.port);
  try {
    await handshake(sock);
    const { data, onPendingOnly } = await selectThenRecv(sock, size);
    assert.equal(data.length, size);
    // Python's select would have waited on the descriptor each time (after the last record: forever).
    assert.ok(onPendingOnly > 0, 'some selects must have been answered by pending() alone');
    sock.close();
    assert.equal(sha256(data), await server.sentSha());
  } finally {
    sock.close();
    server.kill();
  }
});

type Callback = (conn: socket.socket, mask: number) => Promise<void>;

/**
 * The selectors docs' echo server ("sel = selectors.DefaultSelector() …
 * accept / read callbacks … while True: events = sel.select()"), with TLS:
 * accepted connections are wrapped non-blocking with
 * doHandshakeOnConnect=false, the handshake is driven from the selector,
 * recv() drains until SSLWantReadError, and what cannot be sent at once
 * waits for EVENT_WRITE. Serves until `clients` connections have closed.
 */
async function echoServer(serverContext: ssl.SSLContext, clients: number): Promise<{ port: number; done: Promise<{ served: number; bytes: number }> }> {
  const sel = new selectors.DefaultSelector<Callback>();
  const sock = await socket.createServer(['127.0.0.1', 0], { backlog: 128 });
  sock.setblocking(false);
  const outbox = new Map<socket.socket, Buffer[]>();
  let served = 0;
  let bytes = 0;

  const accept: Callback = async (listener) => {
    const [conn] = await listener.accept(); // Should be ready
    conn.setblocking(false);
    const tls = await serverContext.wrapSocket(conn, { serverSide: true, doHandshakeOnConnect: false });
    sel.register(tls, selectors.EVENT_READ, handshake);
  };

  const handshake: Callback = async (conn) => {
    const tls = conn as ssl.SSLSocket;
    try {
      await tls.doHandshake();
    } catch (e) {
      if (e instanceof ssl.SSLWantReadError) return void sel.modify(tls, selectors.EVENT_READ, handshake);
      if (e instanceof ssl.SSLWantWriteError) return void sel.modify(tls, selectors.EVENT_WRITE, handshake);
      throw e;
    }
    outbox.set(tls, []);
    sel.modify(tls, selectors.EVENT_READ, read);
  };

  const read: Callback = async (conn, mask) => {
    const out = outbox.get(conn)!;
    if (mask & selectors.EVENT_READ) {
      for (;;) {
        let data: Buffer;
        try {
          data = await conn.recv(16384); // Should be ready
        } catch (e) {
          if (e instanceof ssl.SSLWantReadError) break;
          throw e;
        }
        if (data.length === 0) {
          sel.unregister(conn);
          outbox.delete(conn);
          conn.close();
          served++;
          return;
        }
        bytes += data.length;
        out.push(data);
      }
    }
    while (out.length > 0) {
      try {
        const n = await conn.send(out[0]!);
        if (n === out[0]!.length) out.shift();
        else out[0] = out[0]!.subarray(n);
      } catch (e) {
        if (e instanceof ssl.SSLWantWriteError) break;
        throw e;
      }
    }
    sel.modify(conn, out.length > 0 ? selectors.EVENT_READ | selectors.EVENT_WRITE : selectors.EVENT_READ, read);
  };

  sel.register(sock, selectors.EVENT_READ, accept);
  const done = (async () => {
    try {
      while (served < clients) {
        const events = await sel.select();
        for (const [key, mask] of events) {
          const callback = key.data;
          await callback(key.fileobj as socket.socket, mask);
        }
      }
      return { served, bytes };
    } finally {
      for (const fd of [...(sel.getMap() ?? [])]) {
        const key = sel.getMap()!.get(fd);
        (key.fileobj as socket.socket).close();
      }
      sel.close();
    }
  })();
  return { port: sock.getsockname()[1] as number, done };
}

/** One of our clients, blocking style: send `size` random bytes, read the echo back. */
async function ourClient(port: number, size: number): Promise<{ sent: string; got: string; n: number }> {
  const [clientContext] = testingContext();
  const data = randomBytes(size);
  const s = await clientContext.wrapSocket(await socket.createConnection(['127.0.0.1', port]), { serverHostname: 'localhost' });
  try {
    const [, echoed] = await Promise.all([
      s.sendall(data),
      (async () => {
        const parts: Buffer[] = [];
        let n = 0;
        while (n < size) {
          const d = await s.recv(65536);
          if (d.length === 0) break;
          parts.push(d);
          n += d.length;
        }
        return Buffer.concat(parts);
      })(),
    ]);
    return { sent: sha256(data), got: sha256(echoed), n: echoed.length };
  } finally {
    s.close();
  }
}

test('a single-threaded echo server on DefaultSelector serves 50 TLS clients at once (25 Python ssl, 25 sslsock), SHA-256 both ways', { skip: pythonSkip, timeout: 180_000 }, async (t) => {
  const [, serverContext] = testingContext();
  const size = 64 * 1024;
  const perSide = 25;
  const t0 = performance.now();
  const server = await echoServer(serverContext, 2 * perSide);
  const python = runPython(PEER, [JSON.stringify({ mode: 'clients', port: server.port, cafile: SIGNING_CA, count: perSide, size })]);
  try {
    const ours = await Promise.all(Array.from({ length: perSide }, () => ourClient(server.port, size)));
    const { code, stdout, stderr } = await python.exit;
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.pop(), 'DONE');
    const theirs = lines.map((l) => JSON.parse(l) as { sent?: string; got?: string; n: number; error?: string });
    assert.equal(theirs.length, perSide);
    for (const r of [...ours, ...theirs]) {
      assert.equal((r as { error?: string }).error, undefined);
      assert.equal(r.n, size);
      assert.equal(r.got, r.sent);
    }
    const { served, bytes } = await server.done;
    assert.equal(served, 2 * perSide);
    assert.equal(bytes, 2 * perSide * size);
    t.diagnostic(`50 clients x ${size / 1024} KiB echoed in ${(performance.now() - t0).toFixed(0)} ms`);
  } finally {
    python.kill();
  }
});
