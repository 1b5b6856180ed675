/**
 * The Duplex contract of wrapStream() and SSLSocket.toDuplex(), against
 * node:tls and against ourselves: backpressure both ways, half-close
 * (end() sends close_notify, reading goes on), destroy(), errors as
 * events, any Duplex as transport, and `for await` over an SSLSocket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as net from 'node:net';
import { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import * as socket from '../../src/socket/index.js';
import * as ssl from '../../src/ssl/index.js';
import { clientContext, collect, listen, nodeCa, nodeServerOptions, serverContext, sslsockServer } from './streams-fixtures.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 2654435761) >>> 24;
  return b;
}

/** Two in-memory Duplexes wired back to back (Node 20 has no stream.duplexPair). */
function duplexPair(): [Duplex, Duplex] {
  const a: Duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _e, cb) {
      b.push(chunk);
      cb();
    },
    final(cb) {
      b.push(null);
      cb();
    },
  });
  const b: Duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _e, cb) {
      a.push(chunk);
      cb();
    },
    final(cb) {
      a.push(null);
      cb();
    },
  });
  return [a, b];
}

test('half-close: wrapStream().end() sends close_notify, the SSLSocket server reads b\'\' and its reply still arrives', async () => {
  const srv = await sslsockServer(serverContext(), (conn) => {
    void (async () => {
      const parts: Buffer[] = [];
      for await (const chunk of conn) parts.push(chunk);
      const got = Buffer.concat(parts);
      await conn.sendall(Buffer.from(`got ${got.length} bytes: ${got.toString()}`));
      await conn.unwrap();
      conn.close();
    })();
  });
  try {
    const s = ssl.wrapStream(net.connect(srv.port, '127.0.0.1'), clientContext(), { serverHostname: 'localhost', allowHalfOpen: true });
    s.end('request');
    assert.equal((await collect(s)).toString(), 'got 7 bytes: request');
    if (!s.closed) await once(s, 'close');
    assert.equal(s.transport.destroyed, true);
  } finally {
    srv.close();
  }
});

test('half-close against node:tls: end() sends close_notify, the node server sees the end, and its reply still arrives', async () => {
  const server = tls.createServer({ ...nodeServerOptions, allowHalfOpen: true }, (c) => {
    void collect(c).then((got) => c.end(`got ${got.length} bytes: ${got.toString()}`));
  });
  const port = await listen(server);
  try {
    const s = ssl.wrapStream(net.connect(port, '127.0.0.1'), clientContext(), { serverHostname: 'localhost', allowHalfOpen: true });
    s.end('request');
    assert.equal((await collect(s)).toString(), 'got 7 bytes: request');
  } finally {
    server.close();
  }
});

test('half-close from toDuplex() on the server: a node:tls client ends, still reads our reply', async () => {
  const srv = await sslsockServer(serverContext(), (conn) => {
    const d = conn.toDuplex({ allowHalfOpen: true });
    void collect(d).then((b) => d.end(`echo:${b.toString()}`));
  });
  try {
    const c = tls.connect({ port: srv.port, host: '127.0.0.1', servername: 'localhost', ca: nodeCa, allowHalfOpen: true } as tls.ConnectionOptions);
    await once(c, 'secureConnect');
    c.end('ping');
    assert.equal((await collect(c)).toString(), 'echo:ping');
  } finally {
    srv.close();
  }
});

test('half-close both ways between wrapStream() and toDuplex(): each side ends, each reads everything', async () => {
  const srv = await sslsockServer(serverContext(), (conn) => {
    const d = conn.toDuplex({ allowHalfOpen: true });
    void collect(d).then((b) => d.end(`echo:${b.toString()}`));
  });
  try {
    const c = ssl.wrapStream(net.connect(srv.port, '127.0.0.1'), clientContext(), { serverHostname: 'localhost', allowHalfOpen: true });
    c.write('pi');
    c.end('ng');
    assert.equal((await collect(c)).toString(), 'echo:ping');
  } finally {
    srv.close();
  }
});

test('backpressure: 8 MiB each way through wrapStream() against a node:tls echo, intact, with write() saying wait', async () => {
  const server = tls.createServer(nodeServerOptions, (c) => c.pipe(c));
  const port = await listen(server);
  try {
    const s = ssl.wrapStream(net.connect(port, '127.0.0.1'), clientContext(), { serverHostname: 'localhost', allowHalfOpen: true });
    const data = randomBytes(8 << 20);
    let sawFalse = false;
    const reading = collect(s);
    for (let off = 0; off < data.length; off += 256 * 1024) {
      if (!s.write(data.subarray(off, off + 256 * 1024))) {
        sawFalse = true;
        await once(s, 'drain');
      }
    }
    s.end();
    const echoed = await reading;
    assert.equal(echoed.length, data.length);
    assert.equal(sha256(echoed), sha256(data));
    assert.ok(sawFalse, 'write() returned false at least once');
  } finally {
    server.close();
  }
});

test('backpressure on reading: a paused reader makes wrapStream() pause its transport', async () => {
  const total = 16 << 20;
  const server = tls.createServer(nodeServerOptions, (c) => {
    c.end(randomBytes(total));
  });
  const port = await listen(server);
  try {
    const s = ssl.wrapStream(net.connect(port, '127.0.0.1'), clientContext(), { serverHostname: 'localhost' });
    await once(s, 'secureConnect');
    // Nobody reads: once the server's bytes arrive the transport must get paused, not buffer 16 MiB.
    for (let i = 0; i < 500 && !s.transport.isPaused(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.transport.isPaused(), true);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.transport.isPaused(), true);
    assert.ok(s.readableLength < 1 << 20, `buffered ${s.readableLength}`);
    const got = await collect(s);
    assert.equal(sha256(got), sha256(randomBytes(total)));
  } finally {
    server.close();
  }
});

test('destroy() closes the transport; node:tls sees the connection go', async () => {
  let serverClosed!: () => void;
  const closed = new Promise<void>((r) => (serverClosed = r));
  const server = tls.createServer(nodeServerOptions, (c) => {
    c.on('error', () => {});
    c.on('close', () => serverClosed());
  });
  const port = await listen(server);
  try {
    const s = ssl.wrapStream(net.connect(port, '127.0.0.1'), clientContext(), { serverHostname: 'localhost' });
    await once(s, 'secureConnect');
    s.destroy();
    if (!s.closed) await once(s, 'close');
    assert.equal(s.transport.destroyed, true);
    await closed;
  } finally {
    server.close();
  }
});

test('errors are events: an untrusted server is an error event carrying SSLCertVerificationError (code 20), and the alert reaches node:tls', async () => {
  let serverError: Error | null = null;
  const server = tls.createServer(nodeServerOptions, () => {});
  server.on('tlsClientError', (e) => (serverError = e));
  const port = await listen(server);
  try {
    const ctx = ssl.createDefaultContext(); // does not trust the test CA
    const s = ssl.wrapStream(net.connect(port, '127.0.0.1'), ctx, { serverHostname: 'localhost' });
    const [err] = (await once(s, 'error')) as [ssl.SSLCertVerificationError];
    assert.ok(err instanceof ssl.SSLCertVerificationError);
    assert.equal(err.verifyCode, 20);
    assert.equal(s.destroyed, true);
    for (let i = 0; i < 100 && serverError === null; i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(String((serverError as Error | null)?.message), /unknown ca|alert/i);
  } finally {
    server.close();
  }
});

test('a write before the handshake waits for it; a plaintext peer is an SSLError event', async () => {
  const plain = net.createServer((c) => c.end('HTTP/1.0 400 Bad Request\r\n\r\n'));
  const port = await listen(plain);
  try {
    const s = ssl.wrapStream(net.connect(port, '127.0.0.1'), clientContext(), { serverHostname: 'localhost' });
    s.write('early');
    const [err] = (await once(s, 'error')) as [ssl.SSLError];
    assert.ok(err instanceof ssl.SSLError, String(err));
  } finally {
    plain.close();
  }
});

test('any Duplex as transport: our client and our server over an in-memory pair, ALPN, getpeercert overloads', async () => {
  const [a, b] = duplexPair();
  const client = ssl.wrapStream(a, clientContext(['x-test']), { serverHostname: 'localhost' });
  const server = ssl.wrapStream(b, serverContext(['x-test']), { serverSide: true });
  server.on('data', (chunk: Buffer) => server.write(Buffer.from(chunk.toString().toUpperCase())));
  server.on('end', () => server.end());
  client.write('hello over memory');
  await once(client, 'secureConnect');
  assert.equal(client.alpnProtocol, 'x-test');
  assert.equal(client.getpeercert()!.subject !== undefined, true);
  assert.ok(Buffer.isBuffer(client.getpeercert(true)));
  // The server does not verify clients: no peer certificate.
  assert.equal(server.getpeercert(), null);
  client.end();
  assert.equal((await collect(client)).toString(), 'HELLO OVER MEMORY');
});

test('ragged EOF: a transport EOF without close_notify ends quietly by default, is SSLEOFError with suppressRaggedEofs false', async () => {
  // SSLSocket.close() sends no close_notify, as in Python.
  const srv = await sslsockServer(serverContext(), (conn) => {
    void conn.sendall(Buffer.from('partial')).then(() => conn.close());
  });
  try {
    for (const suppress of [true, false]) {
      const s = ssl.wrapStream(net.connect(srv.port, '127.0.0.1'), clientContext(), { serverHostname: 'localhost', suppressRaggedEofs: suppress });
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      if (suppress) {
        await once(s, 'end');
      } else {
        const [err] = (await once(s, 'error')) as [ssl.SSLError];
        assert.ok(err instanceof ssl.SSLEOFError, String(err));
        assert.match(err.message, /EOF occurred in violation of protocol/);
      }
      assert.equal(Buffer.concat(chunks).toString(), 'partial');
    }
  } finally {
    srv.close();
  }
});

test('toDuplex() and for await over an SSLSocket against node:tls', async () => {
  const server = tls.createServer(nodeServerOptions, (c) => c.end('line one\nline two\n'));
  const port = await listen(server);
  try {
    const ctx = clientContext();
    const s1 = await ctx.wrapSocket(await socket.createConnection(['127.0.0.1', port]), { serverHostname: 'localhost' });
    const parts: Buffer[] = [];
    for await (const chunk of s1) parts.push(chunk);
    assert.equal(Buffer.concat(parts).toString(), 'line one\nline two\n');
    s1.close();

    const s2 = await ctx.wrapSocket(await socket.createConnection(['127.0.0.1', port]), { serverHostname: 'localhost' });
    const d = s2.toDuplex();
    assert.equal(d.authorized, true);
    assert.equal(d.getProtocol(), 'TLSv1.3');
    assert.equal((await collect(d)).toString(), 'line one\nline two\n');
    if (!d.closed) await once(d, 'close');
    assert.equal(s2.fileno(), -1);
  } finally {
    server.close();
  }
});
