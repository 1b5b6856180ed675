/**
 * CPython's ThreadedTests for the SSLSocket I/O surface, and
 * TestPreHandshakeClose, ported: recv/send/recv_into/sendall and the
 * methods TLS forbids, zero-length I/O, non-blocking send, handshake
 * timeouts, accept() on a listening SSLSocket, ENOTCONN, use after close,
 * sendfile, STARTTLS/ENDTLS, and data left by a peer that reset the
 * connection before the handshake.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { select } from '../../src/select/index.js';
import { ERRNO } from '../../src/socket/errno.js';
import { certdataSkip, connectClient, plainListener, testingContext, withEchoServer, CERTFILE } from './echo-server-fixtures.js';

const skip = certdataSkip;
const SSLSOCKET_CLASS = "<class 'ssl.SSLSocket'>";

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('test_recv_send: send/sendall/recv/recv_into/read work; sendto, recvfrom*, flags, sendmsg, recvmsg*, dup are refused', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  await withEchoServer(serverContext, async (server) => {
    const s = await connectClient(clientContext, server, { serverHostname: hostname });
    try {
      const data = Buffer.from('PING');
      assert.equal(await s.send(data), 4);
      assert.deepEqual(await s.recv(), Buffer.from('ping'));
      assert.equal(await s.sendall(data), undefined);
      const buf = Buffer.alloc(100);
      assert.equal(await s.recvInto(buf), 4);
      assert.deepEqual(buf.subarray(0, 4), Buffer.from('ping'));
      await s.write(data);
      const into = Buffer.alloc(10);
      // read(-1, buffer) fills the buffer (len <= 0 means the buffer's size).
      assert.equal(await s.read(-1, into), 4);
      assert.deepEqual(into.subarray(0, 4), Buffer.from('ping'));
      // An odd-sized typed view: recv_into uses its byte length.
      await s.sendall(Buffer.from('ABCDEFGH'));
      const u32 = new Uint8Array(new Uint32Array(2).buffer);
      assert.equal(await s.recvInto(u32), 8);

      await assert.rejects(s.sendto(data, ['127.0.0.1', 1]), (e: unknown) => e instanceof ssl.ValueError && e.message === `sendto not allowed on instances of ${SSLSOCKET_CLASS}`);
      await assert.rejects(s.recvfrom(10), (e: unknown) => e instanceof ssl.ValueError && e.message === `recvfrom not allowed on instances of ${SSLSOCKET_CLASS}`);
      await assert.rejects(s.recvfromInto(buf), (e: unknown) => e instanceof ssl.ValueError && e.message === `recvfrom_into not allowed on instances of ${SSLSOCKET_CLASS}`);
      for (const [name, call] of [
        ['recv', () => s.recv(10, 1)],
        ['recv_into', () => s.recvInto(buf, null, 1)],
        ['send', () => s.send(data, 1)],
        ['sendall', () => s.sendall(data, 1)],
      ] as const) {
        await assert.rejects(call(), (e: unknown) => e instanceof ssl.ValueError && e.message === `non-zero flags not allowed in calls to ${name}() on ${SSLSOCKET_CLASS}`);
      }
      assert.throws(() => s.sendmsg(), (e: unknown) => e instanceof ssl.NotImplementedError && e.message === `sendmsg not allowed on instances of ${SSLSOCKET_CLASS}`);
      assert.throws(() => s.recvmsg(), (e: unknown) => e instanceof ssl.NotImplementedError && e.message === `recvmsg not allowed on instances of ${SSLSOCKET_CLASS}`);
      assert.throws(() => s.recvmsgInto(), (e: unknown) => e instanceof ssl.NotImplementedError && e.message === `recvmsg_into not allowed on instances of ${SSLSOCKET_CLASS}`);
      assert.throws(() => s.dup(), (e: unknown) => e instanceof ssl.NotImplementedError && e.message === "Can't dup() SSLSocket instances");
      await assert.rejects(s.recv(-1), (e: unknown) => e instanceof ssl.ValueError && e.message === 'size should not be negative');
      await assert.rejects(s.read(-1), (e: unknown) => e instanceof ssl.ValueError && e.message === 'size should not be negative');
      await s.write(Buffer.from('over\n'));
    } finally {
      s.close();
    }
  });
});

test('test_recv_zero: zero-length reads return at once without consuming; zero-length writes send nothing', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  await withEchoServer(serverContext, async (server) => {
    const s = await connectClient(clientContext, server, { serverHostname: hostname });
    try {
      await s.sendall(Buffer.from('ZERO-TEST'));
      assert.deepEqual(await s.recv(0), Buffer.alloc(0));
      assert.deepEqual(await s.read(0), Buffer.alloc(0));
      assert.equal(await s.send(Buffer.alloc(0)), 0);
      assert.equal(await s.write(Buffer.alloc(0)), 0);
      assert.deepEqual(await s.recv(), Buffer.from('zero-test'));
      s.setblocking(false);
      assert.deepEqual(await s.recv(0), Buffer.alloc(0));
      assert.equal(await s.recvInto(Buffer.alloc(0)), 0);
    } finally {
      s.close();
    }
  });
});

test('test_nonblocking_send: filling the buffers eventually raises SSLWantWriteError', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  await withEchoServer(serverContext, async (server) => {
    const s = await connectClient(clientContext, server, { serverHostname: hostname });
    try {
      s.setblocking(false);
      const buf = Buffer.alloc(8192);
      let sent = 0;
      await assert.rejects(
        (async () => {
          for (;;) sent += await s.send(buf);
        })(),
        (e: unknown) => {
          assert.ok(e instanceof ssl.SSLWantWriteError || e instanceof ssl.SSLWantReadError);
          return true;
        },
      );
      assert.ok(sent > 0);
    } finally {
      s.close();
    }
  });
});

test('test_handshake_timeout: a server that never speaks TLS (accepting in a select() loop) times out wrapSocket() and connect()', { skip }, async () => {
  const [clientContext] = testingContext();
  const listener = await plainListener();
  const conns: socket.socket[] = [];
  let finish = false;
  // CPython's serve(): select([server], [], [], 0.1) until told to finish, keeping the accepted sockets.
  const serve = (async () => {
    while (!finish) {
      const [r] = await select([listener], [], [], 0.1);
      if (r.includes(listener)) conns.push((await listener.accept())[0]);
    }
    for (const sock of conns) sock.close();
  })();
  try {
    const c = new socket.socket(socket.AF_INET);
    c.settimeout(0.2);
    await c.connect(listener.getsockname());
    await assert.rejects(clientContext.wrapSocket(c, { serverHostname: 'localhost' }), (e: unknown) => {
      assert.ok(e instanceof ssl.TimeoutError);
      assert.equal(e.message, 'The handshake operation timed out');
      return true;
    });
    const c2 = new socket.socket(socket.AF_INET);
    c2.settimeout(0.2);
    const s = (await clientContext.wrapSocket(c2, { serverHostname: 'localhost' })) as ssl.SSLSocket;
    const t0 = Date.now();
    await assert.rejects(s.connect(listener.getsockname()), /timed out/);
    assert.ok(Date.now() - t0 < 2000);
    s.close();
  } finally {
    finish = true;
    await serve;
    listener.close();
  }
});

test('test_server_accept: a listening SSLSocket accepts handshaken server-side SSLSockets', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  // As CPython's test: wrap an unbound socket, then bind() and listen() the SSLSocket.
  const plain = new socket.socket(socket.AF_INET);
  const ls = (await serverContext.wrapSocket(plain, { serverSide: true })) as ssl.SSLSocket;
  try {
    assert.equal(plain.fileno(), -1);
    ls.bind(['127.0.0.1', 0]);
    ls.listen();
    assert.equal(ls.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), socket.SOCK_STREAM);
    assert.equal(ls.version(), null);
    const client = (await clientContext.wrapSocket(new socket.socket(socket.AF_INET), { serverHostname: hostname })) as ssl.SSLSocket;
    const [[conn, addr]] = await Promise.all([ls.accept(), client.connect(ls.getsockname())]);
    try {
      assert.ok(conn instanceof ssl.SSLSocket);
      assert.equal(conn.serverSide, true);
      assert.equal(conn.version(), 'TLSv1.3');
      assert.deepEqual(addr, client.getsockname());
      assert.deepEqual(conn.getpeername(), client.getsockname());
      assert.ok(conn.fileno() >= 0);
      conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
      assert.equal(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 1);
      assert.equal(conn.gettimeout(), null);
      await client.sendall(Buffer.from('hello'));
      assert.deepEqual(await conn.recv(), Buffer.from('hello'));
      await conn.sendall(Buffer.from('world'));
      assert.deepEqual(await client.recv(), Buffer.from('world'));
    } finally {
      conn.close();
      client.close();
    }
  } finally {
    ls.close();
  }
});

test('test_getpeercert_enotconn / test_do_handshake_enotconn: an unconnected SSLSocket says ENOTCONN', { skip }, async () => {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.checkHostname = false;
  const s = (await ctx.wrapSocket(new socket.socket(socket.AF_INET))) as ssl.SSLSocket;
  try {
    assert.throws(() => s.getpeercert(), (e: unknown) => e instanceof ssl.OSError && e.errno === ERRNO.ENOTCONN);
    await assert.rejects(s.doHandshake(), (e: unknown) => e instanceof ssl.OSError && e.errno === ERRNO.ENOTCONN);
    assert.equal(s.pending(), 0);
    assert.equal(s.sessionReused, null);
    assert.equal(s.session, null);
  } finally {
    s.close();
  }
});

test('test_read_write_after_close_raises_valuerror', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  await withEchoServer(serverContext, async (server) => {
    const s = await connectClient(clientContext, server, { serverHostname: hostname });
    s.close();
    await assert.rejects(s.read(), (e: unknown) => e instanceof ssl.ValueError && e.message === 'Read on closed or unwrapped SSL socket.');
    await assert.rejects(s.write(Buffer.from('x')), (e: unknown) => e instanceof ssl.ValueError && e.message === 'Write on closed or unwrapped SSL socket.');
    assert.throws(() => s.getpeercert(), /'NoneType' object has no attribute 'getpeercert'/);
    await assert.rejects(s.unwrap(), (e: unknown) => e instanceof ssl.ValueError && e.message.startsWith('No SSL wrapper around <ssl.SSLSocket [closed] fd=-1'));
  });
});

test('test_sendfile: a file goes through TLS (8192-byte blocks) and its position moves past it', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  const dir = mkdtempSync(join(tmpdir(), 'sslsock-sendfile-'));
  const path = join(dir, 'data');
  const TEST_DATA = Buffer.alloc(512, 'x');
  writeFileSync(path, TEST_DATA);
  const fd = openSync(path, 'r');
  try {
    await withEchoServer(serverContext, async (server) => {
      const s = await connectClient(clientContext, server, { serverHostname: hostname });
      try {
        let pos = -1;
        const file = { fileno: () => fd, mode: 'rb', seek: (p: number) => (pos = p) };
        assert.equal(await s.sendfile(file), 512);
        assert.equal(pos, 512);
        assert.deepEqual(await s.recv(1024), TEST_DATA);
        await assert.rejects(s.sendfile({ fileno: () => fd, mode: 'r' }), /file should be opened in binary mode/);
        s.setblocking(false);
        await assert.rejects(s.sendfile(fd), /non-blocking sockets are not supported/);
      } finally {
        s.close();
      }
    });
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true });
  }
});

test('test_starttls: cleartext → STARTTLS → TLS → ENDTLS → cleartext on the same socket', { skip }, async () => {
  const [clientContext, serverContext, hostname] = testingContext();
  const msgs = ['msg 1', 'MSG 2', 'STARTTLS', 'MSG 3', 'msg 4', 'ENDTLS', 'msg 5', 'msg 6'];
  await withEchoServer(
    serverContext,
    async (server) => {
      let s: socket.socket = await socket.createConnection(server.address);
      let conn: ssl.SSLSocket | null = null;
      const plainSocket = s;
      for (const indata of msgs) {
        let outdata: Buffer;
        if (conn !== null) {
          await conn.write(Buffer.from(indata));
          outdata = await conn.read();
        } else {
          await s.send(Buffer.from(indata));
          outdata = await s.recv(1024);
        }
        const msg = outdata.toString().trim().toLowerCase();
        if (indata === 'STARTTLS' && msg.startsWith('ok')) {
          conn = (await clientContext.wrapSocket(s, { serverHostname: hostname })) as ssl.SSLSocket;
          assert.equal(plainSocket.fileno(), -1);
        } else if (indata === 'ENDTLS' && msg.startsWith('ok')) {
          const tls = conn as unknown as ssl.SSLSocket;
          const unwrapped: ssl.SSLSocket = await tls.unwrap();
          // unwrap() returns the same object, now a plain socket.
          assert.ok(unwrapped === tls);
          assert.equal(unwrapped.version(), null);
          s = unwrapped;
          conn = null;
        } else {
          assert.equal(msg, indata.toLowerCase());
        }
      }
      await s.send(Buffer.from('over\n'));
      s.close();
      assert.deepEqual(server.handlerErrors, []);
    },
    { starttlsServer: true },
  );
});

test('TestPreHandshakeClose.test_preauth_data_to_tls_server: data then RST before wrap_socket is refused', { skip }, async () => {
  const [, serverContext] = testingContext();
  const listener = await plainListener();
  try {
    const client = net.connect(listener.getsockname()[1] as number, '127.0.0.1');
    client.on('error', () => undefined);
    const [conn] = await listener.accept();
    await new Promise<void>((r) => client.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n', () => r()));
    assert.ok(await conn.waitReadable(5));
    client.resetAndDestroy();
    // Let the reset arrive after the data.
    await waitFor(() => conn._transport().error !== null);
    await assert.rejects(serverContext.wrapSocket(conn, { serverSide: true }), (e: unknown) => {
      assert.ok(e instanceof ssl.SSLError);
      assert.match(e.strerror as string, /before TLS handshake with data/);
      assert.equal(e.reason, 'Closed before TLS handshake with data in recv buffer.');
      assert.equal(e.library, null);
      assert.equal(e.errno, ERRNO.ENOTCONN);
      return true;
    });
  } finally {
    listener.close();
  }
});

test('TestPreHandshakeClose.test_preauth_data_to_tls_client: a cleartext reply then RST before wrap_socket is refused', { skip }, async () => {
  const [clientContext] = testingContext();
  const srv = net.createServer((c) => {
    c.on('error', () => undefined);
    c.write('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n', () => setTimeout(() => c.resetAndDestroy(), 20));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const c = await socket.createConnection(['127.0.0.1', (srv.address() as net.AddressInfo).port]);
    await waitFor(() => c._transport().error !== null);
    await assert.rejects(clientContext.wrapSocket(c, { serverHostname: 'localhost' }), (e: unknown) => {
      assert.ok(e instanceof ssl.SSLError);
      assert.equal(e.reason, 'Closed before TLS handshake with data in recv buffer.');
      assert.equal(e.library, null);
      assert.notEqual(e.errno, 0);
      return true;
    });
  } finally {
    srv.close();
  }
});

test('wrap_socket argument checks come first, in Python order', { skip }, async () => {
  const [clientContext, serverContext] = testingContext();
  const raw = new socket.socket(socket.AF_INET);
  await assert.rejects(serverContext.wrapSocket(raw, { serverSide: true, serverHostname: 'x' }), /server_hostname can only be specified in client mode/);
  await assert.rejects(serverContext.wrapSocket(raw, { serverSide: true, session: {} }), /session can only be specified in client mode/);
  // Nothing was adopted by a failed check.
  raw.close();
  assert.throws(() => new (ssl.SSLSocket as unknown as new () => unknown)(), /SSLSocket does not have a public constructor/);
  const s = (await clientContext.wrapSocket(new socket.socket(socket.AF_INET), { serverHostname: 'localhost' })) as ssl.SSLSocket;
  await assert.rejects(s.connect(['127.0.0.1', 1]), ssl.ConnectionRefusedError);
  // A failed connect leaves no TLS layer behind, so it may be retried.
  assert.equal(s._sslobj, null);
  assert.equal(await s.connectEx(['127.0.0.1', 1]), ERRNO.ECONNREFUSED);
  s.close();
  const server = (await serverContext.wrapSocket(new socket.socket(socket.AF_INET), { serverSide: true })) as ssl.SSLSocket;
  await assert.rejects(server.connect(['127.0.0.1', 1]), /can't connect in server-side mode/);
  server.close();
  void CERTFILE;
});

test('sslsocketClass: a subclass is what wrapSocket returns, and messages name it', { skip }, async () => {
  class MySock extends ssl.SSLSocket {}
  const [clientContext, serverContext, hostname] = testingContext();
  clientContext.sslsocketClass = MySock;
  assert.throws(() => new (MySock as unknown as new () => unknown)(), /^TypeError: MySock does not have a public constructor/);
  await withEchoServer(serverContext, async (server) => {
    const s = await connectClient(clientContext, server, { serverHostname: hostname });
    try {
      assert.ok(s instanceof MySock);
      await assert.rejects(s.recvfrom(10), /^ValueError: recvfrom not allowed on instances of <class 'MySock'>$/);
      assert.throws(() => s.dup(), /Can't dup\(\) MySock instances/);
      assert.match(s.toString(), /^<ssl\.MySock fd=\d+, family=2, type=1, proto=0, laddr=\('127\.0\.0\.1', \d+\), raddr=\('127\.0\.0\.1', \d+\)>$/);
    } finally {
      s.close();
    }
  });
});
