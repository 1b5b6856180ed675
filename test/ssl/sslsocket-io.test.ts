/**
 * SSLSocket close semantics and the I/O contract of DESIGN.md, over real
 * loopback TCP (python-ssl-api.md §6.7, §6.9; acceptance case 40):
 * ragged EOF with and without suppression, recv after close_notify, unwrap
 * (timeout, non-blocking retry, bytes after close_notify left on the
 * socket), shutdown() without close_notify, timeouts with Python's texts,
 * non-blocking pending(), full duplex, call-order concurrency, KeyUpdate
 * and alerts written during a read, send backpressure, makefile over TLS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { payload, recvExactly, sha256 } from '../helpers/data.js';
import { SEND_HIGH_WATER } from '../../src/socket/transport.js';
import { certdataSkip, testingContext, tlsPair } from './echo-server-fixtures.js';

const skip = certdataSkip;
const MiB = 1 << 20;
const RECORD = 16384;

async function pair(options: { suppressRaggedEofs?: boolean; numTickets?: number } = {}) {
  const [clientContext, serverContext, hostname] = testingContext();
  if (options.numTickets !== undefined) serverContext.numTickets = options.numTickets;
  return tlsPair(clientContext, serverContext, { ...options, serverHostname: hostname });
}

test('ragged EOF, suppressed (default): data, then b"" every time; recv_into gives 0', { skip }, async () => {
  const p = await pair();
  try {
    await p.server.sendall(Buffer.from('hi'));
    p.server.close(); // no close_notify
    assert.deepEqual(await p.client.recv(), Buffer.from('hi'));
    assert.deepEqual(await p.client.recv(), Buffer.alloc(0));
    assert.deepEqual(await p.client.recv(), Buffer.alloc(0));
    assert.equal(await p.client.recvInto(Buffer.alloc(10)), 0);
  } finally {
    p.close();
  }
});

test('ragged EOF, not suppressed: SSLEOFError with OpenSSL 3 reason first, without library after', { skip }, async () => {
  const p = await pair({ suppressRaggedEofs: false });
  try {
    await p.server.sendall(Buffer.from('hi'));
    p.server.close();
    assert.deepEqual(await p.client.recv(), Buffer.from('hi'));
    await assert.rejects(p.client.recv(), (e: unknown) => {
      assert.ok(e instanceof ssl.SSLEOFError);
      assert.equal(e.errno, 8);
      assert.equal(e.message, '[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol');
      assert.equal(e.library, 'SSL');
      return true;
    });
    await assert.rejects(p.client.recv(), (e: unknown) => {
      assert.ok(e instanceof ssl.SSLEOFError);
      assert.equal(e.message, 'EOF occurred in violation of protocol');
      assert.equal(e.library, null);
      return true;
    });
  } finally {
    p.close();
  }
});

test('the peer unwraps: recv gives b"" every time (even unsuppressed), writes still work, our unwrap returns at once', { skip }, async () => {
  const p = await pair({ suppressRaggedEofs: false });
  try {
    const serverUnwrap = p.server.unwrap();
    assert.deepEqual(await p.client.recv(), Buffer.alloc(0));
    assert.deepEqual(await p.client.recv(), Buffer.alloc(0));
    assert.deepEqual(await p.client.read(10, Buffer.alloc(10)), 0);
    assert.equal(p.client.pending(), 0);
    const unwrapped = await p.client.unwrap();
    assert.equal(unwrapped, p.client);
    assert.equal(await serverUnwrap, p.server);
    // Both are plain sockets on the same connection now.
    await p.client.sendall(Buffer.from('plain'));
    assert.deepEqual(await p.server.recv(100), Buffer.from('plain'));
    assert.equal(p.client.version(), null);
    await assert.rejects(p.client.unwrap(), /No SSL wrapper around <ssl\.SSLSocket fd=/);
  } finally {
    p.close();
  }
});

test('unwrap against a silent peer: TimeoutError "The read operation timed out"; non-blocking: SSLWantReadError, then retry succeeds', { skip }, async () => {
  const p = await pair();
  try {
    p.client.settimeout(0.3);
    const t0 = Date.now();
    await assert.rejects(p.client.unwrap(), (e: unknown) => e instanceof ssl.TimeoutError && e.message === 'The read operation timed out');
    assert.ok(Date.now() - t0 >= 250);
    p.client.setblocking(false);
    await assert.rejects(p.client.unwrap(), ssl.SSLWantReadError);
    // The TLS layer is kept for the retry.
    assert.equal(p.client.version(), 'TLSv1.3');
    // The server sees our close_notify and answers with its own.
    assert.deepEqual(await p.server.recv(), Buffer.alloc(0));
    await p.server.unwrap();
    assert.ok(await p.client.waitReadable(5));
    assert.equal(await p.client.unwrap(), p.client);
    assert.equal(p.client.version(), null);
  } finally {
    p.close();
  }
});

test('shutdown(SHUT_RDWR) drops TLS without close_notify: version() is None and the peer sees a ragged EOF', { skip }, async () => {
  const p = await pair({ suppressRaggedEofs: false });
  try {
    p.client.shutdown(socket.SHUT_RDWR);
    assert.equal(p.client.version(), null);
    assert.equal(p.client.cipher(), null);
    await assert.rejects(p.server.recv(), ssl.SSLEOFError);
  } finally {
    p.close();
  }
});

/**
 * A hand-driven TLS server: an SSLObject whose bytes we move over a node:net
 * socket ourselves, so that a test can put its close_notify and cleartext in
 * one TCP write.
 */
async function memoryServer(serverContext: ssl.SSLContext): Promise<{ port: number; ready: Promise<{ obj: ssl.SSLObject; sock: net.Socket; incoming: ssl.MemoryBIO; outgoing: ssl.MemoryBIO }>; close(): void }> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const ready = new Promise<{ obj: ssl.SSLObject; sock: net.Socket; incoming: ssl.MemoryBIO; outgoing: ssl.MemoryBIO }>((resolve, reject) => {
    srv.once('connection', (sock) => {
      const incoming = new ssl.MemoryBIO();
      const outgoing = new ssl.MemoryBIO();
      const obj = serverContext.wrapBio(incoming, outgoing, { serverSide: true });
      const onData = (d: Buffer): void => {
        incoming.write(d);
        try {
          obj.doHandshake();
          sock.off('data', onData);
          sock.write(outgoing.read());
          resolve({ obj, sock, incoming, outgoing });
        } catch (e) {
          sock.write(outgoing.read());
          if (!(e instanceof ssl.SSLWantReadError)) reject(e);
        }
      };
      sock.on('data', onData);
    });
  });
  return { port: (srv.address() as net.AddressInfo).port, ready, close: () => srv.close() };
}

test('unwrap leaves the cleartext that follows the peer\'s close_notify on the socket (ENDTLS)', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  const peer = await memoryServer(serverContext);
  const client = (await clientContext.wrapSocket(await socket.createConnection(['127.0.0.1', peer.port]), { serverHostname: hostname })) as ssl.SSLSocket;
  try {
    const { obj, sock, incoming, outgoing } = await peer.ready;
    const unwrapping = client.unwrap();
    // Wait for the client's close_notify, answer with ours and cleartext in one write.
    await new Promise<void>((resolve) => {
      sock.on('data', (d: Buffer) => {
        incoming.write(d);
        try {
          obj.unwrap();
          resolve();
        } catch (e) {
          if (!(e instanceof ssl.SSLWantReadError)) throw e;
        }
      });
    });
    sock.write(Buffer.concat([outgoing.read(), Buffer.from('cleartext after close_notify\n')]));
    assert.equal(await unwrapping, client);
    assert.deepEqual(await client.recv(1024), Buffer.from('cleartext after close_notify\n'));
    sock.end();
    assert.deepEqual(await client.recv(1024), Buffer.alloc(0));
  } finally {
    client.close();
    peer.close();
  }
});

test('timeouts: "The read operation timed out" and "The write operation timed out", within one deadline', { skip }, async () => {
  const p = await pair();
  try {
    p.client.settimeout(0.3);
    let t0 = Date.now();
    await assert.rejects(p.client.recv(), (e: unknown) => e instanceof ssl.TimeoutError && e.message === 'The read operation timed out');
    assert.ok(Date.now() - t0 >= 250 && Date.now() - t0 < 3000);
    t0 = Date.now();
    // The server never reads: the send buffers fill and the write times out.
    await assert.rejects(p.client.sendall(Buffer.alloc(64 * MiB)), (e: unknown) => e instanceof ssl.TimeoutError && e.message === 'The write operation timed out');
    assert.ok(Date.now() - t0 < 5000);
  } finally {
    p.close();
  }
});

test('non-blocking: SSLWantReadError without data; pending() counts the rest of a record after a short recv', { skip }, async () => {
  // No tickets: a NewSessionTicket arriving first would make the socket readable with no application data yet.
  const p = await pair({ numTickets: 0 });
  try {
    p.client.setblocking(false);
    await assert.rejects(p.client.recv(), (e: unknown) => e instanceof ssl.SSLWantReadError && e.errno === ssl.SSL_ERROR_WANT_READ);
    await p.server.sendall(Buffer.from('0123456789'));
    assert.ok(await p.client.waitReadable(5));
    assert.deepEqual(await p.client.recv(3), Buffer.from('012'));
    assert.equal(p.client.pending(), 7);
    // Decrypted bytes are served even though the socket itself has nothing; unlike
    // Python's select, waitReadable() (like our select()) counts them as readable.
    assert.equal(await p.client.waitReadable(0), true);
    assert.deepEqual(await p.client.recv(100), Buffer.from('3456789'));
    assert.equal(p.client.pending(), 0);
    await assert.rejects(p.client.recv(), ssl.SSLWantReadError);
  } finally {
    p.close();
  }
});

test('full duplex: both sides sendall 4 MiB while receiving, 1 call each, no deadlock; SHA-256 match', { skip }, async () => {
  const p = await pair();
  try {
    const a = payload(4 * MiB, 1);
    const b = payload(4 * MiB, 2);
    const [, gotByServer, , gotByClient] = await Promise.all([
      p.client.sendall(a),
      recvExactly(p.server, a.length),
      p.server.sendall(b),
      recvExactly(p.client, b.length),
    ]);
    assert.equal(sha256(gotByServer), sha256(a));
    assert.equal(sha256(gotByClient), sha256(b));
  } finally {
    p.close();
  }
});

test('concurrent reads, and concurrent writes, are served in call order', { skip }, async () => {
  const p = await pair();
  try {
    const r1 = p.client.recv(5);
    const r2 = p.client.recv(5);
    await p.server.sendall(Buffer.from('AAAAA'));
    await new Promise((r) => setTimeout(r, 20));
    await p.server.sendall(Buffer.from('BBBBB'));
    assert.deepEqual(await r1, Buffer.from('AAAAA'));
    assert.deepEqual(await r2, Buffer.from('BBBBB'));

    const w1 = p.client.sendall(Buffer.alloc(MiB, 'a'));
    const w2 = p.client.sendall(Buffer.alloc(MiB, 'b'));
    const got = await recvExactly(p.server, 2 * MiB);
    await Promise.all([w1, w2]);
    assert.ok(got.subarray(0, MiB).every((c) => c === 0x61));
    assert.ok(got.subarray(MiB).every((c) => c === 0x62));
  } finally {
    p.close();
  }
});

test('a read that must write: a KeyUpdate(update_requested) is answered from inside a pending recv', { skip }, async () => {
  const p = await pair();
  try {
    type Engine = { keyUpdate(requestPeer: boolean): void; post: { secrets: { clientApplication: Buffer; serverApplication: Buffer } } };
    const engineOf = (s: ssl.SSLSocket): Engine => (s._sslobj as unknown as { conn: Engine }).conn;
    const clientEngine = engineOf(p.client);
    const serverEngine = engineOf(p.server);
    const serverSendingBefore = Buffer.from(serverEngine.post.secrets.serverApplication);
    const pendingRecv = p.server.recv(100);
    clientEngine.keyUpdate(true);
    await p.client.sendall(Buffer.from('after update'));
    assert.deepEqual(await pendingRecv, Buffer.from('after update'));
    // The server's read answered with its own KeyUpdate: its sending keys moved on.
    assert.notDeepEqual(serverEngine.post.secrets.serverApplication, serverSendingBefore);
    await p.server.sendall(Buffer.from('reply'));
    assert.deepEqual(await p.client.recv(100), Buffer.from('reply'));
    assert.deepEqual(clientEngine.post.secrets.serverApplication, serverEngine.post.secrets.serverApplication);
  } finally {
    p.close();
  }
});

test('an alert written during a read: a corrupted record fails the server and the client hears bad_record_mac', { skip }, async () => {
  const p = await pair();
  try {
    const serverRecv = p.server.recv();
    // An application_data record the server cannot decrypt, sent under the TLS layer.
    p.client._writeRaw(Buffer.concat([Buffer.from([23, 3, 3, 0, 32]), Buffer.alloc(32, 7)]));
    await assert.rejects(serverRecv, (e: unknown) => e instanceof ssl.SSLError && e.reason === 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC');
    await assert.rejects(p.client.recv(), (e: unknown) => e instanceof ssl.SSLError && e.reason === 'SSLV3_ALERT_BAD_RECORD_MAC');
  } finally {
    p.close();
  }
});

test('sendall respects backpressure: with a reader that waits, little ciphertext is queued; then all 16 MiB arrive intact', { skip }, async () => {
  const p = await pair();
  try {
    const data = payload(16 * MiB, 3);
    const sending = p.client.sendall(data);
    await new Promise((r) => setTimeout(r, 300));
    const queued = p.client._transport().stream!.writableLength;
    // At most the high-water mark plus one slice of whole records (and their overhead).
    assert.ok(queued <= SEND_HIGH_WATER + 5 * RECORD, `queued ${queued} bytes in node`);
    const got = await recvExactly(p.server, data.length);
    await sending;
    assert.equal(sha256(got), sha256(data));
  } finally {
    p.close();
  }
});

test('makefile over TLS: lines written through the file come back through the file', { skip }, async () => {
  const p = await pair();
  try {
    const cf = p.client.makefile('rwb');
    const sf = p.server.makefile('rwb');
    await cf.write(Buffer.from('line one\nline two\n'));
    await cf.flush();
    assert.deepEqual(await sf.readline(), Buffer.from('line one\n'));
    assert.deepEqual(await sf.readline(), Buffer.from('line two\n'));
    await sf.write(Buffer.from('reply\n'));
    await sf.flush();
    assert.deepEqual(await cf.readline(), Buffer.from('reply\n'));
    cf.close();
    sf.close();
    assert.equal(p.client.version(), 'TLSv1.3');
  } finally {
    p.close();
  }
});

test('non-blocking send is all or nothing: after SSLWantWriteError the peer gets exactly the accepted bytes', { skip }, async () => {
  const p = await pair();
  try {
    p.client.setblocking(false);
    const sent: Buffer[] = [];
    for (let i = 0; ; i++) {
      const chunk = Buffer.alloc(8192, i % 251);
      try {
        assert.equal(await p.client.send(chunk), chunk.length);
        sent.push(chunk);
      } catch (e) {
        assert.ok(e instanceof ssl.SSLWantWriteError, String(e));
        break;
      }
    }
    const expected = Buffer.concat(sent);
    const got = await recvExactly(p.server, expected.length);
    assert.equal(sha256(got), sha256(expected));
    p.client.setblocking(true);
    await p.client.sendall(Buffer.from('END'));
    assert.deepEqual(await p.server.recv(), Buffer.from('END'));
  } finally {
    p.close();
  }
});

test('sendall fills records: 1 MiB leaves as 64 full 16 KiB TLS records', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  const peer = await memoryServer(serverContext);
  const client = (await clientContext.wrapSocket(await socket.createConnection(['127.0.0.1', peer.port]), { serverHostname: hostname })) as ssl.SSLSocket;
  try {
    const { sock } = await peer.ready;
    // TLS 1.3 record: 5-byte header, 16384 bytes of data, 1 content-type byte, 16-byte AEAD tag.
    const fullRecord = 5 + RECORD + 1 + 16;
    const chunks: Buffer[] = [];
    let total = 0;
    const arrived = new Promise<void>((resolve) =>
      sock.on('data', (d: Buffer) => {
        chunks.push(d);
        total += d.length;
        if (total >= 64 * fullRecord) resolve();
      }),
    );
    await client.sendall(payload(MiB, 4));
    await arrived;
    const wire = Buffer.concat(chunks);
    assert.equal(wire.length, 64 * fullRecord);
    for (let off = 0; off < wire.length; off += fullRecord) {
      assert.equal(wire[off], 23);
      assert.equal(wire.readUInt16BE(off + 3), RECORD + 1 + 16);
    }
    sock.destroy();
  } finally {
    client.close();
    peer.close();
  }
});

test('a write that must read: send before the handshake drives it, also while a recv is pending', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  const listener = await socket.createServer(['127.0.0.1', 0]);
  try {
    const raw = new socket.socket(socket.AF_INET);
    const [, [conn]] = await Promise.all([raw.connect(listener.getsockname()), listener.accept()]);
    const clientP = clientContext.wrapSocket(raw, { serverHostname: hostname, doHandshakeOnConnect: false }) as Promise<ssl.SSLSocket>;
    const serverP = serverContext.wrapSocket(conn, { serverSide: true }) as Promise<ssl.SSLSocket>;
    const client = await clientP;
    try {
      assert.equal(client.version(), null);
      // Both pre-handshake: the recv and the sendall each need the handshake; neither may wait for the other.
      const reading = client.recv(100);
      const sending = client.sendall(Buffer.from('ping'));
      const server = await serverP;
      try {
        await sending;
        assert.equal(client.version(), 'TLSv1.3');
        assert.deepEqual(await server.recv(100), Buffer.from('ping'));
        await server.sendall(Buffer.from('pong'));
        assert.deepEqual(await reading, Buffer.from('pong'));
      } finally {
        server.close();
      }
    } finally {
      client.close();
    }
  } finally {
    listener.close();
  }
});

test('a listening SSLSocket serves 20 concurrent clients, each its own 256 KiB, without cross-talk', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  const ls = await serverContext.wrapSocket(await socket.createServer(['127.0.0.1', 0]), { serverSide: true });
  const N = 20;
  const serving = (async () => {
    const handlers: Promise<void>[] = [];
    for (let i = 0; i < N; i++) {
      const [conn] = await ls.accept();
      handlers.push(
        (async () => {
          for (;;) {
            const d = await conn.recv(65536);
            if (d.length === 0) break;
            await conn.sendall(d);
          }
          conn.close();
        })(),
      );
    }
    await Promise.all(handlers);
  })();
  try {
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const s = await clientContext.wrapSocket(await socket.createConnection(ls.getsockname() as [string, number]), { serverHostname: hostname });
        try {
          const data = payload(256 * 1024, 100 + i);
          const [, echoed] = await Promise.all([s.sendall(data), recvExactly(s, data.length)]);
          assert.equal(sha256(echoed), sha256(data));
        } finally {
          s.close();
        }
      }),
    );
    await serving;
  } finally {
    ls.close();
  }
});
